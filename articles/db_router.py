"""Send anonymous readers' page reads to the read replica, when there is one.

Only articles.caching.reader_view turns replica reads on, and only for an
anonymous reader's page, and not in the first DATABASE_REPLICA_LAG seconds
after an edit. Everything else reads the primary: the admin, signed-in
editors (who must see their own changes at once), management commands, and
every write.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

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
