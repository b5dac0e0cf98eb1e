"""Bob the editor adds a source and a claim quoting it, in the admin, with the admin's own JavaScript.

It runs under the site's Content-Security-Policy, so it also proves that the
admin's scripts (slug prepopulation, autocomplete) work without 'unsafe-inline'.
Steps: sign in → add an article (slug fills itself) → add a claim whose
citation misquotes it (refused, nearest passage named) → fix the quote → view
the claim on the site → edit the article so the quote disappears (warned) →
revert that edit from History → try to delete the article (refused, the
citation named).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from reversion.models import Version

from articles.models import Article, Citation, Claim
from tests.browser.support import screenshot, unexpected
from tests.factories import PASSWORD, make_actor

pytestmark = [pytest.mark.browser]

BODY = (
    "To Lam arrived in Pyongyang on Thursday for a three-day state visit.\n\n"
    "He was greeted at the airport by Kim Jong Un, who called the visit “historic”."
)
QUOTE = "He was greeted at the airport by Kim Jong Un, who called the visit “historic”."
# Straight quotes where the article has curly ones: the commonest copying slip.
MISQUOTE = 'He was greeted at the airport by Kim Jong Un, who called the visit "historic".'


def choose_in_autocomplete(page, select_id, search, option_text):
    """Pick an option in one of the admin's select2 autocomplete widgets."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option_text).first.click()


def test_an_editor_adds_a_source_and_a_claim_then_corrects_and_reverts(page, live_server, bob):
    make_actor("Reuters", slug="reuters", kind="outlet")
    admin = live_server.url + "/admin/"

    # Sign in.
    page.goto(admin)
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    screenshot(page, "editor-1-admin-index")

    # Add the article; the admin's prepopulate script writes the slug.
    page.goto(live_server.url + reverse("admin:articles_article_add"))
    # Typed key by key: prepopulate.js listens for keyup, which fill() never sends.
    page.locator("#id_title").press_sequentially("To Lam lands in Pyongyang")
    expect(page.locator("#id_slug")).to_have_value("to-lam-lands-in-pyongyang")
    page.select_option("#id_kind", "news")
    choose_in_autocomplete(page, "id_wire", "Reut", "Reuters")
    page.fill("#id_published", "2025-10-09")
    page.fill("#id_body", BODY)
    page.fill("#id_tags", "state-visit, diplomacy")
    screenshot(page, "editor-2-article-form")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    article = Article.objects.get(slug="to-lam-lands-in-pyongyang")
    assert article.wire.slug == "reuters"

    # Add a claim whose citation misquotes the article: refused, with the nearest passage.
    page.goto(live_server.url + reverse("admin:articles_claim_add"))
    page.locator("#id_text").press_sequentially("Kim Jong Un called the visit historic.")
    expect(page.locator("#id_slug")).to_have_value("kim-jong-un-called-the-visit-historic")
    choose_in_autocomplete(page, "id_citations-0-article", "lands", "To Lam lands in Pyongyang")
    page.fill("#id_citations-0-quote", MISQUOTE)
    page.click("input[name=_save]")
    errors = page.locator(".errorlist")
    expect(errors.first).to_contain_text("does not occur word for word")
    expect(errors.first).to_contain_text("The nearest passage is")
    screenshot(page, "editor-3-misquote-refused")

    page.fill("#id_citations-0-quote", QUOTE)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    claim = Claim.objects.get(slug="kim-jong-un-called-the-visit-historic")
    citation = Citation.objects.get(claim=claim)
    article.refresh_from_db()
    assert citation.anchored and article.body[citation.start : citation.end] == QUOTE
    # Browsers post textareas with CRLF line ends; compare text, not bytes.
    submitted_body = article.body

    # "View on site" leads to the public claim page.
    page.locator("a.viewsitelink").click()
    expect(page).to_have_url(re.compile(re.escape(claim.get_absolute_url()) + "$"))
    expect(page.locator("body")).to_contain_text("Kim Jong Un called the visit historic.")
    screenshot(page, "editor-4-claim-on-site")

    # Rewriting the article so the quote is gone: saved, but the lost quote is flagged.
    page.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    page.fill("#id_body", "To Lam arrived in Pyongyang on Thursday.")
    page.click("input[name=_continue]")
    warning = page.locator(".messagelist .warning")
    expect(warning).to_contain_text("no longer occur in the body")
    expect(warning.locator("a")).to_have_attribute(
        "href", reverse("admin:articles_citation_change", args=[citation.pk])
    )
    screenshot(page, "editor-5-quote-lost-warning")

    # History shows bob's edit; reverting to the first version puts the body back.
    page.locator("a.historylink").click()
    expect(page.locator("#change-history")).to_contain_text("bob")
    screenshot(page, "editor-6-history")
    first_version = Version.objects.get_for_object(article).order_by("pk").first()
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, first_version.pk])
    page.locator(f"a[href$='{revision_url}']").click()
    page.locator("input[type=submit][name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    article.refresh_from_db()
    assert article.body == submitted_body

    # Deleting the article is refused while the claim cites it, and the page says what depends on it.
    page.goto(live_server.url + reverse("admin:articles_article_delete", args=[article.pk]))
    expect(page.locator("h1")).to_contain_text("Cannot delete article")
    expect(page.locator("#content")).to_contain_text("He was greeted at the airport")
    screenshot(page, "editor-7-delete-refused")
    assert Article.objects.filter(pk=article.pk).exists()

    assert unexpected(page.problems) == [], "console errors or CSP violations in the admin"


def test_the_admin_works_on_a_phone(phone_page, live_server, bob):
    phone_page.goto(live_server.url + reverse("admin:login"))
    phone_page.fill("#id_username", "bob")
    phone_page.fill("#id_password", PASSWORD)
    phone_page.click("input[type=submit]")
    phone_page.goto(live_server.url + reverse("admin:articles_article_add"))
    expect(phone_page.locator("#id_title")).to_be_visible()
    screenshot(phone_page, "editor-phone-article-form")
    assert phone_page.problems == []
