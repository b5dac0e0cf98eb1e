"""Django's PostgreSQL backend, with articles.db_backends.ConnectBreaker and AnswerDeadline in front."""

from django.db.backends.postgresql import base

from articles.db_backends import AnswerDeadline, ConnectBreaker


class DatabaseWrapper(AnswerDeadline, ConnectBreaker, base.DatabaseWrapper):
    pass
