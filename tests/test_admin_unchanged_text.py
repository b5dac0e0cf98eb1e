"""An admin save changes only what the editor changed: a body is stored as typed, not trimmed or re-lined."""

import pytest
from django.urls import reverse

from tests.admin_forms import change_form_fields, with_changes
from tests.factories import make_article

pytestmark = pytest.mark.django_db

# As load_kb stores the shipped articles: every source file ends with a line break.
BODY = "HANOI: Lam arrives in Pyongyang.\n\nKim greets him at the airport.\n"
CAPTIONS = "Lam and Kim at the airport. - AP\n"


def as_a_browser_sends(fields):
    # Browsers submit a textarea's line breaks as CR LF.
    return [(name, value.replace("\n", "\r\n")) for name, value in fields]


def test_a_title_only_edit_is_recorded_as_a_title_change_and_keeps_the_body(editor_client):
    article = make_article(BODY, title="Lam arrives", captions=CAPTIONS)
    url = reverse("admin:articles_article_change", args=[article.pk])
    fields = as_a_browser_sends(change_form_fields(editor_client.get(url).content.decode()))
    response = editor_client.post(url, with_changes(fields, title="Lam arrives in Pyongyang"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == BODY
    assert article.captions == CAPTIONS
    history = editor_client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert "Changed Title." in history
    assert "Body" not in history


def test_a_body_of_only_blank_lines_is_still_refused_as_empty(editor_client):
    article = make_article(BODY, title="Lam arrives")
    url = reverse("admin:articles_article_change", args=[article.pk])
    fields = change_form_fields(editor_client.get(url).content.decode())
    response = editor_client.post(url, with_changes(fields, body="  \r\n\r\n  "))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    article.refresh_from_db()
    assert article.body == BODY
