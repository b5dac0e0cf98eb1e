"""Admin change forms record and save only what the editor changed."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from articles.models import Article
from tests.factories import make_article, make_claim, make_editor

pytestmark = pytest.mark.django_db

BODY = "First paragraph.\n\n  An indented line, kept.\n\nLast line ends with a newline.\n"
CAPTIONS = "A photo. - AP\n"


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def article_change_form(article, **overrides):
    data = {
        "title": article.title,
        "slug": article.slug,
        "kind": article.kind,
        "tags": "visit",
        "date_precision": article.date_precision,
        "published": article.published.isoformat(),
        "date_note": article.date_note,
        "body": article.body,
        "captions": article.captions,
        "url": article.url,
        "source_file": article.source_file,
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def last_change_message():
    return LogEntry.objects.order_by("-pk").first().get_change_message()


def test_a_tags_only_edit_is_recorded_as_changing_only_the_tags(editor_client):
    article = make_article(BODY, captions=CAPTIONS, tags=["visit"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(url, article_change_form(article, tags="visit, diplomacy"))
    assert response.status_code == 302
    assert last_change_message() == "Changed Tags."
    article.refresh_from_db()
    assert (article.body, article.captions) == (BODY, CAPTIONS)
    assert sorted(article.tags.names()) == ["diplomacy", "visit"]


def test_a_body_sent_back_with_browser_line_ends_is_not_a_change(editor_client):
    article = make_article(BODY, captions=CAPTIONS, tags=["visit"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = article_change_form(
        article, body=BODY.replace("\n", "\r\n"), captions=CAPTIONS.replace("\n", "\r\n"), date_note="Stated."
    )
    assert editor_client.post(url, form).status_code == 302
    assert last_change_message() == "Changed Date note."
    article.refresh_from_db()
    assert article.body == BODY


def test_an_untouched_body_keeps_its_quotes_in_place(editor_client):
    article = make_article(BODY, tags=["visit"])
    claim = make_claim(citations=[(article, "An indented line, kept.")])
    citation = claim.citations.get()
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert editor_client.post(url, article_change_form(article, title="A new title")).status_code == 302
    assert last_change_message() == "Changed Title."
    citation.refresh_from_db()
    assert (citation.start, citation.end, citation.anchored) == (20, 43, True)


def test_a_refused_save_shows_the_body_exactly_as_typed(editor_client):
    article = make_article(BODY, tags=["visit"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    typed = "  Leading spaces stay.\n\nTrailing newline stays.\n"
    response = editor_client.post(url, article_change_form(article, body=typed, published="not a date"))
    assert response.status_code == 200
    assert response.context["adminform"].form["body"].value() == typed
    assert Article.objects.get(pk=article.pk).body == BODY
