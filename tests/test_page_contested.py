"""Contested claims: every claim a source disputes or another claim competes with, both sides shown."""

import pytest
from django.urls import reverse

from tests.factories import make_world, module_data

pytestmark = pytest.mark.django_db
URL = reverse("articles:contested")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield make_world()


def test_it_lists_every_disputed_or_competing_claim(world, client):
    page = client.get(URL).content.decode()
    for claim in (world.last_2007, world.last_2005, world.mediator):
        assert f'<a href="{claim.get_absolute_url()}">{claim.text}</a></h2>' in page
    assert world.visit_dates.text not in page


def test_it_shows_both_sides_in_the_sources_words(world, client):
    page = client.get(URL).content.decode()
    section = page[page.index('id="claim-previous-visit-2007"') :]
    section = section[: section.index("</article>\n  \n")] if "</article>\n  \n" in section else section
    assert "Supporting (2)" in section
    assert "Disputing (1)" in section
    assert "The last time a Vietnamese party head visited North Korea was in 2007." in section
    assert "took place around 2005–2006." in section


def test_it_names_the_competing_claim(world, client):
    page = client.get(URL).content.decode()
    section = page[page.index('id="claim-previous-visit-2005-2006"') :]
    assert "Competes with:" in section
    assert world.last_2007.get_absolute_url() in section
    assert "the disagreement is with the competing claim above" in section


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 contested claims with status, claimant and event, 2 their citations with
    # articles, publishers, wires and mark ids, 3 their competing claims with status.
    with django_assert_num_queries(3):
        client.get(URL)
