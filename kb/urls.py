from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from articles import annotations, openapi

admin.site.site_header = "Knowledge base editors"
admin.site.site_title = "Knowledge base admin"
admin.site.index_title = "Articles, actors, events and claims"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
    # The read API (articles.api, articles.annotations, articles.openapi); the reader pages' JSON twins
    # are registered with the pages themselves (articles.pages).
    path("annotations/", annotations.collection_view, name="annotations"),
    path("annotations/<int:pk>", annotations.detail_view, name="annotation"),
    path("api/openapi.json", openapi.description_view, name="openapi"),
    path("", include("articles.urls")),
    # Feeds, sitemap and share cards.
    path("", include("articles.linked_urls")),
]

# A database that cannot be reached gets the 503 page with Retry-After; anything else the 500 page.
handler400 = "articles.errors.bad_request"
handler500 = "articles.errors.server_error"
