"""The admin's reading view of an article (/admin/articles/article/<id>/read/)."""

import re

import pytest
from django.urls import reverse

from articles import workbench
from tests.factories import make_article, make_claim, make_reader, make_user

pytestmark = pytest.mark.django_db

BODY = "Flags 🎉 waved as Tô Lâm arrived in Pyongyang. Kim Jong Un greeted him.\n\nTalks <b>followed</b> & ended."


def read_url(article):
    return reverse("admin:articles_article_read", args=[article.pk])


def test_the_article_list_and_change_form_link_to_the_reading_view(editor_client):
    article = make_article(BODY, title="Lam in Pyongyang")
    listing = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert f'href="{read_url(article)}"' in listing.replace("'", '"')
    assert reverse("admin:articles_article_from_text") in listing
    change = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert f'href="{read_url(article)}">Read and cite</a>' in change


def test_existing_quotes_are_marked_and_numbered_and_listed(editor_client):
    article = make_article(BODY, title="Lam in Pyongyang")
    claim = make_claim("Kim greeted Lam.", citations=[(article, "Kim Jong Un greeted him.")])
    citation = claim.citations.get()
    page = editor_client.get(read_url(article)).content.decode()
    assert re.search(r'<mark class="quote stance-supports"[^>]*>Kim Jong Un greeted him\.</mark>', page)
    assert f'id="{citation.anchor_id}"' in page
    assert f'href="#note-{citation.pk}"' in page
    assert "Already cited (1)" in page
    assert reverse("admin:articles_claim_change", args=[claim.pk]) in page


def test_every_sentence_has_a_cite_link_and_its_utf16_start(editor_client):
    article = make_article(BODY)
    page = editor_client.get(read_url(article)).content.decode()
    spans = workbench.sentence_spans(BODY)
    assert len(spans) == 3
    cite = reverse("admin:articles_article_cite", args=[article.pk])
    for start, end in spans:
        assert f'href="{cite}?location=body&amp;start={start}&amp;end={end}"' in page
    # "Kim…" starts after the emoji: one code point, two UTF-16 units.
    kim = BODY.index("Kim")
    assert f'<span class="sentence" data-start16="{kim + 1}">Kim Jong Un greeted him.</span>' in page


def test_the_text_is_escaped_and_shown_as_stored(editor_client):
    article = make_article(BODY)
    page = editor_client.get(read_url(article)).content.decode()
    assert "Talks &lt;b&gt;followed&lt;/b&gt; &amp; ended." in page
    assert "<b>followed</b>" not in page


def test_captions_are_shown_with_their_own_cite_links(editor_client):
    article = make_article(BODY, captions="Lam at the airport. (Photo: AP)")
    page = editor_client.get(read_url(article)).content.decode()
    assert 'data-location="captions"' in page
    assert "location=captions&amp;start=0&amp;end=19" in page


def test_the_script_and_the_suggestions_block_are_there(editor_client):
    page = editor_client.get(read_url(make_article(BODY))).content.decode()
    assert re.search(r'<script src="[^"]*js/admin-cite\.js" defer></script>', page)
    assert 'id="cite-bar"' in page and " hidden>" in page


def test_the_reading_view_costs_the_same_queries_however_many_citations(editor_client, django_assert_max_num_queries):
    article = make_article(" ".join(f"Sentence number {n} is here." for n in range(40)))
    editor_client.get(read_url(article))  # sessions and permissions cached
    for n in range(10):
        make_claim(f"Claim {n}.", citations=[(article, f"Sentence number {n} is here.")])
    # The suggestions panel (articles/suggestions_admin.py) runs its own few queries too.
    with django_assert_max_num_queries(25) as few:
        editor_client.get(read_url(article))
    for n in range(10, 30):
        make_claim(f"Claim {n}.", citations=[(article, f"Sentence number {n} is here.")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert editor_client.get(read_url(article)).status_code == 200


def test_an_unknown_article_is_a_404(editor_client):
    assert editor_client.get(reverse("admin:articles_article_read", args=[999999])).status_code == 404
    assert editor_client.get("/admin/articles/article/abc/read/").status_code == 404


def test_readers_are_sent_to_sign_in_and_staff_without_rights_are_refused(client):
    article = make_article(BODY)
    client.force_login(make_reader())
    assert client.get(read_url(article)).status_code == 302
    client.force_login(make_user("dora", staff=True))
    assert client.get(read_url(article)).status_code == 403


def test_an_editor_without_the_right_to_cite_sees_no_cite_links(client):
    from django.contrib.auth.models import Permission

    article = make_article(BODY)
    viewer = make_user("vera", staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(viewer)
    page = client.get(read_url(article)).content.decode()
    assert "Tô Lâm arrived" in page
    assert "cite-sentence" not in page.replace("cite-sentence-sample", "")
    assert 'id="cite-bar"' not in page
