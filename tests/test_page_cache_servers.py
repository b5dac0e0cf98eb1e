"""Several app servers, one database, one Redis: an edit shows everywhere at once.

Real gunicorn servers in production mode (DEBUG=false, kb.settings with static
files collected into a scratch folder), on a scratch database (a file on
SQLite; a database created for the run on PostgreSQL) and Redis database 2
under a key prefix of their own. An editor changes a claim through the admin
of one server; readers of the other see it at once, including while other
readers hammer the page. A third server whose database is down keeps serving
what is cached and answers the rest with the 503 page.

Slow (it starts processes), so marked `slow`; `make test` runs it. Without a
Redis on 127.0.0.1:6379 it skips, except under CI=true, where it fails.
"""

import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.admin_forms import change_form_fields
from tests.relay import Relay

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "kb.test"  # every server sees the Host a load balancer would pass on
PASSWORD = "correct horse battery staple"
REDIS_URL = "redis://127.0.0.1:6379/2"

SETUP = """
from django.contrib.auth.models import Group, User
from articles.models import Article, Citation, Claim, Stance
editor = User.objects.create_user("bob", password=%(password)r, is_staff=True)
editor.groups.add(Group.objects.get(name="Editors"))
article = Article.objects.create(slug="trade-story", title="Trade story", kind="news", body="Trade is small.")
claim = Claim.objects.create(slug="trade", text="Trade is small.")
Citation.objects.create(claim=claim, article=article, quote="Trade is small.", stance=Stance.SUPPORTS)
print("claim", claim.pk)
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_available():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail("CI needs Redis on 127.0.0.1:6379 for the multi-server test")
        pytest.skip("no Redis on 127.0.0.1:6379")
    scratch = tmp_path_factory.mktemp("servers")
    configured = os.environ.get("DATABASE_URL", "")
    database_url, drop = scratch_database(configured, scratch)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "HTTPS", "BEHIND_PROXY", "DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="loadtest.settings",
        LOADTEST_STATIC_ROOT=str(scratch / "static"),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        DATABASE_URL=database_url,
        CACHE_URL=REDIS_URL,
        CACHE_KEY_PREFIX=f"kb-test-{secrets.token_hex(6)}",
        PAGE_CACHE_SECONDS="600",
        LOG_LEVEL="ERROR",
    )
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, timeout=300)
    setup = [*manage, "shell", "-v0", "-c", SETUP % {"password": PASSWORD}]
    output = subprocess.run(setup, cwd=ROOT, env=env, check=True, timeout=120, capture_output=True, text=True).stdout
    env["KB_TEST_CLAIM_PK"] = re.search(r"claim (\d+)", output).group(1)
    if database_url.startswith("postgres"):
        env["KB_TEST_COPY_URL"] = copy_database(database_url)  # a "replica" that never catches up
    yield env
    drop()


def admin_url(url):
    return urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()


def scratch_database(configured, scratch):
    """(URL, drop function) of an empty database of the configured kind."""
    if not configured.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{scratch / 'kb.sqlite3'}", lambda: None
    import psycopg

    parts = urllib.parse.urlsplit(configured)
    name = f"{parts.path.strip('/')}_servers_{os.getpid()}"
    with psycopg.connect(admin_url(configured), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url(configured), autocommit=True) as connection:
            for database in (name, f"{name}_copy"):
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    return parts._replace(path=f"/{name}").geturl(), drop


def copy_database(url):
    """A copy of the database at `url`, as it is now, named <name>_copy; its URL."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.strip("/")
    with psycopg.connect(admin_url(url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}_copy" TEMPLATE "{name}"')
    return parts._replace(path=f"/{name}_copy").geturl()


class Server:
    def __init__(self, env, threads=4, **overrides):
        self.port = free_port()
        self.log = open(Path(env["LOADTEST_STATIC_ROOT"]).parent / f"gunicorn-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "kb.wsgi", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "1", "--threads", str(threads)],
            cwd=ROOT,
            env={**env, **overrides},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError(f"gunicorn on {self.port} did not start: {Path(self.log.name).read_text()}")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path, headers=None, opener=None):
        request = urllib.request.Request(self.url(path), headers={"Host": HOST, **(headers or {})})
        try:
            with (opener or urllib.request.build_opener(NoRedirect)).open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def kill_worker(self):
        """SIGKILL this server's worker, as the OOM killer would; gunicorn starts another at once. The new one's pid."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        (worker,) = children.read_text().split()
        os.kill(int(worker), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            started = children.read_text().split()
            if started and started != [worker]:
                return int(started[0])
            time.sleep(0.1)
        raise AssertionError(f"gunicorn on {self.port} started no worker in place of {worker}")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor:
    """A signed-in editor using one server's admin, as a browser would."""

    def __init__(self, server):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )
        fields = dict(change_form_fields_of(self.fetch("/admin/login/")[2], "login-form"))
        status, headers, _ = self.post("/admin/login/", {**fields, "username": "bob", "password": PASSWORD})
        assert status == 302, "the editor could not sign in"

    def fetch(self, path):
        return self.server.get(path, opener=self.opener)

    def post(self, path, data):
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.server.url(path), data=body, headers={"Host": HOST})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def change_claim_text(self, pk, text):
        path = f"/admin/articles/claim/{pk}/change/"
        data = {}
        for name, value in change_form_fields(self.fetch(path)[2]):
            data.setdefault(name, []).append(value)
        data["text"] = [text]
        status, _, page = self.post(path, data)
        assert status == 302, re.findall(r'class="errorlist.*?</ul>', page, re.S) or page[:500]


def change_form_fields_of(html, form_id):
    """The hidden fields (the CSRF token) of the form with that id."""
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S).group(0)
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)


@pytest.fixture(scope="module")
def servers(environment):
    # Both read anonymous pages from a "replica": the same database, under its own connection name.
    replica = environment["DATABASE_URL"]
    if replica.startswith("postgres"):
        replica += "?application_name=kb-replica"
    started = [Server(environment, DATABASE_REPLICA_URL=replica, DATABASE_REPLICA_LAG="0") for _ in range(2)]
    yield started
    for server in started:
        server.stop()


def claim_pk(environment):
    return int(environment["KB_TEST_CLAIM_PK"])


def test_a_change_through_one_server_shows_at_once_on_the_other(environment, servers):
    one, other = servers
    pk = claim_pk(environment)
    status, first, page = other.get("/claims/trade/")
    assert status == 200
    assert other.get("/claims/trade/")[1]["X-Page-Cache"] == "hit"
    assert one.get("/claims/trade/")[1]["X-Page-Cache"] == "hit"  # the same Redis: rendered once for both
    etag = first["ETag"]
    assert other.get("/claims/trade/", {"If-None-Match": etag})[0] == 304

    Editor(one).change_claim_text(pk, "Trade is tiny.")

    status, headers, page = other.get("/claims/trade/", {"If-None-Match": etag})
    assert status == 200
    assert "Trade is tiny." in page
    assert headers["ETag"] != etag
    assert "Trade is tiny." in one.get("/claims/trade/")[2]


def test_no_reader_sees_an_old_page_once_a_save_has_returned_even_under_load(environment, servers):
    one, other = servers
    pk = claim_pk(environment)
    editor = Editor(one)
    stop, statuses = threading.Event(), []

    def reader(server):
        while not stop.is_set():
            statuses.append(server.get("/claims/trade/")[0])

    readers = [threading.Thread(target=reader, args=(server,)) for server in (one, other, other)]
    for thread in readers:
        thread.start()
    stale = []
    try:
        for revision in range(1, 6):
            text = f"Trade, revision {revision}."
            editor.change_claim_text(pk, text)
            for server in (other, one):
                if text not in server.get("/claims/trade/")[2]:
                    stale.append((revision, server.port))
    finally:
        stop.set()
        for thread in readers:
            thread.join(30)
    assert stale == []
    assert len(statuses) > 10
    assert set(statuses) == {200}


def test_readers_pages_come_from_the_replica(environment, servers):
    if not environment["DATABASE_URL"].startswith("postgres"):
        pytest.skip("the connection name is visible on PostgreSQL only")
    import psycopg

    servers[1].get("/claims/?kind=fact")  # rendered for an anonymous reader
    with psycopg.connect(environment["DATABASE_URL"]) as connection:
        names = {row[0] for row in connection.execute("SELECT application_name FROM pg_stat_activity")}
    assert "kb-replica" in names


def test_a_server_whose_database_is_down_serves_cached_pages_and_503_for_the_rest(environment, servers):
    status, headers, cached = servers[0].get("/claims/trade/")
    if headers.get("X-Page-Cache") != "hit":  # rendered just now: it is in the cache once read again from it
        status, headers, cached = servers[0].get("/claims/trade/")
    # The precondition, checked: the page is in the cache at the current version. Under load, an older
    # render from the test before once replaced it there (a store's put_page now refuses that).
    assert (status, headers.get("X-Page-Cache")) == (200, "hit")
    down = Server(environment, DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing", DATABASE_CONNECT_TIMEOUT="2")
    try:
        status, _, page = down.get("/claims/trade/")
        # Unless a change retired the page meanwhile, which nothing here makes: then its ETag moved on.
        assert status == 200, (headers["ETag"], servers[0].get("/claims/trade/")[1].get("ETag"))
        assert page == cached
        status, headers, page = down.get("/claims/contested/")
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert "<h1>Temporarily unavailable</h1>" in page
    finally:
        down.stop()


def test_a_server_whose_redis_is_down_still_serves_every_page(environment):
    server = Server(environment, CACHE_URL="redis://127.0.0.1:1/0")
    try:
        for path in ("/", "/claims/trade/", "/claims/", "/articles/trade-story/"):
            status, headers, _ = server.get(path)
            assert status == 200, path
            assert "X-Page-Cache" not in headers
    finally:
        server.stop()


@pytest.fixture
def relayed_servers(environment):
    """Two servers whose Redis is behind one relay, which a test may cut.

    They try Redis on every request (no rest after a failure), so that what a test sees once the relay
    is restored is what they serve, not a render made because they are still leaving Redis alone.
    """
    relay = Relay(6379)
    url = f"redis://127.0.0.1:{relay.port}/{REDIS_URL.rsplit('/', 1)[1]}"
    started = [Server(environment, CACHE_URL=url, CACHE_RETRY_SECONDS="0") for _ in range(2)]
    yield relay, started
    for server in started:
        server.stop()
    relay.close()


def test_a_change_saved_while_redis_was_out_of_reach_shows_on_every_server_soon_after_it_is_back(
    environment, relayed_servers
):
    # The saving process records the change as soon as Redis answers, without waiting for another request:
    # before, the other server served the old page from Redis until the saving process happened to get one.
    relay, (one, other) = relayed_servers
    editor = Editor(one)
    other.get("/claims/trade/")
    assert other.get("/claims/trade/")[1]["X-Page-Cache"] == "hit"
    relay.cut()
    editor.change_claim_text(claim_pk(environment), "Trade, saved while Redis was out of reach.")
    relay.restore()
    time.sleep(1)  # the saving process retries every PENDING_BUMP_RETRY_SECONDS (0.25 s)
    pages = [other.get("/claims/trade/")[2] for _ in range(5)]
    assert all("Trade, saved while Redis was out of reach." in page for page in pages)


def test_a_server_that_could_not_reach_redis_serves_nothing_cached_before_it_once_it_is_back(
    environment, relayed_servers
):
    # While Redis was out of reach, a save on any server may have failed to record its change.
    relay, (one, other) = relayed_servers
    editor = Editor(one)
    other.get("/claims/trade/")
    assert other.get("/claims/trade/")[1]["X-Page-Cache"] == "hit"
    relay.cut()
    assert other.get("/claims/trade/")[0] == 200  # rendered afresh: Redis is out of reach
    editor.change_claim_text(claim_pk(environment), "Trade, saved during the partition.")
    relay.restore()
    status, headers, page = other.get("/claims/trade/")
    assert status == 200
    assert "Trade, saved during the partition." in page


def test_a_change_left_unrecorded_by_a_worker_killed_meanwhile_shows_once_redis_is_back(environment):
    # The saving worker could not reach Redis, and was killed before it could: its retry died with it.
    # The other server, which reached Redis all along, served the old page until it expired.
    relay = Relay(6379)
    one = Server(environment, CACHE_URL=f"redis://127.0.0.1:{relay.port}/{REDIS_URL.rsplit('/', 1)[1]}")
    other = Server(environment)  # reaches Redis directly: it never sees the outage
    try:
        editor = Editor(one)
        other.get("/claims/trade/")
        assert other.get("/claims/trade/")[1]["X-Page-Cache"] == "hit"
        relay.cut()
        editor.change_claim_text(claim_pk(environment), "Trade, saved by a worker that then died.")
        one.kill_worker()  # no request reaches the new worker: one that failed to read Redis would record a change
        relay.restore()
        deadline, page = time.monotonic() + 15, ""
        while "Trade, saved by a worker that then died." not in page and time.monotonic() < deadline:
            time.sleep(0.25)
            page = other.get("/claims/trade/")[2]
        assert "Trade, saved by a worker that then died." in page
        # The new worker removes the note of the change once it has recorded it.
        deadline = time.monotonic() + 10
        while unrecorded_changes(environment) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert unrecorded_changes(environment) == 0
    finally:
        one.stop()
        other.stop()
        relay.close()


def unrecorded_changes(environment):
    """How many changes the scratch database holds as not yet recorded in the cache (UnrecordedChange)."""
    url, query = environment["DATABASE_URL"], "SELECT count(*) FROM articles_unrecordedchange"
    if url.startswith("sqlite"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            return connection.execute(query).fetchone()[0]
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(query).fetchone()[0]


def test_a_replica_that_lags_never_puts_an_old_page_in_the_cache(environment):
    # The copy holds the claim as it was before any test changed it, and never catches up. Before, once
    # DATABASE_REPLICA_LAG had passed, readers rendered the old claim from it and it was cached under the
    # new version; now a replica is read only once it proves it has replayed the change, which a copy
    # (no standby) never does.
    if "KB_TEST_COPY_URL" not in environment:
        pytest.skip("a lagging replica is a PostgreSQL database")
    one, other = (
        Server(environment, DATABASE_REPLICA_URL=environment["KB_TEST_COPY_URL"], DATABASE_REPLICA_LAG="0")
        for _ in range(2)
    )
    try:
        editor = Editor(one)
        editor.change_claim_text(claim_pk(environment), "Trade, on the primary only.")
        assert "Trade, on the primary only." in editor.fetch("/claims/trade/")[2]  # the editor sees their change
        for server in (other, one, other):
            status, headers, page = server.get("/claims/trade/")
            assert status == 200
            assert "Trade, on the primary only." in page
        assert headers["X-Page-Cache"] == "hit"
    finally:
        one.stop()
        other.stop()


def test_a_database_that_freezes_gets_readers_the_503_page_well_before_the_worker_timeout(environment):
    # Before, a kept connection to a frozen PostgreSQL waited until gunicorn killed the worker (30 s).
    if not environment["DATABASE_URL"].startswith("postgres"):
        pytest.skip("the kept connections and their deadlines are PostgreSQL's")
    parts = urllib.parse.urlsplit(environment["DATABASE_URL"])
    relay = Relay(parts.port or 5432, parts.hostname)
    user = parts.netloc.rpartition("@")[0]
    server = Server(
        environment,
        threads=1,  # so that the second request is served on the connection the first one kept
        DATABASE_URL=parts._replace(netloc=f"{user}@127.0.0.1:{relay.port}").geturl(),
        DATABASE_CONNECT_TIMEOUT="1",
        DATABASE_STATEMENT_TIMEOUT="2",
        DATABASE_RETRY_SECONDS="1",
    )
    try:
        assert server.get("/claims/?kind=fact")[0] == 200  # a kept connection, open
        relay.freeze()
        start = time.monotonic()
        status, _, page = server.get("/claims/?kind=opinion")  # never rendered: it needs the database
        assert status == 503
        assert "<h1>Temporarily unavailable</h1>" in page
        assert time.monotonic() - start < 4
        relay.restore()
        time.sleep(1.5)  # past DATABASE_RETRY_SECONDS
        assert server.get("/claims/?kind=opinion")[0] == 200
    finally:
        server.stop()
        relay.close()
