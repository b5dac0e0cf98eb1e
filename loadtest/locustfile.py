"""Readers browsing every kind of page: what `make loadtest` drives (see loadtest/run.sh).

Each simulated reader picks a page type by weight and a random object of that
type; requests are named by page type ("/claims/[slug]/"), so the report gives
one latency row per kind of page rather than one per URL.

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


class Reader(FastHttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def page(self, path, name=None):
        self.client.get(path, name=name or path, headers=HEADERS)

    def detail(self, kind, prefix):
        if TARGETS[kind]:
            self.page(f"{prefix}{random.choice(TARGETS[kind])}/", name=f"{prefix}[slug]/")

    @task(4)
    def home(self):
        self.page("/")

    @task(3)
    def timeline(self):
        self.page("/timeline/")

    @task(2)
    def timeline_by_actor(self):
        actor = random.choice(TARGETS["timeline_actors"] or TARGETS["actors"])
        self.page(f"/timeline/?actor={actor}", name="/timeline/?actor=[slug]")

    @task(3)
    def event(self):
        self.detail("events", "/events/")

    @task(2)
    def claims(self):
        self.page("/claims/")

    @task(1)
    def claims_contested(self):
        self.page("/claims/?status=contested", name="/claims/?status=[status]")

    @task(2)
    def contested(self):
        self.page("/claims/contested/")

    @task(1)
    def grid(self):
        self.page("/claims/grid/")

    @task(5)
    def claim(self):
        self.detail("claims", "/claims/")

    @task(2)
    def articles(self):
        self.page("/articles/")

    @task(4)
    def article(self):
        self.detail("articles", "/articles/")

    @task(1)
    def actors(self):
        self.page("/actors/")

    @task(2)
    def actor(self):
        self.detail("actors", "/actors/")

    @task(1)
    def tag(self):
        self.detail("tags", "/tags/")

    @task(2)
    def search(self):
        word = random.choice(["Pyongyang", "Kim", "visit", "trade", "1950", "Hanoi", "nothing-matches-this"])
        self.page(f"/search/?q={word}", name="/search/?q=[word]")

    @task(1)
    def stylesheet(self):
        # Served by WhiteNoise from the manifest, as in production.
        self.page(TARGETS["stylesheet"], name="[static css]")
