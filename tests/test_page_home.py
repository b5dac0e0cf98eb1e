"""The home page: what the knowledge base covers, counts, key events, contested claims, ways in."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_says_what_the_knowledge_base_covers(world, client):
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    assert "<h1>To Lam in Pyongyang</h1>" in response.content.decode()
    assert "state visit to North Korea" in response.content.decode()


def test_it_counts_articles_claims_events_and_actors(world, client):
    page = client.get(reverse("articles:home")).content.decode()
    assert '<div><dt>Articles</dt><dd><a href="/articles/">5</a></dd></div>' in page
    assert '<div><dt>Claims</dt><dd><a href="/claims/">8</a></dd></div>' in page
    assert '<div><dt>Events</dt><dd><a href="/timeline/">4</a></dd></div>' in page
    assert '<div><dt>Contested claims</dt><dd><a href="/claims/contested/">3</a></dd></div>' in page


def test_it_shows_key_events_with_their_dates(world, client):
    page = client.get(reverse("articles:home")).content.decode()
    assert world.visit.title.replace("'", "&#x27;") in page
    assert "9–11 October 2025" in page


def test_it_shows_contested_claims(world, client):
    page = client.get(reverse("articles:home")).content.decode()
    assert world.last_2007.get_absolute_url() in page
    assert "Contested" in page


def test_it_links_every_way_in(world, client):
    page = client.get(reverse("articles:home")).content.decode()
    for name in ["timeline", "claims", "contested", "grid", "articles", "actors", "search"]:
        assert f'href="{reverse(f"articles:{name}")}"' in page, name


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(reverse("articles:home"))  # warm the content-type cache taggit uses
    # 1 key events with source counts, 2 their participants, 3 five contested claims with
    # claimant, event and (as a window count) how many are contested in all, 4-7 counts of
    # articles, claims, events and actors, 8 tags with how often each is used.
    with django_assert_num_queries(8):
        client.get(reverse("articles:home"))
