"""Reader pages: rendered once per version of the content, revalidated for free.

The content version
    One number for the whole knowledge base. Every committed change to an
    article, actor, alias, event, participation, claim, citation or tag
    (save, delete, many-to-many link, tag link) replaces it, after the
    transaction commits (`transaction.on_commit`): a reader who arrives
    between the write and the commit reads the old rows *and* the old
    version, so nothing old is ever stored under a new version.

    A version is the time of the change in microseconds, by the clock of the
    store that keeps it, and is always greater than the one before it (the
    store takes max(now, previous + 1) atomically). So it never goes
    backwards, even if its store is wiped: a fresh version starts at the
    current time, beyond every version already used. It also gives pages an
    honest Last-Modified. With a PostgreSQL replica, each version also
    carries where the primary's write-ahead log stood after the change (a
    fresh version: when it was made), so that a page is rendered from the
    replica only once it has replayed that far (db_router.replica_is_current).
    It lives where cache culling never reaches:

    - Redis (CACHE_URL=redis://…): three keys with no expiry, set by one Lua
      script that reads Redis's own clock, so every server agrees;
    - the file cache (the default): a file beside the cache files, written
      under an exclusive lock and swapped in atomically; Django's file cache
      culls and clears only its own *.djcache files;
    - any other cache (locmem, in tests): the process's memory.

    A bump is tried even while this process rests the cache after a failure.
    One that fails (the cache is out of reach) is logged and retried, every
    PENDING_BUMP_RETRY_SECONDS by a thread and by the next request, until the
    cache takes it. A process that could not read the cache does the same: a
    save on any server may have failed to record its change meanwhile. Until
    its bump is recorded a process serves nothing from the cache.

The page cache
    One entry per page URL and release, holding the version it was rendered
    at. The release (release()) is a digest of the code, templates and static
    files this server runs: a deploy changes how pages look without changing
    the content, and a page rendered by the previous release (with its
    markup, and links to its stylesheet) must not outlive it. During a
    rolling deploy each release serves its own entries. A hit
    needs the current version and the entry (one round trip to Redis, which
    fetches both); each process also keeps the PAGE_MEMORY_ENTRIES pages it
    served last, so that a hit on one of them reads only the version. Only
    anonymous GET/HEAD requests for a 200 are stored; signed-in users
    (editors) always get a fresh render, marked private.

Conditional requests
    Anonymous pages carry a weak ETag (the version, the URL and the release) and
    Last-Modified (the version's time), and a matching If-None-Match or
    If-Modified-Since gets a 304 without rendering or reading the page.

Query parameters
    A page's parameters are declared in articles.pages. Any other parameter
    gets a 301 to the same URL without it, so `?cb=<random>` can neither
    bypass the cache nor fill it.
"""

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import (
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseNotModified,
    HttpResponsePermanentRedirect,
)
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

from articles.db_router import primary_wal_position, replica_is_current, replica_reads

logger = logging.getLogger("kb.cache")

VERSION_KEY = "kb:content-version"
PREVIOUS_KEY = "kb:content-version:previous"
WAL_KEY = "kb:content-version:wal"
PAGE_PREFIX = "kb:page:"
VERSION_FILE = "content-version"


@dataclass(frozen=True)
class Version:
    """The content version (`current`, microseconds), the one before it, and the primary's WAL position.

    `wal` is where the primary database's write-ahead log stood once the latest change had committed
    (articles.db_router.primary_wal_position): a replica that has replayed that far has every change
    up to this version. 0 when no replica needs it; None when it could not be read, and then no
    replica is trusted until the next change records one.
    """

    current: int
    previous: int = 0
    wal: int | None = 0

    @property
    def modified(self):
        """Last-Modified, in whole seconds."""
        return self.current // 1_000_000

    @property
    def owns_its_second(self):
        """True when no earlier version falls in the same second.

        Last-Modified has one-second resolution: if two edits land in one
        second, a page from the first carries the same Last-Modified as the
        second, so If-Modified-Since cannot tell them apart and must not be
        answered with 304. ETags can, and are.
        """
        return self.previous // 1_000_000 < self.modified


def _now_us():
    return time.time_ns() // 1000


def _guard(backend, operation, call, *, raise_=True, even_resting=False):
    """Run call() under the backend's outage rules (articles.cache_backends); plain backends get try/except."""
    if hasattr(backend, "guard"):
        return backend.guard(operation, call, raise_=raise_, even_resting=even_resting)
    try:
        return call()
    except Exception as error:
        logger.error("Cache failed on %s: %s: %s", operation, type(error).__name__, error)
        if raise_:
            raise
        return None


# --- Where the version lives ---------------------------------------------------------

# KEYS[1] the version, KEYS[2] the previous version, KEYS[3] the WAL position; ARGV[1] "bump" or
# "init" (init sets a version only where there is none), ARGV[2] the change's WAL position, "" when
# unknown. The WAL position only goes up (two commits may bump in either order), and an unknown one
# is kept as "unknown" until a known one replaces it. Numbers go back as strings:
# a Lua number would be truncated to an integer reply anyway, strings are exact.
REDIS_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wal = redis.call('GET', KEYS[3]) or '0'
if ARGV[1] == 'init' and current > 0 then
  return {string.format('%.0f', current), redis.call('GET', KEYS[2]) or '0', wal}
end
if ARGV[2] == '' then
  wal = 'unknown'
elseif tonumber(ARGV[2]) > (tonumber(wal) or 0) then
  wal = ARGV[2]
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if now <= current then now = current + 1 end
redis.call('SET', KEYS[1], string.format('%.0f', now))
redis.call('SET', KEYS[2], string.format('%.0f', current))
redis.call('SET', KEYS[3], wal)
return {string.format('%.0f', now), string.format('%.0f', current), wal}
"""


# KEYS[1] the version, KEYS[2] the page; ARGV[1] the version the page was rendered at, ARGV[2] the page
# as the cache serialises it, ARGV[3] its life in seconds. See _VersionStore.put_page.
PUT_PAGE_SCRIPT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
"""


def _wal_text(wal):
    return "unknown" if wal is None else str(wal)


def _wal_number(text):
    """The stored WAL position; None for "unknown" and for none at all (evicted, or stored before there was one)."""
    if text is None:
        return None
    text = text.decode() if isinstance(text, bytes) else text
    return None if text == "unknown" else int(text)


def _later_wal(old, new):
    """The WAL position after a change at `new`: it only goes up; an unknown one stays unknown until a known one."""
    return None if new is None else max(old or 0, new)


class _VersionStore:
    # The newest version this process has read from the store or made in it. A version older than it
    # means the store went back (Redis restarted from an old snapshot, with the pages of that time).
    newest = 0

    def saw(self, version):
        self.newest = max(self.newest, version.current)
        return version

    def put_page(self, key, entry, timeout):
        """Store the page `entry` (version, content, content type) only while its version is the current one.

        A render that began before a change can end after another server stored the changed page:
        written blindly, its older page replaced the newer one, and every other server missed it again.
        True when stored.
        """
        raise NotImplementedError


class RedisVersionStore(_VersionStore):
    """Three Redis keys with no expiry, moved by REDIS_SCRIPT; read with the page in one MGET.

    One redis-py client for the process: Django's RedisCache makes a new
    client object for every operation, which costs more than the round trip.
    """

    def __init__(self, backend):
        self.backend = backend
        self.keys = [backend.make_and_validate_key(key) for key in (VERSION_KEY, PREVIOUS_KEY, WAL_KEY)]
        self.client = backend._cache.get_client(write=True)
        self.loads = backend._cache._serializer.loads

    def _run(self, mode, even_resting=False, wal=0):
        argument = "" if wal is None else str(wal)
        script = lambda: self.client.eval(REDIS_SCRIPT, 3, *self.keys, mode, argument)  # noqa: E731
        current, previous, wal = _guard(self.backend, f"version {mode}", script, even_resting=even_resting)
        return Version(int(current), int(previous), _wal_number(wal))

    def bump(self, even_resting=False, wal=0):
        return self._run("bump", even_resting, wal)

    def read(self, page_key=None):
        """(version, page entry or None), in one round trip."""
        keys = self.keys + ([self.backend.make_and_validate_key(page_key)] if page_key else [])
        values = _guard(self.backend, "read", lambda: self.client.mget(keys))
        if not values[0]:
            return self._run("init", wal=primary_wal_position()), None
        entry = self.loads(values[3]) if page_key and values[3] is not None else None
        return Version(int(values[0]), int(values[1] or 0), _wal_number(values[2])), entry

    def put_page(self, key, entry, timeout):
        page = self.backend.make_and_validate_key(key)
        value = self.backend._cache._serializer.dumps(entry)
        put = lambda: self.client.eval(PUT_PAGE_SCRIPT, 2, self.keys[0], page, str(entry[0]), value, int(timeout))  # noqa: E731
        return bool(_guard(self.backend, "set", put, raise_=False))


class FileVersionStore(_VersionStore):
    """A file beside the cache files: `<current> <previous> <wal>`, replaced atomically under a lock."""

    def __init__(self, backend, directory):
        self.backend = backend
        self.directory = Path(directory)
        self.path = self.directory / VERSION_FILE
        self._seen = None

    def _parse(self):
        # Every bump swaps in a new file (a new inode), so an unchanged stat means an unchanged version:
        # a stat is cheaper than reading the file on every request.
        status = os.stat(self.path)
        seen = (status.st_ino, status.st_mtime_ns, status.st_size)
        if self._seen is not None and self._seen[0] == seen:
            return self._seen[1]
        with open(self.path, "rb") as handle:
            current, previous, *wal = handle.read().split()
        version = Version(int(current), int(previous), _wal_number(wal[0] if wal else None))
        self._seen = (seen, version)
        return version

    @contextmanager
    def _locked(self):
        """The version as it stands, held: no other process or thread moves it until the block ends."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / f"{VERSION_FILE}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                version = self._parse()
            except (FileNotFoundError, ValueError):
                version = Version(0, 0)
            yield version

    def _write(self, mode, wal=0):
        with self._locked() as old:
            if mode == "init" and old.current:
                return old
            new = Version(max(_now_us(), old.current + 1), old.current, _later_wal(old.wal, wal))
            temporary = self.directory / f"{VERSION_FILE}.{os.getpid()}.{threading.get_ident()}"
            temporary.write_text(f"{new.current} {new.previous} {_wal_text(new.wal)}", encoding="ascii")
            os.replace(temporary, self.path)
            return new

    def bump(self, even_resting=False, wal=0):
        return _guard(self.backend, "version bump", lambda: self._write("bump", wal), even_resting=even_resting)

    def _read_or_init(self):
        try:
            return self._parse()
        except (FileNotFoundError, ValueError):
            return self._write("init", primary_wal_position())

    def read(self, page_key=None):
        version = _guard(self.backend, "version read", self._read_or_init)
        entry = self.backend.get(page_key) if page_key else None
        return version, entry

    def put_page(self, key, entry, timeout):
        def put():
            with self._locked() as version:
                if version.current != entry[0]:
                    return False
                self.backend.set(key, entry, timeout)
                return True

        return bool(_guard(self.backend, "set", put, raise_=False))


class ProcessVersionStore(_VersionStore):
    """For caches private to one process (locmem, dummy): the version lives in the process too."""

    def __init__(self, backend):
        self.backend = backend
        self.lock = threading.Lock()
        self.version = Version(_now_us(), 0)

    def bump(self, even_resting=False, wal=0):
        with self.lock:
            old = self.version
            self.version = Version(max(_now_us(), old.current + 1), old.current, _later_wal(old.wal, wal))
            return self.version

    def read(self, page_key=None):
        return self.version, (self.backend.get(page_key) if page_key else None)

    def put_page(self, key, entry, timeout):
        with self.lock:
            if self.version.current != entry[0]:
                return False
            self.backend.set(key, entry, timeout)
            return True


_stores = {}
_stores_lock = threading.Lock()
_this_thread = threading.local()


@receiver(setting_changed)
def _forget_stores(setting, **kwargs):
    if setting == "CACHES":  # tests switch caches; production settings never change
        _this_thread.__dict__.clear()


def version_store():
    """The store for the configured cache; one per cache location, shared by the process's threads."""
    store = getattr(_this_thread, "store", None)
    if store is not None:  # looking the backend up (caches["default"]) costs more than the version read
        return store
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        identity = ("redis", tuple(backend._servers))
    elif isinstance(backend, FileBasedCache):
        identity = ("file", backend._dir)
    else:
        identity = ("process", type(backend).__name__, id(getattr(backend, "_cache", None)))
    store = _stores.get(identity)
    if store is None:
        with _stores_lock:
            if isinstance(backend, RedisCache):
                store = RedisVersionStore(backend)
            elif isinstance(backend, FileBasedCache):
                store = FileVersionStore(backend, backend._dir)
            else:
                store = ProcessVersionStore(backend)
            store = _stores.setdefault(identity, store)
    store.backend = backend  # this thread's backend object
    _this_thread.store = store
    return store


# --- Bumping it --------------------------------------------------------------------

# Set when this process may have missed recording a change: a bump failed, or the cache could not be read
# (while it was out of reach, any server's save may have failed to record its change). Until a bump
# succeeds, this process serves nothing from the cache, and a thread retries every PENDING_BUMP_RETRY_SECONDS.
_bump_pending = threading.Event()
_retrying = threading.Lock()
PENDING_BUMP_RETRY_SECONDS = 0.25


def bump_content_version(*, even_resting=True, wal=0):
    """A new version now. Never raises: a failure is logged and retried until the cache takes it.

    A change is recorded even while this process rests the cache after a failure (`even_resting`):
    other servers may reach the cache, and would serve the pages the change retires for the rest of
    the rest. Only the retry at the start of each request keeps to the rest. `wal`: see Version.
    """
    try:
        store = version_store()
        version = store.saw(store.bump(even_resting=even_resting, wal=wal))
    except Exception:
        logger.warning("Could not record a content change in the cache; will retry.", exc_info=True)
        _bump_later()
        return None
    _bump_pending.clear()
    return version


def _bump_later():
    """Leave a bump pending, retried by the next request and by a thread that does not wait for one.

    Without the thread, the change saved by a process that then gets no request (one worker of many,
    an editor who saved and left) stayed unrecorded, and every other server kept serving the pages it
    retires once the cache was back, until they expired.
    """
    _bump_pending.set()
    if _retrying.acquire(blocking=False):
        threading.Thread(target=_retry_pending_bump, name="kb-content-version-retry", daemon=True).start()


def _retry_pending_bump():
    covered = 0
    try:
        while _bump_pending.is_set():
            time.sleep(PENDING_BUMP_RETRY_SECONDS)
            # The rows known before this attempt: a version recorded by it comes after their changes.
            covered = _unrecorded_up_to
            _record_pending_bump(even_resting=True)
    finally:
        _retrying.release()
    if _bump_pending.is_set():  # left pending again as this thread was ending
        _bump_later()
        return
    try:
        _forget_unrecorded(covered)
    finally:
        connections.close_all()  # this thread's own, if it opened one


# The newest UnrecordedChange row this process wrote or found on start: once a version has been recorded
# after it, rows up to it are done with.
_unrecorded_up_to = 0


def _remember_unrecorded(using):
    """Keep a change the cache did not take in the database, for a new process to record if this one dies."""
    global _unrecorded_up_to
    from articles.models import UnrecordedChange

    try:
        row = UnrecordedChange.objects.using(using).create()
    except Exception:
        logger.warning("Could not keep an unrecorded change in the database either.", exc_info=True)
        return
    _unrecorded_up_to = max(_unrecorded_up_to, row.pk)


def resume_unrecorded_changes():
    """On a server process's start: record the changes that a process which has since died left unrecorded.

    kb/wsgi.py calls it in each worker; a new version covers every change committed before it.
    """
    global _unrecorded_up_to
    from articles.models import UnrecordedChange

    connection = connections[DEFAULT_DB_ALIAS]
    opened_here = connection.connection is None
    try:
        latest = UnrecordedChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    except Exception:
        logger.warning("Could not look for changes left unrecorded.", exc_info=True)
        return
    finally:
        if opened_here and not connection.in_atomic_block:
            connection.close()  # opened before any request: each request opens its own
    if latest:
        _unrecorded_up_to = max(_unrecorded_up_to, latest)
        logger.warning("A change saved earlier was never recorded in the cache; recording it now.")
        _bump_later()


def _forget_unrecorded(up_to):
    """Remove the UnrecordedChange rows up to `up_to`, whose changes a version recorded since has covered."""
    global _unrecorded_up_to
    if not up_to:
        return
    from articles.models import UnrecordedChange

    try:
        UnrecordedChange.objects.filter(pk__lte=up_to).delete()
    except Exception:  # left for the next process to find: one more version then, which costs a render
        logger.warning("Could not remove the unrecorded changes now recorded.", exc_info=True)
        return
    if _unrecorded_up_to == up_to:
        _unrecorded_up_to = 0


def _record_pending_bump(*, even_resting):
    """Bump if a bump is pending; True when none is pending any more. Quiet: the failure was logged."""
    if not _bump_pending.is_set():
        return True
    try:
        # Recorded late, the change may stand anywhere in the primary's log: no replica is trusted until
        # the next change records a position.
        store = version_store()
        store.saw(store.bump(even_resting=even_resting, wal=None))
    except Exception:
        return False
    _bump_pending.clear()
    return True


def content_changed(sender=None, using=None, action=None, **kwargs):
    """Signal receiver: bump the version once the current transaction commits."""
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed fires pre_ and post_ for each change; one is enough
    using = using or DEFAULT_DB_ALIAS
    connection = connections[using]
    # One bump per transaction, however many rows it writes: a bump already
    # waiting for this transaction's commit covers this change too.
    if connection.in_atomic_block and any(
        isinstance(entry[1], _BumpOnCommit) and not entry[1].done for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_BumpOnCommit(using), using=using, robust=True)


class _BumpOnCommit:
    """The on-commit hook; `done` once it has run (tests run hooks without clearing the list)."""

    done = False

    def __init__(self, using=DEFAULT_DB_ALIAS):
        self.using = using

    def __call__(self):
        self.done = True
        if bump_content_version(wal=primary_wal_position(self.using)) is None:
            _remember_unrecorded(self.using)


def content_models():
    """Every model whose rows a reader page can show: all of this app's, and the tags.

    Taken from the app rather than listed, so that a model added later retires pages without anyone
    remembering to add it here.
    """
    from django.apps import apps
    from taggit.models import Tag, TaggedItem

    from articles.models import UnrecordedChange

    # Writing an UnrecordedChange must not itself be a change to record: with the cache out of reach, that
    # failed too, and wrote another.
    models = [model for model in apps.get_app_config("articles").get_models() if model is not UnrecordedChange]
    return [*models, Tag, TaggedItem]


def connect_signals():
    for model in content_models():
        name = f"{model._meta.app_label}.{model.__name__}"
        post_save.connect(content_changed, sender=model, dispatch_uid=f"kb-cache-save-{name}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"kb-cache-delete-{name}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"kb-cache-m2m-{through._meta.label}")


def read_version(page_key=None):
    """(current Version or None when the cache is unavailable or cannot be trusted yet, page entry or None)."""
    if not _record_pending_bump(even_resting=False):
        return None, None  # its pages may predate a change not yet recorded
    try:
        store = version_store()
        version, entry = store.read(page_key)
    except Exception:
        _bump_later()
        return None, None
    if version.current < store.newest:
        # The pages stored with it may predate changes made since: a new version retires them all.
        logger.warning("The content version went back from %s to %s; replacing it.", store.newest, version.current)
        store.newest = 0  # the store's own order from here: a bump goes beyond whatever it holds
        return bump_content_version(even_resting=False, wal=None), None
    return store.saw(version), entry


def content_version():
    """The current Version, or None when the cache cannot say."""
    return read_version()[0]


# The version of the reader page being rendered (reader_view), which it was allowed to read the replica for.
_rendering = ContextVar("kb_rendering_version", default=None)


def per_version(key, compute, timeout):
    """compute(), stored in the shared cache for the current content version under `key`.

    For what is dear to derive and changes only when the content does (a share
    card, an article's suggestions, the home page's tag cloud): every server
    computes it at most once per version, and an edit retires it with the
    pages. When the cache cannot say the version, or fails, it is computed and
    not stored.

    Within a reader page's render, the version is the page's own: the render may read a replica that
    has that version, and an edit committed meanwhile moves the current one past what the replica holds.
    """
    version = _rendering.get() or content_version()
    if version is None:
        return compute()
    backend = caches["default"]
    versioned = f"kb:derived:{version.current}:{key}"
    value = _guard(backend, "get", lambda: backend.get(versioned), raise_=False)
    if value is None:
        value = compute()
        _guard(backend, "set", lambda: backend.set(versioned, value, timeout), raise_=False)
    return value


# --- Serving reader pages ----------------------------------------------------------


class _RecentPages:
    """The pages this process served last, by key: a hit then costs one version read and no page fetch.

    Entries carry their version like the shared cache's, and are used only
    when it is still the current one, so they can never be staler than it.
    """

    def __init__(self):
        self.pages = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        return self.pages.get(key)

    def put(self, key, entry):
        limit = settings.PAGE_MEMORY_ENTRIES
        with self.lock:
            self.pages[key] = entry
            self.pages.move_to_end(key)
            while len(self.pages) > limit:
                self.pages.popitem(last=False)

    def clear(self):
        with self.lock:
            self.pages.clear()


_memory = _RecentPages()


# Parameters the filter forms read as whole numbers (articles.forms): "01", " 1" and
# "1.000" are all page 1, so each must be one URL, or every spelling is a fresh render.
INTEGER_PARAMS = frozenset({"page", "decade", "year", "from", "to"})


def _canonical_value(name, value):
    if name in INTEGER_PARAMS:
        try:
            number = forms.IntegerField().to_python(value)
        except ValidationError:
            return value  # the page answers 400 for it, and nothing is cached
        return "" if number is None else str(number)
    return value


def _canonical_params(request, allowed):
    """The parameters the page reads, once each, with the value it reads (the last), spelled one way."""
    return [(name, _canonical_value(name, request.GET[name])) for name in request.GET if name in allowed]


def canonical_redirect(request, allowed):
    """301 to the same page with only the parameters it reads, each once and spelled one way; None when it has that.

    Otherwise any variation (?cb=1, ?page=01, ?page=1&page=1) would bypass the cache and fill it.
    """
    if not request.META.get("QUERY_STRING"):
        return None
    params = _canonical_params(request, allowed)
    if sorted(params) == sorted((name, value) for name, values in request.GET.lists() for value in values):
        return None
    query = urlencode(params)
    response = HttpResponsePermanentRedirect(f"{request.path}?{query}" if query else request.path)
    patch_cache_control(response, public=True, max_age=3600)
    return response


# What a page's markup is made from, below BASE_DIR: a change to any of these files is a new release.
RELEASE_SOURCES = ("articles", "kb", "templates", "static")


def fingerprint(root, sources=RELEASE_SOURCES):
    """A digest of every file below `root`/<source>, by path and content."""
    digest = hashlib.sha256()
    for source in sources:
        for path in sorted((Path(root) / source).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def release():
    """This server's release: the fingerprint of its code, templates and static files, read once per process."""
    return fingerprint(settings.BASE_DIR)


def page_identity(request, representation=""):
    """(cache key, digest) for this page: scheme, host, path, its parameters in a fixed order, the
    representation chosen by content negotiation (HTML or JSON at one address), and the release."""
    query = ""
    if request.META.get("QUERY_STRING") and request.GET:
        query = urlencode(sorted((name, value) for name, values in request.GET.lists() for value in values))
    # The raw Host: CommonMiddleware has already refused any host not in ALLOWED_HOSTS.
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    where = f"{request.scheme}://{host}{request.path}?{query}"
    if representation:
        where = f"{where} as {representation}"
    digest = hashlib.sha256(f"{where} by {release()}".encode()).hexdigest()
    return f"{PAGE_PREFIX}{digest[:32]}", digest


def addressed_as_served(request):
    """Whether the Host header names this server as it is served: without a port, or with the port it
    listens on, spelt as a number is.

    ALLOWED_HOSTS ignores ports, and a page prints its own absolute address (canonical link, og:url),
    so each spelling of a port ("127.0.0.1:1", ":0001", twenty digits) was a page of its own in the
    cache: anyone could fill it. Such a page is rendered, and not stored.
    """
    host = request.META.get("HTTP_HOST", "")
    _, colon, port = host.rpartition(":")
    if not colon or host.endswith("]"):  # no port (an IPv6 address holds colons of its own)
        return True
    return port == str(request.META.get("SERVER_PORT", ""))


def etag_for(version, digest):
    return f'W/"{version.current:x}-{digest[:16]}"'


def not_modified(request, version, etag):
    """True when the client's copy is current (RFC 9110: If-None-Match wins over If-Modified-Since)."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        theirs = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
        return "*" in theirs or etag.removeprefix("W/") in theirs
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and version.owns_its_second and version.modified <= since


@lru_cache(maxsize=64)
def _http_date(seconds):
    return http_date(seconds)


def signed_in(request):
    """Whether the request comes from a signed-in user.

    Without a session cookie nobody is signed in, and the session and the
    user need not be loaded at all: most readers cost no session lookup.
    """
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


def _public(response, version, etag, vary="Cookie"):
    # The same URL is private for a signed-in editor: shared caches must key on the cookie
    # (and on Accept, where one address has an HTML and a JSON representation).
    response["Vary"] = vary
    response["ETag"] = etag
    response["Last-Modified"] = _http_date(version.modified)
    # Reader views set no Cache-Control of their own: write it whole rather than patch it.
    response["Cache-Control"] = f"public, max-age={settings.PAGE_MAX_AGE}, s-maxage={settings.PAGE_SHARED_MAX_AGE}"
    return response


def _storable(response):
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return response.status_code == 200 and not response.cookies and vary <= {"cookie", "accept", "accept-encoding"}


READ_METHODS = ("GET", "HEAD", "OPTIONS")


def not_readable(request):
    """The answer to any method but GET and HEAD: a reader page is only read.

    The view is not run: function views (search, feeds, the sitemap, share cards) once rendered
    themselves whole for OPTIONS or POST, past the page cache.
    """
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = ", ".join(READ_METHODS)
        return response
    return HttpResponseNotAllowed(
        READ_METHODS,
        f"{request.method} is not allowed here: this address can only be read ({', '.join(READ_METHODS)}).\n",
        content_type="text/plain; charset=utf-8",
    )


def reader_view(view, allowed_params, *, max_cache_seconds=None, negotiate=None):
    """`view`, served as a reader page: canonical parameters, page cache, validators and Cache-Control.

    articles.pages applies this to every reader page (and kb/urls.py to the
    annotation endpoints); nothing else needs to.
    `max_cache_seconds` caps how long a page stays in the shared cache: a page
    whose parameters are free text (search) has endless addresses, and anyone
    could fill the cache with them; a short life bounds what they can pile up.
    `negotiate(request)`, when given, names the representation the request
    gets at this address (articles.api.representation: "html" or "json"):
    each is cached and tagged apart, and responses say `Vary: Accept`.
    """
    allowed = frozenset(allowed_params)
    vary = "Accept, Cookie" if negotiate else "Cookie"

    def cache_seconds():
        seconds = settings.PAGE_CACHE_SECONDS
        return seconds if max_cache_seconds is None else min(seconds, max_cache_seconds)

    @wraps(view)
    def serve(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return not_readable(request)
        redirect = canonical_redirect(request, allowed)
        if redirect is not None:
            return redirect
        if signed_in(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            if negotiate:
                patch_vary_headers(response, ["Accept"])
            return response

        key, digest = page_identity(request, negotiate(request) if negotiate else "")
        caching = cache_seconds() > 0 and addressed_as_served(request)
        # request.META, not request.headers: building the headers mapping costs more than the rest of a hit.
        conditional = "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META
        remembered = _memory.get(key) if caching else None
        # One round trip for the version, and the page with it unless this process already holds it.
        fetch_page = caching and not conditional and remembered is None
        version, entry = read_version(key if fetch_page else None)
        if version is None:  # the cache is unavailable: render, and promise nothing
            response = view(request, *args, **kwargs)
            if negotiate:
                patch_vary_headers(response, ["Accept"])
            return response
        etag = etag_for(version, digest)
        if conditional and not_modified(request, version, etag):
            return _public(HttpResponseNotModified(), version, etag, vary)
        if remembered is not None and remembered[0] == version.current:
            entry = remembered
        elif caching and not fetch_page:
            entry = caches["default"].get(key)

        if entry is not None and entry[0] == version.current:
            _memory.put(key, entry)
            response = HttpResponse(entry[1], content_type=entry[2])
            response["X-Page-Cache"] = "hit"
            return _public(response, version, etag, vary)

        rendering = _rendering.set(version)
        try:
            with replica_reads(replica_is_current(version)):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
        finally:
            _rendering.reset(rendering)
        if not _storable(response):
            if negotiate:
                patch_vary_headers(response, ["Accept"])
            return response
        if caching:
            entry = (version.current, response.content, response["Content-Type"])
            if version_store().put_page(key, entry, cache_seconds()):
                _memory.put(key, entry)
        response["X-Page-Cache"] = "miss" if caching else "off"
        return _public(response, version, etag, vary)

    return serve
