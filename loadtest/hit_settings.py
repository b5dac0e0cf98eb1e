"""kb.settings for loadtest/hit_cost.py: static files from the finders, and one extra bare view."""

from kb.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
ROOT_URLCONF = "loadtest.hit_urls"
BARE_BYTES = b""
