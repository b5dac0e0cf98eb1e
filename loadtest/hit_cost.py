"""What a page-cache hit costs, against the framework itself.

    .venv/bin/python loadtest/hit_cost.py [--cache-url redis://127.0.0.1:6379/3] [--requests 2000]

Loads the shipped fixtures into a scratch SQLite database and serves one claim
page three ways through Django's WSGI handler, in this process, with the
production middleware stack:

- bare: a plain view that returns the same bytes (the framework's own cost);
- hit: the claim page from the page cache;
- render: the claim page rendered afresh (page cache off).

It prints requests per second for each (from the median request, bare and
hit interleaved request by request, so that a noisy neighbour costs both
alike) and the ratios hit/bare and render/bare. Exit status 1 when hit/bare
is under --target.
"""

import argparse
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


BARE = "/bare/x/"


def environ(path):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def timings(application, paths, requests):
    """Per-request seconds for each path, the paths interleaved request by request.

    Interleaving and taking medians keeps a busy neighbour on a shared
    machine from favouring whichever variant happened to run in a quiet moment.
    """
    statuses, times = [], {path: [] for path in paths}

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    for _ in range(requests):
        for path in paths:
            start = time.perf_counter()
            result = application(environ(path), start_response)
            b"".join(result)
            result.close()
            times[path].append(time.perf_counter() - start)
    if set(statuses) != {"200 OK"}:
        raise SystemExit(f"{paths} answered {sorted(set(statuses))}")
    return {path: statistics.median(values) for path, values in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-url", default="")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--target", type=float, default=0.9)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="kb-hitcost-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="loadtest.hit_settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{scratch}/kb.sqlite3",
        CACHE_URL=args.cache_url or f"file://{scratch}/cache",
        CACHE_KEY_PREFIX=f"hitcost-{secrets.token_hex(4)}",
        PAGE_CACHE_SECONDS="600",
        LOG_LEVEL="ERROR",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from articles.models import Claim
    from loadtest import hit_settings

    call_command("migrate", verbosity=0)
    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    application = get_wsgi_application()
    page = Claim.objects.contested().first().get_absolute_url()
    hit_settings.BARE_BYTES = b"".join(application(environ(page), lambda *a: None))  # renders and caches

    median = timings(application, [BARE, page], args.requests)
    rates = {"bare": 1 / median[BARE], "hit": 1 / median[page]}
    settings.PAGE_CACHE_SECONDS = 0
    rates["render"] = 1 / timings(application, [page], max(20, args.requests // 50))[page]
    print(f"claim page {page}, {len(hit_settings.BARE_BYTES):,} bytes, cache {settings.CACHES['default']['BACKEND']}")
    for name, rate in rates.items():
        print(f"{name:7} {rate:9.0f} req/s   {rate / rates['bare']:.3f} of bare")
    sys.exit(0 if rates["hit"] / rates["bare"] >= args.target else 1)


if __name__ == "__main__":
    main()
