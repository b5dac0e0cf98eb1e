"""What no reader may see on any public page: notes written for editors, and curation jargon."""

import re
from collections import deque

import pytest

from articles.models import Actor, Article, Event
from tests.factories import make_world
from tests.test_links import internal_links

pytestmark = pytest.mark.django_db

EDITOR_NOTE = "EDITORS-ONLY-7f3a"


def crawl(client):
    """Every public page reachable from the home page: {url: html}."""
    pages, queue = {}, deque(["/"])
    while queue:
        url = queue.popleft()
        if url in pages:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
        queue.extend(link for link in internal_links(url, pages[url]) if link not in pages)
    return pages


def test_no_public_page_shows_an_editor_note(client):
    make_world()
    for model in (Actor, Article, Event):
        model.objects.update(editor_note=f"{EDITOR_NOTE}: how this was curated")
    pages = crawl(client)
    assert {obj.get_absolute_url() for model in (Actor, Article, Event) for obj in model.objects.all()} <= set(pages)
    assert [url for url, html in pages.items() if EDITOR_NOTE in html] == []


@pytest.mark.usefixtures("shipped_kb")
def test_no_public_page_of_the_shipped_knowledge_base_says_seed(client):
    seed = re.compile(r"\bseeds?\b", re.IGNORECASE)
    pages = crawl(client)
    assert len(pages) > 100
    assert {url: seed.findall(html) for url, html in pages.items() if seed.search(html)} == {}
