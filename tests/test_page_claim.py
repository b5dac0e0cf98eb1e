"""A claim's permalink page: status, every citation in context, both sides, competing claims."""

import pytest

from articles.models import Citation, Stance
from tests.factories import make_world, module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield make_world()


def page_of(client, claim):
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_its_permalink_is_claims_slug(world):
    assert world.visit_dates.get_absolute_url() == "/claims/visit-9-11-october/"


def test_it_shows_the_claim_its_kind_and_claimant(world, client):
    page = page_of(client, world.mediator)
    assert '<h1 class="claim-text">Vietnam can act as a mediator for North Korea.</h1>' in page
    assert "<dt>Kind</dt><dd>opinion</dd>" in page
    assert '<dt>Claimed by</dt><dd><a href="/actors/carl-thayer/">Carl Thayer</a></dd>' in page


def test_a_claim_backed_by_two_independent_sources_is_corroborated(world, client):
    page = page_of(client, world.visit_dates)
    # Three supporting citations, but the wire story and its copy are one source.
    assert "Corroborated by 2 independent sources" in page
    assert "come from one source, Bloomberg, so they count as one independent source." in page
    assert "The Straits Times, via Bloomberg" in page


def test_a_claim_with_one_source_says_single_source(world, client):
    assert "Single source</span>" in page_of(client, world.greeted)


def test_a_disputed_claim_is_contested(world, client):
    assert "Contested</span>" in page_of(client, world.last_2007)


def test_each_citation_names_its_source_date_and_stance(world, client):
    page = page_of(client, world.visit_dates)
    assert "Vietnam leader makes rare visit to North Korea</a>" in page
    assert "Tuoi Tre" in page
    assert '<time datetime="2025-10">October 2025</time>' in page
    assert '<time datetime="2025-10-08">c. 8 October 2025</time>' in page
    assert "supports</span>" in page


def test_each_quote_is_highlighted_within_its_sentences(world, client):
    page = page_of(client, world.greeted)
    assert (
        "<p>To Lam arrived in Pyongyang on 9 October 2025 for a visit lasting until 11 October. "
        '<mark class="stance-supports">He was greeted at the airport by Kim Jong Un.</mark></p>'
    ) in page


def test_each_quote_links_into_the_article_where_it_is_highlighted(world, client):
    citation = world.greeted.citations.get()
    page = page_of(client, world.greeted)
    assert f'href="/articles/tuoi-tre-interview/#cite-{citation.pk}"' in page
    article = client.get("/articles/tuoi-tre-interview/").content.decode()
    assert f'id="cite-{citation.pk}"' in article


def test_disputing_quotes_sit_beside_the_supporting_ones(world, client):
    page = page_of(client, world.last_2007)
    supporting = page.index('id="supporting-heading"')
    disputing = page.index('id="disputing-heading"')
    assert "The last time a Vietnamese party head visited North Korea was in 2007." in page[supporting:disputing]
    assert "The last visit by a Vietnamese general secretary took place around 2005–2006." in page[disputing:]
    assert "Disputing (1)" in page


def test_a_qualifying_quote_is_shown_as_qualifying(world, client):
    page = page_of(client, world.mediator)
    assert "Qualifying (1)" in page
    assert "mediating role" in page[page.index('id="qualifying-heading"') :]


def test_competing_claims_are_shown_prominently(world, client):
    page = page_of(client, world.last_2007)
    competing = page.index('id="competing-heading"')
    assert competing < page.index('id="evidence-heading"')
    assert world.last_2005.get_absolute_url() in page[competing:]
    assert "Competing claim</h2>" in page


def test_a_quote_lost_after_an_edit_is_flagged(world, client):
    page = page_of(client, world.trade)
    assert "Quote lost:" in page
    assert "Trade fell to almost nothing." in page
    assert f"#cite-{world.lost_citation.pk}" not in page  # nothing to scroll to


def test_a_quote_shared_by_two_claims_links_to_its_own_anchor_in_the_article(world, client):
    disputing = Citation.objects.get(claim=world.last_2007, stance=Stance.DISPUTES)
    supporting = world.last_2005.citations.get()
    assert (disputing.article, disputing.start) == (supporting.article, supporting.start)
    page = page_of(client, world.last_2005)
    assert f'href="/articles/visit-faq/#cite-{supporting.pk}"' in page
    article = client.get("/articles/visit-faq/").content.decode()
    assert f'id="cite-{supporting.pk}"' in article
    assert f'id="cite-{disputing.pk}"' in article


def test_it_lists_related_claims(world, client):
    page = page_of(client, world.visit_dates)
    related = page[page.index('id="related-heading"') :]
    assert world.greeted.get_absolute_url() in related  # same event
    assert world.trade.get_absolute_url() in related  # also about Vietnam


def test_it_offers_a_line_to_cite_it_by_its_permalink(world, client):
    page = page_of(client, world.visit_dates)
    assert "Cite this claim" in page
    assert "http://testserver/claims/visit-9-11-october/</a>" in page


def test_an_unknown_claim_is_not_found(world, client):
    response = client.get("/claims/no-such-claim/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = world.last_2007.get_absolute_url()
    client.get(url)  # warm the content-type cache taggit uses
    # 1 the claim with claimant and event, 2 its subjects, 3 its tags, 4 its citations
    # with speakers, articles, publishers and wires, 5 the articles' authors, 6 competing
    # claims, 7 their citations, 8 their articles' authors, 9 related claims.
    with django_assert_num_queries(9):
        client.get(url)
    # Without competing claims there are no competing citations to fetch.
    with django_assert_num_queries(7):
        client.get(world.visit_dates.get_absolute_url())
