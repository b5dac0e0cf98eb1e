"""Contested claims: every claim a source disputes or another claim competes with, both sides shown."""

import pytest
from django.urls import reverse

from articles.models import Stance
from tests.factories import make_claim

pytestmark = pytest.mark.django_db
URL = reverse("articles:contested")


def test_it_lists_every_disputed_or_competing_claim(world, client):
    page = client.get(URL).content.decode()
    for claim in (world.last_2007, world.last_2005, world.mediator):
        assert f'<a href="{claim.get_absolute_url()}">{claim.text}</a></h2>' in page
    assert world.visit_dates.text not in page


def test_it_shows_both_sides_in_the_sources_words(world, client):
    page = client.get(URL).content.decode()
    section = page[page.index('id="claim-previous-visit-2007"') :]
    section = section[: section.index("</article>\n  \n")] if "</article>\n  \n" in section else section
    assert "Supporting (2)" in section
    assert "Disputing (1)" in section
    assert "The last time a Vietnamese party head visited North Korea was in 2007." in section
    assert "took place around 2005–2006." in section


def test_it_names_the_competing_claim(world, client):
    page = client.get(URL).content.decode()
    section = page[page.index('id="claim-previous-visit-2005-2006"') :]
    assert "Competes with:" in section
    assert world.last_2007.get_absolute_url() in section
    assert "the disagreement is with the competing claim above" in section


def test_it_says_how_many_claims_are_contested(world, client):
    page = client.get(URL).content.decode()
    assert "3 contested claims." in page
    assert 'aria-label="Pages"' not in page  # one page: no pager


def make_disputed_claims(world, count):
    for n in range(count):
        make_claim(
            f"Disputed extra {n:02d}.",
            slug=f"zz-disputed-{n:02d}",
            citations=[(world.faq, "Mediation is unlikely to change much.", Stance.DISPUTES)],
        )


def test_it_pages_a_long_list_keeping_both_sides(world, client):
    make_disputed_claims(world, 25)  # 28 contested claims: 20 on page 1, 8 on page 2
    first = client.get(URL).content.decode()
    assert "28 contested claims, 1–20 shown here." in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2" rel="next"' in first
    assert first.count('<article class="contested-claim"') == 20
    second = client.get(URL, {"page": "2"})
    assert second.status_code == 200
    second = second.content.decode()
    assert "Page 2 of 2" in second
    assert 'href="?page=1" rel="prev"' in second
    assert second.count('<article class="contested-claim"') == 8
    assert "<title>Contested claims (page 2)" in second
    section = second[second.index('id="claim-zz-disputed-24"') :]
    assert "Supporting (0)" in section and "No source supports it." in section
    assert "Disputing (1)" in section and "Mediation is unlikely to change much." in section
    assert "zz-disputed-24" not in first


@pytest.mark.parametrize(
    "page, named",
    [
        ("999", "“page=999”: there is no page 999; the last page is 1."),
        ("-1", "“page=-1”: pages are numbered from 1."),
        ("abc", "“page=abc”: enter a page number, e.g. 2."),
    ],
)
def test_a_page_that_does_not_exist_is_a_bad_request(world, client, page, named):
    response = client.get(URL, {"page": page})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That request could not be understood" in html
    assert f"<li>{named}</li>" in html


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 the count for the pager, 2 a page of contested claims with status, claimant and
    # event, 3 their citations with speakers, articles, publishers and wires, 4 the articles'
    # authors, 5 their competing claims with status.
    with django_assert_num_queries(5):
        client.get(URL)
    make_disputed_claims(world, 25)
    with django_assert_num_queries(5):
        client.get(URL, {"page": "2"})
