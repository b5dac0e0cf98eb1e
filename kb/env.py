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
