"""Which claims already in the knowledge base a new text bears on: claim matching.

For each sentence of a text (a verbatim span of it, so it can be cited as a
quote), `suggest()` proposes the claims it restates, qualifies or contradicts,
with a stance, a score and the figures, dates, counts and names on which the
two disagree. It runs in three steps; the README's "Suggested citations" has
the measurements behind the choices.

1. Candidates. On PostgreSQL one query asks the claims' full-text index
   (the stored, GIN-indexed `search_vector`) for the best 20 claims of each
   sentence at once, one LATERAL subquery per sentence. A sentence asks for
   claims sharing two of its rarer words, at least one of them rare; how rare
   comes from PostgreSQL's own statistics (pg_stats, which ANALYZE keeps).
   Pairs of rarer words keep every index scan to a few dozen rows, where an
   OR of words matched thousands. Elsewhere (SQLite) the candidates are the
   first MAX_POOL claims containing any of the text's longer words.
2. Scoring, in Python, over the candidates only: weighted word overlap (each
   word weighted by how rare it is among the candidates), rapidfuzz's
   token-set ratio, the actors both name (names.py, so "Tô Lâm" and "General
   Secretary Lam" count as To Lam), and figures that agree (figures.py, so
   "in 18 years" agrees with "in 2007" in a text of 2025). A claim is also
   compared with its existing quotes, which are other ways of saying it.
3. Stance: "disputes" when the sentence denies or negates what the claim
   asserts, or states a different figure, date or count; "qualifies" when it
   hedges, or gives a figure only approximately equal; else "supports".
   People named differently are listed, but do not set the stance. It is a
   suggestion: the editor chooses.
"""

import functools
import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from anyascii import anyascii
from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz

from articles import anchoring, figures
from articles.caching import per_version
from articles.models import Citation, Claim, Stance
from articles.names import NameIndex


def _words(text):
    return text.split()


# Candidates asked of the full-text index for each sentence.
PER_SENTENCE = 20
# At most this many claims are scored for one text (SQLite reads them all).
MAX_POOL = 3000
# At most this many sentences are read from one text (about 10,000 words).
MAX_SENTENCES = 500
# Each sentence asks the index for claims sharing two of its MAX_TERMS rarest words (and MAX_IMPLIED rarest
# implied ones, see Sentence.implied), at least one of them
# found in at most COMMON_SHARE of all claims; words in more than VERY_COMMON_SHARE are not asked for.
MAX_TERMS = 10
MAX_IMPLIED = 3
COMMON_SHARE = 0.02
VERY_COMMON_SHARE = 0.05
# ...but only a word in more than this many claims counts as common: the cut-offs keep a query over 100,000
# claims to a few dozen rows, and in a small knowledge base (the shipped one has 133 claims, so 5 % is seven)
# they left most words unasked once ANALYZE had run: recall fell from 0.80 to 0.63 on tests/data/suggestions.
COMMON_MIN_CLAIMS = 100
# Suggestions below this score are not shown; chosen on tests/data/suggestions (see README).
MIN_SCORE = 0.34
# At most this many claims are suggested for one sentence, each within this share of the best one's score.
PER_SENTENCE_SHOWN = 2
# How many of each sentence's candidates, by the cheap first cut, are scored in full.
JUDGED = 8
NEAR_BEST = 0.8
# How long the reading view keeps an article's suggestions, at most (a write to the knowledge base retires them).
SUGGESTIONS_CACHE_SECONDS = 3600
# Sentences shorter than this many words are headings or fragments.
MIN_WORDS = 5

STOPWORDS = set(
    _words(
        "a an the and or but if of to in on at by for from with as is are was were be been being this that "
        "these those it its it's he she they we you i his her their our your them him us who whom whose which "
        "what when where why how than then there here so such not no nor only own same too very can could "
        "will would shall should may might must do does did done has have had having into onto over under "
        "about after before between during since until while also just more most other some any each all both "
        "few many much one said says say told according mr ms mrs dr s t don ll ve re also yet still"
    )
)
NEGATIONS = {"not", "no", "never", "neither", "nor", "none", "nothing", "cannot"}
# A negation bears on a claim when one of the next few content words is in it ("never travelled to Hanoi").
NEGATION_REACH = 4
DENIALS = set(
    _words(
        "deny denied denies denial reject rejected rejects false untrue inaccurate incorrect wrong refute "
        "refuted refutes dismiss dismissed dismisses myth contrary contradict contradicts contradicted "
        "disputed disputes dispute"
    )
)
HEDGES = set(
    _words(
        "may might could perhaps possibly reportedly allegedly apparently unclear uncertain likely unlikely "
        "expected planned plans plan set scheduled would will almost nearly about around roughly "
        "approximately some partly partially limited only if over under"
    )
)
TOKEN = re.compile(r"[a-z0-9]+(?:'t)?")
MARKDOWN_LEAD = re.compile(r"^(?:\s|#+|>|[-*+](?=\s)|\d+[.)](?=\s)|\*\*|__)+")


def words_of(text):
    """Lower-cased ASCII words, a possessive's "s" and punctuation dropped."""
    return [word for word in TOKEN.findall(anyascii(text).lower().replace("’", "'")) if word != "s"]


@functools.lru_cache(maxsize=100_000)
def stem(word):
    """A light suffix-stripping stem: enough to make "visits", "visited" and "visiting" one word."""
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)] + replacement
    return word


# A people's adjective is about its country: "a Vietnamese leader" bears on "Vietnam's party chief".
DEMONYMS = {
    "vietnamese": "vietnam",
    "korean": "korea",
    "chinese": "china",
    "russian": "russia",
    "japanese": "japan",
    "american": "america",
    "laotian": "lao",
    "singaporean": "singapore",
    "soviet": "soviet",
}


def content_words(text):
    return [DEMONYMS.get(word) or stem(word) for word in words_of(text) if word not in STOPWORDS]


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    words: list
    quantities: list = field(default_factory=list)
    actors: set = field(default_factory=set)
    # Words the text implies: its actors' canonical names ("Hanoi" → vietnam), and figures worked out
    # from it ("1950–2025" → 75), so the index finds claims that say them.
    implied: list = field(default_factory=list)


def sentences_of(text):
    """The sentences worth matching, as verbatim spans of `text` (list markers and heading marks left out)."""
    found = []
    for start, end in anchoring.sentences(text):
        lead = MARKDOWN_LEAD.match(text, start, end)
        if lead:
            start = lead.end()
        span = text[start:end].rstrip()
        if span.endswith(("**", "__")):
            span = span[:-2].rstrip()
        words = content_words(span)
        # Headings name a subject and questions ask; neither asserts anything to cite.
        heading = text.startswith("#", text.rfind("\n", 0, start) + 1) or span.endswith("?")
        if len(words_of(span)) >= MIN_WORDS and words and not heading:
            found.append(Sentence(start, start + len(span), span, words))
        if len(found) >= MAX_SENTENCES:
            break
    return found


@dataclass
class Suggestion:
    claim: Claim
    quote: str
    start: int
    end: int
    stance: str
    score: float
    differences: list

    def as_dict(self):
        return {
            "claim": self.claim.slug,
            "quote": self.quote,
            "stance": self.stance,
            "score": round(self.score, 3),
            "differences": [difference.as_dict() for difference in self.differences],
        }


@dataclass
class Report:
    """What suggest() found: the suggestions in text order, and the names no actor answers to."""

    suggestions: list
    unknown_names: list  # names.Mention, each with an `offer`
    known_names: list  # names.Mention, each with its actor


@dataclass
class _Candidate:
    claim: Claim
    words: Counter  # the claim's words, and those of its supporting quotes
    quotes: list = field(default_factory=list)  # (text, stance)
    claim_words: set = field(default_factory=set)
    subjects: set = field(default_factory=set)  # its claimant and the actors it is about
    quote_words: list = field(default_factory=list)  # a set of words per quote
    _quantities: list | None = None
    _actors: set | None = None


def suggest(text, *, year=None, cited=(), dismissed=(), names=None):
    """Suggest citations for `text`, written in `year` (for "18 years ago" arithmetic).

    `cited` and `dismissed` hold (claim pk, quote) pairs not to suggest: the
    article's citations, and suggestions an editor dismissed.
    Runs a fixed number of queries whatever the length of the text.
    """
    text = text or ""
    sentences = sentences_of(text)
    names = names or NameIndex.load()
    mentions = names.mentions(text)
    for sentence in sentences:
        sentence.quantities = figures.quantities(sentence.text, year)
        sentence.actors = {
            m.actor.pk for m in mentions if m.actor is not None and sentence.start <= m.start < sentence.end
        }
        # Figures worked out first: they are more telling than names, which many claims share.
        sentence.implied = [str(int(q.value)) for q in sentence.quantities if q.derived and q.value >= 1] + [
            word for pk in sentence.actors for word in words_of(names.actors[pk].name)
        ]
    pool, asked = _candidates(sentences)
    idf = _idf(pool)
    dismissed = set(dismissed)
    # A sentence is cited into a claim when one of the claim's quotes from this text lies within it.
    quotes_cited = {}
    for claim_pk, quote in cited:
        quotes_cited.setdefault(claim_pk, []).append(quote)
    suggestions = []
    for sentence in sentences:
        scored = []
        # On PostgreSQL each sentence is scored against the claims the index found for it; elsewhere against all.
        found = [pool[pk] for pk in asked[id(sentence)] if pk in pool] if asked is not None else pool.values()
        for candidate in _ranked(sentence, found, idf)[:JUDGED]:
            if (candidate.claim.pk, sentence.text) in dismissed:
                continue
            suggestion = _judge(sentence, candidate, idf, names, year)
            if suggestion.score >= MIN_SCORE:
                scored.append(suggestion)
        scored.sort(key=lambda s: -s.score)
        # A sentence already cited into its best claim does not promote its weaker matches (a dismissed one does).
        best = [s for s in scored[:PER_SENTENCE_SHOWN] if s.score >= NEAR_BEST * scored[0].score]
        suggestions += [s for s in best if not any(quote in s.quote for quote in quotes_cited.get(s.claim.pk, ()))]
    unknown = _unique(m for m in mentions if m.actor is None)
    known = _unique(m for m in mentions if m.actor is not None)
    return Report(suggestions=suggestions, unknown_names=unknown, known_names=known)


def suggest_for_article(article, *, cached=False):
    """Suggestions for an article's body, leaving out what it already cites and what editors dismissed for it.

    With `cached`, a report is kept in the cache until the knowledge base
    changes (the content version of articles/caching.py moves on every write)
    or the article's text, citations or dismissals do: the reading view shows
    it on every visit, and at 100,000 claims it takes about a second to make.
    """
    cited = set(article.citations.values_list("claim_id", "quote"))
    dismissed = set(article.dismissed_suggestions.values_list("claim_id", "quote"))
    year = article.published.year if article.published else None

    def make():
        return suggest(article.body, year=year, cited=cited, dismissed=dismissed)

    if not cached:
        return make()
    key = repr((article.pk, article.body, year, sorted(cited), sorted(dismissed)))
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return per_version(f"suggestions:{digest}", make, SUGGESTIONS_CACHE_SECONDS)


def _unique(mentions):
    seen, out = set(), []
    for mention in mentions:
        key = (mention.actor.pk if mention.actor else None, mention.text)
        if key not in seen:
            seen.add(key)
            out.append(mention)
    return out


# --- 1. Candidates ---------------------------------------------------------------


def _candidates(sentences):
    """({claim pk: _Candidate}, {id(sentence): claim pks found for it, or None when not asked per sentence}).

    Five queries on PostgreSQL, three elsewhere.
    """
    asked = None
    if not sentences:
        return {}, asked
    if connection.vendor == "postgresql":
        asked = _postgres_candidates(sentences)
        claims = Claim.objects.filter(pk__in={pk for pks in asked.values() for pk in pks})
    else:
        claims = _fallback_candidates(sentences)
    pool = {}
    for claim in claims.only("pk", "slug", "text", "claimant_id")[:MAX_POOL]:
        words = content_words(claim.text)
        pool[claim.pk] = _Candidate(claim, Counter(words), claim_words=set(words))
        pool[claim.pk].subjects = {claim.claimant_id} - {None}
    # Query: who the candidate claims are about, as editors recorded it.
    for claim_id, actor_id in Claim.subjects.through.objects.filter(claim_id__in=list(pool)).values_list(
        "claim_id", "actor_id"
    ):
        pool[claim_id].subjects.add(actor_id)
    # Query: the quotes of the candidate claims, which say the same claim in other words.
    quotes = Citation.objects.filter(claim_id__in=list(pool), anchored=True).values_list("claim_id", "quote", "stance")
    for claim_id, quote, stance in quotes[: MAX_POOL * 4]:
        candidate, words = pool[claim_id], set(content_words(quote))
        candidate.quotes.append((quote, stance))
        candidate.quote_words.append(words)
        if stance == Stance.SUPPORTS:
            candidate.words.update(words - set(candidate.words))
    return pool, asked


def _common_lexemes():
    """{lexeme: share of claims containing it} for the most common ones, from PostgreSQL's statistics,
    and the number of claims the statistics were taken over."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs, "
            "(SELECT reltuples FROM pg_class WHERE oid = 'articles_claim'::regclass) FROM pg_stats "
            "WHERE tablename = 'articles_claim' AND attname = 'search_vector'"
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return {}, 0
    return dict(zip(row[0], row[1], strict=False)), max(row[2] or 0, 0)


def _postgres_candidates(sentences):
    """{id(sentence): the best PER_SENTENCE claim pks for it by the full-text index}.

    One query for all sentences, after one for statistics and one for stems.
    """
    common, claims = _common_lexemes()

    def in_at_most(term, share):
        found = common.get(term, 0)
        return found <= share or found * claims <= COMMON_MIN_CLAIMS

    vocabulary = sorted(
        {
            word
            for sentence in sentences
            for word in words_of(sentence.text) + sentence.implied
            if word not in STOPWORDS and word.isalnum()
        }
    )
    with connection.cursor() as cursor:
        # The index stores Snowball stems; ask PostgreSQL for them rather than guess.
        cursor.execute("SELECT w, (ts_lexize('english_stem', w))[1] FROM unnest(%s::text[]) AS w", [vocabulary])
        lexeme = dict(cursor.fetchall())
        filters, ranks, numbers = [], [], []
        for number, sentence in enumerate(sentences):
            stated = {lexeme.get(word) for word in words_of(sentence.text) if word not in STOPWORDS} - {None}
            implied = [lexeme.get(word) for word in sentence.implied]
            implied = [term for term in dict.fromkeys(implied) if term and term not in stated]
            terms = _rarest(stated, common, MAX_TERMS)
            terms += sorted(implied, key=lambda term: common.get(term, 0))[:MAX_IMPLIED]
            terms = [term for term in terms if in_at_most(term, VERY_COMMON_SHARE)] or terms[:2]
            if not terms:
                continue
            # Claims sharing two of the words, one of them rare: an index scan touches few rows.
            pairs = [
                f"'{a}' & '{b}'"
                for i, a in enumerate(terms)
                for b in terms[i + 1 :]
                if in_at_most(a, COMMON_SHARE) or in_at_most(b, COMMON_SHARE)
            ]
            filters.append(" | ".join(f"({pair})" for pair in pairs) if pairs else f"'{terms[0]}'")
            ranks.append(" | ".join(f"'{term}'" for term in terms))
            numbers.append(number)
        found = {id(sentence): [] for sentence in sentences}
        if not filters:
            return found
        cursor.execute(
            """
            SELECT asked.number, found.id
            FROM unnest(%s::int[], %s::text[], %s::text[]) AS asked(number, filter, rank)
            CROSS JOIN LATERAL (
                SELECT claim.id FROM articles_claim AS claim
                WHERE claim.search_vector @@ to_tsquery('simple', asked.filter)
                ORDER BY ts_rank(claim.search_vector, to_tsquery('simple', asked.rank)) DESC, claim.id
                LIMIT %s
            ) AS found
            """,
            [numbers, filters, ranks, PER_SENTENCE],
        )
        for number, pk in cursor.fetchall():
            found[id(sentences[number])].append(pk)
    return found


def _rarest(terms, common, count):
    """The `count` rarest terms: those PostgreSQL does not list as common first, then long before short."""
    return sorted(terms, key=lambda term: (common.get(term, 0), -len(term), term))[:count]


def _fallback_candidates(sentences):
    """Claims containing any of the text's longer words; bounded by MAX_POOL."""
    vocabulary = Counter(word for sentence in sentences for word in set(words_of(sentence.text)))
    # Longer words are rarer: ask for the 40 longest, which keeps the query small.
    asked = sorted((word for word in vocabulary if word not in STOPWORDS and len(word) > 3), key=len, reverse=True)
    condition = Q()
    for word in asked[:40]:
        condition |= Q(text__icontains=word)
    return Claim.objects.filter(condition).order_by("pk") if asked else Claim.objects.none()


# --- 2. Scoring ------------------------------------------------------------------


def _idf(pool):
    """How telling each word is: rare among the candidates, telling; in most of them, not."""
    df = Counter(word for candidate in pool.values() for word in candidate.words)
    n = len(pool) + 1
    return defaultdict(lambda: math.log(n + 1), {word: math.log((n + 1) / (count + 0.5)) for word, count in df.items()})


def _overlap(words, other, idf):
    """Weighted word overlap of two texts, as the harmonic mean of how much of each the other covers."""
    words, other = set(words), set(other)
    shared = sum(idf[word] for word in words & other)
    if not shared:
        return 0.0
    mine, theirs = shared / sum(idf[w] for w in words), shared / sum(idf[w] for w in other)
    return 2 * mine * theirs / (mine + theirs)


def _ranked(sentence, candidates, idf):
    """The candidates by word overlap and shared actors, best first (the cheap first cut)."""
    words = set(sentence.words)
    ranked = []
    for candidate in candidates:
        overlap = _overlap(words, candidate.words, idf)
        if overlap > 0.1:
            shared = len(sentence.actors & candidate.subjects) / max(1, len(candidate.subjects))
            ranked.append((candidate, overlap + 0.2 * shared))
    ranked.sort(key=lambda item: (-item[1], item[0].claim.pk))
    return [candidate for candidate, _ in ranked]


def _negated(text, other_words):
    """Whether `text` negates something `other_words` say: a negation followed closely by one of them."""
    words = words_of(text)
    for i, word in enumerate(words):
        if word in NEGATIONS or word.endswith("'t"):
            following = [stem(w) for w in words[i + 1 :] if w not in STOPWORDS][:NEGATION_REACH]
            if set(following) & other_words:
                return True
    return False


def _cues(text):
    words = set(words_of(text))
    return bool(words & DENIALS), bool(words & HEDGES)


def _judge(sentence, candidate, idf, names, year):
    claim = candidate.claim
    if candidate._quantities is None:
        candidate._quantities = figures.quantities(claim.text, year)
        # The actors it names, and those editors recorded (a claim about Vietnam may say "Hanoi").
        candidate._actors = (names.actors_in(claim.text) | candidate.subjects) & set(names.actors)
        for quote, stance in candidate.quotes:
            if stance != Stance.DISPUTES:
                candidate._quantities += figures.quantities(quote, year)
    lexical = _overlap(sentence.words, candidate.claim_words, idf)
    for words in candidate.quote_words:
        # An existing quote is the claim in other words; a close match to one counts almost as much.
        lexical = max(lexical, 0.9 * _overlap(sentence.words, words, idf))
    fuzzy = fuzz.token_set_ratio(" ".join(sentence.words), " ".join(sorted(candidate.claim_words))) / 100
    actors = len(sentence.actors & candidate._actors) / max(1, len(candidate._actors)) if candidate._actors else 0
    agreed, differences = figures.compare(sentence.quantities, candidate._quantities)
    # A figure of the same kind, even a different one ("12 pilots" against "14 pilots"), is about the same thing.
    related = any(d.kind not in ("year", "date") for d in differences)
    score = 0.55 * lexical + 0.15 * fuzzy + 0.2 * actors + (0.1 if agreed else 0.06 if related else 0)
    stance = _stance(sentence, claim.text, differences)
    return Suggestion(
        claim=claim,
        quote=sentence.text,
        start=sentence.start,
        end=sentence.end,
        stance=stance,
        score=min(1.0, score),
        # Names are shown for the editor to weigh; they do not decide the stance (a claim names whom it is about).
        differences=differences + _name_differences(sentence, candidate, names),
    )


def _name_differences(sentence, candidate, names):
    """People the sentence names where the claim names others, and none of the same."""
    people = {pk for pk in sentence.actors if names.actors[pk].kind == "person"}
    theirs = {pk for pk in candidate._actors if names.actors[pk].kind == "person"}
    if not people or not theirs or people & theirs:
        return []
    return [
        figures.Difference(
            "name",
            ", ".join(sorted(names.actors[pk].name for pk in people)),
            ", ".join(sorted(names.actors[pk].name for pk in theirs)),
            approximate=False,
        )
    ]


def _stance(sentence, claim, differences):
    claim_words = set(content_words(claim))
    denies, hedges = _cues(sentence.text)
    claim_denies, claim_hedges = _cues(claim)
    negated = _negated(sentence.text, claim_words) != _negated(claim, set(sentence.words))
    if negated or (denies and not claim_denies):
        return Stance.DISPUTES
    if any(not difference.approximate for difference in differences):
        return Stance.DISPUTES
    if differences or (hedges and not claim_hedges):
        return Stance.QUALIFIES
    return Stance.SUPPORTS


# --- Measuring ---------------------------------------------------------------------


@dataclass
class Evaluation:
    """How suggest() does on a labelled set: found pairs, and which of them have the labelled stance."""

    expected: int = 0
    suggested: int = 0
    found: int = 0  # suggested (sentence, claim) pairs that are labelled
    right_stance: int = 0  # of those, with the labelled stance
    misses: list = field(default_factory=list)
    extras: list = field(default_factory=list)
    wrong_stances: list = field(default_factory=list)

    @property
    def precision(self):
        return self.found / self.suggested if self.suggested else 0.0

    @property
    def recall(self):
        return self.found / self.expected if self.expected else 0.0

    @property
    def stance_precision(self):
        """Suggestions with the right claim and the right stance, over all suggestions."""
        return self.right_stance / self.suggested if self.suggested else 0.0

    @property
    def stance_recall(self):
        return self.right_stance / self.expected if self.expected else 0.0


def evaluate(directory):
    """Run suggest() on every text of a labelled set (`labels.yaml` in `directory`, see tests/data/suggestions)."""
    directory = Path(directory)
    result = Evaluation()
    names = NameIndex.load()
    for entry in yaml.safe_load((directory / "labels.yaml").read_text(encoding="utf-8")):
        text = (directory / entry["file"]).read_text(encoding="utf-8")
        report = suggest(text, year=entry.get("year"), names=names)
        expected = {(label["claim"], label["sentence"]): label["stance"] for label in entry["expected"]}
        result.expected += len(expected)
        result.suggested += len(report.suggestions)
        matched = set()
        for suggestion in report.suggestions:
            slug = suggestion.claim.slug
            key = next(
                ((claim, words) for claim, words in expected if claim == slug and words in suggestion.quote), None
            )
            if key is None:
                result.extras.append(f"{entry['file']}: {slug} ← “{suggestion.quote[:60]}”")
                continue
            matched.add(key)
            result.found += 1
            if suggestion.stance == expected[key]:
                result.right_stance += 1
            else:
                result.wrong_stances.append(f"{entry['file']}: {slug} {suggestion.stance}, labelled {expected[key]}")
        result.misses += [
            f"{entry['file']}: {claim} ← “{words}”" for claim, words in expected if (claim, words) not in matched
        ]
    return result
