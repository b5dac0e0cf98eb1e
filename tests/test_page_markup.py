"""Every reader page shares the frame a reader and a screen reader rely on.

One h1, headings that never skip a level, no duplicate ids, the landmarks and
skip link, a title and meta description, Open Graph tags and a share card, no inline styles or
scripts (the Content-Security-Policy would block them), and no block elements
inside <mark>. The browser tests run axe-core and the Nu checker on top of this.
"""

from html.parser import HTMLParser

import pytest
from django.urls import resolve, reverse

from articles.pages import READER_PAGES
from tests.markup import duplicate_landmarks

pytestmark = pytest.mark.django_db
BLOCK = {"p", "div", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "section", "table"}


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.headings, self.tags, self.problems = [], [], [], []
        self.meta, self.open_marks = {}, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        # Scripts only as files from /static/ (progressive enhancement, allowed by the CSP)
        # or as inert data islands (JSON-LD); never inline code or styles.
        inert = attrs.get("type") in ("application/json", "application/ld+json")
        script_file = str(attrs.get("src", "")).startswith("/static/")
        if "style" in attrs or tag == "style" or (tag == "script" and not (inert or script_file)):
            self.problems.append(f"inline {tag} {attrs}")
        if any(name.startswith("on") for name in attrs):
            self.problems.append(f"inline handler on {tag}")
        if tag == "meta":
            self.meta[attrs.get("name") or attrs.get("property")] = attrs.get("content")
        if tag == "mark":
            self.open_marks += 1
        elif tag in BLOCK and self.open_marks:
            self.problems.append(f"<{tag}> inside <mark>")

    def handle_endtag(self, tag):
        if tag == "mark":
            self.open_marks -= 1


def pages(world):
    return [
        reverse("articles:home"),
        reverse("articles:timeline"),
        f"{reverse('articles:timeline')}?actor=to-lam",
        world.visit.get_absolute_url(),
        world.last_2007.get_absolute_url(),
        world.trade.get_absolute_url(),
        reverse("articles:claim_history", args=[world.trade.slug]),
        reverse("articles:claims"),
        reverse("articles:contested"),
        reverse("articles:grid"),
        reverse("articles:articles"),
        world.wire_story.get_absolute_url(),
        world.faq.get_absolute_url(),
        reverse("articles:actors"),
        world.to_lam.get_absolute_url(),
        reverse("articles:tags"),
        reverse("articles:tag", args=["history"]),
        f"{reverse('articles:search')}?q=visit",
        reverse("articles:search"),
        "/no-such-page/",
        f"{reverse('articles:claims')}?status=bogus",
    ]


def test_every_registered_reader_page_is_checked(world):
    checked = {resolve(url.split("?")[0]).url_name for url in pages(world) if url != "/no-such-page/"}
    assert checked == {page.name for page in READER_PAGES}


def test_every_page_has_the_sites_frame_and_a_sound_outline(world, client):
    for url in pages(world):
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        html = response.content.decode()
        outline = Outline()
        outline.feed(html)
        assert html.startswith('<!doctype html>\n<html lang="en">'), url
        assert outline.headings.count(1) == 1, f"{url}: one h1"
        for before, after in zip(outline.headings, outline.headings[1:], strict=False):
            assert after <= before + 1, f"{url}: h{before} then h{after}"
        duplicates = {i for i in outline.ids if outline.ids.count(i) > 1}
        assert not duplicates, f"{url}: duplicate ids {duplicates}"
        for landmark in ("header", "nav", "main", "footer"):
            assert landmark in outline.tags, f"{url}: no <{landmark}>"
        assert 'class="skip-link" href="#main"' in html, url
        assert outline.meta.get("description"), f"{url}: no meta description"
        for prop in ("og:title", "og:description", "og:type", "og:url", "og:image", "og:image:alt", "twitter:card"):
            assert outline.meta.get(prop), f"{url}: no {prop}"
        assert outline.problems == [], f"{url}: {outline.problems}"


def test_no_page_has_two_landmarks_a_screen_reader_cannot_tell_apart(world, client):
    # A screen reader lists a page's landmarks by role and name: two unnamed "search" read alike.
    for url in pages(world):
        assert duplicate_landmarks(client.get(url).content.decode()) == [], url


def test_the_landmark_check_finds_two_landmarks_alike():
    # Guards the test above against passing because it read no name at all.
    html = (
        '<header><form role="search"></form></header><main><section aria-labelledby="a"><h2 id="a">'
        '<span aria-hidden="true">✓</span> Supporting (1)</h2></section><article><header></header>'
        '<section aria-labelledby="b"><h2 id="b">Supporting (1)</h2></section><section><h2>Unnamed</h2></section>'
        '<form role="search" aria-label="Again"></form></article></main>'
    )
    assert duplicate_landmarks(html) == [("region", "Supporting (1)")]
    unnamed = html.replace(' aria-label="Again"', "")
    assert duplicate_landmarks(unnamed) == [("region", "Supporting (1)"), ("search", "")]
