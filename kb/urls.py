from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

admin.site.site_header = "Knowledge base editors"
admin.site.site_title = "Knowledge base admin"
admin.site.index_title = "Articles, actors, events and claims"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
    path("", include("articles.urls")),
    # Feeds, sitemap and share cards.
    path("", include("articles.linked_urls")),
]

# A database that cannot be reached gets the 503 page with Retry-After; anything else the 500 page.
handler500 = "articles.errors.server_error"
