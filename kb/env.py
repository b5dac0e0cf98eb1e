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


def env_str(name, default=None, *, environ=os.environ, hint="see README, Configuration"):
    value = environ.get(name)
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


def env_database(name, default, *, environ=os.environ):
    url = environ.get(name) or default
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={url!r} is not a database URL: {error}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={url!r} names no database engine Django knows.")
    return config
