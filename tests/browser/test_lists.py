"""The list pages in a browser: results first on a phone, filter boxes that suggest names, clean URLs."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.support import screenshot

pytestmark = [pytest.mark.browser]

LISTS = ["claims", "articles", "actors", "tags"]


@pytest.mark.parametrize("name", LISTS)
def test_on_a_phone_the_first_result_starts_within_the_first_screen(phone_page, live_server, reader_kb, name):
    phone_page.goto(live_server.url + reverse(f"articles:{name}"))
    first = phone_page.locator("main li").filter(has=phone_page.locator("a")).first
    box = first.bounding_box()
    assert box is not None
    assert box["y"] + 20 < 844, f"the first result starts at {box['y']} px"
    if name != "tags":  # the tags list has no filters
        expect(phone_page.locator("details.filters-box")).not_to_have_attribute("open", "")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, f"list-{name}-phone")
    assert phone_page.problems == []


@pytest.mark.parametrize("name", LISTS)
def test_on_a_desktop_the_filters_start_open(page, live_server, reader_kb, name):
    page.goto(live_server.url + reverse(f"articles:{name}"))
    if name != "tags":
        expect(page.locator("details.filters-box")).to_have_attribute("open", "")
    screenshot(page, f"list-{name}-desktop")
    assert page.problems == []


def test_typing_in_a_filter_box_suggests_names_and_submitting_a_name_lands_on_a_clean_url(page, live_server, reader_kb):
    page.goto(live_server.url + reverse("articles:claims"))
    actor = page.locator("input[name=actor]")
    actor.press_sequentially("Kim", delay=50)
    expect(page.locator("#actor-suggestions option[value='kim-jong-un']")).to_have_count(1)
    # The other boxes stay empty: the form submits them, and the server drops them from the URL.
    actor.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/claims/\?actor=kim-jong-un$"))
    expect(page.locator(".chip")).to_have_text(re.compile(r"Actor: Kim Jong Un"))
    screenshot(page, "list-claims-filtered-desktop")
    assert page.problems == []


@pytest.mark.parametrize("name", ["actor", "tag"])
def test_detail_pages_fit_a_phone(phone_page, live_server, reader_kb, name):
    url = (
        reverse("articles:actor", args=["to-lam"]) if name == "actor" else reverse("articles:tag", args=["state-visit"])
    )
    phone_page.goto(live_server.url + url)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, f"list-{name}-detail-phone")
