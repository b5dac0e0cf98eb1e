"""`manage.py generate_kb --claims 100000`: a synthetic knowledge base of realistic size, for benchmarks.

It adds to whatever is loaded (the shipped fixtures, editors' work), in the
proportions a working newsroom reaches (issue 10): per 100,000 claims, 250,000
citations, 10,000 articles, 5,000 actors, 20,000 events and 500 tags, with
the skew real data has. A few actors, tags and events are very popular (the
most cited actors and tags already loaded lead the list), a few articles carry
hundreds of citations, about one claim in ten is contested, and a quote an
edit has lost is rare.

Every quote is a real passage of its article: bodies are written from the
sentences that the citations quote, plus connective ones, and each citation's
position and context (start, end, prefix, suffix) are those anchoring.anchor()
would find. The output depends only on --seed and --claims.

Every generated row is marked by a slug beginning "gen--" (actors, articles,
events, claims, tags; the rows hanging off them, citations, aliases, links and
tag assignments, go with their owner). slugify() never writes a double hyphen,
so no slug an editor's form makes carries the mark. `--remove` deletes exactly
the marked rows, and refuses, listing them, while an unmarked row (fixtures,
editors' work) still points at a marked one.

On PostgreSQL rows go in with COPY, in batches; elsewhere with bulk_create.
Neither sends signals row by row: the stored status columns are filled by
services' own rule as the rows are written, and cached pages are retired once.
"""

import datetime
import itertools
import random
import time
from bisect import bisect
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from articles import anchoring, services
from articles.models import Actor, ActorAlias, ActorNameKey, Article, Citation, Claim, Event, Participation, Stance
from articles.names import fold

PREFIX = "gen--"
BATCH = 5000

# Rows per claim, from issue 10's table (100k claims).
PER_CLAIM = {"citations": 2.5, "articles": 0.1, "actors": 0.05, "events": 0.2, "tags": 0.005}


def generated(path=""):
    """Rows whose object at `path` (e.g. "claim__") is generated."""
    return Q(**{f"{path}slug__startswith": PREFIX})


# --- Vocabulary ------------------------------------------------------------------


def _words(text):
    return text.split()


def _phrases(text):
    return text.split("|")


VIET_FAMILY = _words("Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly Dinh Mai Truong Lam")
VIET_MIDDLE = _words("Van Thi Duc Minh Quang Thanh Huu Ngoc Xuan Hong Kim Anh")
VIET_GIVEN = _words(
    "An Binh Chi Dung Giang Ha Hai Hanh Hieu Hoa Hung Huong Khanh Khoa Lan Linh Long Mai Nam Nga Ngoc "
    "Nhung Phong Phuc Quan Quynh Son Tam Thao Thu Thuy Tien Trang Trung Tuan Tung Uyen Vinh Yen"
)
KOREAN_FAMILY = _words("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song")
KOREAN_GIVEN = _words(
    "Min-jun Seo-yeon Ji-ho Ha-eun Do-yun Su-bin Jae-won Ye-jin Hyun-woo Ji-min Sung-ho Eun-ji "
    "Tae-yang Jin-young Dong-hyun Mi-rae Young-soo Hye-jin Chul-soo Kyung-mi"
)
WESTERN_FIRST = _words(
    "Anna David Maria James Laura Peter Sophie Daniel Emma Thomas Claire Michael Julia Robert Helen "
    "Mark Sarah Paul Alice Martin Nina Simon Rachel Lukas Ingrid Pierre Elena Marco Hannah Oliver"
)
WESTERN_LAST = _words(
    "Smith Johnson Brown Martin Schmidt Rossi Dubois Novak Jensen Clarke Walker Fischer Moreau "
    "Bianchi Larsen Keller Hughes Bennett Weber Laurent Costa Silva Evans Murphy Hall Young King "
    "Wright Scott Green"
)
CHINESE_FAMILY = _words("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo")
CHINESE_GIVEN = _words("Wei Fang Jun Lei Ming Hui Yan Jing Tao Bo Qiang Xin Yu Hao Ling Ping Gang Hong Jie Kai")
PLACES = _words(
    "Hanoi Pyongyang Beijing Seoul Tokyo Singapore Vientiane Jakarta Bangkok Moscow Washington "
    "Canberra Manila Phnom-Penh Kuala-Lumpur Geneva New-York Brussels Da-Nang Ho-Chi-Minh-City "
    "Haiphong Hue Busan Shanghai Ulaanbaatar Yangon Delhi Paris Berlin London"
)
STATES = _words(
    "Cambodia Thailand Myanmar Indonesia Malaysia Philippines Brunei Mongolia India Pakistan "
    "Bangladesh Cuba Venezuela Brazil Argentina Mexico Canada Germany Italy Spain Poland Hungary "
    "Czechia Sweden Norway Finland Denmark Netherlands Belgium Austria Switzerland Turkey Iran Israel "
    "Egypt Nigeria Kenya Ethiopia Algeria Kazakhstan Uzbekistan Belarus Serbia Greece Portugal "
    "Ireland Chile Peru Colombia"
)
FIELDS = _words(
    "Strategic Asian International Security Economic Peninsula Maritime Development Policy Regional "
    "Pacific Foreign-Affairs Defence Energy Trade Governance Mekong Northeast-Asian"
)
OUTLET_WORDS = _words(
    "Daily Herald Times Post Tribune Observer Review Journal Gazette Monitor Chronicle Dispatch Wire Courier"
)
TOPICS = _phrases(
    "trade|rice exports|energy security|nuclear disarmament|tourism|fisheries|education exchanges|"
    "sanctions enforcement|infrastructure finance|public health|maritime security|the digital economy|"
    "labour migration|climate adaptation|arms control|fertiliser supplies|rail links|port access|"
    "student visas|cultural exchanges|landmine clearance|food aid|power grids|civil aviation|"
    "customs procedures|joint research|border crossings|coal imports|textile quotas|pharmaceuticals|"
    "telecommunications|shipbuilding|agricultural machinery|disaster relief|the Mekong basin|"
    "human rights dialogues|party-to-party ties|military cooperation|investment protection|"
    "debt restructuring"
)
TAG_ASPECTS = _words(
    "policy talks reporting history figures outlook dispute funding agreements statistics diplomacy "
    "regulation rumours analysis timeline"
)
ROLES = ["host", "visitor", "attendee", "delegation leader", "signatory", "mediator", "observer"]
ACTIONS = [
    ("agreed with {b} to expand {topic}", "would expand {topic} with {b}"),
    ("signed a memorandum with {b} on {topic}", "would sign a memorandum with {b} on {topic}"),
    ("pledged closer cooperation with {b} on {topic}", "would deepen cooperation with {b} on {topic}"),
    ("accused {b} of undermining talks on {topic}", "would raise {topic} with {b}"),
    ("held talks with {b} on {topic}", "would hold further talks with {b} on {topic}"),
    ("criticised {b} over {topic}", "would press {b} over {topic}"),
    ("offered {b} assistance with {topic}", "would offer {b} help with {topic}"),
    ("asked {b} to reopen negotiations on {topic}", "would reopen negotiations with {b} on {topic}"),
]
FIGURES = [
    "{a}'s trade with {b} reached {n} million dollars",
    "{a} sent {n} delegates to {b} to discuss {topic}",
    "{a} and {b} announced {n} joint projects on {topic}",
    "{a} committed {n} million dollars to {topic} with {b}",
]
SUPPORT_FRAMES = [
    "{core}, officials said.",
    "{core}, according to a statement from {place}.",
    "{Core}.",
    "According to people familiar with the talks, {core}.",
    "{core}, the foreign ministry said on its website.",
    "{core}, a spokesperson confirmed.",
]
DISPUTE_FRAMES = [
    "Officials in {place} denied reports that {core}.",
    "{b} rejected the account that {core}, calling it inaccurate.",
    "There is no evidence that {core}, a senior diplomat told reporters.",
]
QUALIFY_FRAMES = [
    "It remains unclear whether {core}, analysts cautioned.",
    "Some observers said the claim that {core} overstated what was agreed.",
    "Details were scarce, but {core}, at least on paper.",
]
CONFLICT_NOTES = [
    "The two accounts differ on who agreed to what.",
    "The sources give different dates for the same meeting.",
    "One account reports a deal; the other says talks broke down.",
    "The figures the two accounts give do not match.",
]
FILLER = [
    "The meeting came as {a} sought to diversify its partnerships in the region.",
    "{a} has long balanced its ties with larger neighbours.",
    "Analysts in {place} said the talks reflected a broader shift in regional diplomacy.",
    "Neither side published a full text of what was discussed.",
    "The visit drew little attention in the state media of {a}.",
    "Observers will watch whether the commitments on {topic} are carried out.",
    "Relations between {a} and {b} date back several decades.",
    "The two delegations also toured an exhibition on {topic}.",
]


def _zipf(count, offset=0.0, power=1.0):
    """Cumulative weights for picking from a list ranked by popularity (rank 1 the most popular)."""
    return list(itertools.accumulate(1.0 / (rank + offset) ** power for rank in range(1, count + 1)))


class Picker:
    """Draws from `items`, the first the most popular, deterministically from `rng`."""

    def __init__(self, rng, items, offset=0.0, power=1.0):
        self.rng, self.items = rng, list(items)
        self.cumulative = _zipf(len(self.items), offset, power)
        self.total = self.cumulative[-1]

    def one(self):
        return self.items[min(bisect(self.cumulative, self.rng.random() * self.total), len(self.items) - 1)]

    def some(self, k):
        """Up to k distinct items."""
        chosen = []
        for _ in range(k * 3):
            item = self.one()
            if item not in chosen:
                chosen.append(item)
                if len(chosen) == k:
                    break
        return chosen


def _cap(text):
    return text[:1].upper() + text[1:]


def _date_phrase(day, precision):
    if precision == "day":
        return f"on {day.day} {day:%B %Y}"
    if precision == "month":
        return f"in {day:%B %Y}"
    if precision == "year":
        return f"in {day.year}"
    return f"in the {day.year // 10 * 10}s"


# --- Writing rows -------------------------------------------------------------------


def allocate_ids(model, count):
    """Primary keys for `count` new rows of `model`, reserved so concurrent writers cannot take them."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def insert(model, rows):
    """Insert `rows` (dicts of field values) in batches: COPY on PostgreSQL, bulk_create elsewhere.

    Rows go through the model's constructor, so every field the caller leaves
    out gets its model default, including fields added after this was written.
    """
    rows = iter(rows)
    while batch := list(itertools.islice(rows, BATCH)):
        objects = [model(**row) for row in batch]
        if connection.vendor != "postgresql":
            model.objects.bulk_create(objects)
            continue
        fields = [
            f for f in model._meta.concrete_fields if not (f.primary_key and getattr(objects[0], f.attname) is None)
        ]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


# --- The generator -------------------------------------------------------------------


class Generator:
    def __init__(self, claims, seed, log, lost=0.0005):
        self.rng = random.Random(seed)
        self.lost = lost
        self.claims = claims
        self.counts = {name: max(1, round(claims * per)) for name, per in PER_CLAIM.items()}
        self.counts["tags"] = max(3, self.counts["tags"])
        self.log = log
        self.now = timezone.now()
        # Folded (articles.names.fold), as ActorNameKey holds them: no two actors may answer to one name.
        self.used_names = set(ActorNameKey.objects.values_list("key", flat=True))

    # Actors ----------------------------------------------------------------------
    def _person_name(self):
        rng = self.rng
        style = rng.random()
        if style < 0.45:
            return f"{rng.choice(VIET_FAMILY)} {rng.choice(VIET_MIDDLE)} {rng.choice(VIET_GIVEN)}"
        if style < 0.65:
            return f"{rng.choice(KOREAN_FAMILY)} {rng.choice(KOREAN_GIVEN)}"
        if style < 0.8:
            return f"{rng.choice(CHINESE_FAMILY)} {rng.choice(CHINESE_GIVEN)}{rng.choice(CHINESE_GIVEN).lower()}"
        return f"{rng.choice(WESTERN_FIRST)} {rng.choice(WESTERN_LAST)}"

    def _name(self, kind, states):
        rng = self.rng
        place = rng.choice(PLACES).replace("-", " ")
        makers = {
            Actor.Kind.PERSON: self._person_name,
            Actor.Kind.STATE: lambda: states.pop() if states else f"Republic of {rng.choice(STATES)} {len(states)}",
            Actor.Kind.ORGANISATION: lambda: (
                f"{place} Institute for {rng.choice(FIELDS).replace('-', ' ')} Studies"
                if rng.random() < 0.6
                else f"{rng.choice(FIELDS).replace('-', ' ')} Council of {place}"
            ),
            Actor.Kind.OUTLET: lambda: f"The {place} {rng.choice(OUTLET_WORDS)}",
            Actor.Kind.GOVERNMENT: lambda: (
                f"Ministry of {rng.choice(FIELDS).replace('-', ' ')} of {rng.choice(STATES)}"
            ),
            Actor.Kind.PARTY: lambda: (
                f"{rng.choice(['People', 'Workers', 'Unity', 'Renewal', 'Labour'])} Party of {rng.choice(STATES)}"
            ),
        }
        for attempt in itertools.count():
            name = makers[kind]()
            if attempt > 20:
                name = f"{name} {attempt}"
            if fold(name) not in self.used_names:
                self.used_names.add(fold(name))
                return name

    def make_actors(self):
        rng = self.rng
        kinds = rng.choices(
            [
                Actor.Kind.PERSON,
                Actor.Kind.ORGANISATION,
                Actor.Kind.OUTLET,
                Actor.Kind.GOVERNMENT,
                Actor.Kind.PARTY,
                Actor.Kind.STATE,
            ],
            weights=[65, 14, 8, 7, 3, 3],
            k=self.counts["actors"],
        )
        states = [s for s in STATES if fold(s) not in self.used_names]
        rng.shuffle(states)
        ids = allocate_ids(Actor, len(kinds))
        rows, aliases, keys, slugs = [], [], [], set()
        for pk, kind in zip(ids, kinds, strict=True):
            name = self._name(kind, states)
            slug = base = f"{PREFIX}{slugify(name)}"[:90]
            for n in itertools.count(2):
                if slug not in slugs:
                    break
                slug = f"{base}-{n}"
            slugs.add(slug)
            description = {
                Actor.Kind.PERSON: rng.choice(
                    ["diplomat", "trade official", "journalist", "analyst", "minister", "party official", "scholar"]
                ),
                Actor.Kind.OUTLET: "news outlet",
            }.get(kind, "")
            rows.append({"id": pk, "slug": slug, "name": name, "kind": kind, "description": description})
            keys.append({"actor_id": pk, "key": fold(name)})
            if kind != Actor.Kind.PERSON and rng.random() < 0.3:
                # Organisations go by their initials too: "PISS" for "Pyongyang Institute for Strategic Studies".
                short = "".join(word[0] for word in name.split() if word[0].isupper())
                if len(short) > 2 and fold(short) not in self.used_names:
                    self.used_names.add(fold(short))
                    aliases.append({"actor_id": pk, "name": short})
                    keys.append({"actor_id": pk, "key": fold(short)})
        insert(Actor, rows)
        insert(ActorAlias, aliases)
        insert(ActorNameKey, keys)
        self.actors = rows
        # Popularity: the actors already loaded lead, the most written-about first.
        existing = list(
            Actor.objects.exclude(generated())
            .annotate(n=Count("claims_about"))
            .order_by("-n", "slug")
            .values("id", "name", "kind")
        )
        everyone = existing + [{"id": r["id"], "name": r["name"], "kind": r["kind"]} for r in rows]
        by_kind = defaultdict(list)
        for actor in everyone:
            by_kind[actor["kind"]].append(actor)
        self.actor_pick = Picker(rng, everyone)
        self.person_pick = Picker(rng, by_kind[Actor.Kind.PERSON] or everyone)
        outlets = by_kind[Actor.Kind.OUTLET] or everyone
        self.outlet_pick = Picker(rng, outlets, offset=1)
        self.wire_pick = Picker(rng, outlets[:8], offset=1)
        journalists = [a for a in by_kind[Actor.Kind.PERSON] if a["id"] in set(ids)][: max(1, len(rows) // 10)]
        self.journalist_pick = Picker(rng, journalists or everyone, offset=5)
        self.log(f"actors: {len(rows)} (+{len(aliases)} aliases)")

    # Tags ------------------------------------------------------------------------------
    def make_tags(self):
        rng = self.rng
        existing_names = {n.lower() for n in Tag.objects.values_list("name", flat=True)}
        combos = [f"{topic} {aspect}" for topic in TOPICS for aspect in TAG_ASPECTS]
        rng.shuffle(combos)
        names = [n for n in combos if n.lower() not in existing_names][: self.counts["tags"]]
        for n in itertools.count(2):
            if len(names) >= self.counts["tags"]:
                break
            names.extend(f"{c} {n}" for c in combos[: self.counts["tags"] - len(names)])
        ids = allocate_ids(Tag, len(names))
        insert(
            Tag,
            ({"id": pk, "name": name, "slug": f"{PREFIX}{slugify(name)}"} for pk, name in zip(ids, names, strict=True)),
        )
        existing = list(
            Tag.objects.exclude(generated()).annotate(n=Count("taggit_taggeditem_items")).order_by("-n", "slug")
        )
        self.tag_pick = Picker(rng, [t.pk for t in existing] + ids, offset=2)
        self.log(f"tags: {len(ids)}")

    def tag(self, model_ids, content_type, per_object):
        rng = self.rng
        rows = []
        for pk in model_ids:
            for tag_id in self.tag_pick.some(rng.choice(per_object)):
                rows.append({"tag_id": tag_id, "content_type_id": content_type.pk, "object_id": pk})
        insert(TaggedItem, rows)
        return len(rows)

    # Events ------------------------------------------------------------------------------
    def _random_day(self, first=1950, last=2025, recent_bias=2.0):
        year = first + int((last - first + 1) * (self.rng.random() ** (1 / recent_bias)))
        year = min(year, last)
        return datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))

    def make_events(self):
        rng = self.rng
        ids = allocate_ids(Event, self.counts["events"])
        rows, participations = [], []
        self.event_info = {}
        self.event_starts = {}
        for number, pk in enumerate(ids, start=1):
            day = self._random_day()
            precision = rng.choices(["day", "month", "year", "decade"], weights=[60, 20, 15, 5])[0]
            start = {
                "day": day,
                "month": day.replace(day=1),
                "year": day.replace(month=1, day=1),
                "decade": datetime.date(day.year // 10 * 10, 1, 1),
            }[precision]
            end = (
                start + datetime.timedelta(days=rng.randint(1, 4))
                if precision == "day" and rng.random() < 0.2
                else None
            )
            people = self.actor_pick.some(rng.choice([1, 2, 2, 3, 4]))
            a, b = people[0]["name"], people[-1]["name"]
            topic, place = rng.choice(TOPICS), rng.choice(PLACES).replace("-", " ")
            title = (
                rng.choice(
                    [
                        f"{a} and {b} talks on {topic} in {place}",
                        f"{a} visits {place}",
                        f"Conference on {topic} in {place}",
                        f"{a} delegation to {place} on {topic}",
                        f"Agreement on {topic} signed in {place}",
                    ]
                )
                if len(people) > 1
                else f"{a} visits {place}"
            )
            slug = f"{PREFIX}{slugify(title)[:70].rstrip('-')}-{number}"
            rows.append(
                {
                    "id": pk,
                    "slug": slug,
                    "title": title,
                    "description": f"{_cap(_date_phrase(start, precision))}, {a} met counterparts in {place} "
                    f"to discuss {topic}.",
                    "start": start,
                    "end": end,
                    "date_precision": precision,
                    "date_approximate": rng.random() < 0.05,
                }
            )
            for actor, role in zip(people, rng.sample(ROLES, len(people)), strict=True):
                participations.append({"event_id": pk, "actor_id": actor["id"], "role": role})
            self.event_info[pk] = (people, _date_phrase(start, precision), place)
            self.event_starts[pk] = start
        insert(Event, rows)
        insert(Participation, participations)
        # The events already loaded lead: the best-attested first.
        existing = list(
            Event.objects.exclude(generated()).annotate(n=Count("claims")).order_by("-n", "slug").with_participants()
        )
        for event in existing:
            people = [
                {"id": p.actor.pk, "name": p.actor.name, "kind": p.actor.kind} for p in event.participations.all()
            ]
            self.event_info[event.pk] = (people, _date_phrase(event.start, event.date_precision), "the capital")
            self.event_starts[event.pk] = event.start
        self.event_ids = ids
        self.event_pick = Picker(rng, [e.pk for e in existing] + ids, offset=5)
        self.log(f"events: {len(ids)} (+{len(participations)} participations)")

    # Claims --------------------------------------------------------------------------------
    def make_claims(self):
        rng = self.rng
        ids = allocate_ids(Claim, self.claims)
        rows, subjects = [], []
        self.claim_core = {}
        self.claim_people = {}
        for index, pk in enumerate(ids):
            # Every generated event is attested by a claim; the rest follow popularity.
            if index < len(self.event_ids):
                event_id = self.event_ids[index]
            else:
                event_id = self.event_pick.one() if rng.random() < 0.85 else None
            if event_id:
                people, when, place = self.event_info[event_id]
                about = list(people[:2]) or self.actor_pick.some(1)
                if rng.random() < 0.4:
                    about.append(self.actor_pick.one())
            else:
                about = self.actor_pick.some(rng.choice([1, 1, 2, 2, 3]))
                when, place = _date_phrase(self._random_day(1990), "month"), rng.choice(PLACES).replace("-", " ")
            # Every generated actor is referenced: the first claims are about them in turn.
            if index < len(self.actors):
                about.append(self.actors[index])
            about = list({a["id"]: a for a in about}.values())
            a, b = about[0]["name"], about[-1]["name"] if len(about) > 1 else rng.choice(STATES)
            topic = rng.choice(TOPICS)
            kind = rng.choices(["fact", "figure", "opinion", "prediction"], weights=[60, 15, 20, 5])[0]
            claimant = None
            if kind == "figure":
                core = rng.choice(FIGURES).format(a=a, b=b, topic=topic, n=rng.randint(3, 900)) + f" {when}"
            elif kind == "prediction":
                core = f"{a} {rng.choice(ACTIONS)[1].format(b=b, topic=topic)} by {rng.randint(2026, 2035)}"
            else:
                core = f"{a} {rng.choice(ACTIONS)[0].format(b=b, topic=topic)} in {place} {when}"
            if kind == "opinion" or rng.random() < 0.2:
                claimant = self.person_pick.one()
                if kind == "opinion":
                    core = (
                        f"{a} {rng.choice(['was right to', 'made a mistake to', 'had little choice but to'])} "
                        f"seek closer ties with {b} on {topic}"
                    )
            text = _cap(core) + "."
            slug = f"{PREFIX}{slugify(core)[:80].rstrip('-')}-{index + 1}"
            rows.append(
                {
                    "id": pk,
                    "slug": slug,
                    "text": text,
                    "kind": kind,
                    "claimant_id": claimant["id"] if claimant else None,
                    "event_id": event_id,
                    "event_start": self.event_starts[event_id] if event_id else None,
                }
            )
            subjects.extend({"claim_id": pk, "actor_id": actor["id"]} for actor in about)
            self.claim_core[pk] = core
            self.claim_people[pk] = (a, b, place)
        # A few claims compete with another on the same event (symmetrical: both directions).
        conflicts = []
        by_event = defaultdict(list)
        for row in rows:
            if row["event_id"]:
                by_event[row["event_id"]].append(row["id"])
        for claim_ids in by_event.values():
            if len(claim_ids) > 1 and rng.random() < 0.05:
                x, y = rng.sample(claim_ids, 2)
                note = rng.choice(CONFLICT_NOTES)
                conflicts += [
                    {"from_claim_id": x, "to_claim_id": y, "note": note},
                    {"from_claim_id": y, "to_claim_id": x, "note": note},
                ]
        # Written once their citations are known, with the status those give them.
        self.claim_rows, self.subject_rows, self.conflict_rows = rows, subjects, conflicts
        self.claim_ids = ids

    # Articles and citations ------------------------------------------------------------------
    def make_articles_and_citations(self):
        rng = self.rng
        article_ids = allocate_ids(Article, self.counts["articles"])
        # A few articles carry hundreds of citations, most a handful; the skew
        # keeps its shape at every size (offset 100 at 10,000 articles).
        article_pick = Picker(rng, range(len(article_ids)), offset=max(1, len(article_ids) / 100))
        # Citations per claim average 2.5; the first always supports.
        per_claim = rng.choices([1, 2, 3, 4, 5, 6, 10], weights=[37, 26, 15, 10, 6, 4, 2], k=len(self.claim_ids))
        extra = self.counts["citations"] - sum(per_claim)
        for _ in range(max(0, extra)):
            per_claim[rng.randrange(len(per_claim))] += 1
        quoted = defaultdict(list)  # article index -> [(claim id, stance, sentence, quote within it)]
        for number, (claim_id, count) in enumerate(zip(self.claim_ids, per_claim, strict=True)):
            articles = set()
            # Every article quotes something: the first claims go round them in turn.
            if number < len(article_ids):
                articles.add(number)
            for _ in range(count * 3):
                if len(articles) >= count:
                    break
                articles.add(article_pick.one())
            core = self.claim_core[claim_id]
            a, b, place = self.claim_people[claim_id]
            for number, article in enumerate(sorted(articles, key=lambda _: rng.random())):
                roll = rng.random()
                stance = (
                    Stance.SUPPORTS
                    if number == 0 or roll < 0.8
                    else Stance.QUALIFIES
                    if roll < 0.93
                    else Stance.DISPUTES
                )
                frames = {Stance.SUPPORTS: SUPPORT_FRAMES, Stance.DISPUTES: DISPUTE_FRAMES}.get(stance, QUALIFY_FRAMES)
                sentence = rng.choice(frames).format(core=core, Core=_cap(core), place=place, b=b)
                # Most quotes are the whole sentence; some only the clause that states the claim.
                quote = core if stance == Stance.SUPPORTS and rng.random() < 0.3 and core in sentence else sentence
                quoted[article].append((claim_id, stance, sentence, quote))

        articles, citations = [], []
        kinds = ["news", "wire", "analysis", "commentary", "faq"]
        for index, pk in enumerate(article_ids):
            items = quoted[index]
            rng.shuffle(items)
            fillers = max(3, len(items) // 3)
            a, b, place = self.claim_people[items[0][0]] if items else ("Vietnam", "North Korea", "Hanoi")
            # Connective sentences, none twice in one article.
            filler = {
                rng.choice(FILLER).format(a=a, b=b, place=place, topic=rng.choice(TOPICS)) for _ in range(fillers)
            }
            sentences = [(item, item[2]) for item in items] + [(None, sentence) for sentence in sorted(filler)]
            rng.shuffle(sentences)
            body, spans = [], []
            offset, in_paragraph = 0, 0
            lost = None
            for item, sentence in sentences:
                # A quote lost to a later edit is rare: its sentence is no longer in the body.
                if item and lost is None and rng.random() < self.lost:
                    lost = item
                    continue
                if body:
                    separator = "\n\n" if in_paragraph >= rng.choice([2, 3, 4, 5]) else " "
                    in_paragraph = 0 if separator == "\n\n" else in_paragraph
                    body.append(separator)
                    offset += len(separator)
                if item:
                    start = offset + sentence.index(item[3])
                    spans.append((item, start, start + len(item[3])))
                body.append(sentence)
                offset += len(sentence)
                in_paragraph += 1
            text = "".join(body)
            kind = rng.choices(kinds, weights=[60, 15, 12, 10, 3])[0]
            publisher = self.outlet_pick.one() if rng.random() < 0.85 else None
            wire = self.wire_pick.one() if kind == "wire" or rng.random() < 0.15 else None
            title = rng.choice(
                [
                    f"{a} and {b} step up cooperation",
                    f"What {a}'s latest move means for {b}",
                    f"{a} looks to {b} as talks continue",
                    f"Inside the {a}–{b} relationship",
                    f"{place}: {a} and {b} in focus",
                ]
            )
            articles.append(
                {
                    "id": pk,
                    "slug": f"{PREFIX}{slugify(title)[:70].rstrip('-')}-{index + 1}",
                    "title": title,
                    "publisher_id": publisher["id"] if publisher else None,
                    "wire_id": wire["id"] if wire else None,
                    "published": self._random_day(1995, 2025, recent_bias=3.0),
                    "date_precision": "day",
                    "kind": kind,
                    "body": text,
                }
            )
            for (claim_id, stance, _, quote), start, end in spans:
                context_before, _, context_after = anchoring.in_context(text, start, end)
                citations.append(
                    {
                        "claim_id": claim_id,
                        "article_id": pk,
                        "quote": quote,
                        "stance": stance,
                        "start": start,
                        "end": end,
                        "prefix": text[max(0, start - anchoring.CONTEXT_CHARS) : start],
                        "suffix": text[end : end + anchoring.CONTEXT_CHARS],
                        "context_before": context_before,
                        "context_after": context_after,
                        "anchored": True,
                    }
                )
            if lost:
                claim_id, stance, _, quote = lost
                citations.append(
                    {"claim_id": lost[0], "article_id": pk, "quote": quote, "stance": stance, "anchored": False}
                )
        insert(Article, articles)
        authors = [
            {"article_id": row["id"], "actor_id": journalist["id"]}
            for row in articles
            for journalist in self.journalist_pick.some(rng.choice([0, 1, 1, 1, 2]))
        ]
        insert(Article.authors.through, authors)
        self.log(f"articles: {len(articles)} (+{len(authors)} author links)")
        # In claim order, as an editor would add them.
        citations.sort(key=lambda c: (c["claim_id"], c["article_id"]))
        unique = list({(c["claim_id"], c["article_id"], c["quote"]): c for c in citations}.values())
        self.store_derived(unique)
        rows = self.claim_rows
        insert(Claim, rows)
        insert(Claim.subjects.through, self.subject_rows)
        insert(Claim.conflicts_with.through, self.conflict_rows)
        self.log(
            f"claims: {len(rows)} (+{len(self.subject_rows)} subject links, "
            f"{len(self.conflict_rows) // 2} competing pairs)"
        )
        insert(Citation, unique)
        self.article_ids = article_ids
        lost_count = sum(1 for c in unique if not c["anchored"])
        self.log(f"citations: {len(unique)} ({lost_count} lost to an edit)")

    def store_derived(self, citations):
        """Fill the derived columns (citation origin, claim status and origins) by the project's own rule.

        The rule is services.status_for / origins_of over Citation objects; here
        they are unsaved ones, on articles read back with their people, so that
        no claim's citations (and article bodies) need reading again.
        """
        articles = {a.pk: a for a in Article.objects.filter(generated()).without_texts().with_people()}
        by_claim = defaultdict(list)
        for row in citations:
            citation = Citation(article=articles[row["article_id"]], stance=row["stance"], anchored=row["anchored"])
            row["origin"] = citation.origin_label()
            by_claim[row["claim_id"]].append(citation)
        counted = {row["claim_id"] for row in citations if row["stance"] == Stance.SUPPORTS and row["anchored"]}
        rivals = defaultdict(set)
        for link in self.conflict_rows:
            rivals[link["from_claim_id"]].add(link["to_claim_id"])
        for claim in self.claim_rows:
            cited = by_claim[claim["id"]]
            labels = [origin.label for origin in services.origins_of(cited)]
            claim["status"] = services.status_for(cited, competing_supported=bool(rivals[claim["id"]] & counted))
            claim["origin_labels"], claim["origin_count"] = labels, len(labels)

    def run(self):
        self.make_actors()
        self.make_tags()
        self.make_events()
        self.make_claims()
        self.make_articles_and_citations()
        types = {model: ContentType.objects.get_for_model(model) for model in (Article, Event, Claim)}
        tagged = self.tag(self.claim_ids, types[Claim], [0, 1, 1, 2, 2, 3])
        tagged += self.tag(self.article_ids, types[Article], [1, 2, 3, 4])
        tagged += self.tag(self.event_ids, types[Event], [0, 1, 2])
        self.log(f"tag assignments: {tagged}")


# --- Removing ----------------------------------------------------------------------------


def blockers():
    """Unmarked rows that point at generated ones: removing would lose an editor's work."""
    types = {model: ContentType.objects.get_for_model(model) for model in (Article, Event, Claim)}
    generated_objects = Q()
    for model, content_type in types.items():
        generated_objects |= Q(content_type=content_type, object_id__in=model.objects.filter(generated()).values("pk"))
    checks = {
        "citations of other claims quote generated articles": Citation.objects.filter(generated("article__")).exclude(
            generated("claim__")
        ),
        "other claims attest generated events or are made by generated actors": Claim.objects.exclude(
            generated()
        ).filter(generated("event__") | generated("claimant__")),
        "other claims are about generated actors": Claim.subjects.through.objects.filter(generated("actor__")).exclude(
            generated("claim__")
        ),
        "other claims compete with generated claims": Claim.conflicts_with.through.objects.filter(
            generated("to_claim__")
        ).exclude(generated("from_claim__")),
        "other articles are published, sent or written by generated actors": Article.objects.exclude(
            generated()
        ).filter(generated("publisher__") | generated("wire__") | generated("authors__")),
        "other events have generated participants": Participation.objects.filter(generated("actor__")).exclude(
            generated("event__")
        ),
        "other articles, events or claims carry generated tags": TaggedItem.objects.filter(generated("tag__")).exclude(
            generated_objects
        ),
    }
    return {description: rows.distinct().count() for description, rows in checks.items() if rows.exists()}


def remove_generated():
    """Delete every generated row in one transaction, with plain SQL DELETEs.

    QuerySet.delete() would load every row to send a delete signal for each;
    the one thing those signals do here, retiring cached pages, happens once, after.
    Returns {table: rows deleted}.
    """
    qn = connection.ops.quote_name
    types = {model: ContentType.objects.get_for_model(model) for model in (Article, Event, Claim)}

    def marked(model):
        return f"SELECT id FROM {qn(model._meta.db_table)} WHERE slug LIKE %s"

    like = PREFIX.replace("_", r"\_") + "%"
    tagged, subjects = TaggedItem._meta.db_table, Claim.subjects.through._meta.db_table
    steps = [("tag assignments", f"DELETE FROM {qn(tagged)} WHERE tag_id IN ({marked(Tag)})", [like])]
    steps += [
        (
            "tag assignments",
            f"DELETE FROM {qn(tagged)} WHERE content_type_id = %s AND object_id IN ({marked(model)})",
            [content_type.pk, like],
        )
        for model, content_type in types.items()
    ]
    conflicts = Claim.conflicts_with.through._meta.db_table
    steps += [
        ("citations", f"DELETE FROM {qn(Citation._meta.db_table)} WHERE claim_id IN ({marked(Claim)})", [like]),
        ("claim subject links", f"DELETE FROM {qn(subjects)} WHERE claim_id IN ({marked(Claim)})", [like]),
        ("competing-claim links", f"DELETE FROM {qn(conflicts)} WHERE from_claim_id IN ({marked(Claim)})", [like]),
        ("competing-claim links", f"DELETE FROM {qn(conflicts)} WHERE to_claim_id IN ({marked(Claim)})", [like]),
        ("claims", f"DELETE FROM {qn(Claim._meta.db_table)} WHERE slug LIKE %s", [like]),
        (
            "participations",
            f"DELETE FROM {qn(Participation._meta.db_table)} WHERE event_id IN ({marked(Event)})",
            [like],
        ),
        ("events", f"DELETE FROM {qn(Event._meta.db_table)} WHERE slug LIKE %s", [like]),
        (
            "article author links",
            f"DELETE FROM {qn(Article.authors.through._meta.db_table)} WHERE article_id IN ({marked(Article)})",
            [like],
        ),
        ("articles", f"DELETE FROM {qn(Article._meta.db_table)} WHERE slug LIKE %s", [like]),
        ("actor aliases", f"DELETE FROM {qn(ActorAlias._meta.db_table)} WHERE actor_id IN ({marked(Actor)})", [like]),
        (
            "actor name keys",
            f"DELETE FROM {qn(ActorNameKey._meta.db_table)} WHERE actor_id IN ({marked(Actor)})",
            [like],
        ),
        ("actors", f"DELETE FROM {qn(Actor._meta.db_table)} WHERE slug LIKE %s", [like]),
        ("tags", f"DELETE FROM {qn(Tag._meta.db_table)} WHERE slug LIKE %s", [like]),
    ]
    deleted = defaultdict(int)
    with connection.cursor() as cursor:
        for name, sql, params in steps:
            cursor.execute(sql, params)
            deleted[name] += cursor.rowcount
    return dict(deleted)


class Command(BaseCommand):
    help = (
        "Add a synthetic knowledge base of realistic size for benchmarks (marked by slugs beginning "
        f"“{PREFIX}”), or remove it again with --remove."
    )

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, default=100_000, help="How many claims; the rest scales with it.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed and size give the same data.")
        parser.add_argument(
            "--lost",
            type=float,
            default=0.0005,
            help="The share of quotes lost to a later edit (at most one an article).",
        )
        parser.add_argument("--remove", action="store_true", help="Delete every generated row, and nothing else.")

    def handle(self, *args, claims, seed, lost, remove, verbosity, **options):
        started = time.monotonic()

        def log(message):
            if verbosity:
                self.stdout.write(f"  {message} ({time.monotonic() - started:.1f} s)")

        if remove:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL statement_timeout = 0")
                blocking = blockers()
                if blocking:
                    listing = "\n".join(f"  - {what}: {n}" for what, n in blocking.items())
                    raise CommandError(
                        f"Nothing was removed: rows that are not generated refer to generated ones, and "
                        f"removing would lose them. Unlink these first:\n{listing}"
                    )
                deleted = remove_generated()
                # Fixture events lose the generated claims that attested them.
                services.events_refresh_counts(Event.objects.all())
            _content_changed()
            summary = ", ".join(f"{n} {name}" for name, n in deleted.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Removed the generated data: {summary or 'there was none'}."))
            return
        if not 1 <= claims <= 10_000_000:
            raise CommandError(f"--claims must be between 1 and 10,000,000; got {claims}.")
        if not 0 <= lost <= 1:
            raise CommandError(f"--lost is a share between 0 and 1; got {lost}.")
        if Claim.objects.filter(generated()).exists():
            raise CommandError("Generated data is already loaded; run generate_kb --remove first.")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The site's per-statement timeout guards readers' requests; a
                # COPY of 250,000 rows on a busy machine may rightly take longer.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout = 0")
            Generator(claims, seed, log, lost=lost).run()
            if connection.vendor == "postgresql":
                # Statistics first: planned for empty tables, the refresh below ran
                # its per-event subqueries as whole-table scans (over 10 minutes at 100k).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            # Rows went in without signals: the events' stored counts are filled from them here.
            services.events_refresh_counts(Event.objects.all())
        _content_changed()
        if connection.vendor == "postgresql":
            # What autovacuum would do a while later, done now so that the data is
            # measured as a server in use sees it: the refresh rewrote every event row,
            # and until the visibility map is set no COUNT can be an index-only scan
            # (the home page's counts took 40-50 ms each instead of 1-6).
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
                try:
                    # VACUUM cannot run inside a transaction (a test's, say): there, statistics only.
                    cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
                finally:
                    cursor.execute("RESET statement_timeout")
        self.stdout.write(
            self.style.SUCCESS(f"Generated {claims} claims and their sources in {time.monotonic() - started:.0f} s.")
        )


def _content_changed():
    from articles.caching import bump_content_version

    bump_content_version()
