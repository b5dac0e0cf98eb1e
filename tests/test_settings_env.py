import pytest
from django.core.exceptions import ImproperlyConfigured

from kb.env import env_bool, env_database, env_int, env_list, env_str


@pytest.mark.parametrize("word, expected", [("true", True), ("Yes", True), ("1", True), ("off", False), ("0", False)])
def test_env_bool_reads_common_words(word, expected):
    assert env_bool("DEBUG", None, environ={"DEBUG": word}) is expected


def test_env_bool_uses_default_when_unset():
    assert env_bool("DEBUG", False, environ={}) is False


def test_env_bool_rejects_a_typo_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='ture' is not a boolean"):
        env_bool("DEBUG", False, environ={"DEBUG": "ture"})


def test_env_str_without_default_is_required():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY environment variable is required"):
        env_str("SECRET_KEY", environ={})


def test_env_int_rejects_words():
    with pytest.raises(ImproperlyConfigured, match="SECURE_HSTS_SECONDS='a year' is not a whole number"):
        env_int("SECURE_HSTS_SECONDS", 0, environ={"SECURE_HSTS_SECONDS": "a year"})


def test_env_list_splits_on_commas_and_drops_blanks():
    assert env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "kb.example, www.kb.example,"}) == [
        "kb.example",
        "www.kb.example",
    ]


def test_env_list_refuses_an_empty_list():
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS is set but lists nothing"):
        env_list("ALLOWED_HOSTS", ["x"], environ={"ALLOWED_HOSTS": " , "})


def test_env_database_defaults_to_sqlite():
    config = env_database("DATABASE_URL", "sqlite:////tmp/kb.sqlite3", environ={})
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/kb.sqlite3"


def test_env_database_reads_postgres_urls():
    config = env_database("DATABASE_URL", "", environ={"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"})
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", 5432, "test")


def test_env_database_rejects_an_unknown_scheme_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL='mongo://x' is not a database URL"):
        env_database("DATABASE_URL", "", environ={"DATABASE_URL": "mongo://x"})


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "kb.settings", "DEBUG": "false", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "The SECRET_KEY environment variable is required" in result.stderr


def test_settings_refuse_to_start_with_a_malformed_debug_value():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "kb.settings", "DEBUG": "maybe", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert "DEBUG='maybe' is not a boolean" in result.stderr
