"""Every change is kept as a revision of the whole object, and an editor can put any back.

django-reversion stores the revisions (articles/versioning.py). A claim's
revision holds its citations, subjects, competing claims and tags; an article's
its authors and tags; an event's its participants; an actor's its aliases.
The admin's History page lists revisions with who, when, the change note and
what changed; opening one offers a revert form, and saving it restores the
whole object as a new revision (the bad one stays in the record). Deleted
objects are listed under "Recover deleted …".
"""

import datetime
from html.parser import HTMLParser

from django.test import TestCase
from django.urls import reverse
from reversion.models import Revision, Version
from taggit.forms import TagField
from taggit.utils import edit_string_for_tags

from articles.models import (
    Actor,
    ActorAlias,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    ClaimStatus,
    Event,
    Participation,
    Stance,
)
from tests.factories import make_actor, make_admin, make_article, make_claim, make_editor, make_event, make_reader

BODY = "The delegation arrived in Pyongyang on Thursday. Talks lasted two days."
QUOTE = "Talks lasted two days."
OTHER_BODY = "Officials said the talks took only one day. The delegation left on Friday."
DISPUTING = "Officials said the talks took only one day."


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


def _form_values(form, data):
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field, TagField):
            data[key] = edit_string_for_tags(value) if isinstance(value, list) else value or ""
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, (list, tuple)):
            data[key] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        elif hasattr(value, "pk"):
            data[key] = value.pk
        elif value is not None:
            data[key] = value


def change_form_data(response, status=200):
    """What a browser posts back from an admin change (or revert) page, untouched: form, inlines, token."""
    assert response.status_code == status, response.content.decode()[:2000]
    data = {}
    _form_values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_values(formset.management_form, data)
        for form in formset.forms:
            _form_values(form, data)
    return data


def inline_index(data, prefix, pk):
    """The index of the inline row holding object pk in posted form data."""
    return next(i for i in range(int(data[f"{prefix}-TOTAL_FORMS"])) if str(data.get(f"{prefix}-{i}-id")) == str(pk))


def status_of(claim):
    return Claim.objects.get(pk=claim.pk).status


class HistoryTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = make_admin()
        cls.bob = make_editor()
        cls.article = make_article(BODY, title="Arrival", slug="arrival", tags=["diplomacy"])
        cls.other = make_article(OTHER_BODY, title="Dissent", slug="dissent")
        cls.claim = make_claim(
            "Talks took two days.",
            slug="two-days",
            tags=["talks"],
            citations=[(cls.article, QUOTE), (cls.other, DISPUTING, Stance.DISPUTES)],
        )

    def setUp(self):
        self.client.force_login(self.bob)

    def change(self, obj, edit=lambda data: None):
        """Open obj's change form as bob, apply `edit` to what it would post, and save."""
        url = reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])
        data = change_form_data(self.client.get(url))
        edit(data)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        obj.refresh_from_db()
        return response

    def revert(self, obj, version, edit=lambda data: None):
        url = reverse(f"admin:articles_{obj._meta.model_name}_revision", args=[obj.pk, version.pk])
        page = self.client.get(url)
        self.assertContains(page, "Press the save button below to revert to this version")
        data = change_form_data(page)
        edit(data)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        obj.refresh_from_db()
        return response

    def versions(self, obj):
        return list(Version.objects.get_for_object(obj).select_related("revision__user").order_by("pk"))


class ClaimRevisionTests(HistoryTestCase):
    def drop_disputing_citation(self, data):
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)
        data["text"] = "Talks took two whole days."
        data[f"citations-{inline_index(data, 'citations', disputing.pk)}-DELETE"] = "on"
        data["change_note"] = "The one-day report was a misreading."

    def test_reverting_a_claim_brings_back_its_text_the_citation_deleted_with_it_and_its_status(self):
        # Issue 9, "Editors' work is lost", item 3.
        self.assertEqual(status_of(self.claim), ClaimStatus.CONTESTED)
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)
        self.change(self.claim, self.drop_disputing_citation)
        self.assertEqual(self.claim.text, "Talks took two whole days.")
        self.assertFalse(Citation.objects.filter(pk=disputing.pk).exists())
        self.assertEqual(status_of(self.claim), ClaimStatus.SINGLE_SOURCE)

        before_the_edit = self.versions(self.claim)[0]
        self.revert(self.claim, before_the_edit)

        self.assertEqual(self.claim.text, "Talks took two days.")
        restored = Citation.objects.get(pk=disputing.pk)
        self.assertEqual((restored.quote, restored.stance, restored.article), (DISPUTING, Stance.DISPUTES, self.other))
        self.assertTrue(restored.anchored)
        self.assertEqual(OTHER_BODY[restored.start : restored.end], DISPUTING)
        self.assertEqual(status_of(self.claim), ClaimStatus.CONTESTED)
        self.assertEqual(self.claim.citations.count(), 2)
        self.assertEqual(sorted(self.claim.tags.names()), ["talks"])

    def test_the_claims_history_shows_the_deleted_citation_with_a_link_to_restore_it(self):
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)
        self.change(self.claim, self.drop_disputing_citation)
        page = self.client.get(reverse("admin:articles_claim_history", args=[self.claim.pk]))
        rows = history_rows(page)
        newest = rows[1]
        self.assertEqual(newest[1], "bob")
        self.assertEqual(newest[2], "The one-day report was a misreading.")
        self.assertIn("Changed text: “Talks took two days.” → “Talks took two whole days.”", newest[3])
        self.assertIn(f"Deleted citation: Dissent disputes “{DISPUTING}” — restore it", newest[3])
        last_version = Version.objects.get_for_object(disputing).order_by("-pk").first()
        self.assertContains(page, reverse("admin:articles_citation_recover", args=[last_version.pk]))

    def test_the_deleted_citation_can_be_restored_on_its_own_and_the_claims_history_says_so(self):
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)
        self.change(self.claim, self.drop_disputing_citation)
        last_version = Version.objects.get_for_object(disputing).order_by("-pk").first()
        url = reverse("admin:articles_citation_recover", args=[last_version.pk])
        page = self.client.get(url)
        self.assertContains(page, "Press the save button below to recover this version")
        self.assertFalse(Citation.objects.filter(pk=disputing.pk).exists(), "a preview must not restore")
        data = change_form_data(page)
        data["change_note"] = "Put the dissent back."
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        self.assertTrue(Citation.objects.filter(pk=disputing.pk, stance=Stance.DISPUTES).exists())
        # Only the citation came back: the claim keeps its new text.
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.text, "Talks took two whole days.")
        self.assertEqual(status_of(self.claim), ClaimStatus.CONTESTED)
        rows = history_rows(self.client.get(reverse("admin:articles_claim_history", args=[self.claim.pk])))
        self.assertIn("Recovered the version saved on", rows[1][2])
        self.assertIn("Put the dissent back.", rows[1][2])
        self.assertIn(f"Added citation: Dissent disputes “{DISPUTING}”", rows[1][3])

    def test_reverting_restores_subjects_competing_claims_with_their_notes_and_tags(self):
        vietnam, korea = make_actor("Vietnam"), make_actor("North Korea")
        rival = make_claim("Talks took one day.", slug="one-day")
        self.claim.subjects.set([vietnam])
        self.claim.conflicts_with.add(rival, through_defaults={"note": "two days vs one"})
        link = ClaimConflict.objects.get(from_claim=self.claim)

        def relink(data):
            data["subjects"] = [korea.pk]
            data[f"conflict_links-{inline_index(data, 'conflict_links', link.pk)}-DELETE"] = "on"
            data["tags"] = "summit"

        self.change(self.claim, relink)
        self.assertEqual(list(rival.conflicts_with.all()), [])
        self.revert(self.claim, self.versions(self.claim)[0])
        self.assertEqual(list(self.claim.subjects.all()), [vietnam])
        self.assertEqual(list(self.claim.conflicts_with.all()), [rival])
        self.assertEqual(list(rival.conflicts_with.all()), [self.claim])
        self.assertEqual(
            sorted(ClaimConflict.objects.values_list("from_claim__slug", "to_claim__slug", "note")),
            [("one-day", "two-days", "two days vs one"), ("two-days", "one-day", "two days vs one")],
        )
        self.assertEqual(sorted(self.claim.tags.names()), ["talks"])
        # The rival's history shows the link going and coming back too.
        rows = history_rows(self.client.get(reverse("admin:articles_claim_history", args=[rival.pk])))
        self.assertIn("Reverted to the version saved on", rows[1][2])
        self.assertIn("Added competing claim: one-day ↔ two-days", rows[1][3])
        self.assertIn("Deleted competing claim: one-day ↔ two-days", rows[2][3])
        self.assertEqual(rows[3][2:], ["As it was before its first edit in the admin.", "First recorded version."])

    def test_reverting_deletes_a_citation_added_after_that_revision(self):
        self.change(self.claim)  # a revision with the two citations
        made_then = self.versions(self.claim)[-1]
        extra = Citation.objects.create(claim=self.claim, article=self.article, quote="The delegation arrived")
        self.revert(self.claim, made_then)
        self.assertFalse(Citation.objects.filter(pk=extra.pk).exists())
        self.assertEqual(self.claim.citations.count(), 2)

    def test_every_revision_records_who_when_and_the_change_note(self):
        self.change(self.claim, lambda data: data.update(change_note="Fixed the wording — “two days”."))
        revision = self.versions(self.claim)[-1].revision
        self.assertEqual(revision.user, self.bob)
        self.assertEqual(revision.comment, "Fixed the wording — “two days”.")
        self.assertLess(abs((datetime.datetime.now(datetime.UTC) - revision.date_created).total_seconds()), 60)

    def test_without_a_note_the_revision_says_what_changed(self):
        self.change(self.claim, lambda data: data.update(text="Talks took two full days."))
        self.assertEqual(self.versions(self.claim)[-1].revision.comment, "Changed Text.")

    def test_a_change_note_longer_than_300_characters_is_refused_and_the_form_keeps_it(self):
        url = reverse("admin:articles_claim_change", args=[self.claim.pk])
        data = change_form_data(self.client.get(url))
        data.update(text="Talks took two full days.", change_note="é" * 301)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Ensure this value has at most 300 characters", status_code=400)
        self.assertContains(response, "é" * 301, status_code=400)
        self.assertContains(response, "Talks took two full days.", status_code=400)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.text, "Talks took two days.")

    def test_the_first_admin_edit_records_the_state_before_it(self):
        # The factory made the claim outside the admin: no revision yet.
        self.assertEqual(self.versions(self.claim), [])
        self.change(self.claim, lambda data: data.update(text="Edited."))
        baseline, edit = self.versions(self.claim)
        self.assertEqual(baseline.field_dict["text"], "Talks took two days.")
        self.assertEqual((baseline.revision.user, edit.revision.user), (None, self.bob))


class RevertProblemTests(HistoryTestCase):
    def test_a_citation_whose_article_was_deleted_since_is_named_and_the_rest_is_reverted(self):
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)

        def drop(data):
            data["text"] = "Edited."
            data[f"citations-{inline_index(data, 'citations', disputing.pk)}-DELETE"] = "on"

        self.change(self.claim, drop)
        Article.objects.filter(pk=self.other.pk).delete()
        url = reverse("admin:articles_claim_revision", args=[self.claim.pk, self.versions(self.claim)[0].pk])
        page = self.client.get(url)
        self.assertContains(page, "could not be restored: its article no longer exists.")
        response = self.client.post(url, change_form_data(page), follow=True)
        self.assertContains(response, "was changed successfully")
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.text, "Talks took two days.")
        self.assertEqual(list(self.claim.citations.values_list("quote", flat=True)), [QUOTE])


class DeletedObjectTests(HistoryTestCase):
    def test_a_deleted_claim_can_be_found_and_recovered_with_its_citations_from_the_admin(self):
        citations = sorted(self.claim.citations.values_list("pk", flat=True))
        url = reverse("admin:articles_claim_delete", args=[self.claim.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 302)
        self.assertFalse(Claim.objects.filter(pk=self.claim.pk).exists())
        self.assertFalse(Citation.objects.filter(pk__in=citations).exists())

        changelist = self.client.get(reverse("admin:articles_claim_changelist"))
        self.assertContains(changelist, reverse("admin:articles_claim_recoverlist"))
        listing = self.client.get(reverse("admin:articles_claim_recoverlist"))
        rows = history_rows(listing)
        self.assertEqual(rows[1][0], "Talks took two days.")
        self.assertEqual(rows[1][2:], ["bob", "Deleted claim."])

        version = Version.objects.get_deleted(Claim).get()
        url = reverse("admin:articles_claim_recover", args=[version.pk])
        data = change_form_data(self.client.get(url))
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        claim = Claim.objects.get(pk=self.claim.pk)
        self.assertEqual(claim.text, "Talks took two days.")
        self.assertEqual(sorted(claim.citations.values_list("pk", flat=True)), citations)
        self.assertEqual(sorted(claim.tags.names()), ["talks"])
        self.assertEqual(status_of(claim), ClaimStatus.CONTESTED)
        self.assertEqual(history_rows(self.client.get(reverse("admin:articles_claim_recoverlist"))), [])

    def test_claims_deleted_from_the_list_page_can_be_recovered(self):
        other = make_claim("Another claim.", slug="another")
        citations = sorted(str(pk) for pk in self.claim.citations.values_list("pk", flat=True))
        response = self.client.post(
            reverse("admin:articles_claim_changelist"),
            {"action": "delete_selected", "_selected_action": [self.claim.pk, other.pk], "post": "yes"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Claim.objects.count(), 0)
        rows = history_rows(self.client.get(reverse("admin:articles_claim_recoverlist")))
        self.assertEqual(sorted(row[0] for row in rows[1:]), ["Another claim.", "Talks took two days."])
        version = Version.objects.get_deleted(Claim).get(object_id=str(self.claim.pk))
        kept = version.revision.version_set.filter(content_type__model="citation").values_list("object_id", flat=True)
        self.assertEqual(sorted(kept), citations)

    def test_a_citation_deleted_on_its_own_page_shows_in_its_claims_history(self):
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)
        self.client.post(reverse("admin:articles_citation_delete", args=[disputing.pk]), {"post": "yes"})
        rows = history_rows(self.client.get(reverse("admin:articles_claim_history", args=[self.claim.pk])))
        self.assertIn("Deleted citation", rows[1][2])
        self.assertIn(f"Deleted citation: Dissent disputes “{DISPUTING}” — restore it", rows[1][3])
        self.assertEqual(Version.objects.get_deleted(Citation).get().object_id, str(disputing.pk))

    def test_a_citation_deleted_in_the_articles_form_can_be_restored_from_the_claims_history(self):
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)

        def drop(data):
            data[f"citations-{inline_index(data, 'citations', disputing.pk)}-DELETE"] = "on"

        self.change(self.other, drop)
        page = self.client.get(reverse("admin:articles_claim_history", args=[self.claim.pk]))
        self.assertIn(f"Deleted citation: Dissent disputes “{DISPUTING}” — restore it", history_rows(page)[1][3])

    def test_the_recover_list_says_when_nothing_was_deleted(self):
        page = self.client.get(reverse("admin:articles_event_recoverlist"))
        self.assertContains(page, "There are no deleted events to recover.")

    def test_a_recover_form_posted_with_errors_answers_400_with_them_and_everything_typed(self):
        url = reverse("admin:articles_claim_delete", args=[self.claim.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 302)
        url = reverse("admin:articles_claim_recover", args=[Version.objects.get_deleted(Claim).get().pk])
        data = {**change_form_data(self.client.get(url)), "text": "", "slug": "two-days-again"}
        response = self.client.post(url, data)
        self.assertContains(response, "This field is required.", status_code=400)
        self.assertContains(response, 'name="slug" value="two-days-again"', status_code=400)
        self.assertFalse(Claim.objects.filter(pk=self.claim.pk).exists())


class WholeObjectTests(HistoryTestCase):
    def test_reverting_an_article_restores_title_body_authors_and_tags_and_finds_the_quotes_again(self):
        author = make_actor("Reporter")
        self.article.authors.set([author])

        def vandalise(data):
            data.update(title="Wrong", body="Vandalised.", authors=[], tags="vandal")

        self.change(self.article, vandalise)
        citation = Citation.objects.get(claim=self.claim, article=self.article)
        self.assertFalse(citation.anchored)
        self.revert(self.article, self.versions(self.article)[0])
        self.assertEqual((self.article.title, self.article.body), ("Arrival", BODY))
        self.assertEqual(list(self.article.authors.all()), [author])
        self.assertEqual(sorted(self.article.tags.names()), ["diplomacy"])
        citation.refresh_from_db()
        self.assertTrue(citation.anchored)
        self.assertEqual(BODY[citation.start : citation.end], QUOTE)

    def test_reverting_an_article_leaves_its_claims_alone(self):
        self.change(self.article, lambda data: data.update(title="Arrival in Pyongyang"))
        self.change(self.claim, lambda data: data.update(text="A later claim text."))
        self.revert(self.article, self.versions(self.article)[0])
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.text, "A later claim text.")

    def test_reverting_an_event_restores_its_participants(self):
        host = make_actor("Kim Jong Un")
        visitor = make_actor("To Lam")
        event = make_event("State visit", slug="state-visit", participants=[(host, "host"), (visitor, "visitor")])
        gone = event.participations.get(actor=visitor)

        def drop_visitor(data):
            data[f"participations-{inline_index(data, 'participations', gone.pk)}-DELETE"] = "on"
            data["title"] = "Visit"

        self.change(event, drop_visitor)
        self.assertEqual(event.participations.count(), 1)
        self.revert(event, self.versions(event)[0])
        self.assertEqual(event.title, "State visit")
        self.assertEqual(
            sorted((p.actor.name, p.role) for p in Participation.objects.filter(event=event)),
            [("Kim Jong Un", "host"), ("To Lam", "visitor")],
        )

    def test_reverting_an_actor_restores_its_aliases(self):
        actor = make_actor("To Lam", aliases=["Tô Lâm", "General Secretary Lam"])
        alias = ActorAlias.objects.get(name="Tô Lâm")

        def drop_alias(data):
            data[f"aliases-{inline_index(data, 'aliases', alias.pk)}-DELETE"] = "on"

        self.change(actor, drop_alias)
        self.assertFalse(ActorAlias.objects.filter(pk=alias.pk).exists())
        self.revert(actor, self.versions(actor)[0])
        self.assertEqual(sorted(actor.aliases.values_list("name", flat=True)), ["General Secretary Lam", "Tô Lâm"])

    def test_a_reverted_revision_stays_in_the_record(self):
        self.change(self.article, lambda data: data.update(title="Wrong title"))
        self.revert(self.article, self.versions(self.article)[0])
        titles = [v.field_dict["title"] for v in self.versions(self.article)]
        self.assertEqual(titles, ["Arrival", "Wrong title", "Arrival"])
        self.assertIn("Reverted to the version saved on", self.versions(self.article)[-1].revision.comment)

    def test_a_revert_refuses_when_the_object_changed_after_the_revert_page_was_opened(self):
        self.change(self.article, lambda data: data.update(title="Second title"))
        url = reverse("admin:articles_article_revision", args=[self.article.pk, self.versions(self.article)[0].pk])
        data = change_form_data(self.client.get(url))
        Article.objects.filter(pk=self.article.pk).update(title="Saved meanwhile")
        response = self.client.post(url, data)
        self.assertContains(
            response, "was changed after you opened this page, so nothing was reverted", status_code=409
        )
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "Saved meanwhile")

    def test_a_revert_refused_as_stale_shows_its_form_again_with_the_change_note_typed(self):
        # Found by hand: the refusal redirected to the revert page, and the note was gone.
        self.change(self.article, lambda data: data.update(title="Second title"))
        url = reverse("admin:articles_article_revision", args=[self.article.pk, self.versions(self.article)[0].pk])
        data = {**change_form_data(self.client.get(url)), "change_note": "The first title was right"}
        Article.objects.filter(pk=self.article.pk).update(title="Saved meanwhile")
        response = self.client.post(url, data)
        self.assertContains(response, "so nothing was reverted", status_code=409)
        self.assertContains(response, 'name="change_note" value="The first title was right"', status_code=409)
        self.assertContains(response, 'name="title" value="Arrival"', status_code=409)  # the version's values
        again = change_form_data(response, status=409)
        # Its token is the object's as it is now: posted again, the revert goes through, with the note.
        self.assertEqual(self.client.post(url, again).status_code, 302)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "Arrival")
        self.assertIn("The first title was right", self.versions(self.article)[-1].revision.comment)

    def test_a_revert_form_posted_with_errors_answers_400_with_them_and_everything_typed(self):
        # Before, the refused revert came back as a 200, the status of a revert that worked.
        self.change(self.article, lambda data: data.update(title="Second title"))
        url = reverse("admin:articles_article_revision", args=[self.article.pk, self.versions(self.article)[0].pk])
        data = change_form_data(self.client.get(url))
        row = inline_index(data, "citations", self.claim.citations.get(article=self.article).pk)
        data.update(
            {
                "title": "Arrival, as it was",
                "published": "not a date",
                "change_note": "The first title was right",
                f"citations-{row}-quote": "Talks lasted three days.",
            }
        )
        response = self.client.post(url, data)
        self.assertContains(response, "Enter a valid date.", status_code=400)
        self.assertContains(response, "does not occur word for word in the body", status_code=400)
        self.assertContains(response, 'name="title" value="Arrival, as it was"', status_code=400)
        self.assertContains(response, 'name="published" value="not a date"', status_code=400)
        self.assertContains(response, 'name="change_note" value="The first title was right"', status_code=400)
        self.assertContains(response, "Talks lasted three days.</textarea>", status_code=400)
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "Second title")


class HistoryPageTests(HistoryTestCase):
    def test_its_history_page_lists_each_revision_with_who_and_what_changed(self):
        self.change(self.article, lambda data: data.update(title="Arrival in Pyongyang", change_note="Fuller title"))
        response = self.client.get(reverse("admin:articles_article_history", args=[self.article.pk]))
        rows = history_rows(response)
        self.assertEqual(rows[0], ["Date/time", "User", "Change note", "What changed"])
        self.assertEqual(len(rows), 3, rows)
        self.assertEqual(rows[1][1:], ["bob", "Fuller title", "Changed title: “Arrival” → “Arrival in Pyongyang”."])
        self.assertEqual(rows[2][1:], ["—", "As it was before its first edit in the admin.", "First recorded version."])
        # When, in the site's British format (LANGUAGE_CODE), day first: "29 Nov 2026, 3:04 p.m.".
        self.assertRegex(rows[1][0], r"^\d{1,2} [A-Z][a-z]{2} \d{4}, (\d{1,2}(:\d\d)? [ap]\.m\.|noon|midnight)$")

    def test_the_history_page_runs_as_many_queries_for_many_revisions_as_for_few(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        url = reverse("admin:articles_claim_history", args=[self.claim.pk])

        def queries():
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(captured)

        self.change(self.claim, lambda data: data.update(text="One."))
        few = queries()
        for n in range(5):
            self.change(self.claim, lambda data, n=n: data.update(text=f"Edit {n}.", tags=f"tag-{n}"))
        disputing = Citation.objects.get(claim=self.claim, stance=Stance.DISPUTES)
        self.change(
            self.claim,
            lambda data: data.update({f"citations-{inline_index(data, 'citations', disputing.pk)}-DELETE": "on"}),
        )
        self.assertEqual(len(history_rows(self.client.get(url))), 9)
        # Session and user, the claim, the admin log, the claim's versions, the
        # versions of its parts, and which deleted parts exist and their latest versions.
        self.assertEqual(queries(), few + 2)

    def test_a_reader_cannot_see_history(self):
        self.client.force_login(make_reader())
        response = self.client.get(reverse("admin:articles_article_history", args=[self.article.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("admin:login"), response.url)

    def test_an_admin_sees_the_history_of_a_citation(self):
        self.client.force_login(self.alice)
        citation = self.claim.citations.first()
        self.change(citation, lambda data: data.update(stance=Stance.QUALIFIES))
        response = self.client.get(reverse("admin:articles_citation_history", args=[citation.pk]))
        self.assertEqual(history_rows(response)[1][1:3], ["alice", "Changed Stance."])


class ImportRevisionTests(TestCase):
    def test_load_kb_gives_every_object_a_first_revision_once(self):
        from django.core.management import call_command

        call_command("load_kb", verbosity=0)
        for model in (Article, Actor, Event, Claim):
            objects = model.objects.count()
            self.assertGreater(objects, 0)
            self.assertEqual(Version.objects.get_for_model(model).values("object_id").distinct().count(), objects)
        revisions = Revision.objects.count()
        call_command("load_kb", verbosity=0)
        self.assertEqual(Revision.objects.count(), revisions)
        claim = Claim.objects.filter(citations__isnull=False).first()
        first = Version.objects.get_for_object(claim).get()
        self.assertIn("Loaded by load_kb", first.revision.comment)
        cited = {v.object_id for v in first.revision.version_set.filter(content_type__model="citation")}
        self.assertEqual(cited, {str(pk) for pk in claim.citations.values_list("pk", flat=True)})


class HostileInputTests(HistoryTestCase):
    def test_a_version_of_another_kind_of_object_is_not_found_through_this_admin(self):
        self.change(self.claim)
        claim_version = Version.objects.get_for_object(self.claim).order_by("pk").first()
        citation = self.claim.citations.first()
        citation_version = Version.objects.get_for_object(citation).order_by("pk").first()
        for url in (
            reverse("admin:articles_article_recover", args=[claim_version.pk]),
            reverse("admin:articles_citation_revision", args=[claim_version.object_id, claim_version.pk]),
            reverse("admin:articles_claim_revision", args=[citation_version.object_id, citation_version.pk]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, {}).status_code, 404)
        self.claim.refresh_from_db()
        self.assertEqual(Claim.objects.count(), 1)

    def test_markup_in_a_change_note_is_shown_as_text(self):
        note = '<img src=x onerror="alert(1)"> [{"added": {}}]'
        self.change(self.claim, lambda data: data.update(change_note=note))
        page = self.client.get(reverse("admin:articles_claim_history", args=[self.claim.pk]))
        self.assertNotContains(page, "<img src=x")
        self.assertContains(page, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; [{&quot;added&quot;: {}}]")

    def test_the_history_of_an_object_that_does_not_exist_redirects_with_a_message(self):
        for object_id in ("999999", "abc", "%00"):
            with self.subTest(object_id=object_id):
                response = self.client.get(f"/admin/articles/claim/{object_id}/history/", follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "doesn’t exist")

    def test_load_kb_records_only_the_objects_it_names(self):
        from django.core.management import call_command

        elsewhere = make_claim("Made in the shell.", slug="made-in-the-shell")
        call_command("load_kb", verbosity=0)
        self.assertFalse(Version.objects.get_for_object(elsewhere).exists())
