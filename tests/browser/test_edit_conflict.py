"""Two editors in two browsers edit one article; the second, stale save is refused and nothing is lost.

Issue 9, "Editors' work is lost", item 2, in Chromium: alice and bob each open
the article in their own browser context (separate cookies, separate
sessions). Alice saves a new title. Bob, from his stale page, types a date
note and saves: refused, with the title alice saved beside the one his form
had, his date note still in the form and the new title taken into it. His
second save keeps both changes, and the History page shows both saves with
their change notes.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.support import WCAG_TAGS, open_page, screenshot, unexpected
from tests.factories import PASSWORD, make_admin, make_article

pytestmark = [pytest.mark.browser]

BODY = "To Lam arrived in Pyongyang on Thursday for a three-day state visit."


def report_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    context = {"include": [[".errorlist.nonfield"], [".field-change_note"]]}
    results = Axe().run(page, context=context, options=options)
    return [f"{v['id']}: {v['help']} at {n['target']}" for v in results.response["violations"] for n in v["nodes"]]


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def test_two_editors_in_two_browsers_keep_both_changes(browser, live_server, bob):
    make_admin()
    article = make_article(BODY, title="Arrival", slug="arrival")
    url = live_server.url + reverse("admin:articles_article_change", args=[article.pk])
    alice_page, bob_page = open_page(browser), open_page(browser)
    try:
        sign_in(alice_page, live_server, "alice")
        sign_in(bob_page, live_server, "bob")
        alice_page.goto(url)
        bob_page.goto(url)

        alice_page.fill("#id_title", "Arrival in Pyongyang")
        alice_page.fill("#id_change_note", "A fuller title")
        alice_page.click("input[name=_continue]")
        expect(alice_page.locator(".messagelist .success")).to_contain_text("was changed successfully")

        bob_page.fill("#id_date_note", "Dated by the wire’s timestamp.")
        bob_page.fill("#id_change_note", "Date source")
        bob_page.click("input[name=_continue]")
        conflict = bob_page.locator(".errorlist.nonfield")
        expect(conflict).to_contain_text("Someone saved this article after you opened the form")
        expect(conflict).to_contain_text("alice: “A fuller title”")
        row = conflict.locator("table.edit-conflict tbody tr", has_text="Title")
        expect(row.locator("td.saved")).to_have_text("Arrival in Pyongyang")
        expect(row.locator("td.yours")).to_have_text("Arrival")
        expect(bob_page.locator("#id_date_note")).to_have_value("Dated by the wire’s timestamp.")
        expect(bob_page.locator("#id_change_note")).to_have_value("Date source")
        expect(bob_page.locator("#id_title")).to_have_value("Arrival in Pyongyang")
        screenshot(bob_page, "edit-conflict-refused")
        # The report and the note field meet WCAG 2.1 AA (the admin's own select2 widgets do not, so
        # the check covers what this feature adds).
        assert unexpected(bob_page.problems) == [], "console errors or CSP violations"
        assert report_violations(bob_page) == []
        bob_page.problems.clear()  # axe injects its own styles, which the CSP rightly refuses
        article.refresh_from_db()
        assert (article.title, article.date_note) == ("Arrival in Pyongyang", "")

        bob_page.click("input[name=_continue]")
        expect(bob_page.locator(".messagelist .success")).to_contain_text("was changed successfully")
        article = Article.objects.get(pk=article.pk)
        assert (article.title, article.date_note) == ("Arrival in Pyongyang", "Dated by the wire’s timestamp.")

        bob_page.locator("a.historylink").click()
        history = bob_page.locator("#change-history")
        expect(history.locator("tbody tr").nth(0)).to_contain_text("Date source")
        expect(history.locator("tbody tr").nth(0)).to_contain_text("bob")
        expect(history.locator("tbody tr").nth(1)).to_contain_text("A fuller title")
        expect(history.locator("tbody tr").nth(1)).to_contain_text("alice")
        screenshot(bob_page, "edit-conflict-history")
        assert unexpected(alice_page.problems + bob_page.problems) == [], "console errors or CSP violations"
    finally:
        alice_page.context.close()
        bob_page.context.close()
