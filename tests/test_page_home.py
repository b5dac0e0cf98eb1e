"""The home page: what the knowledge base covers, counts, key events, contested claims, ways in."""

import datetime
import re

import pytest
from django.urls import reverse

from articles.caching import bump_content_version
from tests.factories import make_claim, make_event
from tests.markup import squashed

pytestmark = pytest.mark.django_db


def test_it_says_what_the_knowledge_base_covers(world, client):
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    assert "<h1>To Lam in Pyongyang</h1>" in squashed(response)
    assert "state visit to North Korea" in squashed(response)


def test_it_counts_articles_claims_events_and_actors(world, client):
    page = squashed(client.get(reverse("articles:home")))
    assert '<div><dt>Articles</dt><dd><a href="/articles/">5</a></dd></div>' in page
    assert '<div><dt>Claims</dt><dd><a href="/claims/">8</a></dd></div>' in page
    assert '<div><dt>Events</dt><dd><a href="/timeline/">4</a></dd></div>' in page
    assert '<div><dt>Contested claims</dt><dd><a href="/claims/contested/">3</a></dd></div>' in page


def test_it_shows_key_events_with_their_dates(world, client):
    page = squashed(client.get(reverse("articles:home")))
    assert world.visit.title.replace("'", "&#x27;") in page
    assert "9–11 October 2025" in page


def test_it_shows_contested_claims(world, client):
    page = squashed(client.get(reverse("articles:home")))
    assert world.last_2007.get_absolute_url() in page
    assert "Contested" in page


def test_it_links_every_way_in(world, client):
    page = squashed(client.get(reverse("articles:home")))
    for name in ["timeline", "claims", "contested", "grid", "articles", "actors", "search"]:
        assert f'href="{reverse(f"articles:{name}")}"' in page, name


def key_events(client):
    page = squashed(client.get(reverse("articles:home")))
    section = page[page.find('id="key-events-heading"') : page.find('id="contested-heading"')]
    return re.findall(r'<li class="event-item[^"]*" id="event-([^"]+)"', section)


def test_key_events_are_the_five_with_most_sources_in_date_order(world, client):
    # The talks have no source; with five events or fewer, every event is a key event.
    make_event("A later summit", slug="later-summit", start=datetime.date(2030, 1, 1))
    assert key_events(client) == ["relations-established", "previous-visit", "talks", "state-visit", "later-summit"]
    quiet = make_event("A quiet meeting", slug="quiet-meeting", start=datetime.date(2031, 1, 1))
    assert "quiet-meeting" not in key_events(client)
    # A source lifts it above the sourceless (the latest of which drops out): its stored count follows the citation.
    make_claim("They met quietly.", event=quiet, citations=[(world.faq, "Relations were established in 1950.")])
    assert key_events(client) == ["relations-established", "previous-visit", "talks", "state-visit", "quiet-meeting"]


def test_a_contested_key_event_is_marked(world, client):
    page = squashed(client.get(reverse("articles:home")))
    item = page[page.find('id="event-previous-visit"') :]
    assert (
        '<a class="badge status-contested" href="/claims/?event=previous-visit&amp;status=contested">'
        in item[: item.find("</li>")]
    )


def test_it_runs_a_fixed_number_of_queries_and_counts_tags_once_per_content_version(
    world, client, django_assert_num_queries
):
    client.get(reverse("articles:home"))  # warm the content-type cache taggit uses
    # 1 key events (stored source counts), 2 their participants, 3-6 counts of articles,
    # claims, events and actors, 7 five contested claims with claimant and event, 8 how
    # many are contested in all; the tags with how often each is used were counted by
    # the first request.
    with django_assert_num_queries(8):
        client.get(reverse("articles:home"))
    bump_content_version()
    # 9: a new version counts the tags again, once.
    with django_assert_num_queries(9):
        page = client.get(reverse("articles:home")).content.decode()
    with django_assert_num_queries(8):
        assert client.get(reverse("articles:home")).content.decode() == page
