"""The registry of reader pages: one line per page.

Everything that needs the list of reader pages reads it from here: the URL
configuration (articles/urls.py), the markup and fuzz tests, the benchmark
and the load test. Adding a page means a view, a template and a line here.

Each page declares the query parameters it reads. Every page registered here
is served through articles.caching.reader_view, so it is cached for anonymous
readers, carries ETag / Last-Modified / Cache-Control, and answers any other
parameter with a 301 to the URL without it (`?cb=<random>` cannot bypass or
fill the cache). A new filter must be added to `params` here, or the page
will redirect it away.
"""

from dataclasses import dataclass, field

from django.urls import path

from articles import api, views
from articles.caching import reader_view
from articles.redirects import with_slug_redirects


@dataclass(frozen=True)
class ReaderPage:
    name: str  # URL name, in the "articles" namespace
    route: str  # as for django.urls.path
    view: object
    params: tuple = ()  # the query parameters the page reads
    # For pages about one object: where its slugs come from ("app_label.Model").
    slug_model: str = ""
    # Share of a simulated reader's requests in the load test.
    load_weight: int = 1
    # Filtered variants worth exercising, on the shipped fixtures: {label: {param: value}}.
    samples: dict = field(default_factory=dict)
    # At most this long in the shared page cache (None: PAGE_CACHE_SECONDS).
    max_cache_seconds: int | None = None
    # The page's JSON twin: a function of (view context, request) returning the page's data (articles.api).
    serializer: object = None

    @property
    def is_detail(self):
        return bool(self.slug_model)

    def url_pattern(self):
        """The page at its address, as it is (DATA_PAGES, which are JSON already)."""
        return path(
            self.route,
            reader_view(self.view, self.params, max_cache_seconds=self.max_cache_seconds),
            name=self.name,
        )

    @property
    def json_route(self):
        """The JSON twin's address: the page's, with `.json` for its trailing slash ("claims/x.json")."""
        return f"{self.route.rstrip('/')}.json" if self.route else "index.json"

    def url_patterns(self):
        """The page at its address (HTML, or JSON by `Accept`), and its JSON twin at the `.json` address."""
        patterns = []
        for route, name, always_json in ((self.route, self.name, False), (self.json_route, f"{self.name}-json", True)):
            view = self.view
            if self.is_detail:
                view = with_slug_redirects(view, self.name, self.slug_model, json=always_json)
            view = api.json_twin(view, self.serializer, always=always_json)
            cached = reader_view(
                view,
                self.params,
                max_cache_seconds=self.max_cache_seconds,
                negotiate=(lambda request: "json") if always_json else api.representation,
            )
            patterns.append(path(route, cached, name=name))
        return patterns

    def slugs(self):
        """Slugs of the objects this page can show (for tests, the bench and the load test)."""
        from django.apps import apps

        return apps.get_model(self.slug_model).objects.order_by("pk").values_list("slug", flat=True)


PAGE = ("page",)
# Keyset pages (listing.keyset_page); ?page=N, from before them, is forwarded to its ?after= page.
CURSOR = ("after", "before")

READER_PAGES = [
    ReaderPage("home", "", views.home, serializer=api.home, load_weight=4),
    ReaderPage(
        "timeline",
        "timeline/",
        views.timeline,
        serializer=api.timeline,
        # Filters (actor, tag, from, to), then the window and the page in it (articles.timeline).
        params=("actor", "tag", "from", "to", "decade", "year", "month", "after"),
        load_weight=3,
        samples={
            "by actor": {"actor": "to-lam"},
            "a year": {"year": "2025"},
            # Empty at any size (an actor with no events at the shipped size gains some in
            # generated data, and the bench compares query counts between the two).
            "a year with no events": {"year": "1066"},
        },
    ),
    ReaderPage(
        "event",
        "events/<slug:slug>/",
        views.event_detail,
        serializer=api.event_detail,
        slug_model="articles.Event",
        load_weight=3,
    ),
    ReaderPage(
        "claims",
        "claims/",
        views.claim_list,
        serializer=api.claim_list,
        params=("status", "kind", "actor", "role", "event", "article", "tag", "sort", *CURSOR, *PAGE),
        load_weight=2,
        samples={"by status": {"status": "contested"}, "by sources": {"sort": "sources"}},
    ),
    ReaderPage(
        "contested",
        "claims/contested/",
        views.contested,
        serializer=api.contested,
        params=(*CURSOR, *PAGE),
        load_weight=2,
    ),
    ReaderPage(
        "grid",
        "claims/grid/",
        views.agreement_grid,
        serializer=api.agreement_grid,
        params=("event", "actor", *CURSOR, *PAGE),
    ),
    ReaderPage(
        "claim",
        "claims/<slug:slug>/",
        views.claim_detail,
        serializer=api.claim_detail,
        slug_model="articles.Claim",
        load_weight=5,
    ),
    ReaderPage(
        "claim_history",
        "claims/<slug:slug>/history/",
        views.claim_history,
        serializer=api.claim_history,
        params=("revision", "before"),
        slug_model="articles.Claim",
    ),
    ReaderPage(
        "articles",
        "articles/",
        views.article_list,
        serializer=api.article_list,
        params=("actor", "tag", "sort", *CURSOR, *PAGE),
        load_weight=2,
    ),
    ReaderPage(
        "article",
        "articles/<slug:slug>/",
        views.article_detail,
        serializer=api.article_detail,
        slug_model="articles.Article",
        load_weight=4,
    ),
    ReaderPage(
        "actors",
        "actors/",
        views.actor_list,
        serializer=api.actor_list,
        params=("kind", *CURSOR),
        samples={"by kind": {"kind": "person"}},
    ),
    ReaderPage(
        "actor",
        "actors/<slug:slug>/",
        views.actor_detail,
        serializer=api.actor_detail,
        slug_model="articles.Actor",
        load_weight=2,
    ),
    ReaderPage("tags", "tags/", views.tag_list, serializer=api.tag_list, params=CURSOR),
    ReaderPage("tag", "tags/<slug:slug>/", views.tag_detail, serializer=api.tag_detail, slug_model="taggit.Tag"),
    ReaderPage(
        "search",
        "search/",
        views.search,
        serializer=api.search,
        params=("q", "kind", "page"),
        load_weight=2,
        samples={"by word": {"q": "visit"}, "one kind": {"q": "visit", "kind": "claims"}},
        # Every query is a new address: cached briefly, so random queries cannot pile up.
        max_cache_seconds=60,
    ),
]

BY_NAME = {page.name: page for page in READER_PAGES}

# Served like reader pages (cached, revalidated, unknown parameters redirected
# away) but not HTML: the suggestions the filter boxes' script asks for.
DATA_PAGES = [
    ReaderPage("suggest", "suggest/<slug:kind>/", views.suggest, params=("q",), max_cache_seconds=300),
]
