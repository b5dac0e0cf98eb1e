"""The site's URLs plus a bare view, at the same depth as the claim page (hit_cost.py).

The bare view returns the cached claim page's bytes. It sits just before the
claim page's own pattern, so resolving it costs what resolving the claim page does.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

from articles import urls as articles_urls
from kb.urls import handler500  # noqa: F401
from kb.urls import urlpatterns as site


def bare(request, slug):
    return HttpResponse(settings.BARE_BYTES, content_type="text/html; charset=utf-8")


reader = list(articles_urls.urlpatterns)
at = next(i for i, pattern in enumerate(reader) if pattern.name == "claim")
reader.insert(at, path("bare/<slug:slug>/", bare))
urlpatterns = [*site[:-1], path("", include((reader, "articles")))]
