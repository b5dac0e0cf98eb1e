"""Schema.org JSON-LD for every reader page, built from what the view already loaded.

One builder per reader page (BUILDERS, keyed by the page's URL name in
articles.pages) turns the page's context into a JSON-LD graph: the page's
main thing (a Claim, a NewsArticle, an Event, a Person…) or an ItemList of
the rows the page shows, and a BreadcrumbList. Builders read only objects the
view has preloaded, so they add no query; and a list holds only the page's
own rows, so the JSON-LD grows no faster than the HTML.

What is said, and what is left out:
- A claim is a `Claim`, never a `ClaimReview`: its status counts sources, it
  is not a verdict. Its `appearance`s are the articles whose quotes are still
  found in their text, each quote a `Quotation` that is part of the article;
  `firstAppearance` is the earliest dated article among those supporting it.
- An article states only what its source states: no publisher, author or
  date the source does not give, and no `datePublished` for a date the
  editors marked approximate (it was inferred, not stated).
- Dates keep their precision as partial ISO 8601 dates ("2025-10", "2007");
  a date known only to the decade has no ISO form and is left out.
"""

import json
from collections import OrderedDict

from django.urls import reverse

from articles.dates import DatePrecision, to_partial
from articles.models import Actor, Article, Stance
from articles.templatetags.kb import SITE_NAME, shorten, tag_url

CONTEXT = "https://schema.org"

ACTOR_TYPES = {
    Actor.Kind.PERSON: "Person",
    Actor.Kind.STATE: "Country",
    Actor.Kind.PARTY: "PoliticalParty",
    Actor.Kind.GOVERNMENT: "GovernmentOrganization",
    Actor.Kind.ORGANISATION: "Organization",
    Actor.Kind.OUTLET: "NewsMediaOrganization",
}

ARTICLE_TYPES = {
    Article.Kind.NEWS: "NewsArticle",
    Article.Kind.WIRE: "NewsArticle",
    Article.Kind.COMMENTARY: "OpinionNewsArticle",
    Article.Kind.ANALYSIS: "AnalysisNewsArticle",
    # schema.org's own words for it: "aka 'explainer' or 'backgrounder'".
    Article.Kind.FAQ: "BackgroundNewsArticle",
}

# Characters that could end the <script> element or open a comment in it.
# JSON allows any character as a \\u escape, so the data reads the same.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def to_script_json(data):
    """JSON safe to put inside <script type="application/ld+json">: no text can close the element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


def partial_date(value, precision):
    """A date at the precision it is known, as a partial ISO 8601 date; None for a decade or no date."""
    if value is None or precision in ("", DatePrecision.DECADE):
        return None
    return to_partial(value, precision)


def _compact(node):
    """Drop properties with no value: the page says nothing rather than something empty."""
    return {key: value for key, value in node.items() if value not in (None, "", [])}


class Page:
    """The page being described: absolute URLs, and the context the view gave its template."""

    def __init__(self, request, context):
        self.request = request
        self.context = context

    def url(self, path):
        return self.request.build_absolute_uri(path)

    @property
    def here(self):
        return self.request.build_absolute_uri()

    def get(self, name, default=None):
        return self.context.get(name, default)


# --- Nodes -------------------------------------------------------------------------


def actor_node(page, actor, *, full=False):
    node = {
        "@type": ACTOR_TYPES.get(actor.kind, "Organization"),
        "@id": f"{page.url(actor.get_absolute_url())}#actor",
        "name": actor.name,
        "url": page.url(actor.get_absolute_url()),
    }
    if full:
        node["alternateName"] = [alias.name for alias in actor.aliases.all()]
        node["description"] = actor.description
    return _compact(node)


def _title(article):
    # A title the editors wrote is a name for it, not the source's headline.
    return {"name": article.title} if article.title_is_editorial else {"headline": article.title}


def _stated_date(article):
    return None if article.date_approximate else partial_date(article.published, article.date_precision)


def article_ref(page, article):
    """An article as another page mentions it: what it is, where, its headline and stated date."""
    url = page.url(article.get_absolute_url())
    return _compact(
        {
            "@type": ARTICLE_TYPES.get(article.kind, "NewsArticle"),
            "@id": f"{url}#article",
            "url": url,
            **_title(article),
            "datePublished": _stated_date(article),
        }
    )


def article_node(page, article):
    node = article_ref(page, article)
    authors = sorted(article.authors.all(), key=lambda actor: actor.slug)
    node["author"] = [actor_node(page, actor) for actor in authors]
    if article.publisher_id:
        node["publisher"] = actor_node(page, article.publisher)
    if article.wire_id and article.wire_id != article.publisher_id:
        # The wire service or original publisher the piece credits.
        node["sourceOrganization"] = actor_node(page, article.wire)
    node["sameAs"] = article.url
    node["keywords"] = [tag.name for tag in article.tags.all()]
    return _compact(node)


def quotation_node(page, citation):
    node = {"@type": "Quotation", "text": citation.quote, "url": page.url(citation.url)}
    if citation.speaker_id:
        node["spokenByCharacter"] = actor_node(page, citation.speaker)
    return node


def claim_node(page, claim, citations):
    url = page.url(claim.get_absolute_url())
    anchored = [citation for citation in citations if citation.anchored]
    by_article = OrderedDict()
    for citation in anchored:
        by_article.setdefault(citation.article_id, (citation.article, []))[1].append(citation)
    appearances = []
    for article, quotes in by_article.values():
        appearance = article_ref(page, article)
        appearance["hasPart"] = [quotation_node(page, citation) for citation in quotes]
        appearances.append(appearance)
    supporting = [c.article for c in anchored if c.stance == Stance.SUPPORTS and c.article.published is not None]
    first = min(supporting, key=lambda article: (article.published, article.title), default=None)
    node = {
        "@type": "Claim",
        "@id": f"{url}#claim",
        "url": url,
        "text": claim.text,
        "author": actor_node(page, claim.claimant) if claim.claimant_id else None,
        "about": [actor_node(page, actor) for actor in claim.subjects.all()],
        "appearance": appearances,
        "firstAppearance": {"@id": f"{page.url(first.get_absolute_url())}#article"} if first else None,
        "keywords": [tag.name for tag in claim.tags.all()],
    }
    return _compact(node)


def event_node(page, event):
    url = page.url(event.get_absolute_url())
    precision = event.date_precision
    return _compact(
        {
            "@type": "Event",
            "@id": f"{url}#event",
            "url": url,
            "name": event.title,
            "description": event.description,
            "startDate": partial_date(event.start, precision),
            "endDate": partial_date(event.end, precision),
            "attendee": [actor_node(page, p.actor) for p in event.participations.all()],
            "keywords": [tag.name for tag in event.tags.all()],
        }
    )


def _name_of(item):
    if isinstance(item, Article):
        return item.title
    return getattr(item, "text", None) or getattr(item, "title", None) or getattr(item, "name", None) or str(item)


def _url_of(item):
    if hasattr(item, "get_absolute_url"):
        return item.get_absolute_url()
    return tag_url(item)


def item_list(page, name, items, *, total=None, start=1):
    """An ItemList of the page's rows (only those), numbered from `start`.

    `total` is the whole list's size (numberOfItems), left out when unknown.
    """
    items = list(items)
    elements = [
        {
            "@type": "ListItem",
            "position": position,
            "url": page.url(_url_of(item)),
            "name": shorten(_name_of(item), 200),
        }
        for position, item in enumerate(items, start=start)
    ]
    return _compact(
        {
            "@type": "ItemList",
            "@id": f"{page.here}#list",
            "url": page.here,
            "name": name,
            "numberOfItems": total,
            "itemListElement": elements,
        }
    )


def breadcrumbs(page, *trail):
    """A BreadcrumbList from the home page down: each step a (name, path) pair."""
    steps = [("Home", reverse("articles:home")), *trail]
    return {
        "@type": "BreadcrumbList",
        "@id": f"{page.here}#breadcrumbs",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": shorten(name, 100), "item": page.url(path)}
            for position, (name, path) in enumerate(steps, start=1)
        ],
    }


def _step(name, url_name):
    return (name, reverse(f"articles:{url_name}"))


def _paged_list(page, name, rows):
    """An ItemList for a page of a longer list: its rows, out of the whole list's size where known.

    A numbered page (Django's Paginator) numbers its rows as the whole list
    does; a keyset page (listing.KeysetPage) knows no offset, so its rows are
    numbered from 1, and its size only when its count was not capped.
    """
    paged = page.get("page")
    if hasattr(paged, "paginator"):
        return item_list(page, name, rows, total=paged.paginator.count, start=paged.start_index())
    count = getattr(paged, "count", None)
    return item_list(page, name, rows, total=None if count is None or count.capped else count.value)


# --- One builder per reader page ---------------------------------------------------


def home(page):
    root = page.url(reverse("articles:home"))
    return [{"@type": "WebSite", "@id": f"{root}#website", "url": root, "name": SITE_NAME}]


def timeline(page):
    events = page.get("events") or []
    return [
        item_list(page, "Timeline", events, total=len(events)),
        breadcrumbs(page, _step("Timeline", "timeline")),
    ]


def event(page):
    event = page.get("event")
    return [
        event_node(page, event),
        breadcrumbs(page, _step("Timeline", "timeline"), (event.title, event.get_absolute_url())),
    ]


def claim_history(page):
    claim = page.get("claim")
    return [
        {
            "@type": "WebPage",
            "@id": f"{page.here}#page",
            "url": page.here,
            "name": f"History of a claim: {shorten(claim.text, 100)}",
            "about": {"@id": f"{page.url(claim.get_absolute_url())}#claim"},
        },
        breadcrumbs(
            page,
            _step("Claims", "claims"),
            (claim.text, claim.get_absolute_url()),
            ("History", reverse("articles:claim_history", args=[claim.slug])),
        ),
    ]


def claims(page):
    return [_paged_list(page, "Claims", page.get("claims") or []), breadcrumbs(page, _step("Claims", "claims"))]


def contested(page):
    return [
        _paged_list(page, "Contested claims", page.get("claims") or []),
        breadcrumbs(page, _step("Claims", "claims"), _step("Contested", "contested")),
    ]


def grid(page):
    return [
        _paged_list(page, "Agreement grid", [row["claim"] for row in page.get("rows") or []]),
        breadcrumbs(page, _step("Claims", "claims"), _step("Agreement grid", "grid")),
    ]


def claim(page):
    claim = page.get("claim")
    return [
        claim_node(page, claim, page.get("citations") or []),
        breadcrumbs(page, _step("Claims", "claims"), (claim.text, claim.get_absolute_url())),
    ]


def articles(page):
    return [
        _paged_list(page, "Articles", page.get("articles") or []),
        breadcrumbs(page, _step("Articles", "articles")),
    ]


def article(page):
    article = page.get("article")
    return [
        article_node(page, article),
        breadcrumbs(page, _step("Articles", "articles"), (article.title, article.get_absolute_url())),
    ]


def actors(page):
    return [_paged_list(page, "Actors", page.get("actors") or []), breadcrumbs(page, _step("Actors", "actors"))]


def actor(page):
    actor = page.get("actor")
    return [
        actor_node(page, actor, full=True),
        breadcrumbs(page, _step("Actors", "actors"), (actor.name, actor.get_absolute_url())),
    ]


def tags(page):
    return [_paged_list(page, "Tags", page.get("tags") or []), breadcrumbs(page, _step("Tags", "tags"))]


def tag(page):
    tag = page.get("tag")
    shown = [row for name in ("articles", "events", "claims") for row in getattr(page.get(name), "rows", [])]
    return [
        item_list(page, f"Tagged “{tag.name}”", shown),
        breadcrumbs(page, _step("Tags", "tags"), (tag.name, reverse("articles:tag", args=[tag.slug]))),
    ]


def search(page):
    results = page.get("results")
    rows = [] if results is None else [*results.claims, *results.events, *results.articles, *results.actors]
    return [item_list(page, "Search results", rows), breadcrumbs(page, _step("Search", "search"))]


BUILDERS = {
    "home": home,
    "timeline": timeline,
    "event": event,
    "claims": claims,
    "contested": contested,
    "grid": grid,
    "claim": claim,
    "claim_history": claim_history,
    "articles": articles,
    "article": article,
    "actors": actors,
    "actor": actor,
    "tags": tags,
    "tag": tag,
    "search": search,
}

# What each page's builder needs from the context; without it (a 400 page
# rendered for that URL) the page gets the plain WebPage description.
NEEDS = {
    "event": "event",
    "claim": "claim",
    "claim_history": "claim",
    "article": "article",
    "actor": "actor",
    "tag": "tag",
}


def web_page(page):
    return [{"@type": "WebPage", "@id": f"{page.here}#page", "url": page.here}]


def graph_for(request, context):
    """The JSON-LD document for the page being rendered, or None for a page with no URL match (404)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    page = Page(request, context)
    name = match.url_name if match.namespace == "articles" else None
    builder = BUILDERS.get(name, web_page)
    if (name in NEEDS and context.get(NEEDS[name]) is None) or context.get("problems") is not None:
        builder = web_page
    return {"@context": CONTEXT, "@graph": builder(page)}
