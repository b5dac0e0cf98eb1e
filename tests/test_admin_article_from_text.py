"""“Add article from text” (/admin/articles/article/from-text/): paste or upload, confirm the lines, create."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from articles import workbench
from articles.models import Article
from tests.factories import make_reader

pytestmark = pytest.mark.django_db

URL = reverse("admin:articles_article_from_text")
PASTED = (
    "Skip to main content\n"
    "Advertisement\n"
    "Lam meets Kim in Pyongyang\n"
    "Share this article\n"
    "Tô Lâm and Kim Jong Un at the airport on Oct 9, 2025. (Photo: Reuters/Jane Doe)\n"
    "PYONGYANG: To Lam arrived in North Korea on Thursday for a three-day visit 🎉.\n"
    "\n"
    "  The two leaders agreed to expand trade, officials said.  \n"
    "Related stories\n"
    "Markets rally as rates hold\n"
)


def text_of(response):
    return html.unescape(response.content.decode())


def first_step(client, **fields):
    return client.post(URL, {"title": "", "kind": "news", "text": PASTED, "change_note": "", **fields})


def test_the_first_step_suggests_furniture_and_captions_and_a_title(editor_client):
    response = first_step(editor_client)
    assert response.status_code == 200
    lines = {line.number: line for line in response.context["lines"]}
    assert response.context["removed"] == {1, 2, 3, 4, 9, 10}
    assert response.context["captions"] == {5}
    assert lines[3].reason == "the headline: it is the article's title"
    page = response.content.decode()
    assert 'value="Lam meets Kim in Pyongyang"' in page
    assert '<input type="checkbox" name="removed" value="2" checked' in page
    assert '<input type="checkbox" name="captions" value="5" checked' in page
    assert re.search(r'<input type="checkbox" name="removed" value="6"\s+aria-label', page)  # not ticked
    assert f'name="lines_of" value="{workbench.text_token(PASTED)}"' in page
    assert Article.objects.count() == 0


def test_creating_stores_the_body_exactly_as_pasted_minus_the_confirmed_lines(editor_client):
    response = editor_client.post(
        URL,
        {
            "title": "Lam meets Kim",
            "kind": "news",
            "text": PASTED.replace("\n", "\r\n"),  # as browsers send a textarea
            "change_note": "From the wire",
            "lines_of": workbench.text_token(PASTED),
            "removed": ["1", "2", "3", "4", "9", "10"],
            "captions": ["5"],
            "_create": "Create the article",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_read", args=[article.pk])
    assert article.title == "Lam meets Kim"
    assert article.slug == "lam-meets-kim"
    assert article.body == (
        "PYONGYANG: To Lam arrived in North Korea on Thursday for a three-day visit 🎉.\n"
        "\n"
        "  The two leaders agreed to expand trade, officials said.  \n"
    )
    assert article.captions == "Tô Lâm and Kim Jong Un at the airport on Oct 9, 2025. (Photo: Reuters/Jane Doe)"
    revision = Version.objects.get_for_object(article).get().revision
    assert revision.comment == "From the wire"
    assert revision.user.username == "bob"
    followed = editor_client.get(response["Location"])
    assert "Added “Lam meets Kim”." in text_of(followed)


def test_the_editor_may_keep_a_suggested_line_and_drop_another(editor_client):
    editor_client.post(
        URL,
        {
            "title": "Lam meets Kim",
            "kind": "news",
            "text": PASTED,
            "lines_of": workbench.text_token(PASTED),
            "removed": ["1", "2", "3", "4", "5", "8", "9", "10"],
            "_create": "1",
        },
    )
    article = Article.objects.get()
    assert article.body == "PYONGYANG: To Lam arrived in North Korea on Thursday for a three-day visit 🎉.\n\n"
    assert article.captions == ""


def test_an_edited_text_is_suggested_afresh_rather_than_created(editor_client):
    edited = PASTED + "Storm hits the coast\n"
    response = editor_client.post(
        URL,
        {"title": "T", "kind": "news", "text": edited, "lines_of": workbench.text_token(PASTED), "_create": "1"},
    )
    assert response.status_code == 200
    assert Article.objects.count() == 0
    assert "The text changed, so the lines were suggested afresh: check them." in text_of(response)
    assert 11 in response.context["removed"]


def test_a_line_ticked_twice_is_refused_and_the_ticks_are_kept(editor_client):
    response = editor_client.post(
        URL,
        {
            "title": "T",
            "kind": "news",
            "text": PASTED,
            "lines_of": workbench.text_token(PASTED),
            "removed": ["5", "6"],
            "captions": ["5"],
            "_create": "1",
        },
    )
    assert response.status_code == 400
    assert "Line(s) 5 are ticked both to remove and as a caption: choose one." in text_of(response)
    assert response.context["removed"] == {5, 6}
    assert Article.objects.count() == 0


def test_an_uploaded_file_becomes_the_text_in_the_box(editor_client):
    upload = SimpleUploadedFile("page.txt", PASTED.encode("utf-8-sig"), content_type="text/plain")
    response = editor_client.post(URL, {"title": "", "kind": "news", "text": "", "upload": upload})
    assert response.status_code == 200
    assert response.context["form"].data["text"] == PASTED
    assert response.context["form"].data["title"] == "Lam meets Kim in Pyongyang"
    assert "PYONGYANG: To Lam arrived" in text_of(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "This file is not plain text"),
        ("Tô Lâm, Hà Nội café".encode("cp1252", errors="replace"), "This file is not UTF-8 text"),
        (b"a" * 1_000_001, "This file is 1,000,001 bytes; the limit is 1,000,000."),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_what_was_typed_is_kept(editor_client, data, message):
    upload = SimpleUploadedFile("page.txt", data)
    response = editor_client.post(
        URL, {"title": "My title", "kind": "analysis", "text": "typed text", "change_note": "n", "upload": upload}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert 'value="My title"' in page
    assert "typed text</textarea>" in page
    assert '<option value="analysis" selected>' in page
    assert Article.objects.count() == 0


def test_an_empty_or_huge_text_is_refused_with_a_message(editor_client):
    response = editor_client.post(URL, {"title": "", "kind": "news", "text": "  \n "})
    assert response.status_code == 400
    assert "Paste the article's text, or choose a plain-text file." in text_of(response)
    response = editor_client.post(URL, {"title": "", "kind": "news", "text": "word " * 50_000})
    assert response.status_code == 400
    assert "This text is 250,000 characters long; an article body may have 100,000." in text_of(response)


def test_a_pasted_text_or_title_with_a_bidi_control_is_refused_naming_it_and_its_line_and_nothing_is_lost(
    editor_client,
):
    # Paste debris or an attack: the override makes the sentence after it read reversed to everyone.
    text = PASTED.replace("PYONGYANG: ", "PYONGYANG: \u202e")
    response = editor_client.post(URL, {"title": "Lam \u2067meets Kim", "kind": "news", "text": text})
    assert response.status_code == 400
    page = text_of(response)
    assert (
        "This text contains U+202E RIGHT-TO-LEFT OVERRIDE at line 6, character 12: an invisible control character "
        "that makes readers see the text in another order than it is stored. Remove it (to mark the direction of "
        "right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough)." in page
    )
    assert "This text contains U+2067 RIGHT-TO-LEFT ISOLATE at character 5" in page
    assert f"{text}</textarea>" in page
    assert 'value="Lam \u2067meets Kim"' in page
    assert Article.objects.count() == 0


def test_a_body_past_the_markdown_limits_is_refused_at_creation_and_nothing_is_lost(editor_client):
    text = "[" * 600 + "\n"
    response = editor_client.post(
        URL, {"title": "Brackets", "kind": "news", "text": text, "lines_of": workbench.text_token(text), "_create": "1"}
    )
    assert response.status_code == 400
    assert "opening square brackets" in text_of(response)
    assert Article.objects.count() == 0
    assert "[" * 600 in response.content.decode()


def test_a_title_taken_by_another_article_gets_a_numbered_slug(editor_client):
    for _ in range(2):
        editor_client.post(
            URL,
            {
                "title": "Same title",
                "kind": "news",
                "text": "Body.",
                "lines_of": workbench.text_token("Body."),
                "_create": "1",
            },
        )
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["same-title", "same-title-2"]


def test_readers_cannot_add_articles(client):
    client.force_login(make_reader())
    assert client.post(URL, {"title": "x", "kind": "news", "text": "y"}).status_code == 302
    assert Article.objects.count() == 0


def test_every_line_ticked_away_is_refused_with_a_message_that_says_which_and_why(editor_client):
    # Found by hand: the article's own validation said only "This field cannot be blank.",
    # twice, on a form that shows neither a body nor a slug field.
    text = "Advertisement\nShare this\n"
    response = editor_client.post(
        URL,
        {
            "title": "",
            "kind": "news",
            "text": text,
            "lines_of": workbench.text_token(text),
            "_create": "1",
            "removed": ["1", "2"],
        },
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "No line reads as a headline: type a title." in page
    assert "The body would be empty: every line is ticked to be removed or to be a caption." in page
    assert "This field cannot be blank." not in page
    assert Article.objects.count() == 0
