"""`manage.py check --deploy`: the cache can be used, and the database cannot hang a worker."""

import os
import tempfile

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.checks import Tags, Warning, register
from django.db import connections


@register(Tags.caches, deploy=True)
def check_cache_is_usable(app_configs=None, **kwargs):
    backend = caches["default"]
    where = settings.CACHES["default"].get("LOCATION", "")
    if isinstance(backend, FileBasedCache):
        try:
            os.makedirs(backend._dir, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=backend._dir, prefix="check-"):
                pass
        except OSError as error:
            return [
                Warning(
                    f"The cache directory {backend._dir} cannot be written: {error}.",
                    hint="Point CACHE_URL at a writable directory (file:///var/cache/kb). Until then every page "
                    "is rendered afresh and edits are not recorded for other processes.",
                    id="kb.W001",
                )
            ]
    elif isinstance(backend, RedisCache):
        try:
            backend._cache.get_client(write=True).ping()
        except Exception as error:
            return [
                Warning(
                    f"The Redis cache at {where} cannot be reached: {type(error).__name__}: {error}.",
                    hint="Start Redis or correct CACHE_URL. Until then every page is rendered afresh.",
                    id="kb.W002",
                )
            ]
    elif isinstance(backend, LocMemCache):
        return [
            Warning(
                "CACHE_URL=locmem:// keeps the page cache and the content version inside each process.",
                hint="With several server processes an edit would retire pages in one of them only. Use "
                "file:///… (one host) or redis://… (several hosts).",
                id="kb.W003",
            )
        ]
    return []


@register(Tags.database, deploy=True)
def check_database_timeouts(app_configs=None, **kwargs):
    problems = []
    for alias, database in settings.DATABASES.items():
        if connections[alias].vendor != "postgresql":
            continue
        options = database.get("OPTIONS", {})
        if not options.get("connect_timeout"):
            problems.append(
                Warning(
                    f"Database {alias!r} has no connect timeout: a server that accepts connections but never "
                    "answers holds every worker until gunicorn kills it.",
                    hint="Set DATABASE_CONNECT_TIMEOUT (seconds, e.g. 5).",
                    id="kb.W004",
                )
            )
        if "statement_timeout" not in options.get("options", "") or "statement_timeout=0" in options["options"]:
            problems.append(
                Warning(
                    f"Database {alias!r} has no statement timeout: one slow query can hold a worker past "
                    "gunicorn's timeout, and the reader gets a 500 instead of a 503.",
                    hint="Set DATABASE_STATEMENT_TIMEOUT (seconds, e.g. 20).",
                    id="kb.W005",
                )
            )
    return problems
