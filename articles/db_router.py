"""Send anonymous readers' page reads to the read replica, when there is one.

Only articles.caching.reader_view turns replica reads on, and only for an
anonymous reader's page, and only when the replica has every change up to the
content version the page will be cached under (replica_is_current).
Everything else reads the primary: the admin, signed-in editors (who must see
their own changes at once), management commands, and every write.
"""

import time
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

_replica_reads = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads(enabled=True):
    token = _replica_reads.set(enabled)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and settings.REPLICA in settings.DATABASES:
            return settings.REPLICA
        return None  # the default database

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == settings.REPLICA else None


def _checks_wal():
    """Whether a PostgreSQL replica is configured that is not the primary's own database."""
    replica = settings.DATABASES.get(settings.REPLICA)
    if replica is None or connections[settings.REPLICA].vendor != "postgresql":
        return False
    primary = settings.DATABASES["default"]
    return any(replica.get(key) != primary.get(key) for key in ("HOST", "PORT", "NAME"))


def primary_wal_position(using="default"):
    """Where the primary's write-ahead log stands, in bytes, right after a commit: see caching.Version.

    Read on a PostgreSQL primary whether or not this process reads a replica itself: a change saved
    where none is configured (a management command, a server started without DATABASE_REPLICA_URL)
    recorded 0, the previous change's position stood, and the servers that do read one rendered the
    old page from a standby that had replayed that change but not this one, and cached it under the
    new version. 0 on any other database (it has no replica to check); None when it cannot be read.
    """
    if connections[using].vendor != "postgresql":
        return 0
    try:
        with connections[using].cursor() as cursor:
            # The insert position, not pg_current_wal_lsn() (the write position): with synchronous_commit=off
            # the commit may not be written yet, and the write position lay before it.
            cursor.execute("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")
            return int(cursor.fetchone()[0])
    except DatabaseError:
        return None


def replica_is_current(version):
    """Whether a reader's page may be rendered from the replica and cached under `version`.

    Not in the first DATABASE_REPLICA_LAG seconds after a change (the replica most likely lags, and
    this costs no query). Then, a PostgreSQL replica must prove that it has replayed the primary's
    log past the latest change (one query): a replica lagging more than that window rendered the old
    page and it was cached under the new version, with the new ETag, until it expired. A database
    that is not a standby (a copy) or cannot be asked proves nothing, and the primary is read. A
    replica that is the primary's own database (another connection to it) is always current. Where
    there is no replica the router reads the primary whatever this says.
    """
    if time.time() - version.current / 1_000_000 < settings.DATABASE_REPLICA_LAG:
        return False
    if not _checks_wal():
        return True
    if version.wal is None:
        return False
    replica = connections[settings.REPLICA]
    # A replica that stopped answering (its host gone) between the health check and this query held the
    # reader for a statement's deadline, 25 s by default, before the page was rendered from the primary.
    # Only the site's own backends (kb.env) set deadlines; another engine (postgis://) has none to shorten.
    probing = getattr(replica, "probing", nullcontext)
    try:
        with probing(), replica.cursor() as cursor:
            cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() - '0/0'::pg_lsn >= %s, false)", [version.wal])
            return cursor.fetchone()[0]
    except DatabaseError:
        return False
