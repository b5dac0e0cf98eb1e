"""The articles index: every source with its publisher, date and how much it is cited."""

import pytest
from django.urls import reverse

from tests.factories import make_world, module_data

pytestmark = pytest.mark.django_db
URL = reverse("articles:articles")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield make_world()


def test_it_lists_every_article_newest_first(world, client):
    page = client.get(URL).content.decode()
    order = [page.index(article.get_absolute_url()) for article in (world.edited, world.wire_story, world.interview)]
    assert order == sorted(order)
    assert world.faq.get_absolute_url() in page


def test_it_names_who_stands_behind_each(world, client):
    page = client.get(URL).content.decode()
    assert "Bloomberg (wire)" in page
    assert "The Straits Times, via Bloomberg" in page
    assert "publisher not stated" in page
    assert "date not stated" in page


def test_it_counts_quotes_and_claims(world, client):
    page = client.get(URL).content.decode()
    assert "4 quotes cited for 4 claims" in page  # the interview


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 articles with publisher, wire and citation counts, 2 their authors.
    with django_assert_num_queries(2):
        client.get(URL)
