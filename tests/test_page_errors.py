"""The 400, 404 and 500 pages: in the site's style, and the 500 page needs nothing that might be broken."""

import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_sites_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert '<nav class="site-nav" aria-label="Main">' in page
    assert "<title>Page not found · To Lam in Pyongyang</title>" in page


@pytest.mark.parametrize("path", ["/claims/nope/", "/events/nope/", "/articles/nope/", "/actors/nope/", "/tags/nope/"])
def test_an_unknown_slug_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_an_address_starting_with_two_slashes_is_a_404_not_another_host(client):
    # The page's og:url is made absolute: "//[" once read as a host ("Invalid IPv6 URL") gave a 500.
    response = client.get("/%2F%5B")
    assert response.status_code == 404
    assert '<meta property="og:url" content="http://testserver//[">' in response.content.decode()


def test_the_500_page_renders_without_context_request_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "<h1>Something went wrong</h1>" in html
    assert 'href="/static/css/site.css"' in html


def test_the_500_handler_serves_it(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = defaults.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_400_handler_renders_the_sites_400_page_without_context():
    response = defaults.bad_request(RequestFactory().get("/"), Exception("bad"))
    assert response.status_code == 400
    assert "That request could not be understood" in response.content.decode()


def test_a_bad_filter_gets_the_400_page_naming_the_parameter(client):
    response = client.get(reverse("articles:timeline"), {"year": "abc"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<li>“year=abc”: enter a year as a whole number, e.g. 2007.</li>" in page
    assert '<a href="/timeline/">start again without filters</a>' in page


def test_a_bad_filter_value_is_shown_escaped(client):
    response = client.get(reverse("articles:claims"), {"status": "<b>x</b>"})
    assert response.status_code == 400
    assert "“status=&lt;b&gt;x&lt;/b&gt;”" in response.content.decode()


def test_robots_txt_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/claims/", "/annotations/", "/feeds/claims/", "/no-such-page/"])
def test_a_request_for_a_host_the_site_does_not_serve_is_a_400_not_a_500(client, settings, path):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["kb.example.org"]

    response = client.get(path, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "does not answer to the host name" in response.content.decode()
    assert "evil.example" not in response.content.decode()
