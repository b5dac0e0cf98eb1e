"""Addresses for machines: Atom feeds, the sitemap and share cards (see README, "Linked data, feeds and sharing").

Each is served through caching.reader_view, as the reader pages are: ETag and
Last-Modified from the content version, 304 for a current copy, Cache-Control,
and a 301 away from any query parameter it does not read.
"""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from articles import cards, feeds
from articles.caching import reader_view
from articles.sitemaps import SITEMAPS

app_name = "linked"

SITEMAP_ARGS = {"sitemaps": SITEMAPS, "sitemap_url_name": "linked:sitemap-section"}

urlpatterns = [
    # /feeds/claims/, /feeds/articles/, /feeds/actors/<slug>/, /feeds/tags/<slug>/
    path("feeds/claims/", reader_view(feeds.ClaimsFeed(), ()), name="claims-feed"),
    path("feeds/articles/", reader_view(feeds.ArticlesFeed(), ()), name="articles-feed"),
    path("feeds/actors/<slug:slug>/", reader_view(feeds.ActorFeed(), ()), name="actor-feed"),
    path("feeds/tags/<slug:slug>/", reader_view(feeds.TagFeed(), ()), name="tag-feed"),
    # /sitemap.xml (the index) and /sitemap-<section>.xml?p=<page>
    path("sitemap.xml", reader_view(sitemap_views.index, ()), SITEMAP_ARGS, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        reader_view(sitemap_views.sitemap, ("p",)),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    # /cards/claims/<slug>.png: drawn once per content version (articles.cards), so the page cache is not needed.
    path("cards/claims/<slug:slug>.png", reader_view(cards.claim_card, (), max_cache_seconds=0), name="claim-card"),
]
