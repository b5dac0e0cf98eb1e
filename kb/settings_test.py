"""Settings for the test suite: the real settings, made quick."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
# A developer's .env (DEBUG=true, their database) must not change what the suite checks.
os.environ.setdefault("ENV_FILE", "")

from kb.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "articles.cache_backends.LocalMemoryCache"}}
# Page tests count the queries of a real render; tests/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
# Tests render pages without running collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Serve static files from static/ through the finders, as in development: a
# fresh clone has run no collectstatic, and a collectstatic running alongside
# (the load test, an audit) must not race with a scan of STATIC_ROOT.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Client.login() passes no request, which axes' backend refuses: tests/axes_backend.py.
AUTHENTICATION_BACKENDS = ["tests.axes_backend.RequestOptionalAxesBackend", "django.contrib.auth.backends.ModelBackend"]
# Each test worker's SQLite database in its own memory, named so explicitly: pytest-django
# recognises SQLite by Django's engine name only, and would give the site's engine
# (articles.db_backends.sqlite3) a file named after the development database for each worker.
for _database in DATABASES.values():  # noqa: F405
    if _database["ENGINE"].endswith("sqlite3"):
        _database.setdefault("TEST", {}).setdefault("NAME", ":memory:")
