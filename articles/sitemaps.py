"""sitemap.xml: every public page, with the time it last changed.

/sitemap.xml is always a sitemap index (django.contrib.sitemaps' `index`
view) naming one sitemap per section; a section longer than
RecordSitemap.limit URLs (5,000: the protocol allows 50,000, but a page that
size takes seconds to render) is paged by the framework (`?p=2`, …), each page
two queries. robots.txt names the index.

lastmod is the `updated` time of the record a page shows. A list page
changes whenever anything does, so its lastmod is the newest change of all.
A tag has no time of its own: its page changes when something tagged does.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils.functional import cached_property
from taggit.models import Tag

from articles.models import Actor, Article, Claim, Event

SLUG_MARK = "slug-mark"
# The list pages worth a crawler's visit; search results and filtered variants are not pages of their own.
LIST_PAGES = ("home", "timeline", "claims", "contested", "grid", "articles", "actors", "tags")


class RecordSitemap(Sitemap):
    """The detail pages of one model, in id order, each with its `updated` time.

    Rows are read as (slug, updated) pairs and their addresses built from one
    reversed pattern: a model instance and a reverse() per row would cost
    more than the rest of the page.
    """

    model = None
    url_name = None
    # URLs per sitemap page: the protocol allows 50,000, but a page that size
    # takes seconds to render; past this the framework pages it (?p=2, …).
    limit = 5_000

    def items(self):
        return self.model.objects.order_by("pk").values_list("slug", "updated")

    def location(self, row):
        return self._pattern.replace(SLUG_MARK, row[0])

    @cached_property
    def _pattern(self):
        return reverse(f"articles:{self.url_name}", args=[SLUG_MARK])

    def lastmod(self, row):
        return row[1]

    def get_latest_lastmod(self):
        # For the index: one MAX, not every row (the default reads them all).
        return self.model.objects.aggregate(newest=Max("updated"))["newest"]


class ClaimSitemap(RecordSitemap):
    model = Claim
    url_name = "claim"


class ArticleSitemap(RecordSitemap):
    model = Article
    url_name = "article"


class EventSitemap(RecordSitemap):
    model = Event
    url_name = "event"


class ActorSitemap(RecordSitemap):
    model = Actor
    url_name = "actor"


class TagSitemap(Sitemap):
    """Tags in use (as the tag list shows them), each last changed when something tagged with it was."""

    def items(self):
        # The newest change per tag, one grouped query per tagged model, rather than a subquery per tag.
        newest = {}
        for model in (Claim, Article, Event):
            rows = model.objects.filter(tags__isnull=False).values("tags__id").annotate(newest=Max("updated"))
            for row in rows.order_by():
                tag_id = row["tags__id"]
                newest[tag_id] = max(newest.get(tag_id, row["newest"]), row["newest"])
        tags = list(Tag.objects.filter(pk__in=newest).order_by("pk").values_list("pk", "slug"))
        return [(slug, newest[pk]) for pk, slug in tags]

    def location(self, row):
        return reverse("articles:tag", args=[row[0]])

    def lastmod(self, row):
        return row[1]


def _newest_change(*models):
    """The newest `updated` among the models' rows (one MAX each), or None when there are none."""
    times = [model.objects.aggregate(newest=Max("updated"))["newest"] for model in models]
    return max((time for time in times if time is not None), default=None)


class ListPageSitemap(Sitemap):
    """The list pages: each changes with anything it lists, so all share the newest change."""

    def items(self):
        return list(LIST_PAGES)

    def location(self, name):
        return reverse(f"articles:{name}")

    def lastmod(self, name):
        if not hasattr(self, "_newest"):
            self._newest = _newest_change(Claim, Article, Event, Actor)
        return self._newest


SITEMAPS = {
    "pages": ListPageSitemap,
    "claims": ClaimSitemap,
    "articles": ArticleSitemap,
    "events": EventSitemap,
    "actors": ActorSitemap,
    "tags": TagSitemap,
}
