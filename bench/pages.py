"""Benchmark every reader page: latency against targets, and constant query counts.

    make bench                 # or: .venv/bin/python bench/pages.py [--scale 10] [--runs 30]

Builds a scratch SQLite database with the shipped fixtures, measures each
page, then adds synthetic data (--scale times the shipped claims, articles and
events) and measures again. It fails (exit 1) when a page's query count grows
with the data, or when its p95 latency misses its target. Timings come from
Django's test client in one process, so they measure our code and the
database, not the network.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# p95 targets in milliseconds, per page, on the 2-core machines.
TARGETS_MS = {"default": 150, "agreement grid": 400, "timeline": 250}


def setup_django(database):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings_test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_kb", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def pages():
    from django.urls import reverse

    from articles.models import Actor, Article, Claim, Event

    claim = Claim.objects.contested().first()
    tag = claim.tags.first()
    return {
        "home": reverse("articles:home"),
        "timeline": reverse("articles:timeline"),
        "timeline filtered": reverse("articles:timeline") + "?actor=to-lam",
        "event": Event.objects.get(slug="to-lam-state-visit-north-korea-2025").get_absolute_url(),
        "claims list": reverse("articles:claims"),
        "claim": claim.get_absolute_url(),
        "contested": reverse("articles:contested"),
        "agreement grid": reverse("articles:grid"),
        "articles": reverse("articles:articles"),
        "article": Article.objects.get(slug="to-lam-visit-singapore-implications").get_absolute_url(),
        "actors": reverse("articles:actors"),
        "actor": Actor.objects.get(slug="to-lam").get_absolute_url(),
        "tag": reverse("articles:tag", args=[tag.slug]),
        "search": reverse("articles:search") + "?q=visit",
    }


def measure(urls, runs):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    results = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name} ({url}) answered {response.status_code}")
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        results[name] = {
            "queries": len(queries),
            "p50": statistics.median(timings),
            "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
        }
    return results


def grow(scale):
    """Add `scale` times the shipped claims, spread over new articles and events."""
    import datetime

    from articles.models import Article, Citation, Claim, Event, Participation, Stance

    actors = list(Article.objects.values_list("wire_id", flat=True).exclude(wire=None))
    base_claims = Claim.objects.count()
    sentence = "Synthetic sentence number {n} about the visit."
    for batch in range(scale):
        articles = Article.objects.bulk_create(
            Article(
                slug=f"bench-{batch}-{i}",
                title=f"Benchmark article {batch}-{i}",
                kind="news",
                body="\n\n".join(sentence.format(n=n) for n in range(20)),
                wire_id=actors[0] if i % 2 else None,
                published=datetime.date(2025, 10, 1 + i % 28),
            )
            for i in range(10)
        )
        events = Event.objects.bulk_create(
            Event(
                slug=f"bench-{batch}-{i}",
                title=f"Benchmark event {batch}-{i}",
                start=datetime.date(2000 + i, 1, 1),
                date_precision="year",
            )
            for i in range(5)
        )
        Participation.objects.bulk_create(
            Participation(event=event, actor_id=Article.objects.get(slug="bloomberg-rare-visit").wire_id, role="x")
            for event in events
        )
        claims = Claim.objects.bulk_create(
            Claim(slug=f"bench-{batch}-{i}", text=f"Benchmark claim {batch}-{i}.", event=events[i % 5])
            for i in range(base_claims)
        )
        citations = []
        for i, claim in enumerate(claims):
            for j in range(2):
                article = articles[(i + j) % 10]
                quote = sentence.format(n=(i + j) % 20)
                start = article.body.index(quote)
                citations.append(
                    Citation(
                        claim=claim,
                        article=article,
                        quote=quote,
                        start=start,
                        end=start + len(quote),
                        stance=Stance.SUPPORTS if j == 0 else Stance.DISPUTES if i % 7 == 0 else Stance.QUALIFIES,
                    )
                )
        Citation.objects.bulk_create(citations)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        setup_django(Path(scratch) / "bench.sqlite3")
        urls = pages()
        small = measure(urls, args.runs)
        grow(args.scale)
        large = measure(urls, args.runs)

    failures = []
    print(f"{'page':20} {'queries':>8} {'at x' + str(args.scale + 1):>8} {'p50 ms':>8} {'p95 ms':>8} {'target':>7}")
    for name in urls:
        target = TARGETS_MS.get(name, TARGETS_MS["default"])
        s, big = small[name], large[name]
        print(f"{name:20} {s['queries']:8} {big['queries']:8} {big['p50']:8.1f} {big['p95']:8.1f} {target:7}")
        if big["queries"] != s["queries"]:
            failures.append(f"{name}: {s['queries']} queries grew to {big['queries']} with more data")
        if big["p95"] > target:
            failures.append(f"{name}: p95 {big['p95']:.0f} ms misses the {target} ms target")
    if failures:
        print("\n".join(["", "FAILED:", *failures]))
        raise SystemExit(1)
    print("\nAll pages meet their targets, with query counts independent of data size.")


if __name__ == "__main__":
    main()
