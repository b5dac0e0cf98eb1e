"""Django's SQLite backend, with articles.db_backends.ConnectBreaker in front."""

from django.db.backends.sqlite3 import base

from articles.db_backends import ConnectBreaker


class DatabaseWrapper(ConnectBreaker, base.DatabaseWrapper):
    pass
