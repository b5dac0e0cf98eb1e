"""Two editors, one object: a save based on a stale form is refused, and nothing is lost.

Issue 9, "Editors' work is lost", item 2: two editors open the same article;
one saves a new title, the other then saves a date note from their stale form.
Before, both saw "changed successfully" and the title was gone. Now the second
save is refused; the page shows the title saved meanwhile beside what the stale
form held, the form takes the new title (the second editor had not touched
it) and keeps the date note they typed; saving again stores both.
"""

import html
import threading
import time
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.test import Client, TestCase
from django.urls import reverse
from taggit.models import Tag

from articles.conflicts import TOKEN_FIELD
from articles.models import Actor, ActorQuerySet, Article, Citation, Claim, ClaimConflict, Event, Stance
from articles.names import fold
from tests.admin_forms import change_form_fields
from tests.factories import (
    cite,
    make_actor,
    make_admin,
    make_article,
    make_claim,
    make_editor,
    make_event,
    rebuild_editors_group,
)
from tests.test_history import change_form_data, inline_index

BODY = "The delegation arrived in Pyongyang on Thursday. Talks lasted two days."
QUOTE = "Talks lasted two days."
REFUSED = "so your save was refused"


def change_url(obj):
    return reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])


def inline_rows(page):
    """[{"id", "heading", "anchor"}] of a stacked inline's saved rows, as the page draws them."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self.depth, self.reading = [], 0, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "div" and self.depth:
                self.depth += 1
            elif tag == "div" and "inline-related" in attrs.get("class", "") and "has_original" in attrs["class"]:
                self.depth, self.text = 1, {"heading": [], "anchor": []}
                self.rows.append({"id": None})
            if not self.depth:
                return
            if tag == "span" and attrs.get("class") == "inline_label":
                self.reading = "heading"
            elif tag == "div" and attrs.get("class") == "readonly":
                self.reading = "anchor"
            elif tag == "input" and attrs.get("name", "").endswith("-id"):
                self.rows[-1]["id"] = attrs.get("value")
            elif tag == "a":
                self.reading = None  # a heading's "Change" link is not the row's name

        def handle_endtag(self, tag):
            if tag in ("span", "div"):
                self.reading = None
            if tag == "div" and self.depth:
                self.depth -= 1
                if not self.depth:
                    self.rows[-1].update({k: " ".join("".join(v).split()) for k, v in self.text.items()})

        def handle_data(self, data):
            if self.depth and self.reading:
                self.text[self.reading].append(data)

    parser = Rows()
    parser.feed(page)
    return [row for row in parser.rows if row["id"] and row.get("heading") is not None]


class ConflictTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice_user = make_admin()
        cls.bob_user = make_editor()
        cls.article = make_article(BODY, title="Arrival", slug="arrival", tags=["diplomacy"])
        cls.claim = make_claim("Talks took two days.", slug="two-days", citations=[(cls.article, QUOTE)])

    def setUp(self):
        # Two editors, two sessions.
        self.alice, self.bob = Client(), Client()
        self.alice.force_login(self.alice_user)
        self.bob.force_login(self.bob_user)

    def open(self, client, obj):
        return change_form_data(client.get(change_url(obj)))

    def save(self, client, obj, data, status=302):
        response = client.post(change_url(obj), data)
        self.assertEqual(response.status_code, status, response.content.decode()[:3000])
        return response

    def conflict_rows(self, response):
        """(field, saved meanwhile, yours) for each row of the conflict tables."""
        from html.parser import HTMLParser

        class Rows(HTMLParser):
            def __init__(self):
                super().__init__()
                self.rows, self.row, self.cell, self.depth = [], None, None, 0

            def handle_starttag(self, tag, attrs):
                if tag == "table" and ("class", "edit-conflict") in attrs:
                    self.depth += 1
                elif self.depth and tag == "tr":
                    self.row = []
                elif self.row is not None and tag in ("td", "th"):
                    self.cell = []

            def handle_endtag(self, tag):
                if tag == "table" and self.depth:
                    self.depth -= 1
                elif tag in ("td", "th") and self.cell is not None:
                    self.row.append(" ".join("".join(self.cell).split()))
                    self.cell = None
                elif tag == "tr" and self.row is not None:
                    self.rows.append(self.row)
                    self.row = None

            def handle_data(self, data):
                if self.cell is not None:
                    self.cell.append(data)

        parser = Rows()
        parser.feed(response.content.decode())
        return [row for row in parser.rows if row and row[0] != "Field"]


class TwoEditorsOnOneArticleTests(ConflictTestCase):
    def test_a_stale_save_is_refused_shows_both_values_and_keeps_what_was_typed(self):
        alices, bobs = self.open(self.alice, self.article), self.open(self.bob, self.article)
        alices.update(title="Arrival in Pyongyang", change_note="Fuller title")
        self.save(self.alice, self.article, alices)

        bobs["date_note"] = "Dated by the wire service’s timestamp."
        refused = self.save(self.bob, self.article, bobs, status=400)

        self.assertContains(
            refused, "Someone saved this article after you opened the form, so your save was refused.", status_code=400
        )
        self.assertContains(refused, "alice: “Fuller title”", status_code=400)
        self.assertEqual(self.conflict_rows(refused), [["Title", "Arrival in Pyongyang", "Arrival"]])
        form = refused.context["adminform"].form
        self.assertEqual(form["date_note"].value(), "Dated by the wire service’s timestamp.")
        self.assertEqual(form["title"].value(), "Arrival in Pyongyang")
        self.article.refresh_from_db()
        self.assertEqual((self.article.title, self.article.date_note), ("Arrival in Pyongyang", ""))

        # Saving again from the page as shown keeps both editors' changes.
        self.save(self.bob, self.article, change_form_data(refused, status=400))
        self.article.refresh_from_db()
        self.assertEqual(
            (self.article.title, self.article.date_note),
            ("Arrival in Pyongyang", "Dated by the wire service’s timestamp."),
        )

    def test_when_both_change_one_field_the_form_keeps_yours_and_shows_theirs(self):
        alices, bobs = self.open(self.alice, self.article), self.open(self.bob, self.article)
        alices["title"] = "Alice’s title"
        self.save(self.alice, self.article, alices)
        bobs["title"] = "Bob’s title"
        refused = self.save(self.bob, self.article, bobs, status=400)
        self.assertContains(refused, "Changed by both of you", status_code=400)
        self.assertEqual(self.conflict_rows(refused), [["Title", "Alice’s title", "Bob’s title"]])
        self.assertEqual(refused.context["adminform"].form["title"].value(), "Bob’s title")
        self.save(self.bob, self.article, change_form_data(refused, status=400))
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "Bob’s title")

    def test_a_long_body_changed_by_both_shows_the_lines_that_differ(self):
        alices, bobs = self.open(self.alice, self.article), self.open(self.bob, self.article)
        alices["body"] = BODY + "\n\nA paragraph Alice added."
        self.save(self.alice, self.article, alices)
        bobs["body"] = BODY + "\n\nA paragraph Bob added."
        refused = self.save(self.bob, self.article, bobs, status=400)
        self.assertContains(refused, "+A paragraph Bob added.", status_code=400)
        self.assertContains(refused, "-A paragraph Alice added.", status_code=400)
        self.assertContains(refused, "A paragraph Bob added.</textarea>", status_code=400)

    def test_tags_and_authors_changed_meanwhile_are_taken_into_the_stale_form(self):
        reporter = make_actor("Reporter")
        alices, bobs = self.open(self.alice, self.article), self.open(self.bob, self.article)
        alices.update(tags="diplomacy, summit", authors=[reporter.pk])
        self.save(self.alice, self.article, alices)
        bobs["captions"] = "Photo: KCNA"
        refused = self.save(self.bob, self.article, bobs, status=400)
        self.assertEqual(
            sorted(self.conflict_rows(refused)),
            [["Authors", "Reporter", "(none)"], ["Tags", "diplomacy, summit", "diplomacy"]],
        )
        self.save(self.bob, self.article, change_form_data(refused, status=400))
        self.article.refresh_from_db()
        self.assertEqual(sorted(self.article.tags.names()), ["diplomacy", "summit"])
        self.assertEqual(list(self.article.authors.all()), [reporter])
        self.assertEqual(self.article.captions, "Photo: KCNA")

    def test_markup_in_the_values_and_the_note_is_shown_as_text(self):
        alices, bobs = self.open(self.alice, self.article), self.open(self.bob, self.article)
        alices.update(title="<script>alert(1)</script>", change_note="<b>bold</b>")
        self.save(self.alice, self.article, alices)
        bobs["title"] = "<img src=x onerror=alert(2)>"
        refused = self.save(self.bob, self.article, bobs, status=400)
        page = refused.content.decode()
        self.assertNotIn("<script>alert(1)", page)
        self.assertNotIn("<img src=x", page)
        self.assertNotIn("<b>bold", page)
        self.assertEqual(
            self.conflict_rows(refused), [["Title", "<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]]
        )

    def test_a_change_made_outside_the_admin_is_caught_too(self):
        bobs = self.open(self.bob, self.article)
        Article.objects.filter(pk=self.article.pk).update(title="Changed by a script")
        bobs["date_note"] = "Mine."
        refused = self.save(self.bob, self.article, bobs, status=400)
        self.assertContains(refused, "It was changed outside the admin", status_code=400)
        self.assertEqual(self.conflict_rows(refused), [["Title", "Changed by a script", "Arrival"]])

    def test_saves_from_fresh_forms_do_not_conflict(self):
        first = self.open(self.bob, self.article)
        first["title"] = "One"
        self.save(self.bob, self.article, first)
        second = self.open(self.alice, self.article)
        second["date_note"] = "Two"
        self.save(self.alice, self.article, second)
        self.article.refresh_from_db()
        self.assertEqual((self.article.title, self.article.date_note), ("One", "Two"))

    def test_saving_an_unchanged_form_twice_in_a_row_is_no_conflict_for_others(self):
        # A save that changes nothing leaves the token valid for everyone else.
        bobs = self.open(self.bob, self.article)
        self.save(self.alice, self.article, self.open(self.alice, self.article))
        bobs["title"] = "Bob’s"
        self.save(self.bob, self.article, bobs)

    def test_a_garbled_token_is_refused_with_a_message_not_an_error(self):
        bobs = self.open(self.bob, self.article)
        garbled = [
            "not json",
            "[]",
            '{"f": 1}',
            '{"f": {}, "i": {"citations": 1}}',
            '{"v": "x", "f": {}, "i": {}}',
            "{" * 5000,
            "[" * 200_000,
        ]
        for garbage in garbled:
            with self.subTest(garbage=garbage[:10]):
                data = {**bobs, TOKEN_FIELD: garbage, "title": "Mine"}
                refused = self.save(self.bob, self.article, data, status=400)
                self.assertContains(refused, REFUSED, status_code=400)
                self.assertEqual(refused.context["adminform"].form["title"].value(), "Mine")
        self.article.refresh_from_db()
        self.assertEqual(self.article.title, "Arrival")

    def test_an_object_deleted_meanwhile_gives_a_message_and_shows_what_was_typed(self):
        # Before, Django's view redirected to the admin's index ("… doesn't exist.
        # Perhaps it was deleted?") and what the editor typed was gone.
        bobs = self.open(self.bob, self.claim)
        i = inline_index(bobs, "citations", self.claim.citations.get().pk)
        bobs.update(
            {"text": "Talks took two full days, said Bob.", f"citations-{i}-stance": Stance.QUALIFIES},
            change_note="Bob’s careful rewrite",
        )
        stale = Claim.objects.get(pk=self.claim.pk)
        self.alice.post(reverse("admin:articles_claim_delete", args=[stale.pk]), {"post": "yes"})
        self.assertFalse(Claim.objects.filter(pk=stale.pk).exists())
        response = self.bob.post(change_url(stale), bobs)
        self.assertEqual(response.status_code, 409)
        self.assertContains(
            response, "Someone deleted this claim after you opened the form, so nothing was saved.", status_code=409
        )
        self.assertContains(response, "Talks took two full days, said Bob.</textarea>", status_code=409)
        self.assertContains(response, "Bob’s careful rewrite</textarea>", status_code=409)
        self.assertContains(response, "Citations, row 1: stance", status_code=409)
        self.assertContains(response, f'href="{reverse("admin:articles_claim_recoverlist")}"', status_code=409)
        self.assertFalse(Claim.objects.filter(pk=stale.pk).exists())


class InlineConflictTests(ConflictTestCase):
    def test_a_citation_changed_meanwhile_refuses_a_stale_claim_form(self):
        alices, bobs = self.open(self.alice, self.claim), self.open(self.bob, self.claim)
        citation = self.claim.citations.get()
        i = inline_index(alices, "citations", citation.pk)
        alices[f"citations-{i}-stance"] = Stance.QUALIFIES
        self.save(self.alice, self.claim, alices)

        bobs["text"] = "Talks took two full days."
        refused = self.save(self.bob, self.claim, bobs, status=400)
        self.assertEqual(
            self.conflict_rows(refused), [[f"Stance (citation “Arrival qualifies “{QUOTE}””)", "qualifies", "supports"]]
        )
        self.assertEqual(refused.context["adminform"].form["text"].value(), "Talks took two full days.")
        self.save(self.bob, self.claim, change_form_data(refused, status=400))
        citation.refresh_from_db()
        self.claim.refresh_from_db()
        self.assertEqual((self.claim.text, citation.stance), ("Talks took two full days.", Stance.QUALIFIES))

    def test_a_citation_edited_on_its_own_page_refuses_the_stale_claim_and_article_forms(self):
        citation = self.claim.citations.get()
        claim_form, article_form = self.open(self.bob, self.claim), self.open(self.bob, self.article)
        own = self.open(self.alice, citation)
        own["stance"] = Stance.DISPUTES
        self.save(self.alice, citation, own)
        self.save(self.bob, self.claim, claim_form, status=400)
        self.save(self.bob, self.article, article_form, status=400)

    def test_a_citation_deleted_meanwhile_is_reported_and_the_resave_works(self):
        other = Citation.objects.create(claim=self.claim, article=self.article, quote="The delegation arrived")
        alices, bobs = self.open(self.alice, self.claim), self.open(self.bob, self.claim)
        alices[f"citations-{inline_index(alices, 'citations', other.pk)}-DELETE"] = "on"
        self.save(self.alice, self.claim, alices)
        bobs["text"] = "Mine."
        refused = self.save(self.bob, self.claim, bobs, status=400)
        self.assertContains(refused, "Deleted meanwhile", status_code=400)
        self.save(self.bob, self.claim, change_form_data(refused, status=400))
        self.assertFalse(Citation.objects.filter(pk=other.pk).exists())
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.text, "Mine.")

    def test_a_citation_deleted_meanwhile_leaves_every_other_row_on_the_page_as_typed(self):
        # The admin draws the form's saved rows beside the rows the database now holds, one fewer: the
        # page the browser got lacked the form's last row, with what the editor had typed in it, and
        # posting that page back failed with "Please correct the errors below." and no error shown.
        first, last = (
            Citation.objects.create(claim=self.claim, article=self.article, quote=quote)
            for quote in ("The delegation arrived", "in Pyongyang")
        )
        alices, bobs = self.open(self.alice, self.claim), self.open(self.bob, self.claim)
        alices[f"citations-{inline_index(alices, 'citations', first.pk)}-DELETE"] = "on"
        self.save(self.alice, self.claim, alices)
        bobs[f"citations-{inline_index(bobs, 'citations', first.pk)}-stance"] = Stance.QUALIFIES
        bobs[f"citations-{inline_index(bobs, 'citations', last.pk)}-stance"] = Stance.DISPUTES
        refused = self.save(self.bob, self.claim, bobs, status=400)
        self.assertContains(
            refused,
            "Deleted meanwhile: a citation row of your form, so it is left out of the form below. "
            "What you had changed in it: Stance: qualifies.",
            status_code=400,
        )

        page = {}
        for name, value in change_form_fields(refused.content.decode()):  # as the browser got it
            page.setdefault(name, []).append(value)
        saved_rows = {page[f"citations-{i}-id"][0]: i for i in range(int(page["citations-INITIAL_FORMS"][0]))}
        self.assertEqual(set(saved_rows), {str(pk) for pk in self.claim.citations.values_list("pk", flat=True)})
        self.assertEqual(page[f"citations-{saved_rows[str(last.pk)]}-stance"], [Stance.DISPUTES])
        self.save(self.bob, self.claim, page)
        self.assertEqual(
            sorted(self.claim.citations.values_list("quote", "stance")),
            [(QUOTE, Stance.SUPPORTS), ("in Pyongyang", Stance.DISPUTES)],
        )

    def test_a_citation_added_meanwhile_is_reported_and_kept(self):
        alices, bobs = self.open(self.alice, self.claim), self.open(self.bob, self.claim)
        alices.update(
            {
                "citations-TOTAL_FORMS": str(int(alices["citations-TOTAL_FORMS"])),
                f"citations-{int(alices['citations-INITIAL_FORMS'])}-article": self.article.pk,
                f"citations-{int(alices['citations-INITIAL_FORMS'])}-quote": "The delegation arrived",
                f"citations-{int(alices['citations-INITIAL_FORMS'])}-stance": Stance.SUPPORTS,
            }
        )
        self.save(self.alice, self.claim, alices)
        self.assertEqual(self.claim.citations.count(), 2)
        refused = self.save(self.bob, self.claim, bobs, status=400)
        self.assertContains(refused, "Added meanwhile: citation", status_code=400)
        self.save(self.bob, self.claim, change_form_data(refused, status=400))
        self.assertEqual(self.claim.citations.count(), 2)

    def test_a_citation_added_meanwhile_before_the_forms_rows_leaves_each_row_drawn_as_its_own(self):
        # The admin drew the form's saved rows beside the rows the database now holds, by place: a row
        # added meanwhile that sorts first (by article, then place in it) pushed each of the editor's
        # rows under the heading and read-only anchor of the row before it.
        rows = [cite(self.claim, self.article, "in Pyongyang")]
        rows.append(self.claim.citations.get(quote=QUOTE))
        alices, bobs = self.open(self.alice, self.claim), self.open(self.bob, self.claim)
        new = int(bobs["citations-INITIAL_FORMS"])
        bobs.update(
            {
                f"citations-{new}-article": self.article.pk,
                f"citations-{new}-quote": "The delegation arrived",
                f"citations-{new}-stance": Stance.SUPPORTS,
            }
        )
        self.save(self.bob, self.claim, bobs)
        added = self.claim.citations.get(quote="The delegation arrived")
        self.assertEqual(list(self.claim.citations.all())[0], added)
        stances = {rows[0].pk: Stance.QUALIFIES, rows[1].pk: Stance.DISPUTES}
        for pk, stance in stances.items():
            alices[f"citations-{inline_index(alices, 'citations', pk)}-stance"] = stance
        refused = self.save(self.alice, self.claim, alices, status=400)
        self.assertContains(refused, "Added meanwhile: citation", status_code=400)

        expected = []
        for row in Citation.objects.filter(pk__in=stances).order_by("start"):
            row.stance = stances[row.pk]  # the heading names the row as the editor's form holds it
            expected.append((str(row.pk), str(row), f"Characters {row.start}–{row.end}"))
        drawn = inline_rows(refused.content.decode())
        self.assertEqual([(row["id"], row["heading"], row["anchor"]) for row in drawn], expected)
        page = {}
        for name, value in change_form_fields(refused.content.decode()):  # as the browser got it
            page.setdefault(name, []).append(value)
        self.save(self.alice, self.claim, page)
        self.assertEqual(
            sorted(self.claim.citations.values_list("quote", "stance")),
            [
                (QUOTE, Stance.DISPUTES),
                ("The delegation arrived", Stance.SUPPORTS),
                ("in Pyongyang", Stance.QUALIFIES),
            ],
        )

    def test_a_competing_claim_note_changed_meanwhile_is_taken_and_the_text_kept(self):
        rival = make_claim("Talks took one day.", slug="one-day")
        self.claim.conflicts_with.add(rival, through_defaults={"note": "two days vs one"})
        alices, bobs = self.open(self.alice, self.claim), self.open(self.bob, self.claim)
        alices["conflict_links-0-note"] = "2 days vs 1 day"
        self.save(self.alice, self.claim, alices)
        bobs["text"] = "Talks lasted two days."
        refused = self.save(self.bob, self.claim, bobs, status=400)
        self.assertEqual(
            self.conflict_rows(refused),
            [["Note (competing claim “two-days ↔ one-day”)", "2 days vs 1 day", "two days vs one"]],
        )
        self.save(self.bob, self.claim, change_form_data(refused, status=400))
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.text, "Talks lasted two days.")
        self.assertEqual(set(ClaimConflict.objects.values_list("note", flat=True)), {"2 days vs 1 day"})

    def test_event_participants_and_actor_aliases_are_covered(self):
        host = make_actor("Kim Jong Un", aliases=["Kim Jong-un"])
        event = make_event("Visit", slug="visit", participants=[(host, "host")])
        for obj, prefix, field, value in (
            (event, "participations", "role", "guest"),
            (host, "aliases", "name", "Kim Jong Eun"),
        ):
            with self.subTest(model=type(obj).__name__):
                alices, bobs = self.open(self.alice, obj), self.open(self.bob, obj)
                row = alices[f"{prefix}-0-id"]
                alices[f"{prefix}-{inline_index(alices, prefix, row)}-{field}"] = value
                self.save(self.alice, obj, alices)
                refused = self.save(self.bob, obj, bobs, status=400)
                self.assertContains(refused, REFUSED, status_code=400)
                self.save(self.bob, obj, change_form_data(refused, status=400))
        self.assertEqual(Event.objects.get(pk=event.pk).participations.get().role, "guest")
        self.assertEqual(list(Actor.objects.get(pk=host.pk).aliases.values_list("name", flat=True)), ["Kim Jong Eun"])

    def test_a_form_posted_without_a_token_is_not_checked(self):
        # Scripts posting to the admin predate the token; browsers always send it.
        bobs = self.open(self.bob, self.article)
        del bobs[TOKEN_FIELD]
        Article.objects.filter(pk=self.article.pk).update(date_note="meanwhile")
        bobs["title"] = "Scripted"
        self.save(self.bob, self.article, bobs)


class TwoEditorsStoringTheSameSlugAtOnceTests(ConflictTestCase):
    """Two saves of one new slug at once: both forms find it free, one insert fails.

    The race is replayed in one thread: carol's claim is stored after bob's form
    checked that the slug was free (his first check sees nothing) and before
    bob's claim is inserted. Before, bob got a 500 page and lost what he typed.
    """

    def slug_checked_before_carols_save(self, model):
        real = model.validate_unique
        calls = []

        def validate_unique(instance, *args, **kwargs):
            calls.append(instance)
            if len(calls) > 1:
                return real(instance, *args, **kwargs)
            return None  # the first check ran before carol's save committed

        return mock.patch.object(model, "validate_unique", autospec=True, side_effect=validate_unique)

    def test_a_new_claim_whose_slug_was_just_taken_is_refused_with_a_message_and_the_text_kept(self):
        carols = make_claim("Carol’s claim about the visit.", slug="visit-talks")
        with self.slug_checked_before_carols_save(Claim):
            response = self.bob.post(
                reverse("admin:articles_claim_add"),
                {
                    "slug": "visit-talks",
                    "text": "Bob’s claim: the talks lasted two days.",
                    "kind": "fact",
                    "conflict_links-TOTAL_FORMS": "0",
                    "conflict_links-INITIAL_FORMS": "0",
                    "citations-TOTAL_FORMS": "0",
                    "citations-INITIAL_FORMS": "0",
                },
            )
        self.assertContains(response, "Claim with this Slug already exists.", status_code=409)
        self.assertContains(response, "Bob’s claim: the talks lasted two days.", status_code=409)
        self.assertEqual(list(Claim.objects.filter(slug="visit-talks")), [carols])

    def test_an_event_renamed_to_a_slug_just_taken_is_refused_with_a_message_and_the_title_kept(self):
        event = make_event("Talks", slug="talks")
        make_event("Carol’s talks", slug="talks-day-two")
        bobs = self.open(self.bob, event)
        bobs.update(slug="talks-day-two", title="Bob’s second day of talks")
        with self.slug_checked_before_carols_save(Event):
            response = self.save(self.bob, event, bobs, status=409)
        self.assertContains(response, "Event with this Slug already exists.", status_code=409)
        self.assertContains(response, "Bob’s second day of talks", status_code=409)
        event.refresh_from_db()
        self.assertEqual((event.slug, event.title), ("talks", "Talks"))


def names_checked_before_the_other_save(watched="", barrier=None):
    """Actor.clean's check of a name, as run before another editor's save of it committed.

    Without a barrier (one thread): the first check of each name finds nothing,
    as it would have a moment earlier; a check after the save was refused sees
    what is stored. With one: the first check of the `watched` name in each
    thread waits at the barrier, so every save has checked it before any writes.
    """
    real = ActorQuerySet.sharing_a_name_with
    checked = set()
    lock = threading.Lock()

    def sharing_a_name_with(queryset, name):
        with lock:
            first = (threading.get_ident(), name) not in checked
            checked.add((threading.get_ident(), name))
        if barrier is None:
            return None if first else real(queryset, name)
        found = real(queryset, name)
        if first and fold(name) == watched:
            barrier.wait(timeout=20)
        return found

    return mock.patch.object(ActorQuerySet, "sharing_a_name_with", sharing_a_name_with)


class TwoEditorsNamingOneActorAtOnceTests(ConflictTestCase):
    """Two saves of one actor's name at once ("To Lam" and "Tô Lâm"): both pass the check, one is stored.

    The check (Actor.clean) reads every name before the save writes: replayed
    here in one thread, carol's actor is stored after bob's form was checked.
    Before, bob's save went through too, and the two actors split the sources
    naming To Lam between them.
    """

    def test_a_new_actor_named_as_one_just_saved_is_refused_with_a_message_and_the_form_kept(self):
        add_url = reverse("admin:articles_actor_add")
        bobs = change_form_data(self.bob.get(add_url))
        bobs.update(name="Tô Lâm", slug="to-lam-2", kind="person", description="General Secretary, as Bob typed it")
        carols = make_actor("To Lam", slug="to-lam")
        with names_checked_before_the_other_save():
            response = self.bob.post(add_url, bobs)
        self.assertContains(
            response,
            "“Tô Lâm” is already the name of To Lam (names ignore case, accents and punctuation)",
            status_code=409,
        )
        self.assertContains(response, "General Secretary, as Bob typed it", status_code=409)
        self.assertEqual(list(Actor.objects.all()), [carols])

    def test_an_alias_that_became_another_actors_name_meanwhile_is_refused_with_a_message(self):
        kim = make_actor("Kim Jong Un", slug="kim")
        bobs = self.open(self.bob, kim)
        bobs["aliases-0-name"] = "To Lam"
        carols = make_actor("Tô Lâm", slug="to-lam")
        with names_checked_before_the_other_save():
            response = self.save(self.bob, kim, bobs, status=409)
        self.assertContains(response, "“To Lam” is already the name of Tô Lâm.", status_code=409)
        self.assertContains(response, 'value="To Lam"', status_code=409)
        self.assertEqual(list(Actor.objects.order_by("pk")), [kim, carols])
        self.assertFalse(kim.aliases.exists())


class TwoEditorsOnOneTagTests(ConflictTestCase):
    """Tags have no revisions, but their change form refuses a stale save like every other.

    Before, two editors renaming one tag both saw "changed successfully", and
    the first rename was gone without a word.
    """

    def tag_url(self, tag):
        return reverse("admin:taggit_tag_change", args=[tag.pk])

    def test_a_stale_rename_is_refused_names_who_renamed_it_and_keeps_what_was_typed(self):
        tag = Tag.objects.get(name="diplomacy")
        alices = change_form_data(self.alice.get(self.tag_url(tag)))
        bobs = change_form_data(self.bob.get(self.tag_url(tag)))
        alices["name"] = "Diplomacy (Alice)"
        self.assertEqual(self.alice.post(self.tag_url(tag), alices).status_code, 302)
        bobs["name"] = "Diplomacy (Bob)"
        response = self.bob.post(self.tag_url(tag), bobs)
        self.assertContains(response, REFUSED, status_code=400)
        self.assertContains(response, "by alice: “Changed Name.”", status_code=400)
        self.assertEqual(self.conflict_rows(response), [["Name", "Diplomacy (Alice)", "Diplomacy (Bob)"]])
        self.assertContains(response, 'value="Diplomacy (Bob)"', status_code=400)
        tag.refresh_from_db()
        self.assertEqual(tag.name, "Diplomacy (Alice)")
        # Saving again stores Bob's name, as he decided.
        self.assertEqual(self.bob.post(self.tag_url(tag), change_form_data(response, status=400)).status_code, 302)
        tag.refresh_from_db()
        self.assertEqual(tag.name, "Diplomacy (Bob)")

    def test_a_tag_put_on_a_claim_meanwhile_is_reported_and_kept(self):
        tag = Tag.objects.get(name="diplomacy")
        bobs = change_form_data(self.bob.get(self.tag_url(tag)))
        self.claim.tags.add(tag)
        bobs["name"] = "talks"
        response = self.bob.post(self.tag_url(tag), bobs)
        self.assertContains(response, REFUSED, status_code=400)
        self.assertContains(response, "Added meanwhile: tagged item", status_code=400)
        self.assertEqual(self.bob.post(self.tag_url(tag), change_form_data(response, status=400)).status_code, 302)
        self.assertEqual(list(self.claim.tags.names()), ["talks"])
        self.assertEqual(list(self.article.tags.names()), ["talks"])

    def test_two_new_tags_of_one_name_at_once_give_the_second_a_message(self):
        Tag.objects.create(name="Summit")
        real = Tag.validate_unique
        calls = []

        def validate_unique(instance, *args, **kwargs):
            calls.append(instance)
            return real(instance, *args, **kwargs) if len(calls) > 1 else None

        form = {
            "name": "Summit",
            "slug": "",
            "taggit_taggeditem_items-TOTAL_FORMS": "0",
            "taggit_taggeditem_items-INITIAL_FORMS": "0",
        }
        with mock.patch.object(Tag, "validate_unique", autospec=True, side_effect=validate_unique):
            response = self.bob.post(reverse("admin:taggit_tag_add"), form)
        self.assertContains(response, "Tag with this Name already exists.", status_code=409)
        self.assertEqual(Tag.objects.filter(name="Summit").count(), 1)


@pytest.mark.django_db(transaction=True)
def test_a_save_that_arrives_while_another_is_being_saved_waits_for_it_and_is_refused():
    # The check reads the object under a row lock (SELECT … FOR UPDATE), so a
    # save in progress makes the next one wait, and then see it. Without the
    # lock, PostgreSQL would let the second save read the old row and win.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writes itself; the row lock matters on PostgreSQL.")
    rebuild_editors_group()  # an earlier transactional test may have flushed it
    make_editor()
    article = make_article(BODY, title="Arrival", slug="arrival")
    bob = Client()
    bob.force_login(User.objects.get(username="bob"))
    form = change_form_data(bob.get(change_url(article)))
    form["date_note"] = "Bob’s note"
    statuses = []

    def bobs_save():
        try:
            statuses.append(bob.post(change_url(article), form).status_code)
        finally:
            connections.close_all()

    with transaction.atomic():
        Article.objects.select_for_update().get(pk=article.pk)  # another save, under way
        thread = threading.Thread(target=bobs_save)
        thread.start()
        time.sleep(1.5)
        assert statuses == [], "bob's save must wait for the save under way"
        Article.objects.filter(pk=article.pk).update(title="Saved first")
    thread.join(timeout=30)
    assert statuses == [400]
    article.refresh_from_db()
    assert (article.title, article.date_note) == ("Saved first", "")


@pytest.mark.django_db(transaction=True)
def test_a_revert_that_arrives_while_a_save_is_under_way_waits_for_it_and_is_refused():
    # Found by hand: two editors reverting one claim to two versions at once both
    # passed the token check, and the last revert won without a word. The revert
    # now locks the row as a change form's save does.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writes itself; the row lock matters on PostgreSQL.")
    from reversion.models import Version

    rebuild_editors_group()
    make_editor()
    article = make_article(BODY, title="Arrival", slug="arrival")
    bob = Client()
    bob.force_login(User.objects.get(username="bob"))
    form = change_form_data(bob.get(change_url(article)))
    form["title"] = "Arrival in Pyongyang"
    assert bob.post(change_url(article), form).status_code == 302
    first = Version.objects.get_for_object(article).order_by("pk").first()
    revert_url = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    revert_form = change_form_data(bob.get(revert_url))
    answers = []

    def bobs_revert():
        try:
            answers.append(bob.post(revert_url, revert_form))
        finally:
            connections.close_all()

    with transaction.atomic():
        Article.objects.select_for_update().get(pk=article.pk)  # another save, under way
        thread = threading.Thread(target=bobs_revert)
        thread.start()
        time.sleep(1.5)
        assert answers == [], "bob's revert must wait for the save under way"
        Article.objects.filter(pk=article.pk).update(title="Saved first")
    thread.join(timeout=30)
    assert [answer.status_code for answer in answers] == [409]
    assert "so nothing was reverted" in answers[0].content.decode()
    article.refresh_from_db()
    assert article.title == "Saved first"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("alices", "bobs", "refusals"),
    [
        (  # Two new actors, one name in two spellings.
            {"name": "To Lam", "slug": "to-lam"},
            {"name": "Tô Lâm", "slug": "to-lam-2"},
            {
                "alice": "“To Lam” is already the name of Tô Lâm (names ignore case, accents and punctuation)",
                "bob": "“Tô Lâm” is already the name of To Lam (names ignore case, accents and punctuation)",
            },
        ),
        (  # A new actor, and an alias of another actor spelling the same name.
            {"name": "To Lam", "slug": "to-lam"},
            {"alias": "Tô Lâm’s"},
            {
                "alice": "“To Lam” is already an alias of Kim Jong Un (names ignore case, accents and punctuation)",
                "bob": "“Tô Lâm’s” is already the name of To Lam.",
            },
        ),
    ],
    ids=["two-new-actors", "a-new-actor-and-an-alias"],
)
def test_two_saves_of_one_name_at_once_store_one_and_refuse_the_other_with_a_message(alices, bobs, refusals):
    # Found by reading the check: Actor.clean reads every name, then the admin
    # writes. Both saves here have checked "To Lam" before either writes (the
    # barrier); before, both were stored. Now the database's unique key refuses
    # the second (it waits for the first to commit), and its form is shown again.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writes itself; two saves at once need PostgreSQL.")
    rebuild_editors_group()
    make_admin(), make_editor()
    kim = make_actor("Kim Jong Un", slug="kim")
    answers = {}

    def post(who, changes):
        client = Client()
        client.force_login(User.objects.get(username=who))
        if "alias" in changes:
            url = change_url(kim)
            form = change_form_data(client.get(url))
            form["aliases-0-name"] = changes["alias"]
        else:
            url = reverse("admin:articles_actor_add")
            form = change_form_data(client.get(url))
            form.update(kind="person", description=f"as {who} typed it", **changes)
        return url, form, client

    saves = {"alice": post("alice", alices), "bob": post("bob", bobs)}

    def save(who):
        url, form, client = saves[who]
        try:
            answers[who] = client.post(url, form)
        finally:
            connections.close_all()

    with names_checked_before_the_other_save("to lam", threading.Barrier(2)):
        threads = [threading.Thread(target=save, args=[who]) for who in saves]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(answer.status_code for answer in answers.values()) == [302, 409]
    refused = next(who for who, answer in answers.items() if answer.status_code == 409)
    page = html.unescape(answers[refused].content.decode())
    assert refusals[refused] in page
    typed = bobs.get("alias", "as bob typed it") if refused == "bob" else "as alice typed it"
    assert f'value="{typed}"' in page
    names = [*Actor.objects.values_list("name", flat=True), *kim.aliases.values_list("name", flat=True)]
    assert [fold(name) for name in names].count("to lam") == 1
