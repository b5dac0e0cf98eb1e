"""The actors index: everyone by name, a page at a time, whole or of one kind, with aliases."""

import pytest
from django.urls import reverse

from articles import views
from tests.factories import make_actor
from tests.markup import squashed

pytestmark = pytest.mark.django_db
URL = reverse("articles:actors")


def names(page):
    return [row.split('">', 2)[1].split("<", 1)[0] for row in page.split('<p class="actor-item__name"><a href=')[1:]]


def test_it_lists_actors_by_name_with_their_kind_and_aliases(world, client):
    page = squashed(client.get(URL))
    assert "7 actors, by name." in page
    listed = names(page)
    assert listed == sorted(listed)
    assert 'Vietnam</a> <span class="meta">state</span> <span class="aliases">also Hanoi</span>' in page


def test_it_shows_one_kind_when_asked(world, client):
    page = squashed(client.get(URL, {"kind": "outlet"}))
    assert "<h1>Actors: media outlets</h1>" in page
    assert names(page) == ["Bloomberg", "The Straits Times", "Tuoi Tre"]
    assert '<a class="chip" href="/actors/" title="Remove this filter">Kind: media outlet' in page


def test_a_kind_with_no_actors_yet_is_an_empty_list(world, client):
    page = squashed(client.get(URL, {"kind": "party"}))
    assert "0 actors (political parties), by name." in page
    assert "No actor of this kind yet." in page


def test_it_pages_a_long_list(world, client, monkeypatch):
    monkeypatch.setattr(views, "ACTORS_PER_PAGE", 3)
    first = squashed(client.get(URL))
    assert names(first) == ["Bloomberg", "Carl Thayer", "Kim Jong Un"]
    assert '<a href="?after=kim-jong-un" rel="next">Next page →</a>' in first
    second = squashed(client.get(URL, {"after": "kim-jong-un"}))
    assert names(second) == ["The Straits Times", "To Lam", "Tuoi Tre"]
    third = squashed(client.get(URL, {"after": "tuoi-tre"}))
    assert names(third) == ["Vietnam"]
    assert 'rel="next"' not in third
    back = squashed(client.get(URL, {"before": "straits-times"}))
    assert names(back) == ["Bloomberg", "Carl Thayer", "Kim Jong Un"]


@pytest.mark.parametrize(
    "params, named",
    [({"kind": "alien"}, "“kind=alien”: not a kind of actor"), ({"after": "nobody"}, "“after=nobody”")],
)
def test_a_bad_filter_is_a_bad_request(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert named in squashed(response)


def test_it_runs_a_fixed_number_of_queries_without_a_count_per_actor(world, client, django_assert_num_queries):
    for n in range(30):
        make_actor(f"Extra actor {n:02d}")
    client.get(URL)
    # 1 a page of actors, 2 the capped count, 3 their aliases.
    with django_assert_num_queries(3):
        page = squashed(client.get(URL))
    assert "event" not in page.split('<ul class="actor-list">', 1)[1]
    # A later page also looks up the row it starts after.
    with django_assert_num_queries(4):
        client.get(URL, {"after": "kim-jong-un", "kind": "person"})
