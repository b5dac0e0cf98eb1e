"""Django's PostgreSQL backend, with articles.db_backends.ConnectBreaker in front."""

from django.db.backends.postgresql import base

from articles.db_backends import ConnectBreaker


class DatabaseWrapper(ConnectBreaker, base.DatabaseWrapper):
    pass
