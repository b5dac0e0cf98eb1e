"""CACHE_URL, DATABASE_REPLICA_URL and the database timeouts, read from the environment; the deploy checks."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from articles.db_router import ReplicaRouter, replica_reads
from articles.models import Claim
from kb.env import env_cache, env_database_replica, env_float
from tests.test_security_settings import production_environment

ROOT = Path(__file__).resolve().parent.parent


def test_the_default_cache_is_files_in_a_directory():
    config = env_cache("CACHE_URL", "file:///srv/kb/cache", environ={})
    assert config["BACKEND"] == "articles.cache_backends.FileCache"
    assert config["LOCATION"] == "/srv/kb/cache"


def test_a_redis_url_chooses_djangos_redis_cache_with_timeouts():
    config = env_cache("CACHE_URL", "", timeout=0.5, environ={"CACHE_URL": "redis://10.0.0.5:6380/2"})
    assert config["BACKEND"] == "articles.cache_backends.RedisCache"
    assert config["LOCATION"] == "redis://10.0.0.5:6380/2"
    assert config["OPTIONS"] == {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def test_locmem_and_dummy_are_available_for_tests_and_debugging():
    assert env_cache("CACHE_URL", "locmem://", environ={})["BACKEND"] == "articles.cache_backends.LocalMemoryCache"
    assert env_cache("CACHE_URL", "dummy://", environ={})["BACKEND"].endswith("DummyCache")


@pytest.mark.parametrize(
    "url, complaint",
    [
        ("memcached://127.0.0.1:11211", "unknown scheme 'memcached'"),
        ("redis://127.0.0.1:port/0", "Port could not be cast to integer"),
        ("redis://127.0.0.1:99999/0", "Port out of range"),
        ("redis:///0", "name the Redis host"),
        ("redis://127.0.0.1:6379/two", "must be a number"),
        ("file://relative/cache", "give an absolute directory"),
        ("file:///", "give an absolute directory"),
        ("/var/cache/kb", "unknown scheme ''"),
    ],
)
def test_a_malformed_cache_url_stops_the_server_naming_the_variable(url, complaint):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL=") as error:
        env_cache("CACHE_URL", "", environ={"CACHE_URL": url})
    assert complaint in str(error.value)


@pytest.mark.parametrize("value", ["fast", "-1", "nan", "inf"])
def test_a_timeout_must_be_a_finite_number(value):
    with pytest.raises(ImproperlyConfigured, match=f"CACHE_TIMEOUT={value!r}"):
        env_float("CACHE_TIMEOUT", 0.5, environ={"CACHE_TIMEOUT": value})


def test_no_replica_unless_asked():
    assert env_database_replica("DATABASE_REPLICA_URL", environ={}) is None
    replica = env_database_replica(
        "DATABASE_REPLICA_URL", environ={"DATABASE_REPLICA_URL": "postgres://kb@replica.internal:5432/kb"}
    )
    assert replica["HOST"] == "replica.internal"


def settings_of(code, **env):
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; print({code})"],
        cwd=ROOT,
        env=production_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def server_settings(options):
    """The `-c name=value` settings in a libpq options string."""
    return set(re.findall(r"-c (\S+)", options))


def test_postgresql_connections_get_connect_and_statement_timeouts():
    printed = settings_of(
        "settings.DATABASES['default']['OPTIONS']['connect_timeout'], "
        "settings.DATABASES['default']['OPTIONS']['options']",
        DATABASE_URL="postgres://kb@db.internal:5432/kb",
        DATABASE_CONNECT_TIMEOUT="3",
        DATABASE_STATEMENT_TIMEOUT="15",
    )
    connect_timeout, options = printed.split(" ", 1)
    assert connect_timeout == "3"
    assert "statement_timeout=15s" in server_settings(options)


def test_a_replica_gets_the_same_timeouts_and_mirrors_the_primary_in_tests():
    printed = settings_of(
        "settings.DATABASES['replica']['TEST']['MIRROR'], settings.DATABASES['replica']['OPTIONS']['connect_timeout'], "
        "settings.DATABASES['replica']['OPTIONS']['options']",
        DATABASE_URL="postgres://kb@db.internal:5432/kb",
        DATABASE_REPLICA_URL="postgres://kb@replica.internal:5432/kb",
    )
    mirror, connect_timeout, options = printed.split(" ", 2)
    assert (mirror, connect_timeout) == ("default", "5")
    assert "statement_timeout=20s" in server_settings(options)


def test_the_old_cache_dir_variable_is_refused_with_its_replacement():
    result = subprocess.run(
        [sys.executable, "-c", "import kb.settings"],
        cwd=ROOT,
        env=production_environment(CACHE_DIR="/var/cache/kb"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "CACHE_DIR is replaced by CACHE_URL" in result.stderr


# --- check --deploy -------------------------------------------------------------------


def check_deploy(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_a_cache_directory_that_cannot_be_written(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = check_deploy(CACHE_URL=f"file://{tmp_path}/a-file/cache")
    assert result.returncode == 1
    assert "kb.W001" in result.stderr
    assert "cannot be written" in result.stderr


def test_check_deploy_reports_a_redis_that_cannot_be_reached():
    result = check_deploy(CACHE_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    assert "kb.W002" in result.stderr


def test_check_deploy_reports_a_per_process_cache():
    result = check_deploy(CACHE_URL="locmem://")
    assert "kb.W003" in result.stderr


def test_check_deploy_reports_missing_database_timeouts():
    result = check_deploy(
        DATABASE_URL="postgres://kb@db.internal:5432/kb", DATABASE_CONNECT_TIMEOUT="0", DATABASE_STATEMENT_TIMEOUT="0"
    )
    assert result.returncode == 1
    assert "kb.W004" in result.stderr
    assert "kb.W005" in result.stderr


# --- The replica router ------------------------------------------------------------------


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}


def test_reads_go_to_the_replica_only_inside_an_anonymous_readers_page(with_replica):
    router = ReplicaRouter()
    assert router.db_for_read(Claim) is None  # the primary
    with replica_reads():
        assert router.db_for_read(Claim) == "replica"
        assert router.db_for_write(Claim) == "default"
    assert router.db_for_read(Claim) is None


def test_without_a_replica_everything_reads_the_primary():
    with replica_reads():
        assert ReplicaRouter().db_for_read(Claim) is None


def test_the_replica_is_never_migrated(with_replica):
    assert ReplicaRouter().allow_migrate("replica", "articles") is False
    assert ReplicaRouter().allow_migrate("default", "articles") is None
