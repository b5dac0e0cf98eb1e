"""Search, the contested page and the grid in a browser, at desktop and phone width."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.support import screenshot

pytestmark = [pytest.mark.browser]


def test_on_a_phone_the_search_page_has_one_search_box(phone_page, live_server, reader_kb):
    phone_page.goto(live_server.url + reverse("articles:search") + "?q=Tô+Lâm")
    expect(phone_page.locator("[role=search]")).to_have_count(1)
    expect(phone_page.locator("input[type=search]:visible")).to_have_count(1)
    expect(phone_page.locator("main mark").first).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "search-phone")
    assert phone_page.problems == []


def test_on_a_phone_the_grid_lists_each_claims_articles_by_name(phone_page, live_server, reader_kb):
    phone_page.goto(live_server.url + reverse("articles:grid"))
    first_row = phone_page.locator(".grid tbody tr").first
    # A card: the claim, then only the articles that cite it, each named; no "not mentioned" cells.
    expect(first_row.locator(".grid__source:visible").first).to_be_visible()
    expect(first_row.locator(".grid__cell--none:visible")).to_have_count(0)
    expect(phone_page.locator(".grid thead")).not_to_be_in_viewport()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "grid-phone")
    assert phone_page.problems == []


def test_on_a_desktop_the_grid_is_a_table_with_labelled_columns(page, live_server, reader_kb):
    page.goto(live_server.url + reverse("articles:grid"))
    expect(page.locator(".grid thead th.grid__article").first).to_be_visible()
    expect(page.locator(".grid__source:visible")).to_have_count(0)
    screenshot(page, "grid-desktop")
    assert page.problems == []


@pytest.mark.parametrize("fixture", ["page", "phone_page"])
def test_the_contested_page_fits_the_screen(request, live_server, reader_kb, fixture):
    browser_page = request.getfixturevalue(fixture)
    browser_page.goto(live_server.url + reverse("articles:contested"))
    expect(browser_page.locator("article.contested-claim").first).to_be_visible()
    width = browser_page.viewport_size["width"]
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(browser_page, f"contested-{'phone' if fixture == 'phone_page' else 'desktop'}")
    assert browser_page.problems == []
