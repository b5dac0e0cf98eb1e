"""Every link the site makes leads somewhere: a crawl of the shipped knowledge base."""

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


def test_every_link_reachable_from_the_home_page_answers_200(client):
    seen, queue, broken = {"/"}, deque(["/"]), []
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200:
            broken.append(f"{url} answered {response.status_code}")
            continue
        for link in internal_links(url, response.content.decode()):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert broken == []
    # Every claim, article, actor and event page was reached.
    from articles.models import Actor, Article, Claim, Event

    pages = {obj.get_absolute_url() for model in (Actor, Article, Claim, Event) for obj in model.objects.all()}
    assert pages <= seen


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
