from articles.pages import DATA_PAGES, READER_PAGES

app_name = "articles"

# Every reader page, from the registry: each is cached and revalidated (articles.caching.reader_view),
# and has its JSON twin (articles.api).
urlpatterns = [pattern for page in READER_PAGES for pattern in page.url_patterns()] + [
    page.url_pattern() for page in DATA_PAGES
]
