"""sitemap.xml: every public page, with the time it last changed.

/sitemap.xml is always a sitemap index (django.contrib.sitemaps' `index`
view) naming one sitemap per section; a section longer than the protocol's
50,000 URLs is paged by the framework (`?p=2`, …), each page one query.
robots.txt names the index.

lastmod is the `updated` time of the record a page shows. A list page
changes whenever anything does, so its lastmod is the newest change of all.
A tag has no time of its own: its page changes when something tagged does.
"""

from django.contrib.contenttypes.models import ContentType
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from articles.models import Actor, Article, Claim, Event

# The list pages worth a crawler's visit; search results and filtered variants are not pages of their own.
LIST_PAGES = ("home", "timeline", "claims", "contested", "grid", "articles", "actors", "tags")


class RecordSitemap(Sitemap):
    """The detail pages of one model, in id order, each with its `updated` time."""

    model = None

    def items(self):
        return self.model.objects.order_by("pk").only("pk", "slug", "updated")

    def lastmod(self, record):
        return record.updated

    def get_latest_lastmod(self):
        # For the index: one MAX, not every row (the default reads them all).
        return self.model.objects.aggregate(newest=Max("updated"))["newest"]


class ClaimSitemap(RecordSitemap):
    model = Claim


class ArticleSitemap(RecordSitemap):
    model = Article


class EventSitemap(RecordSitemap):
    model = Event


class ActorSitemap(RecordSitemap):
    model = Actor


def _newest_tagged(model):
    """A subquery: the newest `updated` among the `model` rows carrying the outer tag."""
    content_type = ContentType.objects.get_for_model(model)
    tagged = TaggedItem.objects.filter(tag_id=OuterRef(OuterRef("pk")), content_type=content_type)
    rows = model.objects.filter(pk__in=tagged.values("object_id")).order_by("-updated").values("updated")
    return Subquery(rows[:1])


class TagSitemap(Sitemap):
    """Tags in use (as the tag list shows them), each last changed when something tagged with it was."""

    def items(self):
        in_use = TaggedItem.objects.values("tag_id")
        return (
            Tag.objects.filter(pk__in=in_use)
            .annotate(
                claim_updated=_newest_tagged(Claim),
                article_updated=_newest_tagged(Article),
                event_updated=_newest_tagged(Event),
            )
            .order_by("pk")
        )

    def location(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def lastmod(self, tag):
        times = [tag.claim_updated, tag.article_updated, tag.event_updated]
        return max((time for time in times if time is not None), default=None)

    def get_latest_lastmod(self):
        # Tags are few (one per topic): reading them all for the index is cheap.
        return max((time for time in map(self.lastmod, self.items()) if time is not None), default=None)


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
