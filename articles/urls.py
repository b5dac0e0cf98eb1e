from django.urls import path

from articles import views
from articles.caching import reader_page

app_name = "articles"

urlpatterns = [
    path("", reader_page(views.home), name="home"),
    # /timeline/
    path("timeline/", reader_page(views.timeline), name="timeline"),
    # /events/<slug>/
    path("events/<slug:slug>/", reader_page(views.event_detail), name="event"),
    # /claims/, /claims/contested/, /claims/grid/, /claims/<slug>/
    path("claims/", reader_page(views.claim_list), name="claims"),
    path("claims/contested/", reader_page(views.contested), name="contested"),
    path("claims/grid/", reader_page(views.agreement_grid), name="grid"),
    path("claims/<slug:slug>/", reader_page(views.claim_detail), name="claim"),
    # /articles/, /articles/<slug>/
    path("articles/", reader_page(views.article_list), name="articles"),
    path("articles/<slug:slug>/", reader_page(views.article_detail), name="article"),
    # /actors/, /actors/<slug>/
    path("actors/", reader_page(views.actor_list), name="actors"),
    path("actors/<slug:slug>/", reader_page(views.actor_detail), name="actor"),
    # /tags/, /tags/<slug>/
    path("tags/", reader_page(views.tag_list), name="tags"),
    path("tags/<slug:slug>/", reader_page(views.tag_detail), name="tag"),
    # /search/?q=…
    path("search/", reader_page(views.search), name="search"),
]
