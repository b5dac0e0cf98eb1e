"""A tag's page lists every article, event and claim that carries it; the tags index lists the tags."""

import datetime

import pytest
from django.urls import reverse

from articles import listing, views
from tests.factories import make_article, make_claim, make_event
from tests.markup import squashed

pytestmark = pytest.mark.django_db


def test_it_lists_everything_that_carries_the_tag(world, client):
    page = squashed(client.get(reverse("articles:tag", args=["state-visit"])))
    assert "<h1>state-visit</h1>" in page
    assert world.wire_story.get_absolute_url() in page
    assert world.interview.get_absolute_url() in page
    assert world.visit.get_absolute_url() in page
    assert world.visit_dates.get_absolute_url() in page
    assert world.faq.get_absolute_url() not in page


def test_it_says_when_a_kind_of_thing_carries_none(world, client):
    page = squashed(client.get(reverse("articles:tag", args=["mediation"])))
    assert "No event carries this tag." in page


def test_an_unknown_tag_is_not_found(world, client):
    assert client.get(reverse("articles:tag", args=["no-such-tag"])).status_code == 404


def test_the_tags_index_lists_every_tag_in_use(world, client):
    page = squashed(client.get(reverse("articles:tags")))
    for slug in ("history", "mediation", "state-visit", "wire"):
        assert f'href="/tags/{slug}/"' in page


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = reverse("articles:tag", args=["history"])
    client.get(url)
    # 1 the tag; then for each list its count (capped) and its first rows: 2-3 articles with
    # publisher and wire, 4-5 events (their source counts are stored),
    # 6 their participants, 7-8 claims with claimant and event. No article has the tag yet.
    with django_assert_num_queries(8):
        client.get(url)
    make_lots_of_history()
    # ... and now that articles have it, one more for their authors (for the credit line).
    with django_assert_num_queries(9):
        client.get(url)
    # The index: 1 a page of tags in use, 2 how many there are (capped).
    with django_assert_num_queries(2):
        client.get(reverse("articles:tags"))


def test_the_tags_index_is_paged_by_name(world, client, monkeypatch):
    monkeypatch.setattr(views, "TAGS_PER_PAGE", 2)
    first = squashed(client.get(reverse("articles:tags")))
    assert "4 tags in use, by name." in first
    assert 'href="/tags/history/"' in first
    assert 'href="/tags/wire/"' not in first
    assert '<a href="?after=mediation" rel="next">Next page →</a>' in first
    second = squashed(client.get(reverse("articles:tags"), {"after": "mediation"}))
    assert 'href="/tags/state-visit/"' in second
    assert 'href="/tags/wire/"' in second
    assert 'href="/tags/history/"' not in second


def test_a_tag_on_many_claims_is_counted_only_up_to_a_cap(world, client, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    make_lots_of_history()
    page = squashed(client.get(reverse("articles:tag", args=["history"])))
    assert "More than 5 articles, more than 5 events and more than 5 claims carry this tag." in page
    assert "See all claims tagged history (more than 5) →</a>" in page


def make_lots_of_history():
    """Enough "history" to fill more than a page: with the world's, 22 articles, 24 events and 22 claims."""
    for n in range(22):
        make_article(title=f"History piece {n:02d}", slug=f"zz-piece-{n:02d}", tags=["history"])
        make_event(f"Old event {n:02d}", slug=f"zz-old-{n:02d}", start=datetime.date(1960 + n, 1, 1), tags=["history"])
    for n in range(21):
        make_claim(f"Old claim {n:02d}.", slug=f"zz-old-{n:02d}", tags=["history"])


def test_it_shows_the_first_twenty_of_each_list_and_links_to_all(world, client):
    make_lots_of_history()
    page = squashed(client.get(reverse("articles:tag", args=["history"])))
    assert "22 articles, 24 events and 22 claims carry this tag." in page
    assert page.count('<li class="article-item">') == 20
    assert page.count('<li class="event-item"') == 20
    assert page.count('<li class="claim-item">') == 20
    assert '<a class="more" href="/articles/?tag=history">See all 22 articles tagged history →</a>' in page
    assert (
        '<a class="more" href="/timeline/?tag=history">See all 24 events tagged history on the timeline →</a>' in page
    )
    assert '<a class="more" href="/claims/?tag=history">See all 22 claims tagged history →</a>' in page
    assert "22 articles tagged <strong>history</strong>, newest first" in squashed(client.get("/articles/?tag=history"))
    assert "22 claims tagged <strong>history</strong>" in squashed(client.get("/claims/?tag=history"))


def test_a_short_list_has_no_see_all_link(world, client):
    page = squashed(client.get(reverse("articles:tag", args=["history"])))
    assert "0 articles, 2 events and 1 claim carry this tag." in page
    assert "See all" not in page
