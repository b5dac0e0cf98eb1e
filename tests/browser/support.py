"""What the browser tests share: where Chromium is, viewports, and the checks they run on a page."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: CI runs as root in a container. The rest stops Chromium's
# background calls to Google, which would only fail on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# Screenshots and reports land here (gitignored); CI can keep them as artifacts.
ARTIFACTS = ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require(present, reason):
    """Skip when a tool is missing on a laptop; fail when it is missing under CI."""
    if present:
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} CI is set, so this test must run.", pytrace=False)
    pytest.skip(reason)


def open_page(browser, viewport=DESKTOP):
    """A page in a fresh context that records console errors and uncaught exceptions.

    CSP violations arrive as console errors ("Refused to execute inline
    script…"), so `page.problems` staying empty means the policy and the pages agree.
    """
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and page.problems.append(f"{message.text} [{message.location.get('url')} on {page.url}]")
        ),
    )
    page.on("pageerror", lambda error: page.problems.append(f"uncaught: {error}"))
    return page


def unexpected(problems):
    """Console errors other than Chromium's note of a refused form's 400 (a refusal is a 400, by design)."""
    return [p for p in problems if "status of 400" not in p]


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def axe_violations(page):
    """WCAG 2.1 A and AA violations on the page, one readable line per rule and element."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def vnu_jar():
    """The Nu HTML Checker that `make browsers` installs from package.json, or None."""
    candidates = [
        os.environ.get("VNU_JAR"),
        ROOT / ".venv/node/node_modules/vnu-jar/build/dist/vnu.jar",
        ROOT / "node_modules/vnu-jar/build/dist/vnu.jar",
    ]
    return next((Path(c) for c in candidates if c and Path(c).exists()), None)


def build_reader_kb():
    """A small knowledge base with every kind of page and claim status a reader meets.

    Two events (one with Kim Jong Un, one without, for the actor filter),
    three articles from two independent sources (a Reuters wire and Tuoi
    Tre), and claims that are corroborated, contested and single-source.
    """
    from tests.factories import make_actor, make_article, make_claim, make_event

    lam = make_actor("To Lam", slug="to-lam", aliases=["Tô Lâm"], description="General Secretary")
    kim = make_actor("Kim Jong Un", slug="kim-jong-un", description="Leader of North Korea")
    vietnam = make_actor("Vietnam", slug="vietnam", kind="state", aliases=["Hanoi"])
    reuters = make_actor("Reuters", slug="reuters", kind="outlet")
    tuoi_tre = make_actor("Tuoi Tre", slug="tuoi-tre", kind="outlet")
    arrival = make_article(
        "To Lam arrived in Pyongyang on Thursday for a three-day state visit.\n\n"
        "He was greeted at the airport by Kim Jong Un. The two leaders held talks on trade.\n\n"
        "Officials said the visit would last three days.",
        title="To Lam arrives in Pyongyang",
        slug="to-lam-arrives",
        wire=reuters,
        tags=["state-visit", "diplomacy"],
    )
    report = make_article(
        "The General Secretary landed in Pyongyang on Thursday.\n\n"
        "Some observers said the visit would be cut to two days.",
        title="A visit watched closely",
        slug="visit-watched",
        publisher=tuoi_tre,
        authors=[lam],
        tags=["diplomacy"],
    )
    history = make_article(
        "Vietnam and North Korea established relations in 1950.",
        title="Seventy-five years of ties",
        slug="seventy-five-years",
        publisher=tuoi_tre,
        tags=["history"],
    )
    visit = make_event(
        "To Lam's state visit to North Korea",
        slug="state-visit",
        description="A three-day state visit.",
        participants=[(lam, "visitor"), (kim, "host")],
        tags=["state-visit"],
    )
    ties = make_event(
        "Diplomatic relations established",
        slug="relations-established",
        start=datetime.date(1950, 1, 1),
        date_precision="year",
        participants=[(vietnam, "recognised state")],
        tags=["history"],
    )
    arrived = make_claim(
        "To Lam arrived in Pyongyang on Thursday.",
        slug="arrived-thursday",
        claimant=None,
        subjects=[lam],
        event=visit,
        tags=["state-visit"],
        citations=[
            (arrival, "To Lam arrived in Pyongyang on Thursday"),
            (report, "The General Secretary landed in Pyongyang on Thursday."),
        ],
    )
    length = make_claim(
        "The visit lasted three days.",
        slug="three-days",
        subjects=[lam],
        event=visit,
        citations=[
            (arrival, "Officials said the visit would last three days."),
            (report, "Some observers said the visit would be cut to two days.", "disputes"),
        ],
    )
    greeted = make_claim(
        "Kim Jong Un greeted To Lam at the airport.",
        slug="greeted-at-airport",
        claimant=kim,
        subjects=[lam, kim],
        event=visit,
        citations=[(arrival, "He was greeted at the airport by Kim Jong Un.")],
    )
    since_1950 = make_claim(
        "Relations date from 1950.",
        slug="since-1950",
        event=ties,
        citations=[(history, "Vietnam and North Korea established relations in 1950.")],
    )
    return {
        "actors": [lam, kim, vietnam, reuters, tuoi_tre],
        "articles": [arrival, report, history],
        "events": [visit, ties],
        "claims": [arrived, length, greeted, since_1950],
        "lam": lam,
        "kim": kim,
        "arrival": arrival,
        "visit": visit,
        "ties": ties,
        "greeted": greeted,
    }


def reader_pages(kb):
    """(name, path) for one page of each kind, with real content on it."""
    return [
        ("home", reverse("articles:home")),
        ("timeline", reverse("articles:timeline")),
        ("timeline-filtered", f"{reverse('articles:timeline')}?actor=kim-jong-un"),
        ("event", kb["visit"].get_absolute_url()),
        ("claims", reverse("articles:claims")),
        ("contested", reverse("articles:contested")),
        ("grid", reverse("articles:grid")),
        ("claim", kb["greeted"].get_absolute_url()),
        ("claim-history", reverse("articles:claim_history", args=[kb["greeted"].slug])),
        ("articles", reverse("articles:articles")),
        ("article", kb["arrival"].get_absolute_url()),
        ("actors", reverse("articles:actors")),
        ("actor", kb["lam"].get_absolute_url()),
        ("tag", reverse("articles:tag", args=["state-visit"])),
        ("search", f"{reverse('articles:search')}?q=Pyongyang"),
    ]
