"""Every change is kept, with who made it, and an editor can put an old version back.

django-simple-history records a version on each save; HistoryRequestMiddleware
fills in the user for saves made during a request. The admin's History page
lists versions, and opening one offers "Revert", which saves its values as a
new version (the bad one stays in the record).
"""

import datetime
from html.parser import HTMLParser

from django.test import TestCase
from django.urls import reverse
from taggit.forms import TagField
from taggit.utils import edit_string_for_tags

from articles.models import Citation, Claim
from tests.factories import make_admin, make_article, make_claim, make_editor, make_reader
from tests.test_permissions import article_form

BODY = "The delegation arrived in Pyongyang on Thursday. Talks lasted two days."
QUOTE = "Talks lasted two days."


class _HistoryTable(HTMLParser):
    """The rows of the admin History table, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self._in_table = [], None, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "change-history") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def history_rows(response):
    parser = _HistoryTable()
    parser.feed(response.content.decode())
    return parser.rows


def revert_form_data(response):
    """What the admin's revert page posts back: the old version's values, as shown."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, TagField):
            data[name] = edit_string_for_tags(value) if isinstance(value, list) else value or ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        elif value is not None:
            data[name] = value
    return data


class HistoryTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = make_admin()
        cls.bob = make_editor()
        cls.article = make_article(BODY, title="Arrival", slug="arrival", tags=["diplomacy"])
        cls.claim = make_claim("Talks took two days.", slug="two-days", citations=[(cls.article, QUOTE)])

    def setUp(self):
        self.client.force_login(self.bob)

    def edit_article(self, **changes):
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        fields = {"title": "Arrival", "slug": "arrival", "tags": "diplomacy", "body": BODY, **changes}
        response = self.client.post(url, article_form(**fields))
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.article.refresh_from_db()

    def revert_to(self, version):
        url = reverse("admin:articles_article_simple_history", args=[self.article.pk, version.history_id])
        page = self.client.get(url)
        self.assertContains(page, "Revert")
        response = self.client.post(url, revert_form_data(page))
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.article.refresh_from_db()
        return response


class ArticleHistoryTests(HistoryTestCase):
    def test_it_records_who_changed_an_article_in_the_admin(self):
        self.edit_article(title="Arrival in Pyongyang")
        latest = self.article.history.latest()
        self.assertEqual(latest.history_user, self.bob)
        self.assertEqual(latest.history_type, "~")
        self.assertEqual(latest.title, "Arrival in Pyongyang")

    def test_its_history_page_lists_the_change_with_who_made_it(self):
        self.edit_article(title="Arrival in Pyongyang")
        response = self.client.get(reverse("admin:articles_article_history", args=[self.article.pk]))
        self.assertContains(response, "Changed by")
        rows = history_rows(response)
        # Newest first: bob's change, then the creation (by no one: a factory made it).
        self.assertEqual(len(rows), 3, rows)  # header row + two versions
        self.assertIn("bob", rows[1])
        self.assertIn("Changed", rows[1])
        self.assertIn("Created", rows[2])

    def test_its_history_page_names_what_changed(self):
        self.edit_article(title="Arrival in Pyongyang")
        response = self.client.get(reverse("admin:articles_article_history", args=[self.article.pk]))
        self.assertContains(response, "Arrival in Pyongyang")
        self.assertContains(response, "title")

    def test_reverting_puts_the_old_title_and_body_back_as_a_new_version(self):
        original = self.article.history.latest()
        self.edit_article(title="Wrong title", body="Vandalised. " + BODY)
        self.revert_to(original)
        self.assertEqual(self.article.title, "Arrival")
        self.assertEqual(self.article.body, BODY)
        # Three versions: created, vandalised, reverted. Nothing is erased.
        versions = list(self.article.history.values_list("title", "history_user__username"))
        self.assertEqual(versions, [("Arrival", "bob"), ("Wrong title", "bob"), ("Arrival", None)])

    def test_reverting_is_recorded_in_the_admin_log(self):
        original = self.article.history.latest()
        self.edit_article(title="Wrong title")
        response = self.revert_to(original)
        self.assertRedirects(response, reverse("admin:articles_article_changelist"), fetch_redirect_response=False)
        page = self.client.get(reverse("admin:articles_article_history", args=[self.article.pk]))
        self.assertEqual(len(history_rows(page)), 4)

    def test_reverting_a_body_finds_the_quotes_again(self):
        # An edit that drops the quoted sentence flags its citation; putting the
        # old body back must re-anchor it, or the page would keep the stale flag.
        original = self.article.history.latest()
        self.edit_article(body="The delegation arrived in Pyongyang on Thursday.")
        citation = Citation.objects.get(claim=self.claim)
        self.assertFalse(citation.anchored)
        self.revert_to(original)
        citation.refresh_from_db()
        self.assertTrue(citation.anchored)
        self.assertEqual(BODY[citation.start : citation.end], QUOTE)

    def test_a_reader_cannot_see_history(self):
        self.client.force_login(make_reader())
        response = self.client.get(reverse("admin:articles_article_history", args=[self.article.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("admin:login"), response.url)


class OtherModelsHistoryTests(HistoryTestCase):
    def test_it_records_who_changed_a_claim(self):
        url = reverse("admin:articles_claim_change", args=[self.claim.pk])
        citation = self.claim.citations.get()
        data = {
            "slug": "two-days",
            "text": "Talks took two whole days.",
            "kind": "fact",
            "tags": "",
            "citations-TOTAL_FORMS": "1",
            "citations-INITIAL_FORMS": "1",
            "citations-MIN_NUM_FORMS": "0",
            "citations-MAX_NUM_FORMS": "1000",
            "citations-0-id": citation.pk,
            "citations-0-claim": self.claim.pk,
            "citations-0-article": self.article.pk,
            "citations-0-stance": "supports",
            "citations-0-location": "body",
            "citations-0-quote": QUOTE,
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        latest = Claim.history.filter(id=self.claim.pk).latest()
        self.assertEqual((latest.text, latest.history_user), ("Talks took two whole days.", self.bob))

    def test_it_keeps_a_deleted_claim_in_history_with_who_deleted_it(self):
        claim = make_claim("Short-lived.", slug="short-lived")
        response = self.client.post(reverse("admin:articles_claim_delete", args=[claim.pk]), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        gone = Claim.history.filter(id=claim.pk).latest()
        self.assertEqual((gone.history_type, gone.history_user), ("-", self.bob))

    def test_an_admin_sees_the_history_of_a_citation(self):
        self.client.force_login(self.alice)
        citation = self.claim.citations.get()
        response = self.client.get(reverse("admin:articles_citation_history", args=[citation.pk]))
        self.assertContains(response, "Created")
