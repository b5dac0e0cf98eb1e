"""Addresses for machines: Atom feeds, the sitemap and share cards (see README, "Linked data, feeds and sharing").

Each is served through caching.reader_view, as the reader pages are: ETag and
Last-Modified from the content version, 304 for a current copy, Cache-Control,
and a 301 away from any query parameter it does not read. Those about one
actor, tag or claim follow a renamed slug (articles.redirects) with a 301, as
the pages do: a subscribed feed or a shared card keeps working.
"""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from articles import cards, feeds
from articles.caching import reader_view
from articles.redirects import following_renames
from articles.sitemaps import SITEMAPS


def about_one(view, kind, url_name, **options):
    """`view` about the `kind` object named by `slug`, cached, an old slug answered with a 301 to the new one."""
    return reader_view(following_renames(view, kind, f"linked:{url_name}"), (), **options)


app_name = "linked"

SITEMAP_ARGS = {"sitemaps": SITEMAPS, "sitemap_url_name": "linked:sitemap-section"}

urlpatterns = [
    # /feeds/claims/, /feeds/articles/, /feeds/actors/<slug>/, /feeds/tags/<slug>/
    path("feeds/claims/", reader_view(feeds.ClaimsFeed(), ()), name="claims-feed"),
    path("feeds/articles/", reader_view(feeds.ArticlesFeed(), ()), name="articles-feed"),
    path("feeds/actors/<slug:slug>/", about_one(feeds.ActorFeed(), "actor", "actor-feed"), name="actor-feed"),
    path("feeds/tags/<slug:slug>/", about_one(feeds.TagFeed(), "tag", "tag-feed"), name="tag-feed"),
    # /sitemap.xml (the index) and /sitemap-<section>.xml?p=<page>
    path("sitemap.xml", reader_view(sitemap_views.index, ()), SITEMAP_ARGS, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        reader_view(sitemap_views.sitemap, ("p",)),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    # /cards/claims/<slug>.png: drawn once per content version (articles.cards), so the page cache is not needed.
    path(
        "cards/claims/<slug:slug>.png",
        about_one(cards.claim_card, "claim", "claim-card", max_cache_seconds=0),
        name="claim-card",
    ),
]
