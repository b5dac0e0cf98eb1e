from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Knowledge base editors"
admin.site.site_title = "Knowledge base admin"
admin.site.index_title = "Articles, actors, events and claims"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]
