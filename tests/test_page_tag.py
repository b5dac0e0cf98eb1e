"""A tag's page lists every article, event and claim that carries it; the tags index lists the tags."""

import pytest
from django.urls import reverse

from tests.factories import make_world, module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield make_world()


def test_it_lists_everything_that_carries_the_tag(world, client):
    page = client.get(reverse("articles:tag", args=["state-visit"])).content.decode()
    assert "<h1>state-visit</h1>" in page
    assert world.wire_story.get_absolute_url() in page
    assert world.interview.get_absolute_url() in page
    assert world.visit.get_absolute_url() in page
    assert world.visit_dates.get_absolute_url() in page
    assert world.faq.get_absolute_url() not in page


def test_it_says_when_a_kind_of_thing_carries_none(world, client):
    page = client.get(reverse("articles:tag", args=["mediation"])).content.decode()
    assert "No event carries this tag." in page


def test_an_unknown_tag_is_not_found(world, client):
    assert client.get(reverse("articles:tag", args=["no-such-tag"])).status_code == 404


def test_the_tags_index_lists_every_tag_in_use(world, client):
    page = client.get(reverse("articles:tags")).content.decode()
    for slug in ("history", "mediation", "state-visit", "wire"):
        assert f'href="/tags/{slug}/"' in page


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = reverse("articles:tag", args=["history"])
    client.get(url)
    # 1 the tag, 2 its articles with publisher and wire, 3 its events with source
    # counts, 4 their participants, 5 its claims with status.
    with django_assert_num_queries(5):
        client.get(url)
    # The index: 1 tags with how often each is used.
    with django_assert_num_queries(1):
        client.get(reverse("articles:tags"))
