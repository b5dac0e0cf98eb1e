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
    os.environ["ALLOWED_HOSTS"] = "testserver"
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
    tag = measured_tag()
    return {
        "home": reverse("articles:home"),
        "timeline": reverse("articles:timeline"),
        "timeline filtered": reverse("articles:timeline") + "?actor=to-lam",
        "event": Event.objects.get(slug=MEASURED_EVENT).get_absolute_url(),
        "claims list": reverse("articles:claims"),
        "claim": claim.get_absolute_url(),
        "contested": reverse("articles:contested"),
        "agreement grid": reverse("articles:grid"),
        "articles": reverse("articles:articles"),
        "article": Article.objects.get(slug="to-lam-visit-singapore-implications").get_absolute_url(),
        "actors": reverse("articles:actors"),
        "actor": Actor.objects.get(slug=MEASURED_ACTOR).get_absolute_url(),
        "tag": reverse("articles:tag", args=[tag.slug]),
        "search": reverse("articles:search") + "?q=visit",
    }


MEASURED_ACTOR = "to-lam"
MEASURED_EVENT = "to-lam-state-visit-north-korea-2025"


def measured_tag():
    """The tag whose page is measured: the first tag of the first contested claim."""
    from articles.models import Claim

    return Claim.objects.contested().first().tags.first()


def measure(urls, runs):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # As Django's own test runner does: keep one connection for the whole run.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    results = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # Read the count now: every later request resets the connection's query log.
        query_count = len(queries)
        if response.status_code != 200:
            raise SystemExit(f"{name} ({url}) answered {response.status_code}")
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        results[name] = {
            "queries": query_count,
            "p50": statistics.median(timings),
            "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
        }
    return results


def grow(scale):
    """Add `scale` times the shipped claims, spread over new articles and events.

    The new rows also reach the pages measured above, so that every list
    there grows with the data: the measured actor makes, is the subject of,
    writes and takes part in some of them, some attest the measured event,
    and some carry the measured tag.
    """
    import datetime

    from django.contrib.contenttypes.models import ContentType
    from taggit.models import TaggedItem

    from articles.models import Actor, Article, Citation, Claim, Event, Participation, Stance

    actors = list(Article.objects.values_list("wire_id", flat=True).exclude(wire=None))
    actor = Actor.objects.get(slug=MEASURED_ACTOR)
    visit = Event.objects.get(slug=MEASURED_EVENT)
    tag = measured_tag()
    kinds = {model: ContentType.objects.get_for_model(model) for model in (Article, Claim, Event)}
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
        Article.authors.through.objects.bulk_create(
            Article.authors.through(article=article, actor=actor) for article in articles[::5]
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
        wire = Article.objects.get(slug="bloomberg-rare-visit").wire_id
        Participation.objects.bulk_create(
            [Participation(event=event, actor_id=wire, role="x") for event in events]
            + [Participation(event=event, actor=actor, role="visitor") for event in events]
        )
        claims = Claim.objects.bulk_create(
            Claim(
                slug=f"bench-{batch}-{i}",
                text=f"Benchmark claim {batch}-{i}.",
                event=visit if i % 16 == 0 else events[i % 5],
                claimant=actor if i % 4 == 0 else None,
            )
            for i in range(base_claims)
        )
        Claim.subjects.through.objects.bulk_create(
            Claim.subjects.through(claim=claim, actor=actor) for claim in claims[1::4]
        )
        TaggedItem.objects.bulk_create(
            [TaggedItem(tag=tag, content_type=kinds[Claim], object_id=claim.pk) for claim in claims[::3]]
            + [TaggedItem(tag=tag, content_type=kinds[Article], object_id=article.pk) for article in articles[::2]]
            + [TaggedItem(tag=tag, content_type=kinds[Event], object_id=event.pk) for event in events]
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
