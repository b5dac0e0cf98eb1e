"""The timeline: every event by year, at its real date precision, with filters that combine."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("articles:timeline")


def titles_in_order(page, events):
    positions = {event.slug: page.find(f'id="event-{event.slug}"') for event in events}
    return [slug for slug, at in sorted(positions.items(), key=lambda item: item[1]) if at != -1]


def test_it_lists_every_event_in_date_order(world, client):
    page = client.get(URL).content.decode()
    events = [world.talks, world.visit, world.relations, world.previous]
    assert titles_in_order(page, events) == ["relations-established", "previous-visit", "talks", "state-visit"]


def test_it_groups_events_by_year(world, client):
    page = client.get(URL).content.decode()
    for year in (1950, 2005, 2025):
        assert f'<h2 id="year-{year}-heading">{year}</h2>' in page


def test_it_shows_each_date_at_its_real_precision(world, client):
    page = client.get(URL).content.decode()
    assert '<time datetime="1950">1950</time>' in page
    assert '<time datetime="2005">c. 2005–2006</time>' in page
    assert '<time datetime="2025-10">October 2025</time>' in page
    assert '<time datetime="2025-10-09">9–11 October 2025</time>' in page


def test_it_shows_participants_and_independent_sources(world, client):
    page = client.get(URL).content.decode()
    assert 'href="/actors/kim-jong-un/">Kim Jong Un</a> <span class="role">as host</span>' in page
    # The wire story and its copy count once; the interview is the second source.
    assert "2 independent sources" in page


def test_it_filters_by_actor(world, client):
    page = client.get(URL, {"actor": "to-lam"}).content.decode()
    assert titles_in_order(page, [world.visit, world.talks, world.relations]) == ["talks", "state-visit"]
    assert "2 events involving <strong>To Lam</strong>" in page


def test_it_combines_tag_and_year_range(world, client):
    page = client.get(URL, {"tag": "history", "from": "2000", "to": "2010"}).content.decode()
    assert titles_in_order(page, [world.relations, world.previous, world.visit]) == ["previous-visit"]
    assert 'value="2000"' in page  # the form shows the filter it applied


def test_a_year_shortcut_shows_one_year(world, client):
    page = client.get(URL, {"year": "1950"}).content.decode()
    assert titles_in_order(page, [world.relations, world.previous, world.visit]) == ["relations-established"]


def test_a_filter_that_matches_nothing_says_so(world, client):
    page = client.get(URL, {"actor": "carl-thayer", "to": "2000"}).content.decode()
    assert "No event matches these filters." in page


def test_it_draws_a_visual_timeline_beside_the_list(world, client):
    page = client.get(URL).content.decode()
    assert '<svg class="overview"' in page
    assert "2025: 2 events." in page


@pytest.mark.parametrize(
    "params, named",
    [
        ({"year": "abc"}, "“year=abc”"),
        ({"from": "-5"}, "“from=-5”"),
        ({"actor": "nobody"}, "“actor=nobody”"),
        ({"tag": "no-such-tag"}, "“tag=no-such-tag”"),
        ({"from": "2020", "to": "2000"}, "runs backwards"),
    ],
)
def test_an_invalid_filter_is_a_bad_request_naming_the_parameter(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert named in response.content.decode()
    assert "That request could not be understood" in response.content.decode()


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)  # warm the content-type cache taggit uses
    # 1 events with source counts, 2 their participants with actors, 3 their tags;
    # the filter form lists nothing, and finds a chosen actor or tag by slug (one query each).
    with django_assert_num_queries(3):
        client.get(URL)
    with django_assert_num_queries(5):
        client.get(URL, {"actor": "to-lam", "tag": "state-visit", "from": "2000", "to": "2030"})
