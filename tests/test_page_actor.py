"""An actor's page: names, kind, role, events, claims made and about them, articles."""

import datetime

import pytest

from articles import listing
from tests.factories import make_article, make_claim, make_event
from tests.markup import squashed

pytestmark = pytest.mark.django_db


def page_of(client, actor):
    response = client.get(actor.get_absolute_url())
    assert response.status_code == 200
    return squashed(response)


def test_it_shows_name_aliases_kind_and_role(world, client):
    page = page_of(client, world.to_lam)
    assert "<h1>To Lam</h1>" in page
    assert "<dt>Also called</dt><dd>Mr. Lam, Tô Lâm</dd>" in page
    assert "<dt>Kind</dt><dd>person</dd>" in page
    assert "General Secretary of the Communist Party" in page


def test_it_lists_the_events_they_took_part_in_with_their_role(world, client):
    page = page_of(client, world.to_lam)
    assert "Events (2)" in page
    visit = '<a href="/events/state-visit/">To Lam&#x27;s state visit to North Korea</a>'
    assert f'{visit} <span class="role">visitor</span>' in page
    assert '<span class="role">delegation leader</span>' in page


def test_it_lists_the_claims_they_make_and_the_claims_about_them(world, client):
    thayer = page_of(client, world.thayer)
    made = thayer[thayer.index('id="made-heading"') : thayer.index('id="about-heading"')]
    assert world.mediator.get_absolute_url() in made
    vietnam = page_of(client, world.vietnam)
    about = vietnam[vietnam.index('id="about-heading"') :]
    for claim in (world.visit_dates, world.last_2007, world.trade):
        assert claim.get_absolute_url() in about


def test_it_lists_the_articles_they_wrote_published_or_sent_by_wire(world, client):
    assert "wrote it" in page_of(client, world.thayer)
    tuoi_tre = page_of(client, world.tuoi_tre)
    assert world.interview.get_absolute_url() in tuoi_tre
    assert "published it" in tuoi_tre
    bloomberg = page_of(client, world.bloomberg)
    assert world.wire_copy.get_absolute_url() in bloomberg
    assert "wire service / original publisher" in bloomberg


def test_it_links_to_their_filtered_timeline(world, client):
    assert 'href="/timeline/?actor=to-lam"' in page_of(client, world.to_lam)


def test_it_links_to_each_filtered_list_without_template_debris(world, client):
    page = page_of(client, world.to_lam)
    links = page[page.index('<ul class="inline-links">') : page.index("</ul>", page.index('<ul class="inline-links">'))]
    assert '<a href="/claims/?actor=to-lam">Claims by or about To Lam</a>' in links
    assert '<a href="/claims/grid/?actor=to-lam">Agreement grid</a>' in links
    assert "{#" not in page
    assert "#}" not in page


def test_an_unknown_actor_is_not_found(world, client):
    assert client.get("/actors/nobody/").status_code == 404


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = world.thayer.get_absolute_url()
    client.get(url)
    # 1 the actor, 2 aliases; then for each list, its count (capped) and its first rows:
    # 3-4 participations with events, 5-6 claims made and 7-8 claims about them, with
    # claimant and event, 9-10 articles with publisher and wire; 11 their authors (for the credit line).
    with django_assert_num_queries(11):
        client.get(url)
    make_a_prolific_thayer(world)
    with django_assert_num_queries(11):
        client.get(url)


def test_a_long_list_is_counted_only_up_to_a_cap(world, client, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    make_a_prolific_thayer(world)
    page = page_of(client, world.thayer)
    made = section(page, "made-heading")
    assert "Claims Carl Thayer makes (more than 5)" in made
    assert "See all claims Carl Thayer makes (more than 5) →</a>" in made


def make_a_prolific_thayer(world):
    """21 more of everything for Carl Thayer: 22 events, claims made, claims about him and articles."""
    for n in range(21):
        make_event(
            f"Seminar {n:02d}",
            slug=f"zz-seminar-{n:02d}",
            start=datetime.date(2030, 1, 1 + n),
            participants=[(world.thayer, "speaker")],
        )
        make_claim(f"Thayer opinion {n:02d}.", slug=f"zz-opinion-{n:02d}", claimant=world.thayer)
        make_claim(f"About Thayer {n:02d}.", slug=f"zz-about-{n:02d}", subjects=[world.thayer])
        make_article(
            title=f"Thayer column {n:02d}",
            slug=f"zz-column-{n:02d}",
            authors=[world.thayer],
            published=datetime.date(2020, 1, 1 + n),
        )
    make_claim("About Thayer, too.", slug="zz-about-more", subjects=[world.thayer])


def section(page, heading_id):
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_it_shows_the_first_twenty_of_a_long_list_and_links_to_all(world, client):
    make_a_prolific_thayer(world)
    page = page_of(client, world.thayer)
    made = section(page, "made-heading")
    assert "Claims Carl Thayer makes (22)" in made
    assert made.count('<li class="claim-item">') == 20
    assert "Showing the first 20." in made
    assert (
        '<a class="more" href="/claims/?actor=carl-thayer&amp;role=claimant">See all 22 claims Carl Thayer makes →</a>'
        in made
    )
    about = section(page, "about-heading")
    assert "Claims about Carl Thayer (22)" in about
    assert about.count('<li class="claim-item">') == 20
    assert (
        '<a class="more" href="/claims/?actor=carl-thayer&amp;role=subject">See all 22 claims about Carl Thayer →</a>'
        in about
    )
    events = section(page, "events-heading")
    assert "Events (22)" in events
    assert events.count("<li>") == 20
    assert '<a class="more" href="/timeline/?actor=carl-thayer">See all 22 events on the timeline →</a>' in events
    articles = section(page, "articles-heading")
    assert "Articles written or published (22)" in articles
    assert articles.count('<li class="article-item">') == 20
    assert '<a class="more" href="/articles/?actor=carl-thayer">See all 22 articles by Carl Thayer →</a>' in articles


def test_each_see_all_link_leads_to_the_whole_list(world, client):
    make_a_prolific_thayer(world)
    assert "22 claims made by <strong>Carl Thayer</strong>," in squashed(
        client.get("/claims/?actor=carl-thayer&role=claimant")
    )
    assert "22 claims about <strong>Carl Thayer</strong>," in squashed(
        client.get("/claims/?actor=carl-thayer&role=subject")
    )
    assert "22 events involving <strong>Carl Thayer</strong>" in squashed(client.get("/timeline/?actor=carl-thayer"))
    articles = squashed(client.get("/articles/?actor=carl-thayer"))
    assert "22 articles written, published or sent out by <strong>Carl Thayer</strong>, newest first." in articles


def test_a_short_list_has_no_see_all_link(world, client):
    page = page_of(client, world.thayer)
    assert "Claims Carl Thayer makes (1)" in page
    assert "See all" not in page
