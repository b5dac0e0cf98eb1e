"""Contested claims: each disagreement once, both sides in the sources' own words."""

import re

import pytest
from django.urls import reverse

from articles.models import Stance
from tests.factories import make_claim

pytestmark = pytest.mark.django_db
URL = reverse("articles:contested")


def entries(page):
    """The claims listed, as the slugs in their entries' ids, in page order."""
    return re.findall(r'<article class="contested-claim" id="claim-([^"]+)">', page)


def entry(page, slug):
    start = page.index(f'<article class="contested-claim" id="claim-{slug}">')
    end = page.find('<article class="contested-claim"', start + 1)
    return page[start : end if end > 0 else None]


def test_it_lists_each_disagreement_once(world, client):
    page = client.get(URL).content.decode()
    # The 2007 and 2005–2006 claims compete: one disagreement, under the earlier event's claim
    # (same event, so by slug), not two entries that show the same quotes twice.
    assert entries(page) == ["previous-visit-2005-2006", "vietnam-mediator"]
    assert "2 disagreements." in page
    assert world.visit_dates.text not in page


def test_a_competing_pair_shows_the_other_claims_support_as_the_disagreement(world, client):
    section = entry(client.get(URL).content.decode(), "previous-visit-2005-2006")
    assert "Competes with:" in section
    assert f'<a href="{world.last_2007.get_absolute_url()}">{world.last_2007.text}</a>' in section
    assert "Supporting (1)" in section
    assert "took place around 2005–2006." in section
    # The disputing side holds the 2007 claim's two supporting quotes, marked as such.
    assert "Disputing (2)" in section
    assert section.count("for a competing claim") == 2
    assert "The last time a Vietnamese party head visited North Korea was in 2007." in section
    # Not the old, misleading "no source disputes it directly".
    assert "No source disputes" not in section


def test_a_directly_disputed_claim_shows_its_sources_on_both_sides(world, client):
    section = entry(client.get(URL).content.decode(), "vietnam-mediator")
    assert "Competes with:" not in section
    assert 'id="claim-vietnam-mediator-supporting-heading"' in section
    assert re.search(r"Disputing \(\d+\)", section)
    assert "Mediation is unlikely to change much." in section


def test_a_claim_whose_rival_is_not_contested_keeps_its_own_entry(world, client):
    # Nothing supports the rival, so the rival is not contested and lists nothing: the
    # claim it competes with must carry the disagreement itself.
    lone = make_claim(
        "Zz the visit was planned in 2024.",
        slug="zz-planned-2024",
        event=world.visit,
        citations=[(world.faq, "Mediation is unlikely to change much.", Stance.DISPUTES)],
    )
    rival = make_claim("Aa the visit was planned in 2023.", slug="aa-planned-2023", event=world.visit)
    lone.conflicts_with.add(rival)
    page = client.get(URL).content.decode()
    assert "zz-planned-2024" in entries(page)
    assert "aa-planned-2023" not in entries(page)


def make_disputed_claims(world, count):
    for n in range(count):
        make_claim(
            f"Disputed extra {n:02d}.",
            slug=f"zz-disputed-{n:02d}",
            citations=[(world.faq, "Mediation is unlikely to change much.", Stance.DISPUTES)],
        )


def test_it_pages_a_long_list_keeping_both_sides(world, client):
    make_disputed_claims(world, 25)  # 27 disagreements: 20 on page 1, 7 on page 2
    first = client.get(URL).content.decode()
    assert "27 disagreements, 1–20 shown here." in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2" rel="next"' in first
    assert len(entries(first)) == 20
    second = client.get(URL, {"page": "2"})
    assert second.status_code == 200
    second = second.content.decode()
    assert "Page 2 of 2" in second
    assert 'href="?page=1" rel="prev"' in second
    assert len(entries(second)) == 7
    assert "<title>Contested claims (page 2)" in second
    # Undated claims come after dated ones, by slug.
    assert entries(second)[-1] == "zz-disputed-24"
    section = entry(second, "zz-disputed-24")
    assert "Supporting (0)" in section and "No quote that is still in its article supports this claim." in section
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


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries, django_assert_max_num_queries):
    client.get(URL)
    # 1 the count for the pager, 2 a page of entries with claimant and event, 3 their citations
    # with speakers, articles, publishers and wires, 4 the articles' authors, 5 their competing
    # claims, 6 those claims' citations, 7 those articles' authors.
    with django_assert_num_queries(7):
        client.get(URL)
    make_disputed_claims(world, 25)
    # Page 2 has no competing claims: the prefetches for their citations are skipped.
    with django_assert_max_num_queries(7):
        client.get(URL, {"page": "2"})
