"""Read settings from the environment, failing loudly on values that make no sense.

A typo such as DEBUG=ture must stop the server at start-up with a message that
names the variable, rather than quietly running with a default.
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, environ=os.environ):
    value = environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The {name} environment variable is required (see README, Configuration).")
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


def env_database(name, default, *, environ=os.environ):
    url = environ.get(name) or default
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={url!r} is not a database URL: {error}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={url!r} names no database engine Django knows.")
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
