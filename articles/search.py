"""One search box across claims, events, articles and actors.

What a reader may type is the same on both databases (README, "Searching"):
words (all must match, in any order), "a phrase in double quotes", -word or
-"a phrase" to exclude, and OR between two alternatives. Case and accents are
folded: "Tô Lâm" finds "To Lam", "Doi Moi" finds "Đổi Mới". Words match whole,
never inside another word ("un" does not match "countries").

Bounded work, whatever the size of the knowledge base: for each kind, only the
CANDIDATES newest matches (by primary key, an index order) are ranked; the page
shows the best of those, and snippets are cut for the shown rows only. A
search of one kind pages through its ranked candidates (?kind=claims&page=2).

On PostgreSQL, migrations 0003, 0009 and 0018 keep a stored, weighted
tsvector column (`search_vector`) with a GIN index on each searched table,
built with the accent-folding text search configuration `kb_english`. We match
it with websearch_to_tsquery (which accepts anything a person types and never
raises), rank with ts_rank and cut snippets with ts_headline. The column is not
a model field (SQLite could not create it); StoredVector reaches it. A tsvector
holds at most 1 MB, so long text is indexed up to INDEXED_CHARS characters
only; snippets are cut from the same prefix.

On SQLite, the fallback parses the same syntax (parse_query) and matches each
word or phrase as a whole-word regular expression against the text folded by
fold() (registered as the SQL function kb_fold on every SQLite connection),
ranked by how often the words occur in the title, then in the text.

Snippets are built from the raw source text, so they are escaped before
<mark> is put around the matched words: no markup from content gets through.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, Exists, Expression, F, Func, OuterRef, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left, Replace
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Actor, ActorAlias, Article, Claim, Event

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# The kinds of result, in the order the page shows them, with their headings.
KINDS = {"claims": "Claims", "events": "Events", "articles": "Articles", "actors": "Actors"}
OVERVIEW_PER_KIND = 5  # a search of everything shows this many of each kind
PER_PAGE = 20  # a search of one kind shows this many a page
CANDIDATES = 200  # the newest matches of a kind that are ranked; the rest are not looked at
CONFIG = "kb_english"  # migration 0018: English, accents folded
# How much of a long text column the search vector covers. Migration 0009 builds
# the vectors with the same number; changing it needs a new migration.
INDEXED_CHARS = 60_000
SNIPPET_CHARS = 220
# Private-use characters mark matches in snippets until the text is escaped.
OPEN, CLOSE = "\ue010", "\ue011"
WORD = re.compile(r"\w+")


def normalise_query(text):
    """Drop control and format characters (NUL, bidi overrides…) and collapse whitespace."""
    kept = "".join(
        " " if char.isspace() else char for char in text if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co"}
    )
    return " ".join(kept.split())


# Letters that are not a base letter plus combining marks, so NFKD leaves them be;
# PostgreSQL's unaccent folds them, and so do we.
_SPECIAL = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i", "ŧ": "t", "æ": "ae", "œ": "oe"})


def fold(text):
    """`text` without case or accents, as both databases compare it: fold("Đổi Mới") == "doi moi"."""
    if text is None:
        return None
    if text.isascii():
        # Nothing to decompose or strip, and fifty times faster: SQLite calls this (kb_fold) on every row
        # a search or the workbench's similar-claims check scans, and most claims are plain ASCII.
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_SPECIAL)


@lru_cache(maxsize=8192)
def _fold_character(char):
    # A text uses a few hundred distinct characters: folding each once makes snippets four times faster.
    return fold(char)


def _folded_with_positions(text):
    """fold(text), and for each of its characters the index in `text` it came from."""
    out, positions = [], []
    for index, char in enumerate(text):
        folded = _fold_character(char)
        out.append(folded)
        positions.extend([index] * len(folded))
    return "".join(out), positions


def terms_of(query):
    """The words of a query, folded, in order, without repeats (operators and punctuation left out)."""
    seen = []
    for word in WORD.findall(fold(query)):
        if word != "or" and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


# --- The query language ------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or a phrase (several words in a row), folded; `excluded` when it must not occur."""

    words: tuple
    excluded: bool = False

    @property
    def pattern(self):
        """A regular expression for the term in folded text: whole words, with plural, -ed and -ing endings."""
        ending = r"(?:s|es|ed|d|ing)?"
        return r"(?<!\w)" + r"\W+".join(re.escape(word) + ending for word in self.words) + r"(?!\w)"


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def parse_query(query):
    """The query as clauses that must all hold, each a list of alternative Terms (a OR b).

    The syntax of PostgreSQL's websearch_to_tsquery: words, "phrases", a minus
    sign before a word or phrase to exclude it, OR between alternatives.
    parse_query('trump -kim "state visit" talks OR summit') ==
    [[Term(("trump",))], [Term(("kim",), excluded=True)], [Term(("state", "visit"))],
     [Term(("talks",)), Term(("summit",))]]
    """
    clauses, joining = [], False
    for minus, phrase, word_minus, word in _TOKEN.findall(query):
        if word and fold(word) == "or" and not word_minus:
            joining = bool(clauses)
            continue
        words = tuple(WORD.findall(fold(phrase if phrase or not word else word)))
        if not words:
            continue
        term = Term(words, excluded=bool(minus or word_minus))
        if joining:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        joining = False
    return clauses[:MAX_TERMS]


def wanted_terms(clauses):
    """The terms a result may contain (the ones to highlight)."""
    return [term for clause in clauses for term in clause if not term.excluded]


# --- Results -------------------------------------------------------------------------


@dataclass
class Results:
    query: str
    kind: str = ""  # "" for a search of everything, else one of KINDS
    page: int = 1
    articles: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    events: list = field(default_factory=list)
    actors: list = field(default_factory=list)
    more: set = field(default_factory=set)  # kinds with more ranked results than shown
    only_exclusions: bool = False  # every word was excluded (-word): nothing to look for

    @property
    def total(self):
        return len(self.articles) + len(self.claims) + len(self.events) + len(self.actors)

    @property
    def sections(self):
        """(kind, heading, results) for each kind searched that found something, in page order."""
        return [(kind, heading, getattr(self, kind)) for kind, heading in KINDS.items() if getattr(self, kind)]

    @property
    def first_number(self):
        return (self.page - 1) * PER_PAGE + 1

    @property
    def has_next(self):
        return bool(self.kind) and self.kind in self.more

    @property
    def candidates(self):
        return CANDIDATES

    @property
    def at_candidate_limit(self):
        """True on the last page a kind can have: older matches may exist that were never ranked."""
        return bool(self.kind) and self.first_number + self.total - 1 >= CANDIDATES


def search(query, *, kind="", page=1):
    """Search `query` (already normalised): every kind, or one `kind` a page at a time. One query per kind searched."""
    results = Results(query=query, kind=kind, page=page)
    if not terms_of(query):
        return results
    if not wanted_terms(parse_query(query)):
        # PostgreSQL would match every text without those words (a scan of all of them); neither database does.
        results.only_exclusions = True
        return results
    # {kind: (offset, how many)}
    wanted = {kind: ((page - 1) * PER_PAGE, PER_PAGE)} if kind else {name: (0, OVERVIEW_PER_KIND) for name in KINDS}
    backend = _postgres if connection.vendor == "postgresql" else _fallback
    for name, found in backend(query, wanted).items():
        limit = wanted[name][1]
        if len(found) > limit:
            results.more.add(name)
        setattr(results, name, found[:limit])
    return results


# --- PostgreSQL ----------------------------------------------------------------


class StoredVector(Expression):
    """The table's stored search_vector column, under whatever alias the table has in the query (U0 in a subquery)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_vector", []


def _page_ranked(queryset, tsquery, offset, count, headline):
    """Rows `offset`… of the CANDIDATES newest matches, best first, `count` + 1 of them, each with `headline`.

    The candidates come from the GIN index, newest first; only they are ranked;
    PostgreSQL computes the headline after the LIMIT, for the rows returned.
    """
    model = queryset.model
    candidates = model.objects.alias(vector=StoredVector()).filter(_indexable(tsquery), vector=tsquery).order_by("-pk")
    return (
        queryset.filter(pk__in=candidates.values("pk")[:CANDIDATES])
        .alias(vector=StoredVector())
        .annotate(rank=SearchRank(F("vector"), tsquery), headline=headline)
        .order_by("-rank", "pk")[offset : offset + count + 1]
    )


def _indexable(tsquery):
    """A condition that is false when the query has nothing the index can look up ("the -kim": stop words and
    exclusions only), which would otherwise match every text without those words, one row at a time.
    PostgreSQL tests it once per query (a one-time filter)."""
    query = tsquery.source_expressions[-1].value
    sql = "querytree(websearch_to_tsquery(%s::regconfig, %s)) <> 'T'"
    return RawSQL(sql, [CONFIG, query], output_field=BooleanField())


def _headline(text, tsquery, *, whole=False):
    options = {"highlight_all": True} if whole else {"max_words": 35, "min_words": 15, "max_fragments": 2}
    # Text holding the marker characters themselves would open or close a <mark> of its own: drop them first.
    without_markers = Replace(Replace(Left(text, INDEXED_CHARS), Value(OPEN)), Value(CLOSE))
    return SearchHeadline(
        without_markers,
        tsquery,
        config=CONFIG,
        start_sel=OPEN,
        stop_sel=CLOSE,
        fragment_delimiter=" … ",
        **options,
    )


def _postgres(query, wanted):
    tsquery = SearchQuery(query, search_type="websearch", config=CONFIG)
    searches = {
        # Query: claims, with claimant and event; the whole text, marked.
        "claims": lambda: Claim.objects.for_listing(),
        # Query: events.
        "events": lambda: Event.objects.all(),
        # Query: articles, with publisher and wire (and one for their authors).
        "articles": lambda: Article.objects.with_people(),
        # Query: actors (their aliases are matched below).
        "actors": lambda: Actor.objects.all(),
    }
    texts = {"claims": "text", "events": "description", "articles": "body", "actors": "description"}
    out = {}
    for kind, (offset, count) in wanted.items():
        headline = _headline(texts[kind], tsquery, whole=kind == "claims")
        if kind == "actors":
            rows = _actors_ranked(query, tsquery, offset, count, headline)
        else:
            rows = _page_ranked(searches[kind](), tsquery, offset, count, headline)
        out[kind] = list(rows)
        for obj in out[kind]:
            obj.snippet = _marked(obj.headline or "")
    return out


def _actors_ranked(query, tsquery, offset, count, headline):
    # Aliases live in another table, without a search vector: an actor also matches
    # when one of its aliases contains the query, accents folded.
    folded = Func(F("name"), function="unaccent", output_field=TextField())
    alias_hit = Exists(
        ActorAlias.objects.alias(folded=folded).filter(actor=OuterRef("pk"), folded__icontains=fold(query))
    )
    matches = (Q(vector=tsquery) & Q(_indexable(tsquery))) | alias_hit
    candidates = Actor.objects.alias(vector=StoredVector()).filter(matches).order_by("-pk")
    return (
        Actor.objects.filter(pk__in=candidates.values("pk")[:CANDIDATES])
        .alias(vector=StoredVector())
        .annotate(rank=SearchRank(F("vector"), tsquery), headline=headline)
        .order_by("-rank", "name", "pk")[offset : offset + count + 1]
    )


def _marked(text):
    """Escape `text`, then turn the match markers into <mark> elements."""
    return mark_safe(escape(text).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


# --- SQLite and anything else ------------------------------------------------------


def register_fold(sender, connection, **kwargs):
    """Give every new SQLite connection the SQL function kb_fold (see fold); connected in apps.py."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("kb_fold", 1, fold, deterministic=True)


def folded(name):
    """SQLite: the column `name` folded by kb_fold (fold()), to match folded words against."""
    # The first INDEXED_CHARS characters, as PostgreSQL's search vector: a body saved past the limits
    # (by a script, before they existed) must not make every search fold megabytes.
    return Func(Left(name, INDEXED_CHARS), function="kb_fold", output_field=TextField())


def _condition(clauses, fields, alias_field=False):
    """Q for rows where every clause holds in at least one of `fields` (or an alias, for actors)."""

    def found(term):
        anywhere = Q()
        for name in fields:
            anywhere |= Q(**{f"fold_{name}__regex": term.pattern})
        if alias_field:
            aliases = ActorAlias.objects.alias(fold_name=folded("name"))
            anywhere |= Q(Exists(aliases.filter(actor=OuterRef("pk"), fold_name__regex=term.pattern)))
        return ~anywhere if term.excluded else anywhere

    condition = Q()
    for clause in clauses:
        either = Q()
        for term in clause:
            either |= found(term)
        condition &= either
    return condition


def _fallback(query, wanted):
    clauses = parse_query(query)
    searches = {
        # Query: claims, with claimant and event.
        "claims": (Claim.objects.for_listing(), ["text"], "text", "text"),
        # Query: events.
        "events": (Event.objects.all(), ["title", "description"], "title", "description"),
        # Query: articles, with publisher and wire (and one for their authors).
        "articles": (Article.objects.with_people(), ["title", "body", "captions"], "title", "body"),
        # Query: actors, by name, description or alias.
        "actors": (Actor.objects.all(), ["name", "description"], "name", "description"),
    }
    patterns = [re.compile(term.pattern) for term in wanted_terms(clauses)]
    out = {}
    for kind, (offset, count) in wanted.items():
        queryset, fields, title_field, text_field = searches[kind]
        queryset = queryset.alias(**{f"fold_{name}": folded(name) for name in fields})
        matches = queryset.filter(_condition(clauses, fields, alias_field=kind == "actors"))
        rows = list(matches.order_by("-pk")[:CANDIDATES])
        for obj in rows:
            title, text = (
                fold(getattr(obj, title_field)[:INDEXED_CHARS]),
                fold(getattr(obj, text_field)[:INDEXED_CHARS]),
            )
            # A word in the title outranks any number of them in the text, as on PostgreSQL (weight A over B).
            obj.rank = (sum(len(p.findall(title)) for p in patterns), sum(len(p.findall(text)) for p in patterns))
        rows.sort(key=lambda obj: (obj.rank[0], obj.rank[1], -obj.pk), reverse=True)
        rows = rows[offset : offset + count + 1]
        for obj in rows:
            text = getattr(obj, text_field)[:INDEXED_CHARS]  # cut where PostgreSQL's headlines are
            obj.snippet = snippet(text, patterns, width=None if kind == "claims" else SNIPPET_CHARS)
        out[kind] = rows
    return out


_SENTENCE_END = re.compile(r"[.!?…](?=\s)|\n")


def snippet(text, patterns, *, width=SNIPPET_CHARS):
    """A window of `text` around the first match (all of it when width is None or the text fits), escaped,
    matches in <mark>.

    `patterns`: compiled regular expressions over the folded text (Term.pattern).
    The window starts at the sentence holding the first match when that is near
    enough, else at a word; it ends at a sentence end, else at a word.
    """
    if not text:
        return ""
    text = text.replace(OPEN, "").replace(CLOSE, "")
    folded, positions = _folded_with_positions(text)
    spans = []
    for pattern in patterns:
        for match in pattern.finditer(folded):
            if match.end() > match.start():
                spans.append((positions[match.start()], positions[match.end() - 1] + 1))
    spans = _merged(spans)
    start, end = 0, len(text)
    if width is not None and len(text) > width:
        first = spans[0][0] if spans else 0
        start = _window_start(text, first, width)
        end = _window_end(text, start, width)
    pieces, at = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(text[at:span_start] + OPEN + text[span_start:span_end] + CLOSE)
        at = span_end
    pieces.append(text[at:end])
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return _marked(f"{prefix}{''.join(pieces).strip()}{suffix}")


def _merged(spans):
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window_start(text, first, width):
    """Where a window showing position `first` begins: its sentence's start if near, else a word's start."""
    if first < width // 2:
        return 0
    sentence = 0
    for match in _SENTENCE_END.finditer(text, 0, first):
        sentence = match.end()
    if first - sentence <= width // 2:
        return len(text) - len(text[sentence:].lstrip())
    start = first - width // 3
    space = text.find(" ", start, first)
    return space + 1 if space >= 0 else start


def _window_end(text, start, width):
    """Where a window from `start` ends: after its last whole sentence if that keeps half the width, else at a word."""
    limit = min(len(text), start + width)
    if limit == len(text):
        return limit
    sentence = None
    for match in _SENTENCE_END.finditer(text, start, limit):
        sentence = match.end()
    if sentence is not None and sentence - start >= width // 2:
        return sentence
    space = text.rfind(" ", start, limit)
    return space if space > start else limit
