from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    # /timeline/
    path("timeline/", views.timeline, name="timeline"),
    # /events/<slug>/
    path("events/<slug:slug>/", views.event_detail, name="event"),
    # /claims/, /claims/contested/, /claims/grid/, /claims/<slug>/
    path("claims/", views.claim_list, name="claims"),
    path("claims/contested/", views.contested, name="contested"),
    path("claims/grid/", views.agreement_grid, name="grid"),
    path("claims/<slug:slug>/", views.claim_detail, name="claim"),
    # /articles/, /articles/<slug>/
    path("articles/", views.article_list, name="articles"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    # /actors/, /actors/<slug>/
    path("actors/", views.actor_list, name="actors"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor"),
    # /tags/, /tags/<slug>/
    path("tags/", views.tag_list, name="tags"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    # /search/?q=…
    path("search/", views.search, name="search"),
]
