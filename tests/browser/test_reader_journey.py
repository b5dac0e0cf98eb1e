"""A reader goes from the home page to the exact words a claim rests on.

home → timeline → filter by actor → event → claim → the quote's link →
the article, scrolled to the highlighted quote. Every step is a click on a
link or a form the page offers, as a reader would; the URLs are only checked.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.support import screenshot

pytestmark = [pytest.mark.browser]


def test_a_reader_follows_a_claim_from_the_timeline_to_the_words_of_its_source(page, live_server, reader_kb):
    visit, ties, greeted = reader_kb["visit"], reader_kb["ties"], reader_kb["greeted"]
    citation = greeted.citations.get()
    quote_href = f"{reader_kb['arrival'].get_absolute_url()}#cite-{citation.pk}"

    page.goto(live_server.url + reverse("articles:home"))
    screenshot(page, "reader-1-home")

    page.locator(f"a[href='{reverse('articles:timeline')}']").first.click()
    expect(page).to_have_url(re.compile(r"/timeline/$"))
    expect(page.locator(f"a[href='{ties.get_absolute_url()}']").first).to_be_visible()

    # The actor filter is a GET form with a text box: typing Kim Jong Un's name leaves only his events.
    actor = page.locator("input[name=actor]")
    actor.fill("Kim Jong Un")
    actor.locator("xpath=ancestor::form").locator("button[type=submit], input[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/timeline/\?(.*&)?actor=kim-jong-un"))
    expect(page.locator(f"a[href='{ties.get_absolute_url()}']")).to_have_count(0)
    screenshot(page, "reader-2-timeline-filtered")

    page.locator(f"a[href='{visit.get_absolute_url()}']").first.click()
    expect(page).to_have_url(re.compile(re.escape(visit.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_contain_text(visit.title)
    screenshot(page, "reader-3-event")

    page.locator(f"a[href='{greeted.get_absolute_url()}']").first.click()
    expect(page).to_have_url(re.compile(re.escape(greeted.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_contain_text("Kim Jong Un greeted To Lam")
    screenshot(page, "reader-4-claim")

    page.locator(f"a[href='{quote_href}']").first.click()
    expect(page).to_have_url(re.compile(re.escape(quote_href) + "$"))
    mark = page.locator(f"#cite-{citation.pk}")
    expect(mark).to_contain_text("He was greeted at the airport by Kim Jong Un.")
    expect(mark).to_be_in_viewport()
    screenshot(page, "reader-5-article-at-quote")

    assert page.problems == [], "console errors or CSP violations on the way"


def test_on_a_phone_the_quote_link_also_lands_on_the_highlight(phone_page, live_server, reader_kb):
    # Long articles on a narrow screen: the mark must still be scrolled into view.
    citation = reader_kb["greeted"].citations.get()
    phone_page.goto(live_server.url + reader_kb["greeted"].get_absolute_url())
    phone_page.locator(f"a[href$='#cite-{citation.pk}']").first.click()
    expect(phone_page.locator(f"#cite-{citation.pk}")).to_be_in_viewport()
    screenshot(phone_page, "reader-phone-article-at-quote")
    assert phone_page.problems == []
