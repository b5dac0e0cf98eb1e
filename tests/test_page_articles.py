"""The articles index: every source with its publisher, date and how much it is cited."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import make_article
from tests.markup import squashed

pytestmark = pytest.mark.django_db
URL = reverse("articles:articles")


def test_it_lists_every_article_newest_first(world, client):
    page = squashed(client.get(URL))
    order = [page.index(article.get_absolute_url()) for article in (world.edited, world.wire_story, world.interview)]
    assert order == sorted(order)
    assert world.faq.get_absolute_url() in page


def test_it_names_who_stands_behind_each(world, client):
    page = squashed(client.get(URL))
    assert "via Bloomberg" in page
    assert "The Straits Times, via Bloomberg" in page
    assert "publisher not stated" in page
    assert "date not stated" in page


def test_it_counts_quotes_and_claims(world, client):
    page = squashed(client.get(URL))
    assert "4 quotes cited for 4 claims" in page  # the interview


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 a page of articles, 2 the capped count, 3 the page's articles with publisher,
    # wire and citation counts, 4 their authors.
    with django_assert_num_queries(4):
        client.get(URL)
    # Each chosen actor or tag is found by slug: one query each; a later page looks up its first row.
    with django_assert_num_queries(7):
        client.get(URL, {"actor": "bloomberg", "tag": "wire", "after": "edited-report"})


def test_its_filter_form_takes_a_name_instead_of_listing_every_actor(world, client):
    page = squashed(client.get(URL))
    assert '<input type="text" name="actor"' in page
    assert f'<option value="{world.kim.slug}"' not in page
    response = client.get(URL, {"actor": "Bloomberg"})
    assert response.status_code == 302
    assert response["Location"] == "/articles/?actor=bloomberg"


def test_it_filters_by_actor_and_tag(world, client):
    page = squashed(client.get(URL, {"actor": "bloomberg"}))
    assert "2 articles written, published or sent out by <strong>Bloomberg</strong>, newest first." in page
    assert "Written, published or sent out by: Bloomberg" in page  # the chip
    assert world.wire_copy.get_absolute_url() in page
    assert world.interview.get_absolute_url() not in page
    page = squashed(client.get(URL, {"tag": "mediation"}))
    assert "1 article tagged <strong>mediation</strong>, newest first." in page
    assert world.interview.get_absolute_url() in page
    assert world.wire_story.get_absolute_url() not in page


def test_an_actor_behind_no_article_gives_an_empty_list(world, client):
    page = squashed(client.get(URL, {"actor": "kim-jong-un"}))
    assert "0 articles written, published or sent out by <strong>Kim Jong Un</strong>" in page
    assert "No article matches these filters." in page


def test_it_sorts_oldest_first_or_by_title(world, client):
    page = squashed(client.get(URL, {"sort": "oldest"}))
    order = [page.index(a.get_absolute_url()) for a in (world.interview, world.wire_story, world.edited, world.faq)]
    assert order == sorted(order)  # undated last either way
    page = squashed(client.get(URL, {"sort": "title"}))
    titles = [world.edited, world.faq, world.interview, world.wire_copy, world.wire_story]
    order = [page.index(a.get_absolute_url()) for a in titles]
    assert order == sorted(order)


def listed_slugs(page):
    return [row.split('href="/articles/', 1)[1].split("/", 1)[0] for row in page.split('<li class="article-item">')[1:]]


def test_it_pages_a_long_list(world, client):
    for n in range(50):
        make_article(title=f"Old piece {n:02d}", slug=f"zz-piece-{n:02d}", published=datetime.date(2001, 1, 1))
    first = squashed(client.get(URL))
    assert "55 articles, newest first." in first
    on_first = listed_slugs(first)
    assert len(on_first) == 50
    assert f'<a href="?after={on_first[-1]}" rel="next">Next page →</a>' in first
    second = squashed(client.get(URL, {"after": on_first[-1]}))
    assert listed_slugs(second) == [*(f"zz-piece-{n}" for n in range(46, 50)), "visit-faq"]  # undated: last
    response = client.get(URL, {"page": "2"})
    assert response.status_code == 301
    assert response["Location"] == f"/articles/?after={on_first[-1]}"


@pytest.mark.parametrize(
    "params, named",
    [
        ({"page": "999"}, "“page=999”: page numbers are no longer used; follow the page links."),
        ({"page": "abc"}, "“page=abc”: pages are numbered from 1"),
        ({"actor": "nobody"}, "“actor=nobody”: no actor has that slug, name or alias."),
        ({"after": "no-such-article"}, "“after=no-such-article”: there is no article"),
        ({"sort": "popular"}, "“sort=popular”: not a sort order"),
    ],
)
def test_a_bad_filter_or_page_is_a_bad_request(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert named in squashed(response)
