"""Bob accepts two suggested citations in a new article's reading view, and the claims' public pages change.

The shipped knowledge base is loaded; the new article restates one of its
claims and contradicts another. Bob accepts the first suggestion as it is
(supports) and the second with the stance it suggests (disputes), each with
one click, and a reader then sees the first claim corroborated and the
second contested, the new article's words on the disputing side.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Claim
from tests.browser.support import axe_violations, screenshot
from tests.browser.test_workbench_journey import sign_in
from tests.factories import make_article

pytestmark = [pytest.mark.browser]

DISPUTING = "Some 200 North Korean personnel served with North Vietnam's air force in the conflict."
SUPPORTING = "Vietnam launched its Doi Moi reforms in 1986, which opened the country to trade and growth."


def suggestion(page, quote, claim):
    """The suggestion card that offers `quote` for `claim`."""
    return (
        page.locator(".suggestion")
        .filter(has_text=quote)
        .filter(has=page.locator(f"a[href='{reverse('admin:articles_claim_change', args=[claim.pk])}']"))
    )


def test_an_editor_accepts_a_supporting_and_a_disputing_suggestion_and_the_claim_pages_change(page, live_server, bob):
    call_command("load_kb", stdout=io.StringIO())
    airmen = Claim.objects.get(slug="about-100-north-koreans-in-air-force")
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    article = make_article(f"{DISPUTING}\n\n{SUPPORTING}", title="The air war, revisited")

    page.goto(live_server.url + airmen.get_absolute_url())
    expect(page.locator(".claim-status")).to_contain_text("Single source")
    page.goto(live_server.url + reforms.get_absolute_url())
    expect(page.locator(".claim-status")).to_contain_text("Single source")

    sign_in(page, live_server)
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    page.get_by_role("link", name="Read and cite").click()
    expect(page.locator("#suggestions-heading")).to_contain_text("Suggested citations")
    screenshot(page, "suggestions-1-panel")
    assert axe_violations(page) == []

    disputing = suggestion(page, DISPUTING, airmen)
    expect(disputing.locator("input[name=stance][value=disputes]")).to_be_checked()
    expect(disputing).to_contain_text("“200 North Korean personnel” here, “100 North Korean personnel” in the claim")
    disputing.get_by_role("button", name="Cite").click()
    expect(page.locator(".messagelist .success")).to_contain_text("(status now: Contested)")

    supporting = suggestion(page, SUPPORTING, reforms)
    expect(supporting.locator("input[name=stance][value=supports]")).to_be_checked()
    supporting.get_by_role("button", name="Cite").click()
    expect(page.locator(".messagelist .success")).to_contain_text("(status now: Corroborated by 2 independent sources)")
    expect(suggestion(page, SUPPORTING, reforms)).to_have_count(0)
    screenshot(page, "suggestions-2-accepted")

    page.goto(live_server.url + airmen.get_absolute_url())
    expect(page.locator(".claim-status")).to_contain_text("Contested")
    expect(page.locator(".side--disputes")).to_contain_text(DISPUTING)
    page.goto(live_server.url + reforms.get_absolute_url())
    expect(page.locator(".claim-status")).to_contain_text("Corroborated by 2 independent sources")
    expect(page.locator(".side--supports")).to_contain_text(SUPPORTING)
    screenshot(page, "suggestions-3-claim-page")
    assert page.problems == []
