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

Only connecting is guarded: a query on an open connection is bounded by the
statement timeout. Pages served from the page cache touch no database, so
they are served throughout. Each backend here (ENGINE, set by kb.env) is
Django's own with this mixin in front.
"""

import logging
import threading
from time import monotonic

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
            with _outages_lock:
                _outages[self.alias] = monotonic() + settings.DATABASE_RETRY_SECONDS
            if until is None:
                logger.error(
                    "Database %r could not be reached: %s. Answering 503 without trying for %s s at a time.",
                    self.alias,
                    str(error).strip(),
                    settings.DATABASE_RETRY_SECONDS,
                )
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
