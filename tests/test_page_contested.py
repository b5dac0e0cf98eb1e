"""Contested claims: each disagreement once, both sides in the sources' own words."""

import re

import pytest
from django.urls import reverse

from articles.models import Stance
from tests.factories import make_claim
from tests.markup import duplicate_landmarks, squashed

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
    page = squashed(client.get(URL))
    # The 2007 and 2005–2006 claims compete: one disagreement, not two entries that show the
    # same quotes twice. It is listed under the claim that comes first (same event, as many
    # sources, added first); the undated mediator claim comes last.
    assert entries(page) == ["previous-visit-2007", "vietnam-mediator"]
    assert "2 disagreements;" in page
    assert world.visit_dates.text not in page


def test_a_competing_pair_shows_the_other_claims_support_as_the_disagreement(world, client):
    section = entry(squashed(client.get(URL)), "previous-visit-2007")
    assert "Competes with:" in section
    assert f'<a href="{world.last_2005.get_absolute_url()}">{world.last_2005.text}</a>' in section
    assert "Supporting (2)" in section
    assert "The last time a Vietnamese party head visited North Korea was in 2007." in section
    # The disputing side holds the FAQ's direct dispute and the 2005–2006 claim's supporting
    # quote, marked as support for the competing claim, as on the claim page.
    assert "Disputing (2)" in section
    assert section.count("for a competing claim") == 1
    assert "took place around 2005–2006." in section
    # Not the old, misleading "no source disputes it directly".
    assert "No source disputes" not in section


def test_a_directly_disputed_claim_shows_its_sources_on_both_sides(world, client):
    section = entry(squashed(client.get(URL)), "vietnam-mediator")
    assert "Competes with:" not in section
    assert 'id="claim-vietnam-mediator-supporting-heading"' in section
    assert re.search(r"Disputing \(\d+\)", section)
    assert "Mediation is unlikely to change much." in section


def test_a_claim_whose_rival_is_not_contested_keeps_its_own_entry(world, client):
    # Nothing supports the rival, so the rival is not contested and is not listed: the
    # claim it competes with carries the disagreement, though the rival comes first.
    rival = make_claim("The visit was planned in 2023.", slug="planned-2023", event=world.relations)
    lone = make_claim(
        "The visit was planned in 2024.",
        slug="planned-2024",
        event=world.visit,
        citations=[(world.faq, "Mediation is unlikely to change much.", Stance.DISPUTES)],
    )
    lone.conflicts_with.add(rival)
    page = squashed(client.get(URL))
    assert "planned-2024" in entries(page)
    assert "planned-2023" not in entries(page)


def test_a_claim_with_many_quotes_shows_a_few_of_each_side_and_links_to_all(world, client):
    claim = make_claim(
        "Sanctions will stay.",
        slug="sanctions-stay",
        event=world.relations,
        citations=[
            (world.wire_story, "Analysts doubt that sanctions will ease soon."),
            (world.wire_copy, "Analysts doubt that sanctions will ease soon."),
            (world.interview, "Sanctions limit cooperation."),
            (world.interview, "Trade has dwindled since 2017."),
            (world.faq, "Mediation is unlikely to change much.", Stance.DISPUTES),
        ],
    )
    section = entry(squashed(client.get(URL)), "sanctions-stay")
    assert "Supporting (4)" in section
    assert section.count('<article class="citation citation--supports') == 3
    assert "Disputing (1)" in section
    assert f'<a class="more" href="{claim.get_absolute_url()}#evidence-heading">Every quote' in section


def make_disputed_claims(world, count):
    for n in range(count):
        make_claim(
            f"Disputed extra {n:02d}.",
            slug=f"zz-disputed-{n:02d}",
            citations=[(world.faq, "Mediation is unlikely to change much.", Stance.DISPUTES)],
        )


def test_claims_with_sides_alike_give_a_screen_reader_no_landmarks_it_cannot_tell_apart(world, client):
    make_disputed_claims(world, 2)  # each "Supporting (0)", "Disputing (1)"
    page = client.get(URL).content.decode()
    assert len(entries(page)) == 4
    assert duplicate_landmarks(page) == []
    # The sides still lead the way as headings, one id per claim.
    assert page.count('<h3 id="claim-zz-disputed-01-disputing-heading">') == 1


def test_it_pages_a_long_list_keeping_both_sides(world, client):
    make_disputed_claims(world, 12)  # 14 disagreements: 8 on the first page, 6 on the next
    first = squashed(client.get(URL))
    assert "14 disagreements, 8 on this page;" in first
    assert len(entries(first)) == 8
    last_on_first = entries(first)[-1]
    assert f'href="?after={last_on_first}" rel="next"' in first
    assert 'rel="prev"' not in first
    second = client.get(URL, {"after": last_on_first})
    assert second.status_code == 200
    second = squashed(second)
    assert len(entries(second)) == 6
    assert not set(entries(first)) & set(entries(second))
    assert f'href="?before={entries(second)[0]}" rel="prev"' in second
    assert 'rel="next"' not in second
    # Undated claims come after dated ones; with as many sources, in the order they were added.
    assert entries(second)[-1] == "zz-disputed-11"
    section = entry(second, "zz-disputed-11")
    assert "Supporting (0)" in section and "No quote that is still in its article supports this claim." in section
    assert "Disputing (1)" in section and "Mediation is unlikely to change much." in section
    # An old numbered link is forwarded to the same place.
    response = client.get(URL, {"page": "2"})
    assert response.status_code == 301
    assert response["Location"] == f"{URL}?after={last_on_first}"


@pytest.mark.parametrize(
    "params, named",
    [
        ({"after": "no-such-claim"}, "“after=no-such-claim”: there is no contested claim “no-such-claim”"),
        ({"page": "-1"}, "“page=-1”: pages are numbered from 1; better, follow the page links."),
        ({"page": "abc"}, "“page=abc”: pages are numbered from 1; better, follow the page links."),
        ({"page": "9"}, "“page=9”: there is no page 9."),
    ],
)
def test_a_page_that_does_not_exist_is_a_bad_request(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    html = squashed(response)
    assert "That request could not be understood" in html
    assert named in html


def test_it_runs_the_same_queries_whatever_the_page_holds(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 a page of entries with claimant and event, 2 the capped count, 3 their competing-claim
    # links with the other claims, 4 the citations of both with speakers, articles, publishers
    # and wires, 5 the articles' authors.
    with django_assert_num_queries(5):
        client.get(URL)
    make_disputed_claims(world, 14)
    # A later page, whose claims compete with none: 1 the boundary row, then the same five.
    with django_assert_num_queries(6):
        client.get(URL, {"after": "vietnam-mediator"})
