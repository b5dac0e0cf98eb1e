"""/suggest/<kind>/?q=…: the names a filter box's script offers, bounded and cached like a reader page."""

import pytest

from articles.forms import SUGGESTIONS
from tests.factories import make_actor

pytestmark = pytest.mark.django_db


def suggestions(client, kind, q):
    response = client.get(f"/suggest/{kind}/", {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["suggestions"]


def test_it_suggests_actors_by_name_alias_or_slug(world, client):
    assert suggestions(client, "actors", "thay") == [{"value": "carl-thayer", "label": "Carl Thayer"}]
    assert suggestions(client, "actors", "hanoi") == [{"value": "vietnam", "label": "Vietnam"}]
    assert suggestions(client, "actors", "kim-jong") == [{"value": "kim-jong-un", "label": "Kim Jong Un"}]


def test_an_exact_name_comes_alone(world, client):
    make_actor("Vietnam News Agency", slug="vna", kind="outlet")
    assert suggestions(client, "actors", "Vietnam") == [{"value": "vietnam", "label": "Vietnam"}]
    assert len(suggestions(client, "actors", "Vietna")) == 2


def test_it_suggests_events_articles_and_tags(world, client):
    assert suggestions(client, "events", "talks") == [{"value": "talks", "label": "Talks in Pyongyang"}]
    assert {"value": "visit-faq", "label": "Questions and answers on the visit"} in suggestions(
        client, "articles", "questions"
    )
    assert suggestions(client, "tags", "media") == [{"value": "mediation", "label": "mediation"}]


def test_it_is_bounded(world, client):
    for n in range(SUGGESTIONS + 5):
        make_actor(f"Envoy {n:02d}")
    found = suggestions(client, "actors", "envoy")
    assert len(found) == SUGGESTIONS
    assert [item["label"] for item in found] == sorted(item["label"] for item in found)


@pytest.mark.parametrize("q", ["", "k", " ", "\x00\x00", "%", "zzzz-nothing"])
def test_short_odd_or_unmatched_text_gets_no_suggestions(world, client, q):
    assert suggestions(client, "actors", q) == []


def test_an_unknown_list_is_not_found(world, client):
    assert client.get("/suggest/users/", {"q": "admin"}).status_code == 404


def test_it_is_cached_like_a_reader_page(world, client):
    response = client.get("/suggest/actors/", {"q": "thay"})
    assert "public" in response["Cache-Control"]
    assert response.has_header("ETag")
    # Any other parameter is redirected away, so it cannot bypass or fill the cache.
    assert client.get("/suggest/actors/", {"q": "thay", "cb": "1"}).status_code == 301


def test_it_runs_at_most_two_queries(world, client, django_assert_num_queries):
    with django_assert_num_queries(2):  # exact names, then names containing the text
        client.get("/suggest/actors/", {"q": "zzz"})


@pytest.mark.parametrize("invisible", ["\u200b\u200b", "\u2060\u2060", "\U000e0001\U000e007f"])
def test_text_of_invisible_characters_suggests_nothing_rather_than_everyone(world, client, invisible):
    # They transliterate to nothing, and every name "contains" nothing.
    assert suggestions(client, "actors", invisible) == []


def test_a_name_typed_with_vietnamese_diacritics_finds_the_actor_spelt_without(world, client):
    assert suggestions(client, "actors", "Tô Lâm") == [{"value": "to-lam", "label": "To Lam"}]
    response = client.get("/claims/", {"actor": "Tô Lâm"})
    assert response.status_code == 302
    assert response["Location"] == "/claims/?actor=to-lam"
