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


def test_env_str_refuses_a_required_value_set_but_empty():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY environment variable is set but empty; it is required"):
        env_str("SECRET_KEY", environ={"SECRET_KEY": " "}, blank=False)


def test_env_str_keeps_an_empty_value_where_empty_means_something():
    assert env_str("ENV_FILE", "/x/.env", environ={"ENV_FILE": ""}) == ""


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
    assert config["ENGINE"] == "articles.db_backends.sqlite3"  # Django's, with a connect breaker
    assert config["NAME"] == "/tmp/kb.sqlite3"


def test_env_database_reads_postgres_urls():
    config = env_database("DATABASE_URL", "", environ={"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"})
    assert config["ENGINE"] == "articles.db_backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", 5432, "test")


def test_env_database_rejects_an_unknown_scheme_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL='mongo://x' is not a database URL"):
        env_database("DATABASE_URL", "", environ={"DATABASE_URL": "mongo://x"})


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "kb.settings", "DEBUG": "false", "PATH": "/usr/bin:/bin", "ENV_FILE": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "The SECRET_KEY environment variable is required" in result.stderr


def test_settings_refuse_to_start_in_production_with_an_empty_secret_key():
    # What `SECRET_KEY="$(python -c …)"` sets where there is no `python` command.
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "DJANGO_SETTINGS_MODULE": "kb.settings",
            "DEBUG": "false",
            "SECRET_KEY": "",
            "PATH": "/usr/bin:/bin",
            "ENV_FILE": "",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "The SECRET_KEY environment variable is set but empty; it is required (DEBUG is off" in result.stderr


def test_settings_refuse_to_start_with_a_malformed_debug_value():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "kb.settings", "DEBUG": "maybe", "PATH": "/usr/bin:/bin", "ENV_FILE": ""},
        capture_output=True,
        text=True,
    )
    assert "DEBUG='maybe' is not a boolean" in result.stderr


# --- .env: a development checkout's settings ---------------------------------------------


def test_read_dotenv_reads_keys_comments_export_and_quotes(tmp_path):
    from kb.env import read_dotenv

    path = tmp_path / ".env"
    path.write_text(
        "# written by make\n\nDEBUG=true\nexport SECRET_KEY='a b#c'\nALLOWED_HOSTS = \"kb.local,localhost\"\nEMPTY=\n",
        encoding="utf-8",
    )
    environ = {}
    read_dotenv(path, environ=environ)
    assert environ == {"DEBUG": "true", "SECRET_KEY": "a b#c", "ALLOWED_HOSTS": "kb.local,localhost", "EMPTY": ""}


def test_read_dotenv_allows_a_byte_order_mark_and_trailing_comments(tmp_path):
    from kb.env import read_dotenv

    path = tmp_path / ".env"
    path.write_text("\ufeffDEBUG=true   # development\nSECRET_KEY=a#b\n", encoding="utf-8")
    environ = {}
    read_dotenv(path, environ=environ)
    assert environ == {"DEBUG": "true", "SECRET_KEY": "a#b"}


def test_read_dotenv_lets_the_real_environment_win(tmp_path):
    from kb.env import read_dotenv

    path = tmp_path / ".env"
    path.write_text("DEBUG=true\nSECRET_KEY=from-file\n", encoding="utf-8")
    environ = {"DEBUG": "false"}
    read_dotenv(path, environ=environ)
    assert environ == {"DEBUG": "false", "SECRET_KEY": "from-file"}


def test_read_dotenv_without_a_file_changes_nothing(tmp_path):
    from kb.env import read_dotenv

    environ = {"DEBUG": "false"}
    assert read_dotenv(tmp_path / "missing", environ=environ) == {}
    assert environ == {"DEBUG": "false"}


def test_read_dotenv_refuses_a_malformed_line_naming_file_and_line(tmp_path):
    from kb.env import read_dotenv

    path = tmp_path / ".env"
    path.write_text("DEBUG=true\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=r"\.env, line 2: expected KEY=value, found 'this is not a setting'"):
        read_dotenv(path, environ={})


def _settings_with(tmp_path, dotenv, **environ):
    import subprocess
    import sys

    path = tmp_path / ".env"
    path.write_text(dotenv, encoding="utf-8")
    script = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    env = {"DJANGO_SETTINGS_MODULE": "kb.settings", "PATH": "/usr/bin:/bin", "ENV_FILE": str(path), **environ}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)


def test_the_settings_read_debug_and_the_key_from_dotenv(tmp_path):
    result = _settings_with(tmp_path, "DEBUG=true\nSECRET_KEY=from-the-file\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True\n"


def test_debug_false_in_the_environment_chooses_production_over_dotenv(tmp_path):
    result = _settings_with(tmp_path, "DEBUG=true\n", DEBUG="false")
    assert result.returncode != 0
    assert "The SECRET_KEY environment variable is required (DEBUG is off, so this is production." in result.stderr
    assert "run `make run` once: it writes .env" in result.stderr
