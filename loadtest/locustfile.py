"""Readers browsing every kind of page: what `make loadtest` drives (see loadtest/run.sh).

Each simulated reader picks a page from the registry of reader pages
(articles/pages.py, through targets.py) by its load weight, and a random
object for pages about one; requests are named by page type
("/claims/[slug]/"), so the report gives one latency row per kind of page.

The production server runs with HTTPS=true behind a pretend proxy
(BEHIND_PROXY=true), so every request says X-Forwarded-Proto: https, as a
TLS-terminating proxy would; without it the server would redirect to https.

Think time comes from LOADTEST_WAIT ("min-max" seconds, default "0-0"): with
none, each of the users keeps one request in flight, which measures capacity.
"""

import json
import os
import random

from locust import FastHttpUser, between, task

with open(os.environ.get("LOADTEST_TARGETS", "loadtest/targets.json"), encoding="utf-8") as handle:
    TARGETS = json.load(handle)

WAIT_MIN, WAIT_MAX = (float(part) for part in os.environ.get("LOADTEST_WAIT", "0-0").split("-"))
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "en"}


PAGES = [page for page in TARGETS["pages"] if page.get("slugs", [None])]
WEIGHTS = [page["weight"] for page in PAGES]


class Reader(FastHttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    @task(40)
    def reader_page(self):
        # Every page of the registry (articles/pages.py), by its load weight.
        page = random.choices(PAGES, weights=WEIGHTS)[0]
        url = page["url"].format(slug=random.choice(page["slugs"])) if "slugs" in page else page["url"]
        self.client.get(url, name=page["name"], headers=HEADERS)

    @task(1)
    def stylesheet(self):
        # Served by WhiteNoise from the manifest, as in production.
        self.client.get(TARGETS["stylesheet"], name="[static css]", headers=HEADERS)
