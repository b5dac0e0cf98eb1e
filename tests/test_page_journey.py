"""The path the issue asks for, followed link by link with the test client (no browser, no JavaScript):
home → timeline → filter by an actor → event → claim → the quote's link → the article, quote highlighted.
"""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def hrefs(page):
    return re.findall(r'href="([^"]+)"', page)


def follow(client, page, href):
    assert href in hrefs(page), f"no link to {href}"
    response = client.get(href)
    assert response.status_code == 200
    return response.content.decode()


def test_a_reader_goes_from_the_home_page_to_the_highlighted_words_of_a_source(world, client):
    home = client.get(reverse("articles:home")).content.decode()
    timeline = follow(client, home, reverse("articles:timeline"))

    # The filter form is a GET form on the timeline itself, with a text box named actor.
    assert '<form class="filters" method="get" action="/timeline/">' in timeline
    assert '<input type="text" name="actor"' in timeline
    filtered = client.get(reverse("articles:timeline"), {"actor": "kim-jong-un"}).content.decode()
    assert world.relations.get_absolute_url() not in filtered

    event = follow(client, filtered, world.visit.get_absolute_url())
    claim = follow(client, event, world.greeted.get_absolute_url())

    citation = world.greeted.citations.get()
    quote_link = f"{world.interview.get_absolute_url()}#cite-{citation.pk}"
    assert quote_link in hrefs(claim)
    article = follow(client, claim, world.interview.get_absolute_url())
    assert re.search(
        rf'<span class="quote-target" id="cite-{citation.pk}"><mark class="quote stance-supports" [^>]*>He was greeted',
        article,
    )


def test_the_highlighted_quote_stands_out_when_targeted_without_javascript(client):
    css = client.get("/static/css/site.css")
    stylesheet = b"".join(css.streaming_content).decode() if css.streaming else css.content.decode()
    assert ".article-body :target" in stylesheet
