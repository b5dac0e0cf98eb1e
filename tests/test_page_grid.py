"""The agreement grid: claims against articles, each cell saying supports, disputes, qualifies or nothing."""

import html
import re

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import make_claim
from tests.markup import squashed

pytestmark = pytest.mark.django_db
URL = reverse("articles:grid")


def row_of(page, claim):
    start = page.index(f'<a href="{claim.get_absolute_url()}">')
    return page[start : page.index("</tr>", start)]


def cells(row):
    """Each cell's words, without the article's name (shown in the cell only where rows are cards)."""
    found = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [re.sub(r'<span class="grid__source">.*?</span>|<[^>]+>|\s+', " ", cell).split() for cell in found]


def columns_of(page):
    """The article titles in the key, in column order."""
    key = page[page.index('<ol class="grid-articles">') : page.index("</ol>", page.index('<ol class="grid-articles">'))]
    return [html.unescape(title) for title in re.findall(r'<li><a href="[^"]+">([^<]+)</a>', key)]


def make_cited_claims(world, count):
    """Claims about Kim Jong Un on the 1950 event, each cited by the FAQ only."""
    for n in range(count):
        make_claim(
            f"Grid extra {n:02d}.",
            slug=f"zz-grid-{n:02d}",
            event=world.relations,
            subjects=[world.kim],
            citations=[(world.faq, "Relations were established in 1950.")],
        )


def test_it_shows_a_cell_per_claim_and_article(world, client):
    page = squashed(client.get(URL))
    assert '<th scope="col">Claim</th>' in page
    assert page.count('<th scope="row" class="grid__claim">') == 7  # every claim with a citation


def test_each_cell_says_what_the_article_does_in_words_not_colour_alone(world, client):
    page = squashed(client.get(URL))
    row = row_of(page, world.mediator)
    words = [" ".join(cell) for cell in cells(row)]
    assert "✓ supports" in words
    assert "✗ disputes" in words
    assert "≈ qualifies" in words
    # An empty cell is a dot drawn by the stylesheet, and words for screen readers.
    assert "not mentioned" in words
    assert '<td class="grid__cell grid__cell--none"><span class="visually-hidden">not mentioned</span></td>' in row


def test_a_cell_links_to_the_quote_in_the_article(world, client):
    citation = world.greeted.citations.get()
    page = squashed(client.get(URL))
    assert f'href="/articles/tuoi-tre-interview/#cite-{citation.pk}"' in row_of(page, world.greeted)


def test_it_filters_by_event(world, client):
    page = squashed(client.get(URL, {"event": "previous-visit"}))
    assert page.count('<th scope="row" class="grid__claim">') == 2
    assert world.last_2007.get_absolute_url() in page
    assert world.visit_dates.get_absolute_url() not in page
    # Only the articles that cite these claims are columns, newest first: the wire story and its copy, the FAQ.
    assert columns_of(page) == [world.wire_copy.title, world.wire_story.title, world.faq.title]


def test_it_filters_by_actor(world, client):
    page = squashed(client.get(URL, {"actor": "carl-thayer"}))
    assert page.count('<th scope="row" class="grid__claim">') == 1
    assert "by or about <strong>Carl Thayer</strong>" in page


def test_an_unknown_event_is_a_bad_request(world, client):
    response = client.get(URL, {"event": "nothing"})
    assert response.status_code == 400
    assert "“event=nothing”" in squashed(response)


def test_its_key_lists_exactly_the_articles_shown_as_columns(world, client):
    page = squashed(client.get(URL))
    columns = columns_of(page)
    assert len(columns) == page.count('<th scope="col" class="grid__article">') == 5
    assert "7 cited claims" in page
    assert "across the 5 articles that cite them." in page


def test_column_headings_are_short_readable_labels(world, client):
    page = squashed(client.get(URL))
    headings = [
        html.unescape(re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", heading)).strip()
        for heading in re.findall(r'<th scope="col" class="grid__article">(.*?)</th>', page, re.S)
    ]
    # Newest first: the outlet (publisher, else wire, else author, else the title's first words) and the date.
    assert headings == [
        "Tuoi Tre, 12 October 2025",
        "The Straits Times, 8 October 2025",
        "Bloomberg, c. 8 October 2025",
        "Tuoi Tre, October 2025",
        "Questions and answers on…",
    ]
    # The full title is still there for screen readers.
    assert f'<span class="visually-hidden">: {world.faq.title}</span>' in page


def test_articles_beyond_the_widest_share_one_column_that_names_them(world, client, monkeypatch):
    from articles import views

    monkeypatch.setattr(views, "GRID_COLUMNS", 2)
    page = squashed(client.get(URL))
    # The two articles citing most claims are columns; the other three share one.
    assert page.count('<th scope="col" class="grid__article">') == 2
    assert '<th scope="col" class="grid__article grid__article--others">Other articles</th>' in page
    assert "across the 5 articles that cite them." in page
    # The mediator claim is cited by three articles: whichever are not columns are named in the last cell.
    row = row_of(page, world.mediator)
    in_columns = [" ".join(cell) for cell in cells(row)[:2]]
    others = row[row.index('<td class="grid__others">') :]
    named = re.findall(r'<span class="grid__source">([^<]+)</span>', others)
    assert len(named) + sum(words != "not mentioned" for words in in_columns) == 3
    stances = " ".join(in_columns) + " " + re.sub(r"<[^>]+>|\s+", " ", others)
    for stance in ("✓ supports", "✗ disputes", "≈ qualifies"):
        assert stance in " ".join(stances.split())


def test_on_a_phone_each_claim_lists_the_articles_that_cite_it_by_name(world, client):
    # The stylesheet turns rows into cards (tests/browser checks the layout); the names it shows are in the cells.
    row = row_of(squashed(client.get(URL)), world.greeted)
    assert '<span class="grid__source">Tuoi Tre, October 2025</span>' in row
    assert row.count('class="grid__source"') == 1  # only the article that cites it


def test_it_pages_the_claims_keeping_the_filters(world, client):
    make_cited_claims(world, 20)  # with the greeting, 21 claims about Kim Jong Un: 15, then 6
    first = squashed(client.get(URL, {"actor": "kim-jong-un"}))
    assert "21 cited claims by or about <strong>Kim Jong Un</strong>; 15 on this page" in first
    assert first.count('<th scope="row" class="grid__claim">') == 15
    # In event order: the 1950 claims first, in the order they were added; the greeting (2025) last.
    last = "zz-grid-14"
    assert f'href="?actor=kim-jong-un&amp;after={last}" rel="next"' in first
    # The first page holds only claims the FAQ cites: one column, and the key names only it.
    assert columns_of(first) == [world.faq.title]
    assert first.count('<th scope="col" class="grid__article">') == 1

    second = client.get(URL, {"actor": "kim-jong-un", "after": last})
    assert second.status_code == 200
    second = squashed(second)
    assert "<title>Agreement grid: Kim Jong Un (from “Grid extra 15.”)" in second
    assert 'name="actor" value="kim-jong-un"' in second
    assert 'href="?actor=kim-jong-un&amp;before=zz-grid-15" rel="prev"' in second
    assert 'rel="next"' not in second
    assert second.count('<th scope="row" class="grid__claim">') == 6
    assert world.greeted.get_absolute_url() in second


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)
    # 1 a page of cited claims with claimant and event, 2 their citations with articles, publishers
    # and wires, 3 the authors of the articles that name no outlet (their label names an author),
    # 4 the capped count.
    with django_assert_num_queries(4):
        client.get(URL)
    make_cited_claims(world, 20)
    # Filtered by actor, a later page: 1 the actor named, 2 the boundary row, then as above.
    with django_assert_num_queries(6):
        client.get(URL, {"actor": "kim-jong-un", "after": "zz-grid-14"})
    # By event: 1 the event named, then as above, less the authors: its articles all name an outlet.
    with django_assert_num_queries(4):
        client.get(URL, {"event": "state-visit"})


def test_when_every_article_names_an_outlet_no_authors_are_read(world, client, django_assert_num_queries):
    Article.objects.filter(publisher=None, wire=None).update(publisher=world.tuoi_tre)
    client.get(URL)
    with django_assert_num_queries(3):
        page = client.get(URL).content.decode()
    assert '<span class="grid__source">Tuoi Tre</span>' in page  # the undated FAQ, by its new outlet


@pytest.mark.parametrize(
    "params, named",
    [
        ({"after": "no-such-claim"}, "“after=no-such-claim”: there is no claim “no-such-claim”"),
        ({"page": "-1"}, "“page=-1”: pages are numbered from 1; better, follow the page links."),
        ({"event": "previous-visit", "page": "2"}, "“page=2”: there is no page 2."),
    ],
)
def test_a_page_that_does_not_exist_is_a_bad_request(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    page = squashed(response)
    assert "That request could not be understood" in page
    assert named in page
