"""Reader pages are rendered once per version of the content, and never go stale."""

import pytest
from django.core.cache import cache

from articles.models import Claim
from tests.factories import make_article, make_claim, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def claim():
    return make_claim("Trade is small.", slug="trade", citations=[(make_article("Trade is small."), "Trade is small.")])


def test_a_second_visit_is_served_without_touching_the_database(client, claim, django_assert_num_queries):
    first = client.get("/claims/trade/")
    with django_assert_num_queries(0):
        second = client.get("/claims/trade/")
    assert second.status_code == 200
    assert second.content == first.content
    assert "Content-Security-Policy" in second


def test_an_edit_shows_at_once(client, claim):
    client.get("/claims/trade/")
    claim.text = "Trade is tiny."
    claim.save()
    assert "Trade is tiny." in client.get("/claims/trade/").content.decode()


def test_a_new_citation_shows_at_once_on_lists_too(client, claim):
    assert "Single source" in client.get("/claims/").content.decode()
    make_claim("Another claim entirely.", citations=[(make_article("Other words."), "Other words.")])
    assert "Another claim entirely." in client.get("/claims/").content.decode()


def test_a_tag_change_shows_at_once(client, claim):
    client.get("/claims/trade/")
    claim.tags.add("economy")
    assert "/tags/economy/" in client.get("/claims/trade/").content.decode()


def test_error_pages_and_bad_filters_are_not_cached(client, claim):
    assert client.get("/claims/?status=bogus").status_code == 400
    assert client.get("/claims/?status=bogus").status_code == 400
    assert client.get("/claims/nope/").status_code == 404
    make_claim(slug="nope", citations=[(make_article("Yes."), "Yes.")])
    assert client.get("/claims/nope/").status_code == 200


def test_signed_in_editors_always_get_a_fresh_page(client, claim):
    client.force_login(make_editor())
    client.get("/claims/trade/")
    Claim.objects.filter(pk=claim.pk).update(text="Changed behind the cache's back.")
    assert "Changed behind the cache&#x27;s back." in client.get("/claims/trade/").content.decode()


def test_each_query_string_is_its_own_page(client, claim):
    all_claims = client.get("/claims/").content
    facts = client.get("/claims/?kind=opinion").content
    assert all_claims != facts
