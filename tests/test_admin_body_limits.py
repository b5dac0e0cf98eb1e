"""An article body or captions over the rendering limits is refused in admin, clearly, keeping what was typed."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.rendering import MAX_BODY_CHARS

pytestmark = pytest.mark.django_db

NESTED_BRACKETS = "[" * 13_500 + "x](" + "(" * 13_500


def article_form(**overrides):
    return {
        "title": "Lam heads to Pyongyang",
        "slug": "lam-heads-to-pyongyang",
        "kind": "news",
        "tags": "visit",
        "date_precision": "day",
        "published": "2025-10-08",
        "body": "Lam will attend the parade.",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        **overrides,
    }


def test_a_body_of_nested_brackets_is_refused_with_a_message_and_kept(editor_client):
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(body=NESTED_BRACKETS))
    assert response.status_code == 400
    assert not Article.objects.exists()
    page = response.content.decode()
    assert "This body has 13,500 opening square brackets (links and images); the limit is 500." in page
    assert NESTED_BRACKETS in page  # the editor's text, back in the textarea
    assert 'value="Lam heads to Pyongyang"' in page


def test_a_list_nested_400_deep_is_refused_naming_the_line(editor_client):
    body = "Intro.\n\n" + "- " * 400 + "x"
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(body=body))
    assert response.status_code == 400
    assert not Article.objects.exists()
    assert "nested more than 20 levels deep (at line 3)" in response.content.decode()


def test_a_body_over_the_size_limit_is_refused(editor_client):
    body = "Lam arrived. " * (MAX_BODY_CHARS // 13 + 1)
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(body=body))
    assert response.status_code == 400
    assert f"the limit is {MAX_BODY_CHARS:,}" in response.content.decode()


def test_captions_over_their_limit_are_refused(editor_client):
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(captions="x" * 20_001))
    assert response.status_code == 400
    assert "These captions are 20,001 characters long; the limit is 20,000." in response.content.decode()


def test_a_body_within_the_limits_is_saved(editor_client):
    body = "Lam *will* attend [the parade](https://example.org).\n\n- one\n  - two\n    - three"
    response = editor_client.post(reverse("admin:articles_article_add"), article_form(body=body))
    assert response.status_code == 302
    assert Article.objects.get().body == body
