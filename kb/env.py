"""Read settings from the environment, failing loudly on values that make no sense.

A typo such as DEBUG=ture must stop the server at start-up with a message that
names the variable, rather than quietly running with a default.

A development checkout also has a `.env` file (`make run` writes it once, with
DEBUG=true and a generated SECRET_KEY), so that every manage.py command works
in it without exporting anything. read_dotenv() puts its values into the
environment, below whatever the real environment already says.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def read_dotenv(path, *, environ=os.environ):
    """Set each KEY=value of the file at `path` in `environ`, unless the variable is already set there.

    The format is the common subset of dotenv files: one KEY=value a line,
    blank lines and lines starting with # ignored, an optional `export `
    before the key, and the value optionally in matching single or double
    quotes (taken literally: no escapes, no ${VAR} expansion); an unquoted
    value ends at a ` #` comment. A missing file is not an error; a line that
    is none of these stops start-up, naming the file and the line.
    """
    try:
        # utf-8-sig: an editor that saves with a byte-order mark must not break line 1.
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    values = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key.isidentifier():
            raise ImproperlyConfigured(f"{path}, line {number}: expected KEY=value, found {line!r}.")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = re.split(r"\s#", value, maxsplit=1)[0].rstrip()
        values[key] = value
    for key, value in values.items():
        environ.setdefault(key, value)
    return values


def env_str(name, default=None, *, environ=os.environ, hint="see README, Configuration", blank=True):
    """The variable's value, else `default`; with no default, the variable is required.

    blank=False counts a value of only spaces as unset: `SECRET_KEY="$(python -c …)"`
    on a machine without `python` sets an empty key, which Django accepts until
    the first request that signs something.
    """
    value = environ.get(name)
    if value is not None and not blank and not value.strip():
        if default is None:
            raise ImproperlyConfigured(f"The {name} environment variable is set but empty; it is required ({hint}).")
        return default
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The {name} environment variable is required ({hint}).")
        return default
    return value


def env_bool(name, default, *, environ=os.environ):
    value = environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0.")


def env_int(name, default, *, environ=os.environ):
    value = environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name, default, *, environ=os.environ):
    """A comma-separated list; blank items are dropped."""
    value = environ.get(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing.")
    return items


# Django's backends with a connect breaker in front (articles.db_backends); others are used as they are.
DATABASE_BACKENDS = {
    "django.db.backends.postgresql": "articles.db_backends.postgresql",
    "django.db.backends.sqlite3": "articles.db_backends.sqlite3",
}
POSTGRESQL = DATABASE_BACKENDS["django.db.backends.postgresql"]


def env_database(name, default, *, environ=os.environ):
    url = environ.get(name) or default
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={url!r} is not a database URL: {error}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={url!r} names no database engine Django knows.")
    config["ENGINE"] = DATABASE_BACKENDS.get(config["ENGINE"], config["ENGINE"])
    return config


def env_float(name, default, *, environ=os.environ):
    value = environ.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if number != number or number in (float("inf"), float("-inf")) or number < 0:
        raise ImproperlyConfigured(f"{name}={value!r} must be a finite number, zero or more.")
    return number


# Every backend is a subclass that degrades instead of failing (articles.cache_backends).
CACHE_BACKENDS = {
    "file": "articles.cache_backends.FileCache",
    "locmem": "articles.cache_backends.LocalMemoryCache",
    "redis": "articles.cache_backends.RedisCache",
    "rediss": "articles.cache_backends.RedisCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}


def env_cache(name, default, *, timeout=2.0, environ=os.environ):
    """A CACHES["default"] entry from a URL: file:///path, locmem://, redis://host:port/db, dummy://.

    `timeout` bounds every Redis connect and command in seconds, so that a
    cache that hangs costs a request that much at worst, not a worker.
    """
    from urllib.parse import urlsplit

    url = environ.get(name) or default
    problem = f"{name}={url!r} is not a cache URL (file:///absolute/path, locmem://, redis://host:6379/0, dummy://)"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a port that is not a number or out of range
    except ValueError as error:
        raise ImproperlyConfigured(f"{problem}: {error}.") from None
    scheme = parts.scheme.lower()
    if scheme not in CACHE_BACKENDS:
        raise ImproperlyConfigured(f"{problem}: unknown scheme {parts.scheme!r}.")
    config = {"BACKEND": CACHE_BACKENDS[scheme]}
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/") or parts.path == "/":
            raise ImproperlyConfigured(f"{problem}: give an absolute directory, e.g. file:///var/cache/kb.")
        config["LOCATION"] = parts.path
        # Files are culled at random past this many; the content version is not a cache file (see caching).
        config["OPTIONS"] = {"MAX_ENTRIES": 10_000}
    elif scheme in ("redis", "rediss"):
        if not parts.hostname:
            raise ImproperlyConfigured(f"{problem}: name the Redis host, e.g. redis://127.0.0.1:6379/0.")
        database = parts.path.strip("/") or "0"
        if not database.isdigit():
            raise ImproperlyConfigured(f"{problem}: the database after the host must be a number, e.g. /0.")
        if port is None and parts.netloc.endswith(":"):
            raise ImproperlyConfigured(f"{problem}: the port is empty.")
        config["LOCATION"] = url
        config["OPTIONS"] = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    elif scheme == "locmem":
        config["LOCATION"] = parts.netloc or "kb"
    return config


def env_database_replica(name, *, environ=os.environ):
    """The optional read replica: None when `name` is unset or empty."""
    if not environ.get(name):
        return None
    return env_database(name, "", environ=environ)
