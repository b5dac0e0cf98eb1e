"""The claims list: filters for status, kind, actor, article and tag, and pages."""

import pytest
from django.urls import reverse

from articles import listing, views
from articles.listing import CLAIM_ORDERINGS, ordering_named
from articles.models import Claim
from tests.factories import make_actor, make_article, make_claim
from tests.markup import squashed

pytestmark = pytest.mark.django_db
URL = reverse("articles:claims")


def listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content.decode()
    return squashed(response)


def test_it_lists_every_claim_with_its_status(world, client):
    page = listed(client)
    assert "8 claims, by event date, then most sources." in page
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


def test_it_says_which_filters_apply_and_names_each_chosen_thing(world, client):
    page = listed(client, actor="carl-thayer", kind="opinion")
    assert "1 claim of kind <strong>opinion</strong> by or about <strong>Carl Thayer</strong>" in page
    # A chip for each filter, named by label, linking to the list without it.
    assert '<a class="chip" href="/claims/?kind=opinion" title="Remove this filter">Actor: Carl Thayer' in page
    assert '<a class="chip" href="/claims/?actor=carl-thayer" title="Remove this filter">Kind: opinion' in page
    assert 'name="actor" value="carl-thayer"' in page


def test_removing_the_actor_removes_its_role_too(world, client):
    page = listed(client, actor="carl-thayer", role="claimant")
    assert '<a class="chip" href="/claims/" title="Remove this filter">Actor: Carl Thayer' in page


def test_its_filter_form_lists_no_actors_events_articles_or_tags(world, client):
    page = listed(client)
    start = page.index('<form class="filters"')
    form = page[start : page.index("</form>", start)]
    for name in ("actor", "event", "article", "tag"):
        assert f'<input type="text" name="{name}"' in form
    assert "Carl Thayer" not in form
    assert "visit-faq" not in form


def test_the_filters_fold_behind_a_disclosure_so_results_come_first(world, client):
    page = listed(client, status="contested")
    assert '<details class="filters-box" data-open-wide>' in page
    assert "<summary>Filter and sort (1 in use)</summary>" in page
    assert page.index("<details") < page.index('<ul class="claim-list">')
    assert '<script src="/static/js/filters.js" defer></script>' in page


def test_a_typed_name_or_alias_goes_to_the_url_with_its_slug(world, client):
    for typed in ("Carl Thayer", "carl thayer", "Thayer"):
        response = client.get(URL, {"actor": typed, "kind": "opinion"})
        assert response.status_code == 302, typed
        assert response["Location"] == "/claims/?actor=carl-thayer&kind=opinion", typed
    response = client.get(URL, {"actor": "Hanoi"})  # an alias of Vietnam
    assert response["Location"] == "/claims/?actor=vietnam"
    response = client.get(URL, {"event": "Talks in Pyongyang"})
    assert response["Location"] == "/claims/?event=talks"


def test_a_name_that_fits_several_asks_which_was_meant(world, client):
    make_actor("Kim Il Sung", slug="kim-il-sung")
    response = client.get(URL, {"actor": "kim", "status": "contested"})
    assert response.status_code == 200
    page = squashed(response)
    assert "More than one actor fits “kim”" in page
    assert '<a href="/claims/?actor=kim-il-sung&amp;status=contested">Kim Il Sung</a>' in page
    assert '<a href="/claims/?actor=kim-jong-un&amp;status=contested">Kim Jong Un</a>' in page


def test_an_existing_actor_that_matches_nothing_is_an_empty_list_not_an_error(world, client):
    make_actor("Nobody Special", slug="nobody-special")
    page = listed(client, actor="nobody-special")
    assert "0 claims by or about <strong>Nobody Special</strong>" in page
    assert "No claim matches these filters." in page


def test_empty_parameters_are_dropped_from_the_url(world, client):
    response = client.get("/claims/?status=&kind=opinion&actor=&event=&article=&tag=&sort=")
    assert response.status_code == 301
    assert response["Location"] == "/claims/?kind=opinion"
    response = client.get("/claims/?status=&kind=")
    assert response["Location"] == "/claims/"


def test_old_page_numbers_lead_to_the_same_rows(world, client):
    for n in range(25):
        make_claim(f"Extra claim {n:02d}.", slug=f"zz-extra-{n:02d}")
    response = client.get(URL, {"page": "1", "kind": "fact"})
    assert response.status_code == 301
    assert response["Location"] == "/claims/?kind=fact"
    first = listed(client)
    last_on_first = first.rsplit('<li class="claim-item">', 1)[1]
    slug = last_on_first.split('href="/claims/', 1)[1].split("/", 1)[0]
    response = client.get(URL, {"page": "2"})
    assert response.status_code == 301
    assert response["Location"] == f"/claims/?after={slug}"


def shown(page):
    """The slugs of the claims a list page shows, in order."""
    return [row.split('href="/claims/', 1)[1].split("/", 1)[0] for row in page.split('<li class="claim-item">')[1:]]


def test_it_pages_a_long_list_after_the_last_row_shown(world, client):
    for n in range(25):
        make_claim(f"Extra claim {n:02d}.", slug=f"zz-extra-{n:02d}")
    first = listed(client)
    assert "33 claims" in first
    assert 'rel="prev"' not in first
    on_first = shown(first)
    assert len(on_first) == 20
    assert f'<a href="?after={on_first[-1]}" rel="next">Next page →</a>' in first
    second = listed(client, after=on_first[-1])
    on_second = shown(second)
    assert len(on_second) == 13
    assert set(on_first).isdisjoint(on_second)
    assert "zz-extra-24" in on_second  # no event, no source, added last: the very end
    assert 'rel="next"' not in second
    assert f'<a href="?before={on_second[0]}" rel="prev">← Previous page</a>' in second
    assert "« First page" in second
    back = listed(client, before=on_second[0])
    assert shown(back) == on_first
    assert 'rel="prev"' not in back


def test_a_page_position_with_nothing_beyond_it_goes_back_to_the_first_page(world, client):
    first = shown(listed(client, kind="opinion"))
    for params in ({"after": first[-1]}, {"before": first[0]}):
        response = client.get(URL, {"kind": "opinion", **params})
        assert response.status_code == 302
        assert response["Location"] == "/claims/?kind=opinion"


def test_paging_keeps_the_filters(world, client):
    for n in range(25):
        make_claim(f"Extra opinion {n:02d}.", slug=f"zz-opinion-{n:02d}", kind="opinion")
    page = listed(client, kind="opinion")
    assert 'href="?kind=opinion&amp;after=zz-opinion-' in page


def test_a_long_count_is_capped(world, client, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    assert "More than 5 claims, by event date" in listed(client)
    assert "3 claims with status" in listed(client, status="contested")


def test_claims_come_by_event_date_then_by_how_many_independent_sources(world, client):
    page = listed(client)
    order = [
        "relations-1950",
        "previous-visit-2007",
        "previous-visit-2005-2006",
        "visit-9-11-october",
        "kim-greeted-lam",
    ]
    positions = [page.index(f'href="/claims/{slug}/"') for slug in order]
    assert positions == sorted(positions)
    world.visit_dates.refresh_from_db()
    world.greeted.refresh_from_db()
    assert world.visit_dates.origin_count > world.greeted.origin_count  # same event: more sources first


def test_it_sorts_by_most_sources_or_newest_added(world, client):
    page = listed(client, sort="sources")
    assert "by most independent sources." in page
    assert page.index('href="/claims/visit-9-11-october/"') < page.index('href="/claims/relations-1950/"')
    newest = make_claim("Added just now.", slug="added-just-now")
    page = listed(client, sort="newest")
    assert page.index(f'href="/claims/{newest.slug}/"') < page.index('href="/claims/visit-9-11-october/"')
    assert '<option value="newest" selected>Newest added</option>' in page


def test_each_source_shows_once_with_every_stance_it_takes(world, client):
    article = make_article("Talks began. Talks ended late.", title="Two-sided report", slug="two-sided")
    both = make_claim(
        "Talks took place.",
        slug="talks-both-ways",
        citations=[(article, "Talks began."), (article, "Talks ended late.", "qualifies")],
    )
    page = listed(client, article="two-sided")
    row = page[page.index(f'href="/claims/{both.slug}/"') :]
    row = row[: row.index("</li>")]
    assert row.count('href="/articles/two-sided/"') == 1
    assert "Two-sided report</a> (supports, qualifies)" in row


def test_a_contested_claim_shows_its_disputing_source(world, client):
    page = listed(client, status="contested")
    row = page[page.index('href="/claims/previous-visit-2007/"') :]
    row = row[: row.index("</li>")]
    assert "(disputes)" in row
    assert (
        'Questions and answers on the visit</a> <span class="note-inline title-note">(title by our editors)</span>'
        " (disputes)"
    ) in row


def test_a_claim_cited_by_many_articles_names_a_few_and_counts_the_rest(world, client):
    articles = [make_article("One line of text.", title=f"Source {n}", slug=f"source-{n}") for n in range(7)]
    make_claim("Widely cited.", slug="widely-cited", citations=[(a, "One line of text.") for a in articles])
    page = listed(client, article="source-0")
    row = page[page.index('href="/claims/widely-cited/"') :]
    row = row[: row.index("</li>")]
    assert row.count('href="/articles/source-') == 4
    assert '<a href="/claims/widely-cited/">+3 more</a>' in row


def test_long_titles_are_cut_at_a_word(world, client):
    title = "An unusually long headline about the visit that goes on and on about Pyongyang and Hanoi ties"
    article = make_article("One line of text.", title=title, slug="long-title")
    make_claim("Long cited.", slug="long-cited", citations=[(article, "One line of text.")])
    page = listed(client, article="long-title")
    assert "An unusually long headline about the visit that goes on and…</a>" in page


def test_it_shows_where_each_claim_is_cited(world, client):
    page = listed(client, article="tuoi-tre-interview")
    assert "cited in" in page
    assert "Scholars on To Lam&#x27;s visit</a> (supports)" in page


@pytest.mark.parametrize(
    "params, named",
    [
        ({"status": "bogus"}, "“status=bogus”"),
        ({"kind": "rumour"}, "“kind=rumour”"),
        ({"actor": "nobody"}, "“actor=nobody”"),
        ({"article": "no-such-article"}, "“article=no-such-article”"),
        ({"page": "-1"}, "“page=-1”: pages are numbered from 1"),
        ({"page": "abc"}, "“page=abc”"),
        # A digit to str.isdigit() that int() refuses, and more digits than int() reads.
        ({"page": "²"}, "“page=²”: pages are numbered from 1"),
        ({"page": "9" * 5000}, f"“page={'9' * 5000}”: pages are numbered from 1"),
        ({"page": "50"}, "“page=50”: there is no page 50."),
        ({"page": "5000"}, "“page=5000”: page numbers are no longer used; follow the page links."),
        ({"after": "no-such-claim"}, "“after=no-such-claim”: there is no claim “no-such-claim”"),
        ({"before": "no-such-claim"}, "“before=no-such-claim”: there is no claim"),
        ({"after": "kim-greeted-lam", "before": "relations-1950"}, "“after” and “before” cannot be used together"),
        ({"after": "not a slug!"}, "“after=not a slug!”: not a page position"),
        ({"sort": "random"}, "“sort=random”: not a sort order; use sources, newest."),
        ({"tag": "no-such-tag"}, "“tag=no-such-tag”: no tag has that slug, name or alias."),
        ({"role": "boss", "actor": "to-lam"}, "“role=boss”"),
        ({"role": "claimant"}, "“role=claimant” says what an actor does; choose the actor too"),
        ({"event": "no-such-event"}, "“event=no-such-event”"),
    ],
)
def test_an_invalid_filter_is_a_bad_request_naming_the_parameter(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert named in squashed(response)


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.get(URL)  # warm the content-type cache the tag filter uses
    # 1 a page of claims with claimant and event, 2 the capped count,
    # 3 the first articles citing each with their stances, 4 how many articles cite each.
    with django_assert_num_queries(4):
        client.get(URL)
    # Each chosen actor, event, article or tag is found by slug: one query each.
    with django_assert_num_queries(6):
        client.get(URL, {"actor": "vietnam", "role": "subject", "event": "previous-visit"})
    with django_assert_num_queries(6):
        client.get(URL, {"status": "contested", "actor": "vietnam", "tag": "history", "sort": "sources"})
    # A later page also looks up the row it starts after.
    with django_assert_num_queries(5):
        client.get(URL, {"after": "kim-greeted-lam"})
    with django_assert_num_queries(5):
        client.get(URL, {"before": "kim-greeted-lam", "sort": "newest"})


def test_it_says_what_role_the_actor_plays(world, client):
    assert "1 claim made by <strong>Carl Thayer</strong>," in listed(client, actor="carl-thayer", role="claimant")
    assert "5 claims about <strong>Vietnam</strong>," in listed(client, actor="vietnam", role="subject")
    page = listed(client, event="previous-visit")
    assert "2 claims on <strong>Previous visit by a Vietnamese party chief</strong>," in page


@pytest.mark.parametrize("sort", ["", "sources", "newest"])
def test_walking_every_page_forwards_and_back_shows_every_claim_once_in_order(world, client, monkeypatch, sort):
    monkeypatch.setattr(views, "CLAIMS_PER_PAGE", 3)  # many pages, boundaries among ties and undated claims
    for n in range(4):
        make_claim(f"Undated {n}.", slug=f"zz-undated-{n}")
    expected = list(
        Claim.objects.order_by(*ordering_named(CLAIM_ORDERINGS, sort).order_by()).values_list("slug", flat=True)
    )
    params = {"sort": sort} if sort else {}
    forwards, page = [], listed(client, **params)
    while True:
        forwards += shown(page)
        if 'rel="next"' not in page:
            break
        page = listed(client, **params, after=forwards[-1])
    assert forwards == expected
    backwards = shown(page)
    while 'rel="prev"' in page:
        page = listed(client, **params, before=backwards[0])
        backwards = shown(page) + backwards
    assert backwards == expected
