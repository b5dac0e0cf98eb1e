"""The timeline: events by period, at their real precision, one window of history at a time, with an overview."""

import datetime
import re

import pytest
from django.urls import reverse

from articles import timeline
from articles.caching import bump_content_version
from articles.models import Event
from tests.factories import make_actor, make_event
from tests.markup import squashed

pytestmark = pytest.mark.django_db
URL = reverse("articles:timeline")


def titles_in_order(page, events):
    positions = {event.slug: page.find(f'id="event-{event.slug}"') for event in events}
    return [slug for slug, at in sorted(positions.items(), key=lambda item: item[1]) if at != -1]


def headings(page):
    """The list's period headings, in order."""
    return re.findall(r'<h2 id="(?:decade|year|month)-[\d-]+-heading">([^<]+)</h2>', page)


def section_of(page, event):
    """The heading of the section the event is listed under."""
    at = page.find(f'id="event-{event.slug}"')
    return headings(page[:at])[-1]


def test_it_lists_every_event_in_date_order(world, client):
    page = squashed(client.get(URL))
    events = [world.talks, world.visit, world.relations, world.previous]
    assert titles_in_order(page, events) == ["relations-established", "previous-visit", "talks", "state-visit"]


def test_it_groups_events_by_year(world, client):
    page = squashed(client.get(URL))
    for year in (1950, 2005, 2025):
        assert f'<h2 id="year-{year}-heading">{year}</h2>' in page


def test_it_shows_each_date_at_its_real_precision(world, client):
    page = squashed(client.get(URL))
    assert '<time datetime="1950">1950</time>' in page
    assert '<time datetime="2005">c. 2005–2006</time>' in page
    assert '<time datetime="2025-10">October 2025</time>' in page
    assert '<time datetime="2025-10-09">9–11 October 2025</time>' in page


def test_a_decade_event_sits_under_its_decade_and_a_range_where_it_starts(world, client):
    fifties = make_event("The 1950s war", slug="war", start=datetime.date(1950, 1, 1), date_precision="decade")
    page = squashed(client.get(URL))
    assert headings(page) == ["1950s", "1950", "2005", "2025"]
    assert section_of(page, fifties) == "1950s"
    assert section_of(page, world.relations) == "1950"
    assert section_of(page, world.previous) == "2005"  # c. 2005–2006, where it starts


def test_a_years_window_is_headed_by_month_with_whole_year_events_first(world, client):
    make_event("A whole year", slug="whole-year", start=datetime.date(2025, 1, 1), date_precision="year")
    page = squashed(client.get(URL, {"year": "2025"}))
    assert headings(page) == ["2025", "October 2025"]
    assert titles_in_order(page, [world.talks, world.visit]) == ["talks", "state-visit"]
    assert "<strong>2025</strong>: 3 events, of 5 in all." in page


def test_it_shows_participants_and_independent_sources(world, client):
    page = squashed(client.get(URL))
    assert 'href="/actors/kim-jong-un/">Kim Jong Un</a> <span class="role">as host</span>' in page
    # The wire story and its copy count once; the interview is the second source.
    assert "2 independent sources" in page


def test_a_contested_event_is_marked_in_the_list_and_the_overview(world, client):
    page = squashed(client.get(URL))
    # The previous visit: sources disagree on its date (2007 or around 2005–2006).
    item = page[page.find('id="event-previous-visit"') :]
    item = item[: item.find("</li>")]
    assert '<a class="badge status-contested" href="/claims/?event=previous-visit&amp;status=contested">' in item
    assert "Contested</a>" in item
    assert 'aria-label="c. 2005–2006: Previous visit by a Vietnamese party chief (contested)"' in page
    assert 'aria-label="2005: 1 event, 1 contested"' in page
    visit = page[page.find('id="event-state-visit"') :]
    assert "status-contested" not in visit[: visit.find("</li>")]


def test_it_filters_by_actor(world, client):
    page = squashed(client.get(URL, {"actor": "to-lam"}))
    assert titles_in_order(page, [world.visit, world.talks, world.relations]) == ["talks", "state-visit"]
    assert "2 events involving <strong>To Lam</strong>" in page


def test_it_combines_tag_and_year_range(world, client):
    page = squashed(client.get(URL, {"tag": "history", "from": "2000", "to": "2010"}))
    assert titles_in_order(page, [world.relations, world.previous, world.visit]) == ["previous-visit"]
    assert 'value="2000"' in page  # the form shows the filter it applied


def test_a_year_shortcut_shows_one_year(world, client):
    page = squashed(client.get(URL, {"year": "1950"}))
    assert titles_in_order(page, [world.relations, world.previous, world.visit]) == ["relations-established"]


def test_a_decade_shows_the_events_that_start_in_it(world, client):
    page = squashed(client.get(URL, {"decade": "2000"}))
    assert titles_in_order(page, [world.relations, world.previous, world.visit]) == ["previous-visit"]
    assert "<strong>The 2000s</strong>: 1 event, of 4 in all." in page
    assert '<a href="/timeline/?decade=1950" rel="prev">← the 1950s</a>' in page
    assert '<a href="/timeline/?decade=2020" rel="next">the 2020s →</a>' in page


def test_a_month_shows_its_events_and_its_neighbours(world, client):
    page = squashed(client.get(URL, {"month": "2025-10"}))
    assert titles_in_order(page, [world.previous, world.talks, world.visit]) == ["talks", "state-visit"]
    assert "<strong>October 2025</strong>: 2 events" in page
    assert '<a href="/timeline/?year=2025">All of 2025</a>' in page
    assert '<a href="/timeline/?month=2025-11" rel="next">November 2025 →</a>' in page
    # Months are not counted: their neighbours stay within the year, so no chain of links runs on for ever.
    december = squashed(client.get(URL, {"month": "2025-12"}))
    assert '<a href="/timeline/?month=2025-11" rel="prev">← November 2025</a>' in december
    assert 'rel="next"' not in december


def test_a_filter_that_matches_nothing_says_so(world, client):
    page = squashed(client.get(URL, {"actor": "carl-thayer", "to": "2000"}))
    assert "<strong>Carl Thayer</strong> took part in no recorded event with the chosen tag and years." in page
    assert '<svg class="overview"' not in page


def test_an_actor_with_no_events_gets_an_empty_timeline_that_says_so(world, client):
    make_actor("ASEAN", slug="asean", kind="organisation")
    response = client.get(URL, {"actor": "asean"})
    assert response.status_code == 200
    page = squashed(response)
    assert "<strong>ASEAN</strong> took part in no recorded event." in page
    assert 'No event involving ASEAN has been recorded yet; <a href="/actors/asean/">' in page
    assert titles_in_order(page, [world.visit, world.relations]) == []


def test_a_tag_no_event_carries_gets_an_empty_timeline(world, client):
    response = client.get(URL, {"tag": "mediation"})  # a claim's tag, on no event
    assert response.status_code == 200
    assert "No event matches these filters." in squashed(response)


def test_it_draws_an_overview_with_links_into_the_list_and_to_each_period(world, client):
    page = squashed(client.get(URL))
    svg = page[page.find('<svg class="overview"') : page.find("</svg>")]
    assert 'role="group" aria-labelledby="overview-title" aria-describedby="overview-desc"' in svg
    assert '<title id="overview-title">Events per year, 1950 to 2025, with every year drawn in detail</title>' in svg
    # Density per year: one bar per year with events, each a link to that year.
    assert '<a href="/timeline/?year=2025" aria-label="2025: 2 events">' in svg
    assert '<a href="/timeline/?decade=2000"><text class="overview__decade"' in svg
    # Each event of the page, as long as it lasts, linking to it in the list.
    assert '<a href="#event-state-visit" aria-label="9–11 October 2025: To Lam&#x27;s state visit' in svg
    # An approximate date is drawn faded; a range is wider than a day.
    previous = re.search(
        r'href="#event-previous-visit"[^>]*><rect class="([^"]+)" x="[\d.]+%" y="\d+" width="([\d.]+)%', svg
    )
    assert previous.group(1) == "overview__mark overview__mark--approximate overview__mark--contested"
    one_year = re.search(
        r'href="#event-relations-established"[^>]*><rect class="[^"]+" x="[\d.]+%" y="\d+" width="([\d.]+)%', svg
    )
    assert float(previous.group(2)) > 1.9 * float(one_year.group(1))  # 2005–2006: two years


def test_the_overview_marks_the_visits_days(world, client, monkeypatch):
    monkeypatch.setattr(timeline, "SUBJECT_EVENT_SLUG", "state-visit")
    page = squashed(client.get(URL, {"year": "2025"}))
    svg = page[page.find('<svg class="overview"') : page.find("</svg>")]
    assert '<a href="/events/state-visit/" aria-label="The visit: To Lam&#x27;s state visit' in svg
    assert '<rect class="overview__subject-band"' in svg
    assert "overview__mark overview__mark--subject" in svg
    # A month at a time from the year's axis.
    assert '<a href="/timeline/?month=2025-10" aria-label="October 2025">' in svg
    assert "?month=2025-03" not in svg  # a month without events is named, not linked


def many_events(count, year=2025):
    return [
        make_event(f"Meeting {n:02d}", slug=f"meeting-{n:02d}", start=datetime.date(year, 3, 1) + datetime.timedelta(n))
        for n in range(count)
    ]


def test_without_a_window_it_shows_the_latest_year_when_everything_does_not_fit(world, client, monkeypatch):
    monkeypatch.setattr(timeline, "EVENTS_PER_PAGE", 5)
    many_events(4)  # 2025 now holds 6 events, and so does the 2020s
    page = squashed(client.get(URL))
    assert "<strong>2025</strong>: 6 events, of 8 in all. This page shows 5." in page
    assert 'id="event-relations-established"' not in page


def test_a_long_window_is_read_a_page_at_a_time_from_where_the_last_ended(world, client, monkeypatch):
    monkeypatch.setattr(timeline, "EVENTS_PER_PAGE", 5)
    meetings = many_events(8)
    first = squashed(client.get(URL, {"year": "2025"}))
    assert first.count('<li class="event-item') == 5
    later = (
        re.search(r'<a class="more" href="([^"]+)">Later events in 2025 →</a>', first).group(1).replace("&amp;", "&")
    )
    second = squashed(client.get(later))
    assert "continuing an earlier page" in second
    assert '<a href="/timeline/?year=2025">↑ Back to the start of 2025</a>' in second
    shown = [slug for slug in re.findall(r'<li class="event-item[^"]*" id="event-([^"]+)"', first + second)]
    expected = [m.slug for m in meetings] + ["talks", "state-visit"]
    assert shown == expected  # every event once, in date order, across the two pages
    assert "Later events" not in second


def test_an_event_page_links_to_the_event_on_the_timeline_whatever_its_year_holds(world, client, monkeypatch):
    monkeypatch.setattr(timeline, "EVENTS_PER_PAGE", 3)
    many_events(8)
    link = world.visit.get_timeline_url()
    assert link.startswith("/timeline/?year=2025&after=2025-10-09.3.")
    page = squashed(client.get(link.split("#")[0]))
    assert titles_in_order(page, [world.visit]) == ["state-visit"]


@pytest.mark.parametrize(
    "params, named",
    [
        ({"year": "abc"}, "“year=abc”"),
        ({"from": "-5"}, "“from=-5”"),
        ({"actor": "nobody"}, "“actor=nobody”"),
        # A word joiner alone: it folds to nothing, which every name once "contained" (a list of all actors).
        ({"actor": "\u2060"}, "“actor=\u2060”"),
        ({"tag": "no-such-tag"}, "“tag=no-such-tag”"),
        ({"from": "2020", "to": "2000"}, "runs backwards"),
        ({"decade": "2005"}, "a decade is named by its first year, e.g. 2000"),
        ({"month": "2025-13"}, "“month=2025-13”: write a month as YYYY-MM"),
        ({"decade": "2020", "year": "2025"}, "each choose a stretch of time; keep one"),
        ({"after": "yesterday"}, "“after=yesterday”"),
    ],
)
def test_an_invalid_filter_is_a_bad_request_naming_the_parameter(world, client, params, named):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert named in squashed(response)
    assert "That request could not be understood" in squashed(response)


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries, monkeypatch):
    client.get(URL)  # warm the content-type cache taggit uses
    bump_content_version()  # as a commit does
    # 1 events per year (the overview and the window), 2 the window's events, 3 their
    # participants with actors, 4 their tags, 5 the event the knowledge base is about;
    # the filter form lists nothing, and finds a chosen actor or tag by slug (one query each).
    with django_assert_num_queries(5):
        client.get(URL)
    # The counts per year are read once per content version and filter: any other window
    # of the same filter draws its overview from them.
    with django_assert_num_queries(4):
        client.get(URL, {"year": "2025"})
    # With an actor and a tag: 1 the actor's name, 2 the tag's name, then as above.
    with django_assert_num_queries(7):
        client.get(URL, {"actor": "to-lam", "tag": "state-visit", "from": "2000", "to": "2030"})
    monkeypatch.setattr(timeline, "EVENTS_PER_PAGE", 3)
    many_events(8)
    bump_content_version()
    page = squashed(client.get(URL, {"year": "2025"}))
    later = re.search(r'href="([^"]+)">Later events', page).group(1).replace("&amp;", "&")
    # A later page of the window: its counts remembered, the other four as above.
    with django_assert_num_queries(4):
        client.get(later)


@pytest.mark.parametrize(
    ("start", "precision", "heading", "heading_in_its_year"),
    [
        (datetime.date(1, 1, 1), "decade", "0s", "0s"),
        (datetime.date(9999, 12, 31), "month", "9999", "December 9999"),
    ],
)
def test_an_event_dated_at_the_edge_of_the_calendar_is_shown_on_the_timeline_and_its_page(
    client, start, precision, heading, heading_in_its_year
):
    # Found by hand: "0001" typed for "2001" at decade precision (no year 0 to start
    # the decade) or December 9999 at month precision (no month after it) made the
    # timeline a 500 for every reader.
    make_event("Edge of the calendar", start=start, date_precision=precision, slug="edge")
    for url, shown in (("/timeline/", heading), (f"/timeline/?year={start.year}", heading_in_its_year)):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Edge of the calendar" in page, url
        assert f'-heading">{shown}</h2>' in page, url
    assert "Edge of the calendar" in client.get("/events/edge/").content.decode()


def test_the_decade_of_an_event_dated_in_the_years_1_to_9_is_linked_and_its_link_works(client):
    # The timeline names those years "the 0s" and linked ?decade=0, which it then refused with a 400.
    make_event("Edge of the calendar", start=datetime.date(1, 1, 1), date_precision="year", slug="edge")
    make_event("The visit", start=datetime.date(2025, 10, 9), slug="visit")
    assert 'href="/timeline/?decade=0"' in client.get("/timeline/").content.decode()

    response = client.get("/timeline/", {"decade": "0"})

    assert response.status_code == 200
    page = squashed(response)
    assert "Edge of the calendar" in page
    assert "The visit" not in page
    following = min(year - year % 10 for year in Event.objects.values_list("start__year", flat=True) if year >= 10)
    assert f'<a href="/timeline/?decade={following}" rel="next">the {following}s →</a>' in page
    assert client.get("/timeline.json", {"decade": "0"}).json()["window"]["label"] == "the 0s"
