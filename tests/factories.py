"""Small factories: each makes a valid object with sensible defaults.

Pass only what a test cares about; everything else gets a unique default.
"""

import datetime
import importlib
import itertools
import random

from articles.dates import DatePrecision
from articles.models import Actor, ActorAlias, Article, Citation, Claim, Event, Participation, Stance

_sequence = itertools.count(1)


def _next():
    return next(_sequence)


def long_passage(characters):
    """A sentence of about `characters` characters that does not compress: seeded random Vietnamese-looking words.

    PostgreSQL compresses a value before indexing it, so a repeated word never
    reaches the 2,704-byte limit of a btree index entry that a real paragraph does.
    """
    rng = random.Random(characters)
    letters = "abcdeghiklmnopqrstuvxyàáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    words = []
    while sum(len(word) + 1 for word in words) < characters:
        words.append("".join(rng.choice(letters) for _ in range(rng.randint(2, 7))))
    return " ".join(words).capitalize() + "."


def make_actor(name=None, *, kind=Actor.Kind.PERSON, aliases=(), slug=None, **fields):
    n = _next()
    name = name or f"Actor {n}"
    actor = Actor.objects.create(slug=slug or f"actor-{n}", name=name, kind=kind, **fields)
    for alias in aliases:
        ActorAlias.objects.create(actor=actor, name=alias)
    return actor


def make_article(
    body="A plain sentence about nothing in particular.", *, title=None, slug=None, authors=(), tags=(), **fields
):
    n = _next()
    fields.setdefault("kind", Article.Kind.NEWS)
    fields.setdefault("published", datetime.date(2025, 10, 9))
    article = Article.objects.create(slug=slug or f"article-{n}", title=title or f"Article {n}", body=body, **fields)
    article.authors.set(authors)
    if tags:
        article.tags.add(*tags)
    return article


def make_event(title=None, *, start=datetime.date(2025, 10, 9), participants=(), slug=None, tags=(), **fields):
    n = _next()
    fields.setdefault("date_precision", DatePrecision.DAY)
    event = Event.objects.create(slug=slug or f"event-{n}", title=title or f"Event {n}", start=start, **fields)
    for actor, role in participants:
        Participation.objects.create(event=event, actor=actor, role=role)
    if tags:
        event.tags.add(*tags)
    return event


def make_claim(text=None, *, slug=None, subjects=(), tags=(), citations=(), **fields):
    """citations: (article, quote) or (article, quote, stance) tuples."""
    n = _next()
    claim = Claim.objects.create(slug=slug or f"claim-{n}", text=text or f"Claim number {n}.", **fields)
    claim.subjects.set(subjects)
    if tags:
        claim.tags.add(*tags)
    for article, quote, *stance in citations:
        cite(claim, article, quote, stance[0] if stance else Stance.SUPPORTS)
    return claim


def cite(claim, article, quote, stance=Stance.SUPPORTS, **fields):
    """fields: speaker, location. Validated as the admin validates it, so a quote not in the text fails here."""
    citation = Citation(claim=claim, article=article, quote=quote, stance=stance, **fields)
    citation.full_clean()
    citation.save()
    return citation


# --- People ----------------------------------------------------------------------
# The personas every permission test talks about, after healthchecks' alice/bob/charlie:
# alice runs the site (superuser), bob edits content (staff, in "Editors"),
# charlie is a signed-in reader (active, not staff) who must get no admin at all.
PASSWORD = "correct horse battery staple"


def make_user(username, *, staff=False, superuser=False, groups=(), **fields):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        is_staff=staff or superuser,
        is_superuser=superuser,
        **fields,
    )
    found = list(Group.objects.filter(name__in=groups))
    if len(found) != len(set(groups)):
        # A flushed database (TransactionTestCase, transactional_db) loses the
        # groups that migrations create; say so instead of making a powerless user.
        missing = sorted(set(groups) - {g.name for g in found})
        raise LookupError(f"No group named {missing}; call rebuild_editors_group() after a flush.")
    user.groups.set(found)
    return user


def rebuild_editors_group():
    """The "Editors" group as migrations 0002 and 0007 make it.

    A transactional test empties every table afterwards, taking the group with
    it (serialized_rollback would restore it, but clashes with the content types
    the flush recreates); such tests rebuild it with this.
    """
    from django.contrib.auth.models import Group, Permission

    granted = importlib.import_module("articles.migrations.0002_editors_group")
    competing = importlib.import_module("articles.migrations.0007_editors_edit_competing_claims")
    models = {**granted.EDITOR_MODELS, "articles": [*granted.EDITOR_MODELS["articles"], "claimconflict"]}
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
        for app_label, names in models.items()
        for model in names
        for action in sorted({*granted.ACTIONS, *competing.ACTIONS})
    )
    return group


def make_admin(username="alice"):
    return make_user(username, superuser=True)


def make_editor(username="bob"):
    # The "Editors" group comes from migration 0002, so it exists in every test database.
    return make_user(username, staff=True, groups=["Editors"])


def make_reader(username="charlie"):
    return make_user(username)


# --- A small world for the reader-page tests ------------------------------------------
# One visit, its history, and sources that agree and disagree about it: a wire
# story in two copies (which count as one source), a newspaper interview, an
# undated FAQ that disputes the wire's date for the previous visit, and an
# article whose later edit lost a quote. Several claims with several citations
# each, so that a page running a query per row shows up in the query counts.


def module_data(django_db_blocker):
    """Data built once for a whole test module and rolled back after it.

    Use in a module-scoped fixture:

        @pytest.fixture(scope="module")
        def world(django_db_setup, django_db_blocker):
            with module_data(django_db_blocker):
                yield make_world()

    Each test still runs in its own savepoint inside this transaction.
    """
    import contextlib

    from django.db import transaction

    @contextlib.contextmanager
    def kept():
        with django_db_blocker.unblock(), transaction.atomic():
            yield
            transaction.set_rollback(True)

    return kept()


WIRE_BODY = (
    "HANOI: Vietnam’s Communist Party chief To Lam will kick off a three-day state visit to North Korea "
    "on Thursday (Oct 9).\n\n"
    "The last time a Vietnamese party head visited North Korea was in 2007.\n\n"
    '"Vietnam can play a quiet, mediating role," said Carl Thayer. Analysts doubt that sanctions will ease soon.'
)
INTERVIEW_BODY = (
    "## The visit\n\n"
    "To Lam arrived in Pyongyang on 9 October 2025 for a visit lasting until 11 October. "
    "He was greeted at the airport by Kim Jong Un.\n\n"
    "Thayer said Vietnam could act as a mediator between Pyongyang and Washington.\n\n"
    "- Trade has dwindled since 2017.\n- Sanctions limit cooperation."
)
FAQ_BODY = (
    "Q: When did a Vietnamese leader last visit?\n\n"
    "A: The last visit by a Vietnamese general secretary took place around 2005–2006. "
    "Relations were established in 1950.\n\n"
    "Q: Will trade grow?\n\nA: Mediation is unlikely to change much."
)


def make_world():
    from types import SimpleNamespace

    w = SimpleNamespace()
    w.to_lam = make_actor(
        "To Lam", slug="to-lam", aliases=["Tô Lâm", "Mr. Lam"], description="General Secretary of the Communist Party"
    )
    w.kim = make_actor("Kim Jong Un", slug="kim-jong-un", aliases=["Kim Jong-un"], description="North Korean leader")
    w.thayer = make_actor("Carl Thayer", slug="carl-thayer", description="Vietnam expert")
    w.vietnam = make_actor("Vietnam", slug="vietnam", kind=Actor.Kind.STATE, aliases=["Hanoi"])
    w.bloomberg = make_actor("Bloomberg", slug="bloomberg", kind=Actor.Kind.OUTLET)
    w.tuoi_tre = make_actor("Tuoi Tre", slug="tuoi-tre", kind=Actor.Kind.OUTLET)
    w.straits = make_actor("The Straits Times", slug="straits-times", kind=Actor.Kind.OUTLET)

    w.wire_story = make_article(
        WIRE_BODY,
        title="Vietnam leader makes rare visit to North Korea",
        slug="bloomberg-rare-visit",
        wire=w.bloomberg,
        kind=Article.Kind.WIRE,
        published=datetime.date(2025, 10, 8),
        date_approximate=True,
        date_note="Written the day before the visit.",
        captions="To Lam greeted by children. - AP",
        tags=["state-visit", "wire"],
    )
    w.wire_copy = make_article(
        WIRE_BODY,
        title="Vietnam leader makes rare visit (Straits Times copy)",
        slug="straits-copy",
        wire=w.bloomberg,
        publisher=w.straits,
        kind=Article.Kind.WIRE,
        published=datetime.date(2025, 10, 8),
    )
    w.interview = make_article(
        INTERVIEW_BODY,
        title="Scholars on To Lam's visit",
        slug="tuoi-tre-interview",
        publisher=w.tuoi_tre,
        authors=[w.thayer],
        published=datetime.date(2025, 10, 1),
        date_precision=DatePrecision.MONTH,
        tags=["state-visit", "mediation"],
    )
    w.faq = make_article(
        FAQ_BODY,
        title="Questions and answers on the visit",
        slug="visit-faq",
        kind=Article.Kind.FAQ,
        published=None,
        title_is_editorial=True,
        date_note="Undated; written before the visit.",
    )
    w.edited = make_article(
        "Trade fell to almost nothing. Officials met in Hanoi.",
        title="An edited report",
        slug="edited-report",
        publisher=w.tuoi_tre,
        published=datetime.date(2025, 10, 12),
    )

    w.relations = make_event(
        "Vietnam and North Korea establish diplomatic relations",
        slug="relations-established",
        start=datetime.date(1950, 1, 1),
        date_precision=DatePrecision.YEAR,
        participants=[(w.vietnam, "recognised state")],
        tags=["history"],
    )
    w.previous = make_event(
        "Previous visit by a Vietnamese party chief",
        slug="previous-visit",
        start=datetime.date(2005, 1, 1),
        end=datetime.date(2006, 1, 1),
        date_precision=DatePrecision.YEAR,
        date_approximate=True,
        participants=[(w.vietnam, "visiting party")],
        tags=["history"],
    )
    w.visit = make_event(
        "To Lam's state visit to North Korea",
        slug="state-visit",
        start=datetime.date(2025, 10, 9),
        end=datetime.date(2025, 10, 11),
        description="A three-day state visit to Pyongyang.",
        participants=[(w.to_lam, "visitor"), (w.kim, "host")],
        tags=["state-visit"],
    )
    w.talks = make_event(
        "Talks in Pyongyang",
        slug="talks",
        start=datetime.date(2025, 10, 1),
        date_precision=DatePrecision.MONTH,
        participants=[(w.to_lam, "delegation leader"), (w.kim, "host"), (w.thayer, "commentator")],
    )

    w.visit_dates = make_claim(
        "To Lam visited North Korea from 9 to 11 October 2025.",
        slug="visit-9-11-october",
        event=w.visit,
        subjects=[w.to_lam, w.vietnam],
        tags=["state-visit"],
        citations=[
            (w.wire_story, "will kick off a three-day state visit to North Korea"),
            (w.wire_copy, "will kick off a three-day state visit to North Korea"),
            (w.interview, "To Lam arrived in Pyongyang on 9 October 2025 for a visit lasting until 11 October."),
        ],
    )
    w.greeted = make_claim(
        "Kim Jong Un greeted To Lam at the airport.",
        slug="kim-greeted-lam",
        event=w.visit,
        subjects=[w.kim],
        citations=[(w.interview, "He was greeted at the airport by Kim Jong Un.")],
    )
    w.last_2007 = make_claim(
        "The previous visit by a Vietnamese party chief was in 2007.",
        slug="previous-visit-2007",
        event=w.previous,
        subjects=[w.vietnam],
        tags=["history"],
        citations=[
            (w.wire_story, "The last time a Vietnamese party head visited North Korea was in 2007."),
            (w.wire_copy, "The last time a Vietnamese party head visited North Korea was in 2007."),
            (w.faq, "The last visit by a Vietnamese general secretary took place around 2005–2006.", Stance.DISPUTES),
        ],
    )
    w.last_2005 = make_claim(
        "The previous visit took place around 2005–2006.",
        slug="previous-visit-2005-2006",
        event=w.previous,
        subjects=[w.vietnam],
        citations=[(w.faq, "The last visit by a Vietnamese general secretary took place around 2005–2006.")],
    )
    w.last_2005.conflicts_with.add(w.last_2007)
    w.mediator = make_claim(
        "Vietnam can act as a mediator for North Korea.",
        slug="vietnam-mediator",
        kind=Claim.Kind.OPINION,
        claimant=w.thayer,
        subjects=[w.vietnam],
        tags=["mediation"],
        citations=[
            (w.interview, "Thayer said Vietnam could act as a mediator between Pyongyang and Washington."),
            (w.wire_story, '"Vietnam can play a quiet, mediating role," said Carl Thayer.', Stance.QUALIFIES),
            (w.faq, "Mediation is unlikely to change much.", Stance.DISPUTES),
        ],
    )
    w.trade = make_claim(
        "Trade between the two countries has dwindled.",
        slug="trade-dwindled",
        kind=Claim.Kind.FIGURE,
        subjects=[w.vietnam],
        citations=[(w.interview, "Trade has dwindled since 2017."), (w.edited, "Trade fell to almost nothing.")],
    )
    w.relations_1950 = make_claim(
        "Relations were established in 1950.",
        slug="relations-1950",
        event=w.relations,
        citations=[(w.faq, "Relations were established in 1950.")],
    )
    w.unsupported = make_claim("Nobody has cited this yet.", slug="uncited-claim", subjects=[w.kim])

    # An editor rewrites the edited report; its quote about trade is gone.
    w.edited.body = "Officials met in Hanoi. Nothing was said about trade."
    w.edited.save()
    w.edited.reanchor_citations()
    w.lost_citation = Citation.objects.get(article=w.edited)
    return w
