"""The agreement grid: claims against articles, each cell saying supports, disputes, qualifies or nothing."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_world, module_data

pytestmark = pytest.mark.django_db
URL = reverse("articles:grid")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield make_world()


def row_of(page, claim):
    start = page.index(f'<a href="{claim.get_absolute_url()}">')
    return page[start : page.index("</tr>", start)]


def cells(row):
    return [re.sub(r"<[^>]+>|\s+", " ", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


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
    assert "mentions none of these claims" in page or "mention none of these claims" in page


def test_it_filters_by_actor(world, client):
    page = client.get(URL, {"actor": "carl-thayer"}).content.decode()
    assert page.count('<th scope="row" class="grid__claim">') == 1
    assert "by or about <strong>Carl Thayer</strong>" in page


def test_an_unknown_event_is_a_bad_request(world, client):
    response = client.get(URL, {"event": "nothing"})
    assert response.status_code == 400
    assert "“event=nothing”" in response.content.decode()


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 events and 2 actors for the filter form, 3 claims with status, claimant and event,
    # 4 articles with publishers and wires, 5 the claims' citations with mark ids.
    with django_assert_num_queries(5):
        client.get(URL)
    with django_assert_num_queries(5):
        client.get(URL, {"event": "state-visit"})
