"""The claims list: filters for status, kind, actor, article and tag, and pages."""

import pytest
from django.urls import reverse

from tests.factories import make_claim

pytestmark = pytest.mark.django_db
URL = reverse("articles:claims")


def listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content.decode()
    return response.content.decode()


def test_it_lists_every_claim_with_its_status(world, client):
    page = listed(client)
    assert "8 claims." in page
    assert world.visit_dates.text in page
    assert "Corroborated by 2 independent sources" in page
    assert "No supporting source" in page


@pytest.mark.parametrize(
    "params, shown, hidden",
    [
        ({"status": "contested"}, ["previous-visit-2007", "vietnam-mediator"], ["visit-9-11-october"]),
        ({"status": "corroborated"}, ["visit-9-11-october"], ["kim-greeted-lam"]),
        ({"kind": "opinion"}, ["vietnam-mediator"], ["trade-dwindled"]),
        ({"actor": "carl-thayer"}, ["vietnam-mediator"], ["trade-dwindled"]),
        ({"actor": "kim-jong-un"}, ["kim-greeted-lam", "uncited-claim"], ["vietnam-mediator"]),
        ({"article": "visit-faq"}, ["previous-visit-2005-2006", "relations-1950"], ["kim-greeted-lam"]),
        ({"tag": "history"}, ["previous-visit-2007"], ["previous-visit-2005-2006"]),
        ({"status": "single-source", "actor": "vietnam"}, ["trade-dwindled"], ["vietnam-mediator"]),
        ({"actor": "carl-thayer", "role": "claimant"}, ["vietnam-mediator"], ["trade-dwindled"]),
        ({"actor": "carl-thayer", "role": "subject"}, [], ["vietnam-mediator"]),
        ({"actor": "kim-jong-un", "role": "subject"}, ["kim-greeted-lam", "uncited-claim"], ["vietnam-mediator"]),
        ({"event": "previous-visit"}, ["previous-visit-2007", "previous-visit-2005-2006"], ["kim-greeted-lam"]),
    ],
)
def test_its_filters_narrow_the_list(world, client, params, shown, hidden):
    page = listed(client, **params)
    for slug in shown:
        assert f'href="/claims/{slug}/"' in page, slug
    for slug in hidden:
        assert f'href="/claims/{slug}/"' not in page, slug


def test_it_says_which_filters_apply(world, client):
    page = listed(client, actor="carl-thayer", kind="opinion")
    assert "1 claim of kind <strong>opinion</strong> by or about <strong>Carl Thayer</strong>." in page
    assert '<option value="carl-thayer" selected>Carl Thayer</option>' in page


def test_it_shows_where_each_claim_is_cited(world, client):
    page = listed(client, article="tuoi-tre-interview")
    assert "cited in" in page
    assert "Scholars on To Lam&#x27;s visit</a> (supports)" in page


def test_it_pages_a_long_list(world, client):
    for n in range(25):
        make_claim(f"Extra claim {n:02d}.", slug=f"zz-extra-{n:02d}")
    first = listed(client)
    assert "33 claims." in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    second = listed(client, page="2")
    assert "zz-extra-24" in second
    assert "zz-extra-24" not in first


def test_paging_keeps_the_filters(world, client):
    for n in range(25):
        make_claim(f"Extra opinion {n:02d}.", slug=f"zz-opinion-{n:02d}", kind="opinion")
    assert 'href="?kind=opinion&amp;page=2"' in listed(client, kind="opinion")


@pytest.mark.parametrize(
    "params, named",
    [
        ({"status": "bogus"}, "“status=bogus”"),
        ({"kind": "rumour"}, "“kind=rumour”"),
        ({"actor": "nobody"}, "“actor=nobody”"),
        ({"article": "no-such-article"}, "“article=no-such-article”"),
        ({"page": "-1"}, "“page=-1”"),
        ({"page": "abc"}, "“page=abc”"),
        ({"page": "999"}, "there is no page 999; the last page is 1"),
        ({"role": "boss", "actor": "to-lam"}, "“role=boss”"),
        ({"role": "claimant"}, "“role=claimant” says what an actor does; choose the actor too"),
        ({"event": "no-such-event"}, "“event=no-such-event”"),
    ],
)
def test_an_invalid_filter_is_a_bad_request_naming_the_parameter(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert named in response.content.decode()


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)  # warm the content-type cache taggit uses
    # 1 actors, 2 events, 3 articles and 4 tags for the filter form, 5 the count for the pager,
    # 6 a page of claims with status, claimant and event, 7 their citations with articles.
    with django_assert_num_queries(7):
        client.get(URL)
    with django_assert_num_queries(7):
        client.get(URL, {"actor": "vietnam", "role": "subject", "event": "previous-visit", "page": "1"})
    with django_assert_num_queries(7):
        client.get(URL, {"status": "contested", "actor": "vietnam", "tag": "history", "page": "1"})


def test_it_says_what_role_the_actor_plays(world, client):
    assert "1 claim made by <strong>Carl Thayer</strong>." in listed(client, actor="carl-thayer", role="claimant")
    assert "5 claims about <strong>Vietnam</strong>." in listed(client, actor="vietnam", role="subject")
    page = listed(client, event="previous-visit")
    assert "2 claims on <strong>Previous visit by a Vietnamese party chief</strong>." in page
