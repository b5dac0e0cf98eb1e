"""Editors add articles and cite them in admin; bad quotes are refused clearly, keeping their input."""

import datetime
import html
import unicodedata
from unittest import mock

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Actor, Article, Citation, Claim
from tests.admin_forms import refused_page
from tests.factories import cite, make_actor, make_article, make_claim

pytestmark = pytest.mark.django_db

BODY = "Lam will attend the parade on Oct 10.\n\n“This fits Hanoi’s ambition,” said Giang."


def inline_management(prefix, total=1, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def article_form(claim, quote, **overrides):
    data = {
        "title": "Lam heads to Pyongyang",
        "slug": "lam-heads-to-pyongyang",
        "kind": "news",
        "tags": "visit, diplomacy",
        "date_precision": "day",
        "published": "2025-10-08",
        "body": BODY,
        **inline_management("citations"),
        "citations-0-claim": str(claim.pk),
        "citations-0-stance": "supports",
        "citations-0-location": "body",
        "citations-0-quote": quote,
    }
    data.update(overrides)
    return data


def test_an_editor_adds_an_article_with_a_citation(editor_client):
    claim = make_claim("Lam will attend the parade.")
    response = editor_client.post(
        reverse("admin:articles_article_add"), article_form(claim, "Lam will attend the parade on Oct 10.")
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    article = Article.objects.get(slug="lam-heads-to-pyongyang")
    citation = article.citations.get()
    assert (citation.claim, citation.start, citation.end) == (claim, 0, 37)
    assert sorted(article.tags.names()) == ["diplomacy", "visit"]


def test_a_quote_not_in_the_body_is_refused_naming_the_article_and_nearest_match(editor_client):
    claim = make_claim()
    typed = '"This fits Hanoi\'s ambition," said Giang.'
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(claim, typed))
    assert response.status_code == 400
    assert not Article.objects.exists()
    page = response.content.decode()
    assert "does not occur word for word in the body of “Lam heads to Pyongyang”" in page
    assert "The nearest passage is: ““This fits Hanoi’s ambition,” said Giang.”" in page


def test_a_refused_form_keeps_everything_the_editor_typed(editor_client):
    claim = make_claim()
    response = editor_client.post(
        reverse("admin:articles_article_add"), article_form(claim, "A quote from somewhere else entirely.")
    )
    page = response.content.decode()
    assert 'value="Lam heads to Pyongyang"' in page
    assert "A quote from somewhere else entirely.</textarea>" in page
    assert "Lam will attend the parade on Oct 10." in page
    assert '<input type="text" name="tags" value="visit, diplomacy"' in page


def test_a_claim_page_takes_citations_inline_and_validates_them(editor_client):
    article = make_article(BODY, title="Bloomberg copy")
    data = {
        "slug": "giang-ambition",
        "text": "Giang says the visit fits Hanoi's ambition.",
        "kind": "opinion",
        "tags": "",
        **inline_management("conflict_links", total=0),
        **inline_management("citations"),
        "citations-0-article": str(article.pk),
        "citations-0-stance": "supports",
        "citations-0-location": "body",
        "citations-0-quote": "This fits Hanoi’s ambition",
    }
    assert editor_client.post(reverse("admin:articles_claim_add"), data).status_code == 302
    data["slug"], data["citations-0-quote"] = "another", "This fits Hanois ambition"
    response = editor_client.post(reverse("admin:articles_claim_add"), data)
    assert "does not occur word for word in the body of “Bloomberg copy”" in response.content.decode()
    assert Claim.objects.filter(slug="another").count() == 0


def test_editing_a_body_that_loses_a_quote_warns_and_flags_it(editor_client):
    article = make_article("Keep this. Lose this.", title="Edited")
    citation = cite(make_claim(), article, "Lose this.")
    data = {
        "title": "Edited",
        "slug": article.slug,
        "kind": "news",
        "tags": "",
        "date_precision": "day",
        "published": "2025-10-09",
        "body": "Keep this.",
        **inline_management("citations", total=1, initial=1),
        "citations-0-id": str(citation.pk),
        "citations-0-article": str(article.pk),
        "citations-0-claim": str(citation.claim.pk),
        "citations-0-stance": "supports",
        "citations-0-location": "body",
        "citations-0-quote": "Lose this.",
    }
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data, follow=True)
    assert "1 quote(s) no longer occur in the body and are flagged" in response.content.decode()
    citation.refresh_from_db()
    assert citation.anchored is False
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_actor_autocomplete_finds_actors_by_alias(editor_client):
    make_actor("Kim Jong Un", aliases=["Kim Jong-un"])
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "Jong-un", "app_label": "articles", "model_name": "article", "field_name": "authors"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Kim Jong Un"]


def test_the_claim_list_shows_derived_status(editor_client):
    make_claim("Trade is small.", citations=[(make_article("Trade is small."), "Trade is small.")])
    response = editor_client.get(reverse("admin:articles_claim_changelist"), {"status": "single-source"})
    assert "Trade is small." in response.content.decode()
    assert "Single source" in response.content.decode()


def test_the_article_list_shows_the_newest_first_and_the_undated_last(editor_client):
    make_article(title="Undated piece", published=None)
    make_article(title="Older piece", published=datetime.date(2024, 1, 2))
    make_article(title="Newer piece", published=datetime.date(2025, 3, 4))
    page = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert page.index("Newer piece") < page.index("Older piece") < page.index("Undated piece")


def test_the_editors_group_edits_content_but_not_users_or_permissions():
    permissions = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article", "add_citation", "change_claim", "add_tag"} <= permissions
    assert not {p for p in permissions if p.endswith(("_user", "_group", "_permission"))}


def test_a_body_and_quote_typed_in_a_browser_with_crlf_line_ends_still_match(editor_client):
    claim = make_claim()
    data = article_form(claim, "Lam will attend the parade on Oct 10.", body=BODY.replace("\n", "\r\n"))
    assert editor_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    article = Article.objects.get(slug="lam-heads-to-pyongyang")
    assert "\r" not in article.body
    assert article.citations.get().anchored


# --- Voices, competing-claim notes and editor notes ---------------------------------------


def test_the_citation_inline_offers_a_speaker_with_autocomplete_and_explains_it(editor_client):
    claim = make_claim()
    page = editor_client.get(reverse("admin:articles_claim_change", args=[claim.pk])).content.decode()
    assert 'name="citations-0-speaker"' in page
    speaker = page[page.index('name="citations-0-speaker"') - 400 : page.index('name="citations-0-speaker"') + 400]
    assert 'class="admin-autocomplete' in speaker
    assert 'data-field-name="speaker"' in speaker
    assert "Leave empty for the article's own voice: its author(s), else its wire service, else its publisher." in (
        html.unescape(page)
    )
    assert 'name="citations-0-location"' in page
    assert '<option value="captions">photo caption</option>' in page


def test_an_editor_cites_a_speaker_and_a_caption_from_the_claim_page(editor_client):
    giang = make_actor("Nguyen Khac Giang")
    article = make_article(BODY, title="Bloomberg copy", captions="Giang at a seminar in Hanoi.")
    data = {
        "slug": "giang-ambition",
        "text": "Giang says the visit fits Hanoi's ambition.",
        "kind": "opinion",
        "claimant": str(giang.pk),
        "tags": "",
        **inline_management("conflict_links", total=0),
        **inline_management("citations", total=2),
        "citations-0-article": str(article.pk),
        "citations-0-stance": "supports",
        "citations-0-location": "body",
        "citations-0-speaker": str(giang.pk),
        "citations-0-quote": "This fits Hanoi’s ambition",
        "citations-1-article": str(article.pk),
        "citations-1-stance": "qualifies",
        "citations-1-location": "captions",
        "citations-1-quote": "Giang at a seminar",
    }
    response = editor_client.post(reverse("admin:articles_claim_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    claim = Claim.objects.get(slug="giang-ambition")
    captioned, spoken = claim.citations.order_by("stance")  # qualifies, supports
    assert (spoken.speaker, spoken.location) == (giang, "body")
    assert (captioned.location, captioned.anchored, captioned.start) == ("captions", True, 0)
    assert claim.status == "single-source"
    assert claim.origin_labels == [giang.slug]


def test_a_caption_quote_that_is_only_in_the_body_is_refused_clearly(editor_client):
    article = make_article(BODY, title="Bloomberg copy", captions="Giang at a seminar.")
    data = {
        "slug": "wrong-place",
        "text": "Lam attends the parade.",
        "kind": "fact",
        "tags": "",
        **inline_management("conflict_links", total=0),
        **inline_management("citations"),
        "citations-0-article": str(article.pk),
        "citations-0-stance": "supports",
        "citations-0-location": "captions",
        "citations-0-quote": "Lam will attend the parade",
    }
    response = editor_client.post(reverse("admin:articles_claim_add"), data)
    assert response.status_code == 400
    assert "does not occur word for word in the photo captions of “Bloomberg copy”" in response.content.decode()
    assert "Lam will attend the parade</textarea>" in response.content.decode()
    assert not Claim.objects.filter(slug="wrong-place").exists()


def test_an_editor_links_competing_claims_with_a_note_for_readers(editor_client):
    article = make_article("In 2007. Around 2005.")
    in_2007 = make_claim("In 2007.", citations=[(article, "In 2007.")])
    around = make_claim("Around 2005.", slug="around-2005", citations=[(article, "Around 2005.")])
    data = {
        "slug": in_2007.slug,
        "text": in_2007.text,
        "kind": "fact",
        "tags": "",
        **inline_management("conflict_links"),
        "conflict_links-0-to_claim": str(around.pk),
        "conflict_links-0-note": "2007 vs around 2005–2006",
        **inline_management("citations", total=0),
    }
    response = editor_client.post(reverse("admin:articles_claim_change", args=[in_2007.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert around.conflict_links.get().note == "2007 vs around 2005–2006"
    around.refresh_from_db()
    assert around.status == "contested"
    page = editor_client.get(reverse("admin:articles_claim_change", args=[around.pk])).content.decode()
    assert "2007 vs around 2005–2006" in page


def test_editor_notes_are_editable_in_the_admin(editor_client):
    actor, article = make_actor(), make_article()
    for url in (
        reverse("admin:articles_actor_change", args=[actor.pk]),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_event_add"),
    ):
        page = editor_client.get(url).content.decode()
        assert 'name="editor_note"' in page, url
        assert "For editors only, never shown to readers" in page, url


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/admin/articles/claim/?status__exact=%00", "status__exact"),
        ("/admin/articles/claim/?q=to%00lam", "q"),
        ("/admin/autocomplete/?app_label=articles&model_name=citation&field_name=claim&term=%00", "term"),
        ("/admin/taggit/tag/?q=%00", "q"),
    ],
)
def test_a_nul_character_in_an_admin_address_is_refused_with_a_message_naming_the_parameter(editor_client, url, name):
    # Found by hand on PostgreSQL: psycopg refuses NUL in a parameter, so a list
    # filter or the claim autocomplete with %00 in its address was a 500.
    response = editor_client.get(url)
    assert response.status_code == 400
    assert f"“{name}” contains a NUL character, which no value may." in response.content.decode()


def test_an_admin_address_without_nul_characters_is_served_as_before(editor_client):
    response = editor_client.get("/admin/articles/claim/?q=to+lam")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "action"),
    [("/admin/articles/claim/", "delete_selected"), ("/admin/taggit/tag/", "render_tag_form")],
)
def test_an_action_on_rows_named_by_something_other_than_ids_is_refused_with_a_message(editor_client, url, action):
    # Found by hand: Django filtered the list by the posted "ids", and "abc" raised ValueError: a 500.
    claim = make_claim()
    response = editor_client.post(url, {"action": action, "_selected_action": [str(claim.pk), "abc"], "index": "0"})
    assert response.status_code == 400
    assert "The rows ticked for the action are named by their ids, which are numbers." in response.content.decode()
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_an_action_on_ticked_rows_still_asks_to_confirm(editor_client):
    claim = make_claim("Kim met Lam.")
    response = editor_client.post(
        "/admin/articles/claim/", {"action": "delete_selected", "_selected_action": [str(claim.pk)], "index": "0"}
    )
    assert response.status_code == 200
    assert "Are you sure you want to delete the selected claim?" in response.content.decode()


@pytest.mark.parametrize("slug", ["contested", "grid"])
def test_a_claim_slug_that_is_the_address_of_a_list_is_refused_with_a_message(editor_client, slug):
    # Found by hand: a claim saved with slug "grid" had /claims/grid/ as its
    # permalink, which is the agreement grid: the claim could not be reached.
    from tests.admin_forms import change_form_fields, with_changes

    url = reverse("admin:articles_claim_add")
    fields = change_form_fields(editor_client.get(url).content.decode())
    response = editor_client.post(url, with_changes(fields, slug=slug, text="Kim met Lam twice.", kind="fact"))
    page = refused_page(response, 400)
    assert f"/claims/{slug}/ is the address of a list of claims, so no claim may have it." in page
    assert "Kim met Lam twice." in page
    assert not Claim.objects.filter(slug=slug).exists()


def test_two_aliases_differing_only_in_case_in_one_form_are_refused_with_a_message(editor_client):
    # Found by hand: each row passed Django's check against the stored aliases, and
    # the database's case-insensitive constraint refused the second: a 500.
    from tests.admin_forms import change_form_fields, with_changes

    actor = make_actor("Kim Jong Un")
    url = reverse("admin:articles_actor_change", args=[actor.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    rows = {"aliases-TOTAL_FORMS": "2", "aliases-0-name": "Kim Jong-un", "aliases-1-name": "KIM JONG-UN"}
    data = with_changes(fields, **rows)
    response = editor_client.post(url, data)
    assert response.status_code == 400
    assert (
        "“KIM JONG-UN” is already in this list as “Kim Jong-un”; aliases ignore case, accents and punctuation."
        in html.unescape(response.content.decode())
    )
    assert not actor.aliases.exists()


def test_a_save_the_database_refuses_even_when_tried_again_shows_why_and_everything_typed(editor_client, monkeypatch):
    # The last resort behind the form checks (two saves at once are tried again, and
    # the form then names the clash): a refusal no form check knows of is not a 500.
    from django.db import IntegrityError

    from articles.models import Actor
    from tests.admin_forms import change_form_fields, with_changes

    actor = make_actor("Kim Jong Un")
    url = reverse("admin:articles_actor_change", args=[actor.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())

    def refused(self, *args, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "an_unforeseen_rule"')

    monkeypatch.setattr(Actor, "save", refused)
    response = editor_client.post(url, with_changes(fields, name="Kim Jong-un, as Bob spells it"))
    page = refused_page(response, 409)
    assert "The database refused this save, so nothing was saved: duplicate key value violates" in page
    assert "Kim Jong-un, as Bob spells it</textarea>" in page


@pytest.mark.parametrize(
    ("typed", "whose"),
    [
        (unicodedata.normalize("NFD", "Tô Lâm"), "the name"),  # combining accents, as some sources store text
        ("TÔ LÂM", "the name"),
        ("to lam", "the name"),  # without accents, and in another case
        ("Tô Lâm’s party chief", "an alias"),  # an alias of his, with a curly possessive
    ],
)
def test_a_second_actor_named_as_an_existing_one_is_refused_with_a_message_and_the_form_kept(
    editor_client, typed, whose
):
    # Found by hand: the NFD spelling of "Tô Lâm" was saved as a second actor, splitting his sources in two.
    from tests.admin_forms import change_form_fields, with_changes

    lam = make_actor("Tô Lâm", aliases=["To Lam's party chief"])
    url = reverse("admin:articles_actor_add")
    fields = change_form_fields(editor_client.get(url).content.decode())
    data = with_changes(fields, name=typed, slug="second-lam", kind="person", description="General Secretary")
    response = editor_client.post(url, data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert f"“{typed}” is already {whose} of Tô Lâm (names ignore case, accents and punctuation)" in page
    assert "add what differs as an alias of Tô Lâm rather than a second actor." in page
    assert 'value="General Secretary"' in page
    assert list(Actor.objects.all()) == [lam]


def test_an_alias_spelled_with_combining_accents_clashes_with_the_composed_name_of_another_actor(editor_client):
    from tests.admin_forms import change_form_fields, with_changes

    make_actor("Tô Lâm")
    kim = make_actor("Kim Jong Un")
    url = reverse("admin:articles_actor_change", args=[kim.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    typed = unicodedata.normalize("NFD", "Tô Lâm")
    response = editor_client.post(url, with_changes(fields, **{"aliases-0-name": typed}))
    assert response.status_code == 400
    assert f"“{typed}” is already the name of Tô Lâm." in html.unescape(response.content.decode())
    assert not kim.aliases.exists()


def test_two_aliases_differing_only_in_how_accents_are_encoded_in_one_form_are_refused(editor_client):
    from tests.admin_forms import change_form_fields, with_changes

    actor = make_actor("Kim Jong Un")
    url = reverse("admin:articles_actor_change", args=[actor.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    composed = "Kim Chŏng-ŭn"
    rows = {
        "aliases-TOTAL_FORMS": "2",
        "aliases-0-name": composed,
        "aliases-1-name": unicodedata.normalize("NFD", composed),
    }
    response = editor_client.post(url, with_changes(fields, **rows))
    assert response.status_code == 400
    assert f"is already in this list as “{composed}”" in html.unescape(response.content.decode())
    assert not actor.aliases.exists()


def test_two_rows_citing_the_same_passage_in_one_claim_form_are_refused_with_a_message(editor_client):
    # Citations are unique by the digest of their quote, which Django's formset does not compare
    # between rows: without its own check the database refused the save, and the editor saw its error.
    from tests.admin_forms import change_form_fields, with_changes

    article = make_article("Talks lasted two days. Then the delegation left.")
    claim = make_claim("Talks took two days.")
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    rows = {"citations-TOTAL_FORMS": "2"}
    for i in (0, 1):
        rows |= {
            f"citations-{i}-article": str(article.pk),
            f"citations-{i}-quote": "Talks lasted two days.",
            f"citations-{i}-stance": "supports",
            f"citations-{i}-location": "body",
        }
    response = editor_client.post(url, with_changes(fields, **rows))
    page = refused_page(response, 400)
    assert "This passage is already cited in another row of this form, for the same claim." in page
    assert "The database refused this save" not in page
    assert not Citation.objects.exists()


def test_an_actor_named_with_only_invisible_characters_is_refused_with_a_message(editor_client):
    from tests.admin_forms import change_form_fields, with_changes

    url = reverse("admin:articles_actor_add")
    fields = change_form_fields(editor_client.get(url).content.decode())
    data = with_changes(fields, name="\u200b\u2060", slug="nobody", kind="person", description="Kept")
    response = editor_client.post(url, data)
    page = refused_page(response, 400)
    assert "This name has only invisible characters (such as zero-width spaces)." in page
    assert 'value="Kept"' in page
    assert not Actor.objects.exists()


# --- Bidi controls -------------------------------------------------------------------------------

RLO = "U+202E RIGHT-TO-LEFT OVERRIDE"
ONE_CONTROL = "an invisible control character that makes readers see the text in another order than it is stored"


@pytest.mark.parametrize(
    ("add", "changes", "typed", "message"),
    [
        # An actor whose name displays as "TO LAM" while it is stored as "MAL OT".
        (
            "actor",
            {"name": "\u202eMAL OT", "slug": "spoof", "kind": "person"},
            "\u202eMAL OT",
            f"This text contains {RLO} at character 1: {ONE_CONTROL}.",
        ),
        (
            "actor",
            {"name": "Tô Lâm", "slug": "to-lam", "kind": "person", "aliases-0-name": "To \u2067Lam"},
            "To \u2067Lam",
            f"This text contains U+2067 RIGHT-TO-LEFT ISOLATE at character 4: {ONE_CONTROL}.",
        ),
        (
            "event",
            {"title": "Visit \u202bto Pyongyang", "slug": "visit", "start": "2025-10-09"},
            "Visit \u202bto Pyongyang",
            f"This text contains U+202B RIGHT-TO-LEFT EMBEDDING at character 7: {ONE_CONTROL}.",
        ),
        (
            "claim",
            {"text": "Lam met Kim \u202eon Thursday.", "slug": "lam-met-kim", "kind": "fact"},
            "Lam met Kim \u202eon Thursday.",
            f"This text contains {RLO} at character 13: {ONE_CONTROL}.",
        ),
        (
            "claim",
            {"text": "Lam met Kim.", "slug": "lam-met-kim", "kind": "fact", "tags": "visit, \u202edprk"},
            "visit, \u202edprk",
            f"The tag “dprk” contains {RLO} at character 1: {ONE_CONTROL}.",
        ),
        (
            "actor",
            {"name": "Tô Lâm", "slug": "to-lam", "kind": "person", "change_note": "fixed a \u2066typo\u2069"},
            "fixed a \u2066typo\u2069",
            "This text contains U+2066 LEFT-TO-RIGHT ISOLATE at character 9 and U+2069 POP DIRECTIONAL ISOLATE "
            "at character 14: invisible control characters that make readers see the text in another order than "
            "it is stored. Remove them (to mark the direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK "
            "is enough).",
        ),
    ],
)
def test_a_bidi_control_typed_into_a_short_field_is_refused_naming_it_and_the_form_kept(
    editor_client, add, changes, typed, message
):
    from tests.admin_forms import change_form_fields, with_changes

    url = reverse(f"admin:articles_{add}_add")
    fields = change_form_fields(editor_client.get(url).content.decode())
    response = editor_client.post(url, with_changes(fields, **changes))
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert message in page
    assert typed in page
    assert not apps.get_model("articles", add).objects.exists()


def test_a_bidi_control_in_a_pasted_body_is_refused_naming_its_line_and_the_body_kept(editor_client):
    claim = make_claim("Lam will attend the parade.")
    body = BODY + "\n\nHe said \u202e.tcaf a si sihT"
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_form(claim, "Lam will attend the parade on Oct 10.", body=body),
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert f"This text contains {RLO} at line 5, character 9: {ONE_CONTROL}." in page
    assert body in page
    assert not Article.objects.exists()


def test_a_bidi_control_in_a_competing_claims_note_is_refused_with_a_message(editor_client):
    in_2007, around = make_claim("In 2007."), make_claim("Around 2005.", slug="around-2005")
    data = {
        "slug": in_2007.slug,
        "text": in_2007.text,
        "kind": "fact",
        "tags": "",
        **inline_management("conflict_links"),
        "conflict_links-0-to_claim": str(around.pk),
        "conflict_links-0-note": "2007 vs \u202earound 2005",
        **inline_management("citations", total=0),
    }
    response = editor_client.post(reverse("admin:articles_claim_change", args=[in_2007.pk]), data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert f"This text contains {RLO} at character 9: {ONE_CONTROL}." in page
    assert "2007 vs \u202earound 2005" in page
    assert not around.conflict_links.exists()


def test_left_to_right_and_right_to_left_marks_are_allowed_in_a_name(editor_client):
    from tests.admin_forms import change_form_fields, with_changes

    url = reverse("admin:articles_actor_add")
    fields = change_form_fields(editor_client.get(url).content.decode())
    name = "Al-Ahram \u200f(الأهرام)\u200e"
    response = editor_client.post(url, with_changes(fields, name=name, slug="al-ahram", kind="outlet"))
    assert response.status_code == 302
    assert Actor.objects.get().name == name


def test_a_name_with_a_bidi_control_that_reads_as_an_existing_actor_gets_only_the_bidi_message(editor_client):
    # Quoted in the "is already the name of" message, the override reversed the rest of that message.
    from tests.admin_forms import change_form_fields, with_changes

    make_actor("Tô Lâm")
    url = reverse("admin:articles_actor_add")
    fields = change_form_fields(editor_client.get(url).content.decode())
    response = editor_client.post(url, with_changes(fields, name="To\u202e Lam", slug="second", kind="person"))
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert f"This text contains {RLO} at character 3: {ONE_CONTROL}." in page
    assert "is already the name of" not in page
    assert Actor.objects.count() == 1


def test_a_list_edited_in_place_and_refused_answers_400_with_the_errors_and_what_was_typed(editor_client):
    # No list in this admin is editable in place yet; one that becomes so answers like every other form.
    actor = make_actor("Kim Jong Un")
    model_admin = admin.site._registry[Actor]
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(actor.pk),
        "form-0-kind": "pamphleteer",
        "form-0-description": "Leader since 2011.",
        "_save": "Save",
    }
    with mock.patch.object(model_admin, "list_editable", ["kind", "description"]):
        response = editor_client.post(reverse("admin:articles_actor_changelist"), form)
    page = refused_page(response, 400)
    assert "Select a valid choice. pamphleteer is not one of the available choices." in page
    assert 'value="Leader since 2011."' in page
    actor.refresh_from_db()
    assert actor.description == ""
