"""Admin change forms record and save only what the editor changed, and keep what was typed."""

import html

import pytest
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, Event
from tests.admin_forms import change_form_fields, refused_page, with_changes
from tests.factories import cite, make_actor, make_article, make_claim, make_event

pytestmark = pytest.mark.django_db

BODY = "First paragraph.\n\n  An indented line, kept.\n\nLast line ends with a newline.\n"
CAPTIONS = "A photo. - AP\n"


def post_change(client, article, **changes):
    url = reverse("admin:articles_article_change", args=[article.pk])
    fields = change_form_fields(client.get(url).content.decode())
    return client.post(url, with_changes(fields, **changes))


def last_change_message(article):
    """The change message of the article's latest revision, as its History shows it."""
    return Version.objects.get_for_object(article).first().revision.get_comment()


def test_a_tags_only_edit_is_recorded_as_changing_only_the_tags(editor_client):
    article = make_article(BODY, captions=CAPTIONS, tags=["visit"])
    response = post_change(editor_client, article, tags="visit, diplomacy")
    assert response.status_code == 302
    assert last_change_message(article) == "Changed Tags."
    article.refresh_from_db()
    assert (article.body, article.captions) == (BODY, CAPTIONS)
    assert sorted(article.tags.names()) == ["diplomacy", "visit"]


def test_a_body_sent_back_with_browser_line_ends_is_not_a_change(editor_client):
    article = make_article(BODY, captions=CAPTIONS, tags=["visit"])
    response = post_change(
        editor_client,
        article,
        body=BODY.replace("\n", "\r\n"),
        captions=CAPTIONS.replace("\n", "\r\n"),
        date_note="Stated.",
    )
    assert response.status_code == 302
    assert last_change_message(article) == "Changed Date note."
    article.refresh_from_db()
    assert article.body == BODY


def test_an_untouched_body_keeps_its_quotes_in_place(editor_client):
    article = make_article(BODY, tags=["visit"])
    claim = make_claim(citations=[(article, "An indented line, kept.")])
    citation = claim.citations.get()
    assert post_change(editor_client, article, title="A new title").status_code == 302
    assert last_change_message(article) == "Changed Title."
    citation.refresh_from_db()
    assert (citation.start, citation.end, citation.anchored) == (20, 43, True)


def test_a_refused_save_shows_the_body_exactly_as_typed(editor_client):
    article = make_article(BODY, tags=["visit"])
    typed = "  Leading spaces stay.\n\nTrailing newline stays.\n"
    response = post_change(editor_client, article, body=typed, published="not a date")
    assert response.status_code == 400
    assert response.context["adminform"].form["body"].value() == typed
    assert Article.objects.get(pk=article.pk).body == BODY


@pytest.mark.parametrize(
    ("kind", "field", "posted", "message"),
    [
        ("claim", "claimant", "abc", "Select a valid choice."),
        ("claim", "event", "1.5", "Select a valid choice."),
        ("claim", "subjects", "abc", "“abc” is not a valid value."),
        ("article", "publisher", "1.5", "Select a valid choice."),
        ("article", "authors", "abc", "“abc” is not a valid value."),
        ("event", "participations-0-actor", "abc", "Select a valid choice."),
        ("claim", "citations-0-speaker", "abc", "Select a valid choice."),
    ],
)
def test_a_choice_posted_as_something_other_than_an_id_is_refused_with_a_message(
    editor_client, kind, field, posted, message
):
    # Found by hand: Django's autocomplete widget looked the posted value up as an
    # id to draw the form again, and "abc" raised ValueError there: a 500.
    objects = {"claim": make_claim, "article": make_article, "event": make_event}
    obj = objects[kind]()
    if kind == "claim":
        cite(obj, make_article("Kim said the visit was historic."), "the visit was historic")
    url = reverse(f"admin:articles_{kind}_change", args=[obj.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    response = editor_client.post(url, with_changes(fields, **{field: posted, "change_note": "Bob’s note"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert html.escape(message) in page
    assert 'value="Bob’s note"' in page


def test_an_article_cited_200_times_saves_from_its_change_form(editor_client):
    # Found by hand: each inline citation row posts about seven fields, and Django
    # refuses a form of more than 1,000 (DATA_UPLOAD_MAX_NUMBER_FIELDS) with a bare
    # 400 page: an article cited 140 times or more could no longer be saved, and
    # what the editor typed was gone.
    sentences = [f"Sentence number {n} of the report." for n in range(200)]
    article = make_article(" ".join(sentences), title="Cited often")
    claim = make_claim("The report has many sentences.")
    for sentence in sentences:
        cite(claim, article, sentence)
    url = reverse("admin:articles_article_change", args=[article.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    assert len(fields) > 1_000
    response = editor_client.post(url, with_changes(fields, title="Cited very often"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Cited very often"


def test_a_form_too_large_to_read_gets_a_page_that_says_so_and_where_the_typing_is(editor_client, settings):
    # Django's own 400 page spoke of a bad address, with nothing about the form.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(url, {f"field{n}": "x" for n in range(11)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "That form was too large to save" in page
    assert "What you typed is still in your browser" in " ".join(page.split())


def test_a_form_saved_after_its_editor_was_signed_out_elsewhere_shows_everything_typed(editor_client):
    # Found by hand: signing out in another tab (or a session expiring) while a long form was being
    # filled in sent the save to the sign-in page, and the text typed was gone.
    claim = make_claim("Lam visited Pyongyang.")
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    editor_client.post(reverse("admin:logout"))
    data = with_changes(fields, text="A long text typed <carefully> over an hour.", change_note="Why, in a line.")
    response = editor_client.post(url, data)
    page = refused_page(response, 403)
    assert "You were signed out (in another tab, or after a long time away)" in page
    assert "A long text typed <carefully> over an hour.</textarea>" in page
    assert "Why, in a line.</textarea>" in page
    assert "&lt;carefully&gt;" in response.content.decode()
    claim.refresh_from_db()
    assert claim.text == "Lam visited Pyongyang."


def test_a_form_opened_before_its_editor_signed_in_again_shows_everything_typed():
    # Signed out, then signed in again in another tab: the form's CSRF token belongs to the old
    # session, and the refusal was Django's bare 403 page, with the typing gone.
    from django.test import Client

    from tests.factories import make_editor

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_editor())
    claim = make_claim("Lam visited Pyongyang.")
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    fields = change_form_fields(browser.get(url).content.decode())
    browser.logout()
    browser.force_login(make_editor("dana"))
    browser.cookies["csrftoken"] = "x" * 32  # signing in again gave the browser a new token
    response = browser.post(url, with_changes(fields, text="Typed before signing in again."))
    page = refused_page(response, 403)
    assert "This form was opened before you last signed in" in page
    assert "Typed before signing in again.</textarea>" in page
    claim.refresh_from_db()
    assert claim.text == "Lam visited Pyongyang."


def test_a_post_refused_by_the_csrf_check_outside_the_admin_gets_djangos_page():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()


def test_a_refused_change_form_answers_400_with_its_errors_and_everything_typed_inlines_included(editor_client):
    # Before, the refused form came back as a 200, the status of a save that worked.
    article = make_article("Kim said the visit was historic. Talks lasted two days.", title="Visit")
    claim = make_claim("The visit was historic.")
    cite(claim, article, "the visit was historic")
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    typed = {
        "text": "The visit was called historic by Kim.",
        "change_note": "Bob’s wording",
        "citations-0-quote": "the visit was a triumph",
    }
    response = editor_client.post(url, with_changes(fields, **typed))
    page = refused_page(response, 400)
    assert "Please correct the error below." in page
    assert "does not occur word for word in the body of “Visit”" in page
    assert "The visit was called historic by Kim.</textarea>" in page
    assert 'value="Bob’s wording"' in page
    assert "the visit was a triumph</textarea>" in page
    claim.refresh_from_db()
    assert claim.text == "The visit was historic."


def test_an_add_form_refused_for_a_field_answers_400_and_keeps_its_inline_rows(editor_client):
    actor = make_actor("Kim Jong Un")
    data = {
        "title": "Talks in Pyongyang",
        "slug": "talks-in-pyongyang",
        "start": "not a date",
        "date_precision": "day",
        "participations-TOTAL_FORMS": "1",
        "participations-INITIAL_FORMS": "0",
        "participations-0-actor": str(actor.pk),
        "participations-0-role": "host of the talks",
    }
    response = editor_client.post(reverse("admin:articles_event_add"), data)
    page = refused_page(response, 400)
    assert "Enter a valid date." in page
    assert 'value="Talks in Pyongyang"' in page
    assert 'value="not a date"' in page
    assert 'value="host of the talks"' in page
    assert not Event.objects.exists()
