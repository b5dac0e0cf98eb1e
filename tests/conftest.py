import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Pages reference static files; tests run without collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
