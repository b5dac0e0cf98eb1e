"""An actor's page: names, kind, role, events, claims made and about them, articles."""

import pytest

from tests.factories import make_world, module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield make_world()


def page_of(client, actor):
    response = client.get(actor.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_name_aliases_kind_and_role(world, client):
    page = page_of(client, world.to_lam)
    assert "<h1>To Lam</h1>" in page
    assert "<dt>Also called</dt><dd>Mr. Lam, Tô Lâm</dd>" in page
    assert "<dt>Kind</dt><dd>person</dd>" in page
    assert "General Secretary of the Communist Party" in page


def test_it_lists_the_events_they_took_part_in_with_their_role(world, client):
    page = page_of(client, world.to_lam)
    assert "Events (2)" in page
    visit = '<a href="/events/state-visit/">To Lam&#x27;s state visit to North Korea</a>'
    assert f'{visit} <span class="role">visitor</span>' in page
    assert '<span class="role">delegation leader</span>' in page


def test_it_lists_the_claims_they_make_and_the_claims_about_them(world, client):
    thayer = page_of(client, world.thayer)
    made = thayer[thayer.index('id="made-heading"') : thayer.index('id="about-heading"')]
    assert world.mediator.get_absolute_url() in made
    vietnam = page_of(client, world.vietnam)
    about = vietnam[vietnam.index('id="about-heading"') :]
    for claim in (world.visit_dates, world.last_2007, world.trade):
        assert claim.get_absolute_url() in about


def test_it_lists_the_articles_they_wrote_published_or_sent_by_wire(world, client):
    assert "wrote it" in page_of(client, world.thayer)
    tuoi_tre = page_of(client, world.tuoi_tre)
    assert world.interview.get_absolute_url() in tuoi_tre
    assert "published it" in tuoi_tre
    bloomberg = page_of(client, world.bloomberg)
    assert world.wire_copy.get_absolute_url() in bloomberg
    assert "wire service / original publisher" in bloomberg


def test_it_links_to_their_filtered_timeline(world, client):
    assert 'href="/timeline/?actor=to-lam"' in page_of(client, world.to_lam)


def test_an_unknown_actor_is_not_found(world, client):
    assert client.get("/actors/nobody/").status_code == 404


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = world.thayer.get_absolute_url()
    client.get(url)
    # 1 the actor, 2 aliases, 3 participations with events, 4 claims made and
    # 5 claims about them, with status, 6 articles with publisher and wire, 7 their authors.
    with django_assert_num_queries(7):
        client.get(url)
