"""The articles index: every source with its publisher, date and how much it is cited."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import make_article

pytestmark = pytest.mark.django_db
URL = reverse("articles:articles")


def test_it_lists_every_article_newest_first(world, client):
    page = client.get(URL).content.decode()
    order = [page.index(article.get_absolute_url()) for article in (world.edited, world.wire_story, world.interview)]
    assert order == sorted(order)
    assert world.faq.get_absolute_url() in page


def test_it_names_who_stands_behind_each(world, client):
    page = client.get(URL).content.decode()
    assert "via Bloomberg" in page
    assert "The Straits Times, via Bloomberg" in page
    assert "publisher not stated" in page
    assert "date not stated" in page


def test_it_counts_quotes_and_claims(world, client):
    page = client.get(URL).content.decode()
    assert "4 quotes cited for 4 claims" in page  # the interview


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 actors and 2 tags for the filter form, 3 the count for the pager,
    # 4 a page of articles with publisher, wire and citation counts, 5 their authors.
    with django_assert_num_queries(5):
        client.get(URL)
    with django_assert_num_queries(5):
        client.get(URL, {"actor": "bloomberg", "tag": "wire", "page": "1"})


def test_its_actor_filter_offers_publishers_wire_services_and_authors_only(world, client):
    page = client.get(URL).content.decode()
    choices = page[page.index('name="actor"') : page.index("</select>", page.index('name="actor"'))]
    for behind in (world.tuoi_tre, world.straits, world.bloomberg, world.thayer):  # publisher, wire, author
        assert f'<option value="{behind.slug}">{behind.name}</option>' in choices
    assert f'value="{world.kim.slug}"' not in choices  # only ever the subject of claims


def test_it_filters_by_actor_and_tag(world, client):
    page = client.get(URL, {"actor": "bloomberg"}).content.decode()
    assert "2 articles written, published or sent out by <strong>Bloomberg</strong>." in page
    assert world.wire_copy.get_absolute_url() in page
    assert world.interview.get_absolute_url() not in page
    page = client.get(URL, {"tag": "mediation"}).content.decode()
    assert "1 article tagged <strong>mediation</strong>." in page
    assert world.interview.get_absolute_url() in page
    assert world.wire_story.get_absolute_url() not in page


def test_it_pages_a_long_list(world, client):
    for n in range(50):
        make_article(title=f"Old piece {n:02d}", slug=f"zz-piece-{n:02d}", published=datetime.date(2001, 1, 1))
    first = client.get(URL).content.decode()
    assert "55 articles; 1–50 shown here." in first
    assert 'href="?page=2" rel="next"' in first
    second = client.get(URL, {"page": "2"}).content.decode()
    assert "Page 2 of 2" in second
    assert world.faq.get_absolute_url() in second  # undated: last


@pytest.mark.parametrize(
    "params, named",
    [
        ({"page": "999"}, "“page=999”: there is no page 999; the last page is 1."),
        ({"page": "abc"}, "“page=abc”: enter a page number, e.g. 2."),
        ({"actor": "nobody"}, "“actor=nobody”"),
    ],
)
def test_a_bad_filter_or_page_is_a_bad_request(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert named in response.content.decode()
