import io

import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test's database starts afresh, so the cache must too: what it holds was
    # derived from another test's data under a content version that test left behind.
    from django.core.cache import cache

    from articles import caching

    cache.clear()
    yield
    # A change a test left unrecorded is forgotten with the test, and its retry thread is waited for:
    # still running, it would take the next test's failed change and retry it against this test's cache.
    caching._bump_pending.clear()
    with caching._retrying:
        pass


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Pages reference static files; tests run without collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def editor_client(client):
    """A test client signed in as bob, the editor (staff, in the Editors group)."""
    from tests.factories import make_editor

    client.force_login(make_editor())
    return client


@pytest.fixture(scope="module")
def shipped_kb(django_db_setup, django_db_blocker):
    """The shipped fixtures, loaded once per test module and rolled back after it.

    Tests that use it also need the `db` fixture (or the django_db mark); each
    of them runs in a savepoint inside this module-wide transaction.
    """
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_kb", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The small hand-built world of tests/factories.make_world, built once per
    test module and rolled back after it (each test runs in its own savepoint)."""
    from tests.factories import make_world, module_data

    with module_data(django_db_blocker):
        yield make_world()
