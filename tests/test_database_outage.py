"""A database that cannot be reached: after one failed connect, readers get the 503 page at once
(articles.db_backends) instead of each waiting out the connect timeout, until DATABASE_RETRY_SECONDS pass.
An open PostgreSQL connection that stops answering is cut by its deadline, and starts the same window."""

import logging
import os
import socket
import time
import urllib.parse

import pytest
from django.db import OperationalError, connections
from django.db.utils import ConnectionHandler, load_backend
from django.test import Client

from articles import caching, db_backends
from articles.db_router import replica_is_current
from kb.env import env_database
from tests.relay import Relay

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(db_backends, "monotonic", clock)
    yield clock
    db_backends._outages.clear()  # an outage a test caused is forgotten with it


class Database:
    """The default database as a request sees it: not yet connected, and down until `up` is set."""

    def __init__(self, monkeypatch):
        self.up = False
        self.attempts = 0
        self.wrapper = None
        self.restart()
        django_backend = next(cls for cls in type(self.wrapper).__mro__ if cls.__module__.startswith("django.db."))
        real_connect = django_backend.get_new_connection

        def connect(wrapper, conn_params):
            self.attempts += 1
            if not self.up:
                raise wrapper.Database.OperationalError("connection timeout expired")
            return real_connect(wrapper, conn_params)

        monkeypatch.setattr(django_backend, "get_new_connection", connect)

    def restart(self):
        # The test's own connection stays open (it holds the test's transaction); requests get one
        # that must connect, through the breaker, to Django's backend, whose connect is counted here.
        self.close()
        self.wrapper = connections.create_connection("default")
        connections["default"] = self.wrapper

    def close(self):
        if self.wrapper is not None and self.wrapper.connection is not None:
            self.wrapper.connection.close()  # SQLite's close() keeps an in-memory database open


@pytest.fixture
def database(monkeypatch, clock, settings):
    settings.DATABASE_RETRY_SECONDS = 5
    test_connection = connections["default"]
    database = Database(monkeypatch)
    yield database
    connections["default"] = test_connection
    database.close()


@pytest.fixture
def reader():
    return Client(raise_request_exception=False)


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "<h1>Temporarily unavailable</h1>" in response.content.decode()


def test_a_failed_connect_gets_the_503_page(database, reader):
    assert_unavailable(reader.get("/claims/"))
    assert database.attempts == 1


def test_within_the_window_readers_get_the_503_page_without_a_connect_attempt(database, reader, clock):
    reader.get("/claims/")
    clock.advance(4.9)
    assert_unavailable(reader.get("/claims/"))
    assert_unavailable(reader.get("/timeline/"))
    assert database.attempts == 1


def test_after_the_window_a_request_tries_again_and_gets_its_page(database, reader, clock):
    reader.get("/claims/")
    clock.advance(5)
    database.up = True
    response = reader.get("/claims/")
    assert response.status_code == 200
    assert "<h1>Claims</h1>" in response.content.decode()
    assert database.attempts == 2
    assert reader.get("/timeline/").status_code == 200  # connected: no new attempt needed
    assert database.attempts == 2


def test_a_retry_that_fails_starts_another_window(database, reader, clock):
    reader.get("/claims/")
    clock.advance(5)
    assert_unavailable(reader.get("/claims/"))
    assert database.attempts == 2
    clock.advance(4.9)
    assert_unavailable(reader.get("/claims/"))
    assert database.attempts == 2


def test_a_window_of_zero_tries_on_every_request(database, reader, settings):
    settings.DATABASE_RETRY_SECONDS = 0
    reader.get("/claims/")
    assert_unavailable(reader.get("/claims/"))
    assert database.attempts == 2


def test_the_outage_is_logged_once_and_the_recovery_once(database, reader, clock, caplog):
    caplog.set_level(logging.WARNING, logger="kb.database")
    reader.get("/claims/")
    reader.get("/claims/")
    clock.advance(5)
    reader.get("/claims/")
    clock.advance(5)
    database.up = True
    reader.get("/claims/")
    assert [(record.levelname, record.getMessage()) for record in caplog.records if record.name == "kb.database"] == [
        (
            "ERROR",
            "Database 'default' could not be reached: connection timeout expired. "
            "Answering 503 without trying for 5 s at a time.",
        ),
        ("WARNING", "Database 'default' is answering again."),
    ]


def test_a_replica_out_of_reach_is_logged_as_read_around_not_as_503(clock, caplog, settings):
    # Readers' pages are rendered from the primary while the replica is out of reach: the log said "Answering 503".
    settings.DATABASE_RETRY_SECONDS = 5
    caplog.set_level(logging.ERROR, logger="kb.database")
    db_backends._unreachable("replica", "connection refused", log=True)
    assert [record.getMessage() for record in caplog.records if record.name == "kb.database"] == [
        "Database 'replica' could not be reached: connection refused. "
        "Reading the primary instead without trying for 5 s at a time."
    ]


@pytest.fixture
def page_cache_on(settings):
    # As in tests/test_page_cache.py: each test starts, and leaves, with no page remembered anywhere.
    settings.PAGE_CACHE_SECONDS = 600
    for remembered in (caching._stores, caching._this_thread.__dict__, caching._memory):
        remembered.clear()
    yield
    for remembered in (caching._stores, caching._this_thread.__dict__, caching._memory):
        remembered.clear()


def test_pages_in_the_page_cache_are_served_while_the_database_is_not_tried(database, reader, page_cache_on):
    database.up = True
    assert reader.get("/claims/").status_code == 200
    database.up = False
    database.restart()
    assert_unavailable(reader.get("/timeline/"))  # never rendered: nothing to serve
    assert database.attempts == 2
    response = reader.get("/claims/")
    assert response.status_code == 200
    assert "<h1>Claims</h1>" in response.content.decode()
    assert database.attempts == 2


# --- An open PostgreSQL connection that stops answering (articles.db_backends.AnswerDeadline) ---------------


def postgresql_url():
    """The configured PostgreSQL server, or the local one; None when there is none to talk to."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 5432), timeout=1).close()
    except OSError:
        return None
    return url


@pytest.fixture
def frozen_postgresql(settings):
    """(relay, connection): a connection of the site's PostgreSQL backend, through a relay a test can freeze."""
    url = postgresql_url()
    if url is None:
        pytest.skip("no PostgreSQL server to talk to")
    parts = urllib.parse.urlsplit(url)
    relay = Relay(parts.port or 5432, parts.hostname)
    settings.DATABASE_CONNECT_TIMEOUT = 1
    settings.DATABASE_STATEMENT_TIMEOUT = 1
    settings.DATABASE_RETRY_SECONDS = 60
    user = parts.netloc.rpartition("@")[0]
    config = env_database("URL", parts._replace(netloc=f"{user}@127.0.0.1:{relay.port}").geturl())
    config.setdefault("OPTIONS", {})["connect_timeout"] = 1
    config = ConnectionHandler().configure_settings({"default": config})["default"]  # Django's defaults filled in
    connection = load_backend(config["ENGINE"]).DatabaseWrapper(config, "frozen")
    connections["frozen"] = connection  # django.contrib.postgres looks its type ids up by alias
    connection.ensure_connection()
    yield relay, connection
    relay.restore()
    connection.close()
    relay.close()
    del connections["frozen"]
    db_backends._outages.pop("frozen", None)


def test_a_query_on_a_connection_that_stops_answering_fails_within_its_deadline(frozen_postgresql):
    # Before, it waited forever: the statement timeout is the server's, and a frozen server sends nothing.
    relay, connection = frozen_postgresql
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    relay.freeze()
    start = time.monotonic()
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    # The deadline is the statement timeout plus the connect timeout: 2 s here.
    assert 2 <= time.monotonic() - start < 4


def test_after_a_connection_stopped_answering_the_process_does_not_try_the_database_for_a_while(
    frozen_postgresql, caplog
):
    relay, connection = frozen_postgresql
    relay.freeze()
    with caplog.at_level(logging.ERROR, logger="kb.database"), pytest.raises(OperationalError):
        connection.cursor().execute("SELECT 1")
    relay.restore()
    assert not connection.is_usable()
    connection.close()
    start = time.monotonic()
    with pytest.raises(OperationalError, match="not trying again"):
        connection.ensure_connection()
    assert time.monotonic() - start < 0.5
    assert [record.getMessage() for record in caplog.records] == [
        "Database 'frozen' could not be reached: an open connection stopped answering. "
        "Answering 503 without trying for 60 s at a time."
    ]


def test_the_health_check_of_a_connection_that_stops_answering_gives_up_after_the_connect_timeout(
    frozen_postgresql,
):
    # A request's first query checks a kept connection first: that check must not wait for ever either.
    relay, connection = frozen_postgresql
    relay.freeze()
    start = time.monotonic()
    assert not connection.is_usable()
    assert 1 <= time.monotonic() - start < 2.5


def test_a_replica_that_stops_answering_is_given_up_on_after_the_connect_timeout(frozen_postgresql, settings):
    # Asking a replica how far it has replayed is a probe, like the health check. A standby that stopped
    # answering (a host gone: no reset, nothing more sent) after the health check held the reader for a
    # statement's deadline (25 s by default) before the page was rendered from the primary.
    relay, connection = frozen_postgresql
    settings.DATABASE_STATEMENT_TIMEOUT = 5  # a query's deadline: 6 s
    settings.DATABASES = {**settings.DATABASES, "frozen": connection.settings_dict}
    settings.REPLICA = "frozen"
    relay.freeze()
    start = time.monotonic()
    assert replica_is_current(caching.Version(current=1, wal=1)) is False
    assert 1 <= time.monotonic() - start < 2.5
