"""One search box across articles, claims, events and actors.

On PostgreSQL, migrations 0003 and 0009 keep a stored, weighted tsvector
column (`search_vector`) with a GIN index on each searched table; we match it with
websearch_to_tsquery (which accepts anything a person types, quotes and
minus signs included, and never raises), rank with ts_rank and cut snippets
with ts_headline. The column is not a model field (SQLite could not create
it), so it is reached through RawSQL. A tsvector holds at most 1 MB, so long
text is indexed up to INDEXED_CHARS characters only (the text itself is stored
whole): a body of any length saves, and is found by its first 60,000
characters. Snippets are cut from the same prefix.

On SQLite the same page is served from a plain fallback: every word must
occur somewhere in the searched fields (icontains), ranked by how often the
words occur in the title, then in the text, with snippets cut in Python.

Snippets are built from the raw source text, so they are escaped before
<mark> is put around the matched words: no markup from content gets through.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Actor, ActorAlias, Article, Claim, Event

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
RESULTS_PER_KIND = 20
CONFIG = "english"
# How much of a long text column the search vector covers. Migration 0009 builds
# the vectors with the same number; changing it needs a new migration.
INDEXED_CHARS = 60_000
# Private-use characters mark matches in snippets until the text is escaped.
OPEN, CLOSE = "\ue010", "\ue011"
WORD = re.compile(r"\w+")


def normalise_query(text):
    """Drop control and format characters (NUL, bidi overrides…) and collapse whitespace."""
    kept = "".join(
        " " if char.isspace() else char for char in text if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co"}
    )
    return " ".join(kept.split())


def terms_of(query):
    """The words of a query, lower-cased, in order, without repeats."""
    seen = []
    for word in WORD.findall(query.lower()):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


@dataclass
class Results:
    query: str
    articles: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    events: list = field(default_factory=list)
    actors: list = field(default_factory=list)
    more: set = field(default_factory=set)  # kinds with more hits than shown

    @property
    def total(self):
        return len(self.articles) + len(self.claims) + len(self.events) + len(self.actors)


def search(query, *, limit=RESULTS_PER_KIND):
    """Search everything for `query` (already normalised). Runs four queries."""
    results = Results(query=query)
    if not terms_of(query):
        return results
    backend = _postgres if connection.vendor == "postgresql" else _fallback
    for kind, found in backend(query, limit + 1).items():
        if len(found) > limit:
            results.more.add(kind)
        setattr(results, kind, found[:limit])
    return results


# --- PostgreSQL ----------------------------------------------------------------


def _vector(model):
    table = connection.ops.quote_name(model._meta.db_table)
    return RawSQL(f"{table}.search_vector", [], output_field=SearchVectorField())


def _ranked(queryset, query, snippet_field, *, whole=False):
    """Matches for `query`, best first, each with a `headline`: the whole field when `whole`, else fragments."""
    tsquery = SearchQuery(query, search_type="websearch", config=CONFIG)
    options = {"highlight_all": True} if whole else {"max_words": 35, "min_words": 15, "max_fragments": 2}
    headline = SearchHeadline(
        Left(snippet_field, INDEXED_CHARS),
        tsquery,
        config=CONFIG,
        start_sel=OPEN,
        stop_sel=CLOSE,
        fragment_delimiter=" … ",
        **options,
    )
    return (
        queryset.alias(vector=_vector(queryset.model))
        .filter(vector=tsquery)
        .annotate(rank=SearchRank(F("vector"), tsquery), headline=headline)
        .order_by("-rank", "pk")
    )


def _postgres(query, limit):
    found = {
        # Query: articles, with publisher and wire (and one for their authors).
        "articles": _ranked(Article.objects.with_people(), query, "body")[:limit],
        # Query: claims, with status, claimant and event.
        "claims": _ranked(Claim.objects.for_listing(), query, "text", whole=True)[:limit],
        # Query: events.
        "events": _ranked(Event.objects.all(), query, "description")[:limit],
    }
    # Query: actors; their aliases are in another table, so they match by substring.
    tsquery = SearchQuery(query, search_type="websearch", config=CONFIG)
    alias_hit = Exists(ActorAlias.objects.filter(actor=OuterRef("pk"), name__icontains=query))
    found["actors"] = (
        Actor.objects.alias(vector=_vector(Actor))
        .filter(Q(vector=tsquery) | alias_hit)
        .annotate(
            rank=SearchRank(F("vector"), tsquery),
            headline=SearchHeadline("description", tsquery, config=CONFIG, start_sel=OPEN, stop_sel=CLOSE),
        )
        .order_by("-rank", "name")[:limit]
    )
    out = {}
    for kind, queryset in found.items():
        out[kind] = list(queryset)
        for obj in out[kind]:
            obj.snippet = _marked(obj.headline or "")
    return out


def _marked(text):
    """Escape `text`, then turn the match markers into <mark> elements."""
    return mark_safe(escape(text).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


# --- SQLite and anything else ------------------------------------------------------


def _every_term_somewhere(terms, fields, extra=None):
    condition = Q()
    for term in terms:
        anywhere = Q()
        for name in fields:
            anywhere |= Q(**{f"{name}__icontains": term})
        if extra:
            anywhere |= extra(term)
        condition &= anywhere
    return condition


def _fallback(query, limit):
    terms = terms_of(query)

    def alias(term):
        return Q(Exists(ActorAlias.objects.filter(actor=OuterRef("pk"), name__icontains=term)))

    searches = {
        # Query: articles, with publisher and wire (and one for their authors).
        "articles": (
            Article.objects.with_people().filter(_every_term_somewhere(terms, ["title", "body", "captions"])),
            "title",
            "body",
        ),
        # Query: claims, with status, claimant and event.
        "claims": (
            Claim.objects.for_listing().filter(_every_term_somewhere(terms, ["text"])).order_by("slug"),
            "text",
            "text",
        ),
        # Query: events.
        "events": (
            Event.objects.filter(_every_term_somewhere(terms, ["title", "description"])),
            "title",
            "description",
        ),
        # Query: actors, by name, description or alias.
        "actors": (
            Actor.objects.filter(_every_term_somewhere(terms, ["name", "description"], extra=alias)),
            "name",
            "description",
        ),
    }
    out = {}
    for kind, (queryset, title_field, text_field) in searches.items():
        rows = list(queryset[:200])
        for obj in rows:
            title, text = getattr(obj, title_field).lower(), getattr(obj, text_field).lower()
            # A word in the title outranks any number of them in the text, as on PostgreSQL (weight A over D).
            obj.rank = (sum(title.count(term) for term in terms), sum(text.count(term) for term in terms))
            obj.snippet = snippet(getattr(obj, text_field), terms, width=None if kind == "claims" else 220)
        rows.sort(key=lambda obj: obj.rank, reverse=True)
        out[kind] = rows[:limit]
    return out


def snippet(text, terms, *, width=220):
    """A window of `text` around the first matched term (all of it when width is None), escaped, terms in <mark>."""
    if not text:
        return ""
    text = text.replace(OPEN, "").replace(CLOSE, "")
    width = len(text) if width is None else width
    pattern = re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = 0 if first is None else max(0, first.start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    window = text[start:end]
    marked = pattern.sub(lambda match: f"{OPEN}{match.group(0)}{CLOSE}", window)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return _marked(f"{prefix}{marked}{suffix}")
