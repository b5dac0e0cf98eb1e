from articles.pages import DATA_PAGES, READER_PAGES

app_name = "articles"

# Every reader page, from the registry: each is cached and revalidated (articles.caching.reader_view).
urlpatterns = [page.url_pattern() for page in READER_PAGES + DATA_PAGES]
