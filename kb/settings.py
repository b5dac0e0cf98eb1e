"""Settings for the knowledge base.

Everything that differs between a laptop and production comes from the
environment (see README, "Configuration"). kb.env's helpers refuse malformed
values at start-up, naming the variable.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from kb.env import (
    POSTGRESQL,
    env_bool,
    env_cache,
    env_database,
    env_database_replica,
    env_float,
    env_int,
    env_list,
    env_str,
    read_dotenv,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# A development checkout's settings (README, "Set up"); the real environment
# wins over the file. ENV_FILE="" reads no file (the test suite does that).
if env_file := env_str("ENV_FILE", str(BASE_DIR / ".env")):
    read_dotenv(env_file)

# Off unless chosen: without a .env, or with DEBUG=false, this is production.
DEBUG = env_bool("DEBUG", False)

# A throwaway key is only acceptable while debugging on a laptop; with DEBUG
# off, a missing SECRET_KEY stops the server (and every manage.py command).
SECRET_KEY = env_str(
    "SECRET_KEY",
    "dev-only-insecure-key" if DEBUG else None,
    hint="DEBUG is off, so this is production. For development, run `make run` once: it writes .env "
    "with DEBUG=true and a generated key. In production, set SECRET_KEY: see README, Configuration",
    blank=False,
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",  # its templates, for sitemap.xml (articles/sitemaps.py)
    "django.contrib.postgres",
    "taggit",
    "reversion",
    "axes",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the session is read: a client over its API limit costs one cache round trip.
    "articles.ratelimit.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form posted to the admin after its editor was signed out: shows what was typed, not the sign-in page.
    "articles.history_admin.SignedOutFormMiddleware",
    # An admin form posted and refused (its errors shown, the typing kept) answers 400, not 200.
    "articles.admin_forms.RefusedFormStatusMiddleware",
    # Refuses a NUL character in an admin page's query string (PostgreSQL cannot compare it).
    "articles.admin_queries.AdminQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "kb.wsgi.application"

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Optional read replica: anonymous readers' pages read from it, editors and
# every write use the primary (articles.db_router).
REPLICA = "replica"
if replica := env_database_replica("DATABASE_REPLICA_URL"):
    DATABASES[REPLICA] = {**replica, "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["articles.db_router.ReplicaRouter"]
# Readers use the primary for this long after an edit, so that a replica that
# has not yet replayed it cannot put the old page in the cache under the new version.
DATABASE_REPLICA_LAG = env_float("DATABASE_REPLICA_LAG", 2.0)

# A database that accepts connections but never answers must not hold a worker:
# give up connecting after DATABASE_CONNECT_TIMEOUT seconds and cancel any
# statement after DATABASE_STATEMENT_TIMEOUT seconds (0 turns either off, which
# `check --deploy` reports). Both stay below gunicorn's 30 s worker timeout, so
# the reader gets the 503 page rather than a killed worker.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 20)
# After a failed connect, each process answers the 503 page at once for this
# long before trying the database again (articles.db_backends): otherwise every
# request waits the connect timeout, and readers queue behind one another.
DATABASE_RETRY_SECONDS = env_float("DATABASE_RETRY_SECONDS", 5.0)
for _database in DATABASES.values():
    if _database["ENGINE"] == POSTGRESQL:
        _options = _database.setdefault("OPTIONS", {})
        if DATABASE_CONNECT_TIMEOUT:
            _options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
        if DATABASE_STATEMENT_TIMEOUT:
            _server_settings = [_options.get("options", ""), f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}s"]
            _options["options"] = " ".join(part for part in _server_settings if part)
# Fields one form may post. Django's default, 1,000, refused an article's change
# form once it carried about 140 citations (seven fields each, inline) with a
# bare 400, and what the editor typed was gone; "Add article from text" posts a
# field per line ticked. The value bounds the work of parsing a request, nothing more.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 20_000)
# How long a client is asked to wait when the database is unreachable (the 503 page).
RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 30)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's defaults, with a longer minimum (these accounts edit a public site),
# and one more: Django's similarity check lets "alicealicealice" through for alice.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kb.passwords.NoUsernameInPasswordValidator"},
]

# --- Login throttling (django-axes) -------------------------------------------------
# After LOGIN_FAILURE_LIMIT wrong passwords for one username, that account is
# locked for LOGIN_LOCKOUT_MINUTES, whatever the address the attempts come from
# (counting by address would lock out everyone behind one proxy). An
# administrator unlocks it sooner: README, "An editor account".
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# axes warns when the address is not counted, as rotating user agents or cookies
# could then dodge a lock keyed on them; a lock keyed on the username alone cannot be dodged.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
# The site is written in English only. Without translation machinery every label a
# page prints (a status, a stance, a kind) is a plain string, not a lookup of the
# active language: a ninth of an uncached claim page's time (README, "Speed").
# Dates keep LANGUAGE_CODE's formats ("29 Nov 2026" in the admin), which Django reads either way.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

TAGGIT_CASE_INSENSITIVE = True

# The cache holds rendered reader pages and the content version (articles.caching).
# CACHE_URL chooses it: by default files under var/cache, shared by every
# process on this host and only this host; redis://host:port/db for several
# servers. Every backend degrades rather than fails (articles.cache_backends).
if "CACHE_DIR" in os.environ:
    raise ImproperlyConfigured("CACHE_DIR is replaced by CACHE_URL: set CACHE_URL=file:///that/directory instead.")
CACHES = {
    "default": env_cache("CACHE_URL", f"file://{BASE_DIR / 'var' / 'cache'}", timeout=env_float("CACHE_TIMEOUT", 0.5))
}
# Several sites (or test runs) can share one Redis by giving each its own prefix.
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "kb")
# After a cache failure, run without the cache this long before trying it again.
CACHE_RETRY_SECONDS = env_float("CACHE_RETRY_SECONDS", 5.0)
# How long a rendered reader page may be served from the cache; 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0 if DEBUG else 600)
# Pages each server process also keeps in its own memory (checked against the version like the rest).
PAGE_MEMORY_ENTRIES = env_int("PAGE_MEMORY_ENTRIES", 200)
# Cache-Control for anonymous readers: browsers revalidate (max-age), cheaply
# with ETag / 304; a shared cache or CDN may keep a page s-maxage seconds.
PAGE_MAX_AGE = env_int("PAGE_MAX_AGE", 0)
PAGE_SHARED_MAX_AGE = env_int("PAGE_SHARED_MAX_AGE", 60)

# --- Read API -----------------------------------------------------------------------
# Each client address may make API_RATE_LIMIT API requests (JSON twins, annotations)
# per API_RATE_WINDOW seconds, counted in the cache above; 0 turns the limit off.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 300)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", 60)

# --- Security -----------------------------------------------------------------
# HTTPS=true turns on everything that assumes the site is served over TLS.
# Production sets it; the test suite and `make run` on loopback do not.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# An editor's admin form refused as stale shows what was typed (articles/errors.py).
CSRF_FAILURE_VIEW = "articles.errors.csrf_failure"

# Scripts only from our own origin, never inline; the reader pages need no JS.
# Django admin's inline <script> tags were removed in Django 4.x, so admin
# works under this policy too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# PostgreSQL's JIT compiler costs more than it saves on this site's queries: at
# 100,000 claims it spent 5 s compiling one badly estimated query that runs in
# 2 s without it (README, "Speed"). Turned off per connection, so no server
# setting is needed; the server may keep JIT for other databases.
for _database in DATABASES.values():
    if _database["ENGINE"] == POSTGRESQL:
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = " ".join(part for part in [_options.get("options", ""), "-c jit=off"] if part)
