"""The actors index: everyone, grouped by kind, with aliases and how much they appear."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("articles:actors")


def test_it_groups_actors_by_kind(world, client):
    page = client.get(URL).content.decode()
    assert page.index(">People</h2>") < page.index(">States</h2>") < page.index(">Media outlets</h2>")
    assert world.bloomberg.get_absolute_url() in page[page.index(">Media outlets</h2>") :]


def test_it_shows_aliases_and_counts(world, client):
    page = client.get(URL).content.decode()
    assert "also Hanoi" in page
    assert "2 events" in page
    assert "1 claim made" in page


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 actors with event and claim counts, 2 their aliases.
    with django_assert_num_queries(2):
        client.get(URL)
