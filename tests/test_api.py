"""The read API: every reader page's JSON twin, its OpenAPI description, and the per-client rate limit."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import caching
from articles.models import Claim
from articles.openapi import PAGE_SCHEMAS, SCHEMAS
from articles.pages import READER_PAGES

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0
    cache.clear()
    caching._memory.clear()
    yield
    cache.clear()


def address(page, world):
    """A sample address of `page` on the world's data, and its JSON twin's."""
    if page.is_detail:
        slug = page.slugs().first()
        return page.route.replace("<slug:slug>", slug), page.json_route.replace("<slug:slug>", slug)
    return page.route, page.json_route


def load(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


@pytest.mark.parametrize("page", READER_PAGES, ids=[page.name for page in READER_PAGES])
def test_every_page_has_a_json_twin_by_suffix_and_by_accept_with_the_same_queries(world, client, page):
    html_path, json_path = address(page, world)

    with CaptureQueriesContext(connection) as html_queries:
        html = client.get(f"/{html_path}")
    with CaptureQueriesContext(connection) as json_queries:
        by_suffix = client.get(f"/{json_path}")
    by_accept = client.get(f"/{html_path}", headers={"Accept": "application/json"})

    assert html.status_code == by_suffix.status_code == by_accept.status_code == 200
    assert html["Content-Type"].startswith("text/html")
    # The same data; only the paging links name the address they were asked at.
    assert json.dumps(load(by_suffix)).replace(f"/{json_path}", f"/{html_path}") == json.dumps(load(by_accept))
    # The same view builds both: the twin reads exactly what the page reads.
    assert len(json_queries) == len(html_queries)
    for response in (html, by_accept):
        assert "Accept" in [part.strip() for part in response["Vary"].split(",")]


def test_a_browser_gets_the_html_page(world, client):
    response = client.get("/claims/", headers={"Accept": BROWSER_ACCEPT})
    assert response["Content-Type"].startswith("text/html")


def test_html_and_json_at_one_address_are_cached_and_tagged_apart(world, client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    html = client.get("/claims/")
    as_json = client.get("/claims/", headers={"Accept": "application/json"})
    again = client.get("/claims/", headers={"Accept": "application/json"})

    assert as_json["Content-Type"].startswith("application/json")
    assert (again["X-Page-Cache"], again.content) == ("hit", as_json.content)
    assert html["ETag"] != as_json["ETag"]
    revalidated = client.get("/claims.json", headers={"If-None-Match": client.get("/claims.json")["ETag"]})
    assert revalidated.status_code == 304


def test_the_claim_twin_gives_the_pages_evidence_with_slugs_and_urls(world, client):
    claim = load(client.get("/claims/previous-visit-2007.json"))

    assert claim["slug"] == "previous-visit-2007"
    assert claim["url"] == "http://testserver/claims/previous-visit-2007/"
    assert claim["status"] == "contested"
    assert claim["event"]["slug"] == "previous-visit"
    assert [c["article"]["slug"] for c in claim["supporting"]] == ["straits-copy", "bloomberg-rare-visit"]
    assert [c["article"]["slug"] for c in claim["disputing"]] == ["visit-faq"]
    assert claim["competing"][0]["claim"]["slug"] == "previous-visit-2005-2006"
    citation = claim["disputing"][0]
    assert citation["annotation"] == f"http://testserver/annotations/{citation['id']}"
    assert citation["url"].startswith("http://testserver/articles/visit-faq/#cite-")


def test_the_article_twin_gives_the_texts_the_annotations_count_in(world, client):
    article = load(client.get("/articles/visit-faq.json"))

    assert article["body"] == world.faq.body
    assert article["title_is_editorial"] is True
    assert article["published"] is None
    assert {c["claim"] for c in article["citations"]} >= {"previous-visit-2007", "previous-visit-2005-2006"}
    assert [c["number"] for c in article["citations"]] == list(range(1, len(article["citations"]) + 1))


def test_a_list_twin_is_paged_like_the_page(world, client):
    from articles import views

    per_page, views.CLAIMS_PER_PAGE = views.CLAIMS_PER_PAGE, 2
    try:
        first = load(client.get("/claims.json"))
        second = load(client.get(first["page"]["next"].removeprefix("http://testserver")))
        html = client.get("/claims/").content.decode()
    finally:
        views.CLAIMS_PER_PAGE = per_page

    last_on_first = first["claims"][-1]["slug"]
    assert first["page"]["next"] == f"http://testserver/claims.json?after={last_on_first}"
    assert f"?after={last_on_first}" in html  # the page's own next link
    assert first["page"]["previous"] is None
    assert second["page"]["previous"] == f"http://testserver/claims.json?before={second['claims'][0]['slug']}"
    assert first["page"]["count"] == second["page"]["count"] == Claim.objects.count()
    assert not {c["slug"] for c in first["claims"]} & {c["slug"] for c in second["claims"]}


def test_a_filtered_list_twin_names_its_filters(world, client):
    data = load(client.get("/claims.json?status=contested"))
    assert data["filters"] == {"status": "contested"}
    assert {claim["status"] for claim in data["claims"]} == {"contested"}


def test_bad_input_is_a_json_4xx_naming_the_problem(world, client):
    bad = client.get("/claims.json?status=nonsense")
    assert bad.status_code == 400
    assert load(bad)["problems"] == [
        "“status=nonsense”: not a status; use contested, corroborated, single-source, needs-review, unsupported."
    ]
    missing = client.get("/claims/no-such-claim.json")
    assert missing.status_code == 404
    assert load(missing) == {"status": 404, "title": "Not found", "problems": ["There is nothing at this address."]}


def test_the_openapi_description_covers_every_json_endpoint(client):
    response = client.get("/api/openapi.json")
    description = json.loads(response.content)

    assert response.status_code == 200
    assert description["openapi"].startswith("3.")
    expected = {"/" + page.json_route.replace("<slug:slug>", "{slug}") for page in READER_PAGES}
    assert set(description["paths"]) == expected | {"/annotations/", "/annotations/{id}"}
    assert set(PAGE_SCHEMAS) == {page.name for page in READER_PAGES}
    references = {part.split('"')[0] for part in json.dumps(description).split('"$ref": "#/components/schemas/')[1:]}
    assert references <= set(SCHEMAS)


# --- Rate limit ---------------------------------------------------------------------


@pytest.fixture
def limit_of_three(settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW = 60


def test_a_client_past_its_limit_gets_429_with_retry_after(world, limit_of_three):
    client = Client(REMOTE_ADDR="10.0.0.1")
    assert [client.get("/tags.json").status_code for _ in range(3)] == [200, 200, 200]

    refused = client.get("/annotations/")

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert load(refused)["title"] == "Too many requests"
    assert client.get("/tags/", headers={"Accept": "application/json"}).status_code == 429


def test_the_limit_is_per_client_address(world, limit_of_three):
    for _ in range(4):
        Client(REMOTE_ADDR="10.0.0.1").get("/tags.json")
    assert Client(REMOTE_ADDR="10.0.0.2").get("/tags.json").status_code == 200


def test_html_readers_and_editors_in_the_admin_are_not_limited(world, limit_of_three, admin_client):
    reader = Client(REMOTE_ADDR="10.0.0.3")
    assert {reader.get("/tags/", headers={"Accept": BROWSER_ACCEPT}).status_code for _ in range(5)} == {200}
    assert {admin_client.get("/admin/articles/claim/").status_code for _ in range(5)} == {200}


def test_a_failing_cache_lets_api_requests_through(world, limit_of_three, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", broken)
    assert {Client().get("/tags.json").status_code for _ in range(5)} == {200}
    # One line per request, without a traceback that would bury the cache's own report.
    warnings = [r for r in caplog.records if r.getMessage().startswith("Rate limit not checked")]
    assert [(r.getMessage(), r.exc_info) for r in warnings] == [
        ("Rate limit not checked: the cache failed (ConnectionError).", None)
    ] * 5


def test_a_filter_name_that_fits_several_things_offers_each_as_a_url(world, client):
    response = client.get("/claims.json?actor=am")  # To Lam and Vietnam

    assert response.status_code == 300
    question = load(response)["questions"][0]
    assert (question["name"], question["text"]) == ("actor", "am")
    assert {option["url"] for option in question["options"]} == {
        "http://testserver/claims.json?actor=to-lam",
        "http://testserver/claims.json?actor=vietnam",
    }
