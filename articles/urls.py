from articles.pages import READER_PAGES

app_name = "articles"

# Every reader page, from the registry: each is cached and revalidated (articles.caching.reader_view).
urlpatterns = [pattern for page in READER_PAGES for pattern in page.url_patterns()]
