"""What no reader may see on any public page: notes written for editors, and curation jargon (the crawl of
the shipped knowledge base in tests/test_links.py checks its pages for "seed")."""

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
def test_no_contested_claim_of_the_shipped_knowledge_base_has_an_empty_disputing_side(client):
    from articles.models import Claim

    contested = list(Claim.objects.contested())
    assert len(contested) > 5
    empty = [c.slug for c in contested if "Disputing (0)" in client.get(c.get_absolute_url()).content.decode()]
    assert empty == []


@pytest.mark.usefixtures("shipped_kb")
def test_no_corroborated_claim_of_the_shipped_knowledge_base_rests_on_fewer_than_two_origins(client):
    from articles.models import Claim

    corroborated = list(Claim.objects.corroborated())
    assert corroborated
    assert [c.slug for c in corroborated if len(set(c.origin_labels)) < 2] == []
    page = client.get(corroborated[0].get_absolute_url()).content.decode()
    assert f"{corroborated[0].origin_count} independent voices:" in page
