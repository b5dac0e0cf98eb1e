"""The agreement grid: claims against articles, each cell saying supports, disputes, qualifies or nothing."""

import html
import re

import pytest
from django.urls import reverse

from tests.factories import make_claim

pytestmark = pytest.mark.django_db
URL = reverse("articles:grid")


def row_of(page, claim):
    start = page.index(f'<a href="{claim.get_absolute_url()}">')
    return page[start : page.index("</tr>", start)]


def cells(row):
    return [re.sub(r"<[^>]+>|\s+", " ", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def columns_of(page):
    """The article titles in the key, in column order."""
    key = page[page.index('<ol class="grid-articles">') : page.index("</ol>", page.index('<ol class="grid-articles">'))]
    return [html.unescape(title) for title in re.findall(r'<li><a href="[^"]+">([^<]+)</a>', key)]


def make_cited_claims(world, count):
    """Claims about Kim Jong Un on the 1950 event, each cited by the FAQ only."""
    for n in range(count):
        make_claim(
            f"Grid extra {n:02d}.",
            slug=f"zz-grid-{n:02d}",
            event=world.relations,
            subjects=[world.kim],
            citations=[(world.faq, "Relations were established in 1950.")],
        )


def test_it_shows_a_cell_per_claim_and_article(world, client):
    page = client.get(URL).content.decode()
    assert '<th scope="col">Claim</th>' in page
    assert page.count('<th scope="row" class="grid__claim">') == 7  # every claim with a citation


def test_each_cell_says_what_the_article_does_in_words_not_colour_alone(world, client):
    page = client.get(URL).content.decode()
    row = row_of(page, world.mediator)
    words = [" ".join(cell) for cell in cells(row)]
    assert "✓ supports" in words
    assert "✗ disputes" in words
    assert "≈ qualifies" in words
    assert "· not mentioned" in words
    assert '<span class="visually-hidden">not mentioned</span>' in row


def test_a_cell_links_to_the_quote_in_the_article(world, client):
    citation = world.greeted.citations.get()
    page = client.get(URL).content.decode()
    assert f'href="/articles/tuoi-tre-interview/#cite-{citation.pk}"' in row_of(page, world.greeted)


def test_it_filters_by_event(world, client):
    page = client.get(URL, {"event": "previous-visit"}).content.decode()
    assert page.count('<th scope="row" class="grid__claim">') == 2
    assert world.last_2007.get_absolute_url() in page
    assert world.visit_dates.get_absolute_url() not in page
    # Only the articles that cite these claims are columns, newest first: the wire story and its copy, the FAQ.
    assert columns_of(page) == [world.wire_copy.title, world.wire_story.title, world.faq.title]


def test_it_filters_by_actor(world, client):
    page = client.get(URL, {"actor": "carl-thayer"}).content.decode()
    assert page.count('<th scope="row" class="grid__claim">') == 1
    assert "by or about <strong>Carl Thayer</strong>" in page


def test_an_unknown_event_is_a_bad_request(world, client):
    response = client.get(URL, {"event": "nothing"})
    assert response.status_code == 400
    assert "“event=nothing”" in response.content.decode()


def test_its_key_numbers_exactly_the_articles_shown_as_columns(world, client):
    page = client.get(URL).content.decode()
    columns = columns_of(page)
    assert len(columns) == page.count('<th scope="col" class="grid__article">') == 5
    assert "7 cited claims" in page
    assert "across the 5 articles that cite them." in page


def test_it_pages_the_claims_keeping_the_filters(world, client):
    make_cited_claims(world, 35)  # with the greeting, 36 claims about Kim Jong Un: 30 on page 1, 6 on page 2
    first = client.get(URL, {"actor": "kim-jong-un"}).content.decode()
    assert "36 cited claims by or about <strong>Kim Jong Un</strong>; claims 1–30 shown here" in first
    assert "Page 1 of 2" in first
    assert first.count('<th scope="row" class="grid__claim">') == 30
    assert 'href="?actor=kim-jong-un&amp;page=2" rel="next"' in first
    # Page 1 holds only claims the FAQ cites: one column, and the key names only it.
    assert columns_of(first) == [world.faq.title]
    assert first.count('<th scope="col" class="grid__article">') == 1

    second = client.get(URL, {"actor": "kim-jong-un", "page": "2"})
    assert second.status_code == 200
    second = second.content.decode()
    assert "Page 2 of 2" in second
    assert "<title>Agreement grid: Kim Jong Un (page 2)" in second
    assert 'name="actor" value="kim-jong-un"' in second
    assert 'href="?actor=kim-jong-un&amp;page=1" rel="prev"' in second
    assert second.count('<th scope="row" class="grid__claim">') == 6
    assert world.greeted.get_absolute_url() in second
    assert world.greeted.get_absolute_url() not in first
    assert columns_of(second) == [world.interview.title, world.faq.title]


@pytest.mark.parametrize(
    "params, named",
    [
        ({"page": "999"}, "“page=999”: there is no page 999; the last page is 1."),
        ({"page": "-1"}, "“page=-1”: pages are numbered from 1."),
        ({"page": "abc"}, "“page=abc”: enter a page number, e.g. 2."),
        ({"event": "previous-visit", "page": "2"}, "“page=2”: there is no page 2; the last page is 1."),
    ],
)
def test_a_page_that_does_not_exist_is_a_bad_request(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "That request could not be understood" in page
    assert f"<li>{named}</li>" in page


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 the count of cited claims for the pager, 2 a page of claims with status, claimant
    # and event, 3 their citations with articles, publishers and wires (the columns come
    # from these: no query for the articles), 4 the articles' authors (for the credit line).
    # The filter form lists nothing; a chosen event or actor is found by slug (one query).
    with django_assert_num_queries(4):
        client.get(URL)
    with django_assert_num_queries(5):
        client.get(URL, {"event": "state-visit"})
    make_cited_claims(world, 35)
    with django_assert_num_queries(5):
        client.get(URL, {"actor": "kim-jong-un", "page": "2"})
