"""Bob at the workbench: reads an article, cites what he selects, fixes a misquote, adds an article from text.

Real selections in a real Chromium under the site's Content-Security-Policy:
the Cite button comes from static/js/admin-cite.js, and its UTF-16 positions
must land on the right characters past an emoji and Vietnamese diacritics.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article, Citation, Claim
from tests.browser.support import axe_violations, screenshot, unexpected
from tests.factories import PASSWORD, make_article, make_claim

pytestmark = [pytest.mark.browser]

# An emoji is two UTF-16 units and one code point; "Tô Lâm" has precomposed letters.
BODY = (
    "Crowds waved flags 🇻🇳🎉 as Tô Lâm arrived in Pyongyang on Thursday.\n\n"
    "He was greeted at the airport by Kim Jong Un, who called the visit “historic”. "
    "The two leaders held talks on trade."
)
SECOND = "He was greeted at the airport by Kim Jong Un, who called the visit “historic”."


def sign_in(page, live_server):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def select_in_sentence(page, index, text):
    """Select `text` inside the index-th sentence of the reading view, as a mouse would."""
    page.evaluate(
        """([index, wanted]) => {
            const sentence = document.querySelectorAll('.reading-prose .sentence')[index];
            const walker = document.createTreeWalker(sentence, NodeFilter.SHOW_TEXT);
            let whole = '', nodes = [];
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                nodes.push([n, whole.length]);
                whole += n.data;
            }
            const from = whole.indexOf(wanted), to = from + wanted.length;
            const at = (offset) => {
                for (let i = nodes.length - 1; i >= 0; i--) {
                    if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
                }
            };
            const range = document.createRange();
            range.setStart(...at(from)); range.setEnd(...at(to));
            const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
        }""",
        [index, text],
    )


def choose_in_autocomplete(page, select_id, search, option_text):
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    # Each request must finish before the next starts: the live server's request threads share one
    # in-memory SQLite connection, and a search still running when the form is posted fails with
    # "database table is locked". So wait for the unfiltered list, then for the filtered one.
    page.wait_for_load_state("networkidle")
    with page.expect_response(lambda response: "/autocomplete/" in response.url and "term=" in response.url):
        page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option_text).first.click()


def test_an_editor_selects_a_passage_after_an_emoji_and_cites_it_into_an_existing_claim(page, live_server, bob):
    article = make_article(BODY, title="Lam in Pyongyang")
    claim = make_claim("To Lam arrived in Pyongyang on Thursday.", slug="arrived")
    sign_in(page, live_server)

    page.goto(live_server.url + reverse("admin:articles_article_changelist"))
    page.get_by_role("link", name="Read and cite “Lam in Pyongyang”").click()
    expect(page.locator("h1")).to_contain_text("Read and cite")
    page.wait_for_load_state("load")  # the deferred script listens from here on
    expect(page.locator("#cite-bar")).to_be_hidden()
    assert axe_violations(page) == []

    select_in_sentence(page, 0, "Tô Lâm arrived in Pyongyang")
    expect(page.locator("#cite-bar")).to_be_visible()
    expect(page.locator("#cite-bar-selection")).to_have_text("Selected: “Tô Lâm arrived in Pyongyang”")
    screenshot(page, "workbench-1-selection")
    page.click("#cite-bar-button")

    expect(page.locator("#id_quote")).to_have_value("Tô Lâm arrived in Pyongyang")
    expect(page.locator(".cite-passage mark")).to_have_text("Tô Lâm arrived in Pyongyang")
    choose_in_autocomplete(page, "id_claim", "arrived", "To Lam arrived in Pyongyang")
    page.fill("#id_change_note", "First-hand report of the arrival")
    screenshot(page, "workbench-2-cite-form")
    page.click("input[name=_save].default")

    expect(page.locator(".messagelist .success")).to_contain_text("Cited “Tô Lâm arrived in Pyongyang”")
    citation = Citation.objects.get(claim=claim, article=article)
    assert BODY[citation.start : citation.end] == "Tô Lâm arrived in Pyongyang"
    expect(page.locator(f"#{citation.anchor_id}")).to_contain_text("Tô Lâm arrived in Pyongyang")
    screenshot(page, "workbench-3-cited")
    assert page.problems == []


def test_an_editor_fixes_a_misquote_with_the_one_click_passage(page, live_server, bob):
    article = make_article(BODY, title="Lam in Pyongyang")
    claim = make_claim("Kim Jong Un called the visit historic.", slug="historic")
    sign_in(page, live_server)
    page.goto(live_server.url + reverse("admin:articles_article_read", args=[article.pk]))

    # Without the script's help: the second sentence's own "cite" link.
    page.locator(".reading-prose .cite-sentence").nth(1).click()
    expect(page.locator("#id_quote")).to_have_value(SECOND)
    page.fill("#id_quote", SECOND.replace("“", '"').replace("”", '"'))
    choose_in_autocomplete(page, "id_claim", "historic", "Kim Jong Un called the visit historic.")
    page.check("input[name=stance][value=supports]")
    page.fill("#id_change_note", "Kim's words")
    page.click("input[name=_save].default")

    expect(page.locator(".misquote")).to_be_visible()
    expect(page.locator(".misquote-differences")).to_contain_text("U+0022 QUOTATION MARK")
    expect(page.locator(".misquote-differences")).to_contain_text("U+201C LEFT DOUBLE QUOTATION MARK")
    expect(page.locator(".misquote mark.misquote-diff").first).to_have_text('"')
    screenshot(page, "workbench-4-misquote")
    page.get_by_role("button", name="Use the passage from the article").click()

    expect(page.locator(".messagelist .success")).to_contain_text("Cited")
    citation = Citation.objects.get(claim=claim, article=article)
    assert citation.quote == SECOND and citation.anchored
    # The change note typed before the refusal was kept.
    from reversion.models import Version

    assert Version.objects.get_for_object(claim).latest("pk").revision.comment == "Kim's words"
    assert unexpected(page.problems) == []


PASTED = (
    "Skip to main content\n"
    "Advertisement\n"
    "World\n"
    "Lam meets Kim in Pyongyang\n"
    "Share this article\n"
    "Tô Lâm and Kim Jong Un at the airport in Pyongyang on Oct 9, 2025. (Photo: Reuters/Jane Doe)\n"
    "PYONGYANG: Vietnam’s party chief To Lam arrived in North Korea on Thursday for a three-day visit. "
    "It is the first such trip in 18 years. Kim Jong Un greeted him at the airport.\n"
    "\n"
    "The two leaders agreed to expand trade, officials said.\n"
    "Advertisement\n"
    "Related stories\n"
    "Markets rally as rates hold\n"
    "Storm hits the coast\n"
)


def test_an_editor_adds_an_article_from_text_and_cites_three_sentences_without_retyping(page, live_server, bob):
    arrived = make_claim("To Lam arrived in North Korea on Thursday.", slug="arrived")
    greeted = make_claim("Kim Jong Un greeted To Lam at the airport.", slug="greeted")
    trade = make_claim("The two countries agreed to expand trade.", slug="trade")
    sign_in(page, live_server)

    page.goto(live_server.url + reverse("admin:articles_article_changelist"))
    page.get_by_role("link", name="Add article from text").click()
    page.fill("#id_text", PASTED)
    page.select_option("#id_kind", "news")
    page.click("input[name=_suggest]")

    expect(page.locator("#id_title")).to_have_value("Lam meets Kim in Pyongyang")
    rows = page.locator(".from-text-lines tbody tr")
    expect(rows.filter(has_text="Advertisement").first.locator("input[name=removed]")).to_be_checked()
    expect(rows.filter(has_text="Storm hits the coast").locator("input[name=removed]")).to_be_checked()
    expect(rows.filter(has_text="(Photo: Reuters").locator("input[name=captions]")).to_be_checked()
    expect(rows.filter(has_text="PYONGYANG:").locator("input[name=removed]")).not_to_be_checked()
    screenshot(page, "workbench-5-from-text-lines")
    page.fill("#id_change_note", "Pasted from the wire")
    page.click("input[name=_create].default")

    expect(page.locator(".messagelist .success")).to_contain_text("Added “Lam meets Kim in Pyongyang”")
    article = Article.objects.get(title="Lam meets Kim in Pyongyang")
    assert article.body == (
        "PYONGYANG: Vietnam’s party chief To Lam arrived in North Korea on Thursday for a three-day visit. "
        "It is the first such trip in 18 years. Kim Jong Un greeted him at the airport.\n"
        "\n"
        "The two leaders agreed to expand trade, officials said.\n"
    )
    assert article.captions == (
        "Tô Lâm and Kim Jong Un at the airport in Pyongyang on Oct 9, 2025. (Photo: Reuters/Jane Doe)"
    )

    # Three sentences into three existing claims, each by selecting it: no second tab, nothing typed but searches.
    page.wait_for_load_state("load")
    for index, words, claim in [
        (0, "To Lam arrived in North Korea on Thursday", arrived),
        (2, "Kim Jong Un greeted him at the airport.", greeted),
        (3, "The two leaders agreed to expand trade", trade),
    ]:
        expect(page).to_have_url(re.compile(r"/read/"))
        page.wait_for_load_state("load")
        select_in_sentence(page, index, words)
        page.click("#cite-bar-button")
        expect(page.locator("#id_quote")).to_have_value(words)
        choose_in_autocomplete(page, "id_claim", claim.text.split()[-2], claim.text)
        page.click("input[name=_save].default")
        expect(page.locator(".messagelist .success")).to_contain_text("Cited")
    screenshot(page, "workbench-6-three-cited")
    for claim in (arrived, greeted, trade):
        citation = Citation.objects.get(claim=claim, article=article)
        assert citation.anchored and article.body[citation.start : citation.end] == citation.quote
        assert Claim.objects.get(pk=claim.pk).status == "single-source"
    assert page.problems == []


def test_without_javascript_an_editor_cites_a_sentence_through_its_link_and_a_claim_search(browser, live_server, bob):
    from tests.browser.support import DESKTOP

    article = make_article(BODY, title="Lam in Pyongyang")
    claim = make_claim("Kim Jong Un called the visit historic.", slug="historic")
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(live_server.url + reverse("admin:articles_article_read", args=[article.pk]))
        expect(page.locator("#cite-bar")).to_be_hidden()
        page.locator(".reading-prose .cite-sentence").nth(1).click()
        expect(page.locator("#id_quote")).to_have_value(SECOND)
        page.fill("#id_claim_search", "historic")
        page.get_by_role("button", name="Find").click()
        expect(page.locator(".found-claims")).to_contain_text("Kim Jong Un called the visit historic.")
        expect(page.locator("#id_quote")).to_have_value(SECOND)
        screenshot(page, "workbench-7-no-javascript")
        page.get_by_role("button", name="Cite into this claim").click()
        expect(page.locator(".messagelist .success")).to_contain_text("Cited")
        citation = Citation.objects.get(claim=claim)
        assert citation.quote == SECOND and citation.anchored
    finally:
        context.close()
