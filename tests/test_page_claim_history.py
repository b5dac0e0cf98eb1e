"""A claim's public history page and the permalinks of its past revisions (issue 12)."""

import re

from django.core.cache import cache
from django.urls import reverse
from django.utils.timezone import localtime
from reversion.models import Version

from articles import versioning
from articles.models import Citation, ClaimStatus, Stance
from tests.factories import make_claim
from tests.test_history import DISPUTING, QUOTE, HistoryTestCase, inline_index, status_of


def page_text(response):
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


class ClaimHistoryPageTests(HistoryTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.history_url = reverse("articles:claim_history", args=[self.claim.slug])

    def drop_disputing_citation(self, data):
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)
        data["text"] = "Talks took two whole days."
        data[f"citations-{inline_index(data, 'citations', disputing.pk)}-DELETE"] = "on"
        data["change_note"] = "The one-day report was a misreading."

    def revision_url(self, version):
        return f"{self.history_url}?revision={version.pk}"

    def test_it_lists_every_revision_newest_first_with_its_change_note_and_no_editor_names(self):
        self.change(self.claim, self.drop_disputing_citation)
        self.client.logout()

        text = page_text(self.client.get(self.history_url))

        notes = re.findall(r"UTC (.*?)(?= \d{1,2} \w+ \d{4}|$)", text.split("Revisions", 1)[1])
        self.assertEqual(notes[0], "The one-day report was a misreading.")
        self.assertEqual(len(notes), len(self.versions(self.claim)))
        self.assertNotIn("bob", text)

    def test_a_revision_permalink_shows_the_claim_its_sources_and_its_status_as_they_were(self):
        self.assertEqual(status_of(self.claim), ClaimStatus.CONTESTED)
        self.change(self.claim, self.drop_disputing_citation)
        before_the_edit, after_the_edit = self.versions(self.claim)
        self.client.logout()

        then = page_text(self.client.get(self.revision_url(before_the_edit)))
        self.assertIn("This is an old revision.", then)
        self.assertIn("Talks took two days.", then)
        self.assertIn("Status then: ⚠ Contested", then)
        self.assertIn(DISPUTING, then)
        self.assertIn(QUOTE, then)

        now = page_text(self.client.get(self.revision_url(after_the_edit)))
        self.assertIn("Talks took two whole days.", now)
        self.assertIn("Status then: ● Single source", now)
        self.assertNotIn(DISPUTING, now)
        self.assertIn("Change note The one-day report was a misreading.", now)

    def test_each_revisions_time_is_machine_readable_as_html_allows_it(self):
        # HTML allows at most three digits of a second's fraction: Django's "c" format prints six, and
        # a browser or a reader's tool that parses <time> then finds no date at all.
        self.change(self.claim, self.drop_disputing_citation)
        self.client.logout()

        page = self.client.get(self.history_url).content.decode()

        stamps = re.findall(r'<time\s+datetime="([^"]*)"', page)
        self.assertEqual(len(stamps), len(self.versions(self.claim)))
        newest = localtime(self.versions(self.claim)[-1].revision.date_created)
        self.assertEqual(stamps[0], newest.strftime("%Y-%m-%dT%H:%M:%S%z"))
        for stamp in stamps:
            self.assertRegex(stamp, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:?\d\d)$")

    def test_a_revision_that_is_not_this_claims_is_not_found(self):
        other = make_claim("Another claim.", slug="another")
        versioning.record([other], comment="made")
        others = Version.objects.get_for_object(other).get()

        self.assertEqual(self.client.get(self.revision_url(others)).status_code, 404)
        self.assertEqual(self.client.get(f"{self.history_url}?revision=999999").status_code, 404)

    def test_a_malformed_revision_is_a_400_naming_the_parameter(self):
        response = self.client.get(f"{self.history_url}?revision=abc")

        self.assertEqual(response.status_code, 400)
        self.assertIn("“revision=abc”", response.content.decode())

    def test_a_long_history_is_paged_at_a_fixed_query_count(self):
        self.client.logout()
        versioning.record([self.claim], comment="first")
        with self.assertNumQueries(2):
            self.client.get(self.history_url)
        for number in range(60):
            versioning.record([self.claim], comment=f"note {number}")
        cache.clear()
        with self.assertNumQueries(2):
            first = self.client.get(self.history_url)

        self.assertEqual(first.content.decode().count("?revision="), 50)
        older = re.search(r'href="\?before=(\d+)" rel="next">Older revisions', first.content.decode())
        rest = self.client.get(f"{self.history_url}?before={older[1]}").content.decode()
        self.assertEqual(rest.count("?revision="), 11)
        self.assertIn("first", page_text(self.client.get(f"{self.history_url}?before={older[1]}")))

    def test_a_revision_page_runs_a_fixed_number_of_queries(self):
        self.change(self.claim, self.drop_disputing_citation)
        before_the_edit = self.versions(self.claim)[0]
        self.client.logout()
        cache.clear()

        with self.assertNumQueries(5):
            self.client.get(self.revision_url(before_the_edit))

    def test_the_claim_page_links_to_its_history(self):
        page = self.client.get(self.claim.get_absolute_url()).content.decode()

        self.assertIn(f'<a href="{self.history_url}">History of this claim</a>', page)
