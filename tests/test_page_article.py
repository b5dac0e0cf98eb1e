"""An article's page: honest metadata, the body with every cited quote highlighted, and its claims."""

import pytest

from tests.factories import make_world, module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield make_world()


def page_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_publisher_author_wire_date_and_kind(world, client):
    page = page_of(client, world.interview)
    assert '<dt>Publisher</dt><dd><a href="/actors/tuoi-tre/">Tuoi Tre</a></dd>' in page
    assert '<dt>Author</dt><dd><a href="/actors/carl-thayer/">Carl Thayer</a></dd>' in page
    assert "<dt>Wire service or original publisher</dt><dd>none credited</dd>" in page
    assert '<time datetime="2025-10">October 2025</time>' in page
    assert "<dt>Kind</dt><dd>news report</dd>" in page
    assert "<dt>Title</dt><dd>the source’s own headline</dd>" in page


def test_what_the_source_does_not_state_is_said_to_be_not_stated(world, client):
    page = page_of(client, world.faq)
    assert "<dt>Publisher</dt><dd>not stated</dd>" in page
    assert "<dt>Authors</dt><dd>not stated</dd>" in page
    assert '<dd>not stated<span class="date-note">Undated; written before the visit.</span></dd>' in page


def test_it_says_when_the_title_is_the_editors(world, client):
    page = page_of(client, world.faq)
    assert "This title was written by the knowledge base’s editors" in page
    assert "<dt>Title</dt><dd>written by our editors</dd>" in page


def test_it_shows_an_approximate_date_and_its_note(world, client):
    page = page_of(client, world.wire_story)
    assert '<time datetime="2025-10-08">c. 8 October 2025</time> (approximate)' in page
    assert "Written the day before the visit." in page


def test_it_shows_captions_apart_from_the_body_labelled_as_captions(world, client):
    page = page_of(client, world.wire_story)
    captions = page.index('<h2 id="captions-heading">Captions</h2>')
    assert "To Lam greeted by children. - AP" in page[captions:]
    body = page[page.index('class="article-body prose"') : captions]
    assert "greeted by children" not in body


def test_it_renders_the_markdown_body(world, client):
    page = page_of(client, world.interview)
    assert "<h2>The visit</h2>" in page
    assert "<li>" in page


def test_every_cited_quote_is_highlighted_and_linked_to_its_claim(world, client):
    citation = world.greeted.citations.get()
    page = page_of(client, world.interview)
    assert (
        f'<mark class="quote stance-supports" id="cite-{citation.pk}">'
        f'<a href="/claims/kim-greeted-lam/" title="Supports: Kim Jong Un greeted To Lam at the airport.">'
        "He was greeted at the airport by Kim Jong Un.</a></mark>"
    ) in page


def test_a_disputing_quote_is_marked_as_disputing(world, client):
    page = page_of(client, world.faq)
    assert 'class="quote stance-disputes quote-overlap"' in page or 'class="quote stance-disputes"' in page


def test_it_lists_the_claims_it_supports_disputes_or_qualifies(world, client):
    page = page_of(client, world.wire_story)
    claims = page[page.index('id="claims-heading"') :]
    supports = claims.index("It supports")
    qualifies = claims.index("It qualifies")
    assert world.visit_dates.get_absolute_url() in claims[supports:qualifies]
    assert world.mediator.get_absolute_url() in claims[qualifies:]


def test_a_quote_lost_after_an_edit_is_listed_not_highlighted(world, client):
    page = page_of(client, world.edited)
    assert "Quotes no longer found" in page
    assert "<q>Trade fell to almost nothing.</q>" in page
    assert f'id="cite-{world.lost_citation.pk}"' not in page


def test_an_unknown_article_is_not_found(world, client):
    assert client.get("/articles/no-such-article/").status_code == 404


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = world.wire_story.get_absolute_url()
    client.get(url)  # warm the content-type cache taggit uses
    # 1 the article with publisher and wire, 2 its authors, 3 its tags,
    # 4 its citations with their claims, 5 the claims it bears on, with status.
    with django_assert_num_queries(5):
        client.get(url)
