"""Database backends that stop trying a database that cannot be reached, for a while.

When the database accepts connections but never answers, every request waits
DATABASE_CONNECT_TIMEOUT for its 503 page, and with a handful of workers the
readers queue behind one another: the tenth waited five timeouts. So, per
database alias and shared by every thread of the process:

- a failed connect (the driver's OperationalError) is logged once, at ERROR,
  and for the next DATABASE_RETRY_SECONDS every connect fails at once with an
  OperationalError, which the server error handler (articles.errors) answers
  with the 503 page;
- then one request tries again (the others keep failing at once meanwhile);
  a success is logged at WARNING and the database is used as before.

A connection already open is guarded by AnswerDeadline (PostgreSQL): the
statement timeout is the server's, and a server or network that stops
answering mid-query never sends the cancellation, so the worker waited until
gunicorn killed it. Pages served from the page cache touch no database, so
they are served throughout. Each backend here (ENGINE, set by kb.env) is
Django's own with these mixins in front.
"""

import logging
import os
import socket
import threading
import weakref
from contextlib import contextmanager
from time import monotonic, sleep

from django.conf import settings

logger = logging.getLogger("kb.database")

# alias -> monotonic time before which nobody connects (infinity while one request is trying).
_outages = {}
_outages_lock = threading.Lock()


class ConnectBreaker:
    """Mixin for a Django DatabaseWrapper: see the module docstring."""

    def get_new_connection(self, conn_params):
        with _outages_lock:
            until = _outages.get(self.alias)
            if until is not None:
                if monotonic() < until:
                    raise self.Database.OperationalError(
                        f"Database {self.alias!r} could not be reached; not trying again for up to "
                        f"{settings.DATABASE_RETRY_SECONDS} s after a failure (DATABASE_RETRY_SECONDS)."
                    )
                # This request is the one that tries; the others keep failing at once until it is done.
                _outages[self.alias] = float("inf")
        try:
            connection = super().get_new_connection(conn_params)
        except self.Database.OperationalError as error:
            _unreachable(self.alias, str(error).strip(), log=until is None)
            raise
        except BaseException:
            # Not a failure to reach the database (a bad setting, a signal): let the next request try.
            if until is not None:
                with _outages_lock:
                    _outages[self.alias] = monotonic()
            raise
        if until is not None:
            with _outages_lock:
                _outages.pop(self.alias, None)
            logger.warning("Database %r is answering again.", self.alias)
        return connection


def _unreachable(alias, reason, *, log):
    """Start a window of DATABASE_RETRY_SECONDS in which nobody in this process tries `alias`."""
    with _outages_lock:
        _outages[alias] = monotonic() + settings.DATABASE_RETRY_SECONDS
    if log:
        # Readers' pages fall back to the primary when the replica is out of reach (db_router): no 503 for them.
        meanwhile = "Reading the primary instead" if alias == settings.REPLICA else "Answering 503"
        logger.error(
            "Database %r could not be reached: %s. %s without trying for %s s at a time.",
            alias,
            reason,
            meanwhile,
            settings.DATABASE_RETRY_SECONDS,
        )


def _resting(alias):
    until = _outages.get(alias)
    return until is not None and monotonic() < until


# --- A connection that stops answering -------------------------------------------------------

# How often the watchdog looks at the connections' deadlines: the deadlines are seconds long.
WATCH_INTERVAL = 0.25

_watched = weakref.WeakSet()
_watched_lock = threading.Lock()  # a WeakSet must not grow while the watchdog copies it
_watchdog_pid = None  # the process whose watchdog is running: a forked child needs its own


class AnswerDeadline:
    """Mixin for Django's PostgreSQL DatabaseWrapper: an open connection that stops answering is cut.

    Each round trip on an open connection gets a deadline: the health check at the start of a request
    (`is_usable`) and setting up a new connection, DATABASE_CONNECT_TIMEOUT, as for reaching the server
    at all; a query, a commit or a rollback, DATABASE_STATEMENT_TIMEOUT + DATABASE_CONNECT_TIMEOUT,
    since the server cancels a slow statement itself at its statement timeout. A watchdog thread,
    one per process, shuts the socket of a connection past its deadline: the driver's wait ends with
    an OperationalError, the request gets the 503 page (articles.errors) well inside gunicorn's worker
    timeout, and the rest of the process answers 503 at once for DATABASE_RETRY_SECONDS, as after a
    failed connect. A timeout of 0 turns its deadline off.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._deadline = None
        self._deadline_lock = threading.Lock()
        # Django's execute_wrapper() pushes and pops at the end: this one, first, stays outermost.
        self.execute_wrappers.insert(0, self._query_within_deadline)
        with _watched_lock:
            _watched.add(self)

    def _within(self, seconds, call, *args):
        if not seconds or self.connection is None:
            return call(*args)
        with self._deadline_lock:
            self._deadline = monotonic() + seconds
        _start_watchdog()
        try:
            return call(*args)
        finally:
            with self._deadline_lock:
                self._deadline = None

    _probing = False

    @contextmanager
    def probing(self):
        """Queries in this block get the health check's deadline, DATABASE_CONNECT_TIMEOUT: they answer at once
        on a server that answers at all (db_router.replica_is_current), and one that does not is better
        given up on quickly than after a statement's deadline."""
        self._probing = True
        try:
            yield
        finally:
            self._probing = False

    def _query_seconds(self):
        if self._probing:
            return settings.DATABASE_CONNECT_TIMEOUT
        if not settings.DATABASE_STATEMENT_TIMEOUT:
            return 0
        return settings.DATABASE_STATEMENT_TIMEOUT + settings.DATABASE_CONNECT_TIMEOUT

    def _query_within_deadline(self, execute, sql, params, many, context):
        return self._within(self._query_seconds(), execute, sql, params, many, context)

    def _commit(self):
        return self._within(self._query_seconds(), super()._commit)

    def _rollback(self):
        return self._within(self._query_seconds(), super()._rollback)

    def init_connection_state(self):
        return self._within(settings.DATABASE_CONNECT_TIMEOUT, super().init_connection_state)

    def is_usable(self):
        # In a window after a failure, an open connection is not tried either: its health check
        # would wait out a deadline of its own for each request.
        if _resting(self.alias):
            return False
        return self._within(settings.DATABASE_CONNECT_TIMEOUT, super().is_usable)

    def _cut_if_overdue(self, now):
        with self._deadline_lock:
            if self._deadline is None or now < self._deadline or self.connection is None:
                return
            self._deadline = None
            # The window starts, and is logged, before the waiting thread is woken: the request it
            # serves, and every one after it, already finds the database resting.
            _unreachable(self.alias, "an open connection stopped answering", log=not _resting(self.alias))
            try:
                # shutdown(), unlike close(), wakes the thread waiting on the socket, and leaves the
                # descriptor to the driver, which closes it.
                with socket.socket(fileno=os.dup(self.connection.fileno())) as connection_socket:
                    connection_socket.shutdown(socket.SHUT_RDWR)
            except (OSError, self.Database.Error):
                pass  # closed meanwhile: the deadline had passed all the same


def _start_watchdog():
    global _watchdog_pid
    if _watchdog_pid == os.getpid():
        return
    with _watched_lock:
        if _watchdog_pid != os.getpid():
            _watchdog_pid = os.getpid()
            threading.Thread(target=_watch, name="kb-database-watchdog", daemon=True).start()


def _watch():
    while True:
        sleep(WATCH_INTERVAL)
        now = monotonic()
        with _watched_lock:
            wrappers = list(_watched)
        for wrapper in wrappers:
            wrapper._cut_if_overdue(now)
