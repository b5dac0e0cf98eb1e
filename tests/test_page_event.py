"""An event's page: description, participants and roles, and the claims that attest it."""

import pytest

from articles.models import Claim
from tests.factories import make_claim, make_event
from tests.markup import squashed

pytestmark = pytest.mark.django_db


def test_it_shows_the_event_and_its_date(world, client):
    page = squashed(client.get(world.visit.get_absolute_url()))
    assert "<h1>To Lam&#x27;s state visit to North Korea</h1>" in page
    assert "9–11 October 2025" in page
    assert "A three-day state visit to Pyongyang." in page


def test_it_lists_participants_with_their_roles(world, client):
    page = squashed(client.get(world.talks.get_absolute_url()))
    assert '<a href="/actors/to-lam/">To Lam</a> <span class="role">delegation leader</span>' in page
    assert '<a href="/actors/carl-thayer/">Carl Thayer</a> <span class="role">commentator</span>' in page


def test_it_shows_the_claims_that_attest_it_with_their_sources(world, client):
    page = squashed(client.get(world.visit.get_absolute_url()))
    assert world.visit_dates.text in page
    assert world.greeted.text in page
    assert "Corroborated by 2 independent sources" in page
    assert "He was greeted at the airport by Kim Jong Un." in page
    assert "via Bloomberg" in page


def test_it_counts_independent_sources(world, client):
    page = squashed(client.get(world.visit.get_absolute_url()))
    assert "<dt>Sources</dt><dd>2 independent sources</dd>" in page


def test_an_unknown_event_is_not_found(world, client):
    assert client.get("/events/no-such-event/").status_code == 404


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = world.visit.get_absolute_url()
    client.get(url)  # warm the content-type cache taggit uses
    # 1 the event with its source count, 2 participants with actors, 3 tags, 4 the first
    # claims with status, claimant, event and how many there are in all (a window count),
    # 5 their citations with speakers, articles, publishers and wires, 6 the articles' authors.
    with django_assert_num_queries(6):
        client.get(url)
    make_a_busy_visit(world)
    with django_assert_num_queries(6):
        client.get(url)


def make_a_busy_visit(world):
    for n in range(21):
        make_claim(f"Visit detail {n:02d}.", slug=f"zz-detail-{n:02d}", event=world.visit)


def test_it_shows_the_first_twenty_claims_and_links_to_all(world, client):
    make_a_busy_visit(world)  # 23 claims attest the visit
    page = squashed(client.get(world.visit.get_absolute_url()))
    assert "Claims that attest this event (23)" in page
    assert page.count('<article class="attesting-claim">') == 20
    assert '<a class="more" href="/claims/?event=state-visit">See all 23 claims on this event →</a>' in page
    listed = squashed(client.get("/claims/?event=state-visit"))
    assert "23 claims on <strong>To Lam&#x27;s state visit to North Korea</strong>," in listed


def test_a_short_list_has_no_see_all_link(world, client):
    page = squashed(client.get(world.visit.get_absolute_url()))
    assert "Claims that attest this event (2)" in page
    assert "See all" not in page


def test_a_contested_event_says_so(world, client):
    page = squashed(client.get(world.previous.get_absolute_url()))
    assert '<a class="badge status-contested" href="/claims/?event=previous-visit&amp;status=contested">' in page
    assert "sources disagree about a claim on this event" in page
    assert "status-contested" not in squashed(client.get(world.relations.get_absolute_url()))


def test_its_counts_follow_a_claim_that_moves_away_or_is_deleted(world, client):
    url = world.visit.get_absolute_url()
    assert "Claims that attest this event (2)" in squashed(client.get(url))
    elsewhere = make_event("Elsewhere", slug="elsewhere")
    world.visit_dates.event = elsewhere
    world.visit_dates.save()
    page = squashed(client.get(url))
    assert "Claims that attest this event (1)" in page
    assert "<dt>Sources</dt><dd>1 independent source</dd>" in page  # only the interview, via the greeting claim
    assert "<dt>Sources</dt><dd>2 independent sources</dd>" in squashed(client.get(elsewhere.get_absolute_url()))
    Claim.objects.get(pk=world.greeted.pk).delete()
    page = squashed(client.get(url))
    assert "No claim attests this event yet." in page
    assert "<dt>Sources</dt><dd>no supporting source yet</dd>" in page


def test_it_links_to_the_event_on_the_timeline(world, client):
    page = squashed(client.get(world.visit.get_absolute_url()))
    link = f"/timeline/?year=2025&amp;after=2025-10-09.3.{world.visit.pk - 1}#event-state-visit"
    assert f'<a href="{link}">← This event on the timeline</a>' in page
