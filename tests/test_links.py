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
