"""Settings for the test suite: the real settings, made quick."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from kb.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Page tests count the queries of a real render; tests/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
# Tests render pages without running collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Don't scan STATIC_ROOT at start-up: a collectstatic running alongside (the load
# test, an audit) would otherwise race with the scan.
WHITENOISE_AUTOREFRESH = True
