"""A crawl of the shipped knowledge base: every link the site makes leads somewhere, and no page says
what a reader must not see. One crawl serves the module: it is a few hundred pages."""

import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shipped_kb")]

HREF = re.compile(r'href="([^"#]*)(?:#[^"]*)?"')


def internal_links(page_url, html):
    for href in HREF.findall(html):
        url = urljoin(page_url, unescape(href))
        parts = urlsplit(url)
        if (
            parts.scheme in ("", "http")
            and parts.netloc in ("", "testserver")
            and not parts.path.startswith(("/admin/", "/static/"))
        ):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def shipped_site(shipped_kb, django_db_blocker):
    """Every page reachable from the home page of the shipped knowledge base: {url: (status, html)}."""
    from django.test import Client

    client, pages, queue = Client(), {}, deque(["/"])
    with django_db_blocker.unblock():
        while queue:
            url = queue.popleft()
            if url in pages:
                continue
            response = client.get(url)
            pages[url] = (response.status_code, response.content.decode())
            if response.status_code == 200:
                queue.extend(link for link in internal_links(url, pages[url][1]) if link not in pages)
    return pages


def test_every_link_reachable_from_the_home_page_answers_200(shipped_site):
    assert [f"{url} answered {status}" for url, (status, _) in shipped_site.items() if status != 200] == []
    # Every claim, article, actor and event page was reached.
    from articles.models import Actor, Article, Claim, Event

    pages = {obj.get_absolute_url() for model in (Actor, Article, Claim, Event) for obj in model.objects.all()}
    assert pages <= set(shipped_site)


def test_no_page_of_the_shipped_knowledge_base_says_seed(shipped_site):
    # The five source texts are the knowledge base's sources, never "seeds" to a reader.
    seed = re.compile(r"\bseeds?\b", re.IGNORECASE)
    assert len(shipped_site) > 100
    assert {url: seed.findall(html) for url, (_, html) in shipped_site.items() if seed.search(html)} == {}


def test_object_urls_are_the_ones_reverse_gives_under_any_script_prefix(client):
    from django.urls import reverse, set_script_prefix

    from articles.models import fixed_url, slug_url

    try:
        for prefix in ["/", "/kb/"]:
            set_script_prefix(prefix)
            for name in ["articles:claim", "articles:article", "articles:actor", "articles:event", "articles:tag"]:
                for slug in ["to-lam", "x", "A_1-b"]:
                    assert slug_url(name, slug) == reverse(name, args=[slug])
            assert slug_url("articles:claim", "to-lam") == f"{prefix}claims/to-lam/"
            assert fixed_url("articles:timeline") == reverse("articles:timeline") == f"{prefix}timeline/"
    finally:
        set_script_prefix("/")


def test_an_object_url_refuses_what_is_not_a_slug_as_reverse_does():
    from django.urls import NoReverseMatch

    from articles.models import slug_url

    for not_a_slug in ["a b", "../admin", "tô-lâm", ""]:
        with pytest.raises(NoReverseMatch):
            slug_url("articles:claim", not_a_slug)
