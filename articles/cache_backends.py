"""Cache backends that degrade instead of failing.

The cache only ever saves work: a page, an article's HTML, the content
version. When it fails (Redis down or hanging, a CACHE_DIR that cannot be
written, a full disk), the site must carry on without it: a reader gets a
fresh render, an editor's save goes through. Each backend here is Django's
own, with every operation guarded:

- a failure is logged once, at ERROR, naming the backend and the error;
- for the next CACHE_RETRY_SECONDS the cache is treated as absent (reads
  miss, writes are dropped) without trying it, so a cache that hangs costs
  one timeout per process every few seconds rather than one per request;
- then the next operation tries again, and a success is logged at WARNING.

`guard()` is public so that articles.caching runs its raw Redis scripts and
version-file writes under the same rules.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends import filebased, locmem, redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT

logger = logging.getLogger("kb.cache")

MISSING = object()

# Outages are per cache location and shared by every thread of the process
# (Django makes one backend object per thread).
_outages = {}
_outages_lock = threading.Lock()


class CacheUnavailable(Exception):
    """Raised by guard(..., raise_=True) when the cache failed or is resting after a failure."""


class DegradingCache:
    """Mixin: every public operation of a Django cache backend, guarded (see the module docstring)."""

    def _location(self):
        return f"{type(self).__name__}:{getattr(self, '_dir', None) or getattr(self, '_servers', None) or ''}"

    def is_resting(self):
        until = _outages.get(self._location())
        return until is not None and time.monotonic() < until

    def guard(self, operation, call, default=None, *, raise_=False, even_resting=False):
        """call() unless the cache is resting; on any failure log it, rest, and return `default`.

        `even_resting` tries the cache during the rest too: for recording a content change
        (articles.caching), which is rare and must not wait out the rest while other servers,
        which may reach the cache, keep serving the pages it retires.
        """
        location = self._location()
        until = _outages.get(location)
        if until is not None and time.monotonic() < until and not even_resting:
            if raise_:
                raise CacheUnavailable(f"{location} is unavailable")
            return default
        try:
            result = call()
        except Exception as error:
            with _outages_lock:
                first = _outages.get(location) is None
                _outages[location] = time.monotonic() + settings.CACHE_RETRY_SECONDS
            if first:
                logger.error(
                    "Cache %s failed on %s: %s: %s. Serving without it; retrying every %s s.",
                    location,
                    operation,
                    type(error).__name__,
                    error,
                    settings.CACHE_RETRY_SECONDS,
                )
            if raise_:
                raise CacheUnavailable(f"{location} failed on {operation}: {error}") from error
            return default
        if until is not None:
            with _outages_lock:
                _outages.pop(location, None)
            logger.warning("Cache %s is answering again.", location)
        return result

    # Reads miss, writes are dropped.
    def get(self, key, default=None, version=None):
        return self.guard("get", lambda: super(DegradingCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self.guard("get_many", lambda: super(DegradingCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self.guard("has_key", lambda: super(DegradingCache, self).has_key(key, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.guard("set", lambda: super(DegradingCache, self).set(key, value, timeout, version))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guard("add", lambda: super(DegradingCache, self).add(key, value, timeout, version), False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guard("set_many", lambda: super(DegradingCache, self).set_many(data, timeout, version), list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guard("touch", lambda: super(DegradingCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self.guard("delete", lambda: super(DegradingCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        self.guard("delete_many", lambda: super(DegradingCache, self).delete_many(keys, version))

    def clear(self):
        self.guard("clear", lambda: super(DegradingCache, self).clear())

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        # As Django's, but a failed read must not turn into "compute and keep
        # trying to store" against a broken cache on every call.
        value = self.get(key, MISSING, version=version)
        if value is MISSING:
            value = default() if callable(default) else default
            if value is not None:
                self.add(key, value, timeout=timeout, version=version)
        return value

    def incr(self, key, delta=1, version=None):
        # A missing key is the caller's ValueError, as in Django; a broken cache is a miss too.
        result = self.guard("incr", lambda: _incr_or_missing(super(DegradingCache, self), key, delta, version))
        if result is None or result is MISSING:
            raise ValueError(f"Key {key!r} not found (or the cache is unavailable).")
        return result


def _incr_or_missing(backend, key, delta, version):
    try:
        return backend.incr(key, delta, version)
    except ValueError:
        return MISSING


class FileCache(DegradingCache, filebased.FileBasedCache):
    """Files under one directory: shared by every process on one host, and only that host."""

    def _createdir(self):
        # Django creates the directory when the backend is made, on every request's first use.
        self.guard("create directory", super()._createdir)


class LocalMemoryCache(DegradingCache, locmem.LocMemCache):
    """One process's memory: for tests and runserver, never for several workers."""


class RedisCache(DegradingCache, redis.RedisCache):
    """One Redis shared by every server; connect and command timeouts come from CACHE_URL's OPTIONS."""

    def _location(self):
        return f"RedisCache:{self._servers[0]}"
