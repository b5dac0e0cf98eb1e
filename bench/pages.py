"""Benchmark every reader page on PostgreSQL, at the shipped size and at 100,000 claims.

    make bench                                   # or: .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --claims 20000 --runs 10 --fresh --explain

Two scratch databases, on the server named by BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kb_bench): `kb_bench` holds the shipped
fixtures, `kb_bench_<N>` the fixtures plus `generate_kb --claims N`. The bench
creates them when missing and reuses them otherwise (generating 100,000 claims
takes a minute or two); --fresh drops and rebuilds both. Only databases whose
name starts with the scratch name are ever dropped. Never point it at a
database you care about.

With the page cache off, it requests every page type through Django's full
stack (test client, all middleware, one process) and reports, at both sizes,
the median and p95 latency, the number of SQL queries and the response size.
It then measures the claim page served from the page cache and rendered
afresh against a plain Django view returning the same bytes, interleaved in
one run, and prints both throughput ratios.

Targets at the large size (issue 10): every page's median under 50 ms, p95
under 150 ms, no response over 300 KB, and the same query count at both
sizes. It exits 1 when any target is missed; --explain prints EXPLAIN ANALYZE
for the slowest query of each page that misses.
"""

import argparse
import os
import statistics
import sys
import time
import types
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kb_bench"
MEDIAN_MS, P95_MS, MAX_BYTES = 50, 150, 300 * 1024
# A page already this slow is timed three times, not `--runs` times; one ten
# times slower, once.
SLOW_PAGE_SECONDS = 10


# --- Databases ---------------------------------------------------------------------


def with_name(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def ensure_database(url, *, fresh):
    """Create the scratch database named in `url` if it is missing (drop it first with fresh). True if new."""
    import psycopg

    name = database_name(url)
    with psycopg.connect(with_name(url, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    return not exists


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "false"
    # The test settings: locmem cache, static files without collectstatic. The
    # page cache starts off; the cached-page measurement turns it on.
    os.environ["DJANGO_SETTINGS_MODULE"] = "kb.settings_test"
    import django

    django.setup()


def use_database(url):
    """Point Django's default connection at another scratch database (same server)."""
    from django.core.cache import cache
    from django.db import connection

    from articles.caching import bump_content_version

    connection.close()
    connection.settings_dict["NAME"] = database_name(url)
    # What the cache derived from the other database (caching.per_version) is not this one's.
    cache.clear()
    bump_content_version()


def warm_caches():
    """Fill the per-process caches a server fills on its first request, so no page's count includes them."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    # Cached per database alias, but the ids belong to whichever scratch database was read.
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_models(*apps.get_models())


def prepare(url, claims, log):
    """Migrate, load the fixtures, and make sure exactly `claims` generated claims are there."""
    from django.core.management import call_command

    from articles.models import Claim

    use_database(url)
    quiet = open(os.devnull, "w")  # noqa: SIM115
    call_command("migrate", verbosity=0)
    call_command("load_kb", verbosity=0, stdout=quiet)
    have = Claim.objects.filter(slug__startswith="gen--").count()
    if have == claims:
        if claims:
            log(f"reusing {database_name(url)}: {have} generated claims (--fresh rebuilds it)")
    else:
        if have:
            call_command("generate_kb", remove=True, stdout=quiet)
        if claims:
            log(f"generating {claims} claims in {database_name(url)} …")
            started = time.monotonic()
            call_command("generate_kb", claims=claims, verbosity=0, stdout=quiet)
            log(f"… done in {time.monotonic() - started:.0f} s")
    warm_caches()


# --- Pages -------------------------------------------------------------------------


def pages():
    """{name: URL} for every page in the registry (articles.pages), each at its heaviest.

    A detail page shows its heaviest object: the most cited article and claim,
    the actor most written about, the most used tag, the event with most
    claims. Lists are measured plain, with the registry's samples, and with
    the filters that are dearest at scale: a popular actor, a computed status.
    """
    from django.apps import apps
    from django.db.models import Count, Q
    from django.urls import reverse

    from articles.pages import READER_PAGES

    heaviest_by = {
        "articles.Event": "claims",
        "articles.Claim": "citations",
        "articles.Article": "citations",
        "articles.Actor": "claims_about",
        "taggit.Tag": "taggit_taggeditem_items",
    }
    # Of the tags, only those on articles, events and claims alike: a tag page has a list of
    # each, and one that is empty skips its queries, which would make the query counts of
    # the two sizes differ by which kinds the heaviest tag happens to carry.
    on_every_kind = {
        f"on_{model}": Count("taggit_taggeditem_items", filter=Q(taggit_taggeditem_items__content_type__model=model))
        for model in ("article", "event", "claim")
    }
    shapes = {"taggit.Tag": {f"{name}__gt": 0 for name in on_every_kind}}
    annotations = {"taggit.Tag": on_every_kind}
    heaviest = {
        label: apps.get_model(label)
        .objects.annotate(n=Count(counted), **annotations.get(label, {}))
        .filter(**shapes.get(label, {}))
        .order_by("-n", "slug")
        .first()
        .slug
        for label, counted in heaviest_by.items()
    }
    actor = heaviest["articles.Actor"]
    extra = {
        "timeline": {"popular actor": {"actor": actor}},
        "claims": {"popular actor": {"actor": actor}, "corroborated": {"status": "corroborated"}},
    }
    urls = {}
    for page in READER_PAGES:
        name = f"articles:{page.name}"
        if page.is_detail:
            urls[f"{page.name}, heaviest"] = reverse(name, args=[heaviest[page.slug_model]])
            continue
        urls[page.name] = reverse(name)
        for label, params in {**page.samples, **extra.get(page.name, {})}.items():
            query = "&".join(f"{key}={value}" for key, value in params.items())
            urls[f"{page.name}, {label}"] = f"{reverse(name)}?{query}"
    return urls


def keep_one_connection():
    # As Django's test runner does: one connection for the whole run, not one per request.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def measure(urls, runs, log):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    results = {}
    for name, url in urls.items():
        started = time.perf_counter()
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
        except Exception as error:  # e.g. a statement timeout: a miss to report, not a reason to stop
            results[name] = {"url": url, "error": f"{type(error).__name__}: {error}"[:300]}
            log(f"{name:26} failed: {results[name]['error']}")
            continue
        first = time.perf_counter() - started
        if response.status_code != 200:
            results[name] = {"url": url, "error": f"answered {response.status_code}"}
            log(f"{name:26} answered {response.status_code}")
            continue
        # Read the queries now: the next request resets the connection's log.
        captured = [(float(q["time"]), q["sql"]) for q in queries.captured_queries]
        timings, cpu = [], []
        repeats = 0 if first > SLOW_PAGE_SECONDS else 3 if first > SLOW_PAGE_SECONDS / 3 else runs
        if not repeats:  # one request already told: time that one
            timings, cpu = [first * 1000], [float("nan")]
        for _ in range(repeats):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        timings.sort()
        results[name] = {
            "url": url,
            "queries": len(captured),
            "slowest": max(captured, default=(0, "")),
            "bytes": len(response.content),
            "runs": len(timings),
            # The first request also fills what is kept once per content version (caching.per_version):
            # what the first reader after an edit waits.
            "first": first * 1000,
            "p50": statistics.median(timings),
            "p95": timings[min(len(timings) - 1, max(0, round(len(timings) * 0.95) - 1))],
            # Python's share, on this process's CPU: unlike wall time, other load barely moves it.
            "cpu": statistics.median(cpu),
        }
        row = results[name]
        log(f"{name:26} {row['p50']:9.1f} ms  {row['queries']:3} queries  (first request {row['first']:.1f} ms)")
    return results


def bare_view_ratios(url, rounds):
    """Throughput of the claim page, cached and uncached, relative to a plain view sending the same bytes.

    The three are requested in turn, round after round, so that whatever
    else the machine does weighs on all three alike.
    """
    from django.conf import settings
    from django.core.cache import cache
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import clear_url_caches, include, path

    client = Client()
    response = client.get(url)
    body, content_type = response.content, response["Content-Type"]

    def bare(request):
        return HttpResponse(body, content_type=content_type)

    urlconf = types.ModuleType("bench_urls")
    urlconf.urlpatterns = [path("bench-bare/", bare), path("", include(settings.ROOT_URLCONF))]
    sys.modules["bench_urls"] = urlconf
    original_urlconf, original_seconds = settings.ROOT_URLCONF, settings.PAGE_CACHE_SECONDS
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()
    cache.clear()
    totals = {"bare": 0.0, "cached": 0.0, "uncached": 0.0}
    try:
        for _ in range(rounds):
            for kind in totals:
                settings.PAGE_CACHE_SECONDS = 600 if kind == "cached" else 0
                started = time.perf_counter()
                served = client.get("/bench-bare/" if kind == "bare" else url)
                totals[kind] += time.perf_counter() - started
                assert served.content == body, f"the {kind} claim page differs from the page measured"
    finally:
        settings.ROOT_URLCONF, settings.PAGE_CACHE_SECONDS = original_urlconf, original_seconds
        clear_url_caches()
    per_request = {kind: total / rounds * 1000 for kind, total in totals.items()}
    return per_request, totals["bare"] / totals["cached"], totals["bare"] / totals["uncached"]


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


# --- Report ------------------------------------------------------------------------


def report(small, large, claims):
    failures = []
    header = (
        f"{'page':26} {'queries':>7} {'at ' + format(claims, ','):>10} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'CPU ms':>7} {'1st ms':>7} {'KB':>7}   {'shipped: p50':>12} {'CPU ms':>7} {'KB':>5}"
    )
    print(f"\n{header}\n{'-' * len(header)}")
    for name, big in large.items():
        s = small[name]
        if "error" in s or "error" in big:
            print(f"{name:26} {s.get('error') or big['error']}")
            failures.append((name, s.get("error") or big["error"]))
            continue
        print(
            f"{name:26} {s['queries']:7} {big['queries']:10} {big['p50']:8.1f} {big['p95']:8.1f} "
            f"{big['cpu']:7.1f} {big['first']:7.1f} {big['bytes'] / 1024:7.0f}   "
            f"{s['p50']:12.1f} {s['cpu']:7.1f} {s['bytes'] / 1024:5.0f}"
        )
        if big["queries"] != s["queries"]:
            failures.append((name, f"{s['queries']} queries at the shipped size, {big['queries']} with more data"))
        if big["p50"] >= MEDIAN_MS:
            failures.append((name, f"median {big['p50']:.0f} ms misses the {MEDIAN_MS} ms target"))
        if big["p95"] >= P95_MS:
            failures.append((name, f"p95 {big['p95']:.0f} ms misses the {P95_MS} ms target"))
        if big["bytes"] > MAX_BYTES:
            failures.append((name, f"{big['bytes'] / 1024:.0f} KB is over {MAX_BYTES // 1024} KB"))
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000, help="claims in the large database")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (fewer for very slow pages)")
    parser.add_argument("--rounds", type=int, default=300, help="rounds of the bare-view comparison")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild both scratch databases")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of each miss")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"BENCH_DATABASE_URL must be a PostgreSQL URL; got {url!r}.")
    small_url, large_url = url, with_name(url, f"{database_name(url)}_{args.claims}")

    def log(message):
        print(message, flush=True)

    log(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (timings are wall-clock)")
    for each in (small_url, large_url):
        if ensure_database(each, fresh=args.fresh):
            log(f"created database {database_name(each)}")
    setup_django(small_url)
    keep_one_connection()
    from django.conf import settings

    settings.PAGE_CACHE_SECONDS = 0
    prepare(small_url, 0, log)
    log(f"\nshipped size ({database_name(small_url)}), page cache off:")
    small = measure(pages(), args.runs, log)
    claim_url = small["claim, heaviest"]["url"]
    per_request, cached_ratio, uncached_ratio = bare_view_ratios(claim_url, args.rounds)

    prepare(large_url, args.claims, log)
    log(f"\n{args.claims:,} claims ({database_name(large_url)}), page cache off:")
    large = measure(pages(), args.runs, log)

    failures = report(small, large, args.claims)
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(
        f"\nClaim page {claim_url} at the shipped size, against a plain view sending the same bytes "
        f"({args.rounds} interleaved rounds):\n"
        f"  bare view {per_request['bare']:.2f} ms, cached {per_request['cached']:.2f} ms, "
        f"uncached {per_request['uncached']:.2f} ms per request\n"
        f"  throughput ratio, cached / bare:   {cached_ratio:.2f}  (target 0.9)\n"
        f"  throughput ratio, uncached / bare: {uncached_ratio:.3f}"
    )
    if failures:
        print("\nFAILED:")
        for name, why in failures:
            print(f"  {name} ({large[name]['url']}): {why}")
        if args.explain:
            for name in dict(failures):
                if "slowest" not in large[name]:
                    continue
                seconds, sql = large[name]["slowest"]
                print(f"\n== {name}: slowest query, {seconds * 1000:.0f} ms\n{sql[:2000]}\n{explain(sql)}")
        raise SystemExit(1)
    print("\nEvery page meets its targets, with query counts independent of data size.")


if __name__ == "__main__":
    main()
