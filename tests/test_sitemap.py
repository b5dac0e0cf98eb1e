"""sitemap.xml: an index of sections, every public page with its lastmod, valid against sitemaps.org's XSD.

The XSD is the one the npm package `sitemap` ships (package.json pins it;
`make browsers` installs it into .venv/node). It describes <urlset>; the
package has no schema for the index, so the index is checked element by element.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree
from taggit.models import Tag

from articles.models import Actor, Article, Claim, Event
from articles.sitemaps import LIST_PAGES, ClaimSitemap
from tests.browser.support import require
from tests.factories import make_claim

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_xsd():
    candidates = [
        os.environ.get("SITEMAP_XSD"),
        ROOT / ".venv/node/node_modules/sitemap/schema/sitemap.xsd",
        ROOT / "node_modules/sitemap/schema/sitemap.xsd",
    ]
    return next((Path(c) for c in candidates if c and Path(c).exists()), None)


@pytest.fixture(scope="module")
def schema():
    path = sitemap_xsd()
    require(path is not None, "The sitemaps.org XSD is missing: run `make browsers` (npm package `sitemap`).")
    return etree.XMLSchema(etree.parse(str(path)))


def get_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def index_entries(client):
    root = get_xml(client, "/sitemap.xml")
    assert root.tag == f"{NS}sitemapindex"
    entries = []
    for sitemap in root:
        assert sitemap.tag == f"{NS}sitemap"
        loc = sitemap.findtext(f"{NS}loc")
        assert loc.startswith("http://testserver/sitemap-")
        datetime.datetime.fromisoformat(sitemap.findtext(f"{NS}lastmod"))
        entries.append(loc.removeprefix("http://testserver"))
    return entries


def all_urls(client, schema):
    """{url: lastmod} over every sitemap the index names, each validated against the XSD."""
    urls = {}
    for section in index_entries(client):
        root = get_xml(client, section)
        schema.assertValid(root)
        for url in root.findall(f"{NS}url"):
            loc = url.findtext(f"{NS}loc")
            assert loc not in urls, f"{loc} listed twice"
            urls[loc.removeprefix("http://testserver")] = url.findtext(f"{NS}lastmod")
    return urls


def test_every_sitemap_validates_against_the_sitemaps_org_schema_and_lists_every_public_page(world, client, schema):
    urls = all_urls(client, schema)
    expected = {reverse(f"articles:{name}") for name in LIST_PAGES}
    for model in (Claim, Article, Event, Actor):
        expected |= {record.get_absolute_url() for record in model.objects.all()}
    expected |= {
        reverse("articles:tag", args=[tag.slug]) for tag in Tag.objects.filter(taggit_taggeditem_items__isnull=False)
    }
    assert set(urls) == expected
    assert all(urls.values()), "every page has a lastmod"


def test_the_sitemap_validator_rejects_a_broken_sitemap(schema):
    broken = etree.fromstring(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lastmod>2026</lastmod></url></urlset>'
    )
    assert not schema.validate(broken)


def test_a_claims_lastmod_is_when_it_last_changed(world, client, schema):
    claim = Claim.objects.get(pk=world.trade.pk)
    claim.text = "Trade has all but stopped."
    claim.save()
    urls = all_urls(client, schema)
    assert urls[claim.get_absolute_url()] == f"{claim.updated:%Y-%m-%d}"


def test_a_tags_lastmod_is_the_newest_change_to_what_it_tags(world, client, schema):
    urls = all_urls(client, schema)
    tagged = [world.last_2007, world.relations, world.previous]
    newest = max(type(record).objects.get(pk=record.pk).updated for record in tagged)
    assert urls[reverse("articles:tag", args=["history"])] == f"{newest:%Y-%m-%d}"


def test_a_long_section_is_paged_by_the_framework(world, client, schema, monkeypatch):
    # The protocol's limit is 50,000 URLs a sitemap; a small limit shows the same paging.
    monkeypatch.setattr(ClaimSitemap, "limit", 4)
    pages = [entry for entry in index_entries(client) if entry.startswith("/sitemap-claims.xml")]
    count = Claim.objects.count()
    assert len(pages) == -(-count // 4)
    assert pages[:2] == ["/sitemap-claims.xml", "/sitemap-claims.xml?p=2"]
    listed = []
    for page in pages:
        root = get_xml(client, page)
        schema.assertValid(root)
        listed += [url.findtext(f"{NS}loc") for url in root.findall(f"{NS}url")]
    assert len(listed) == len(set(listed)) == count


def test_a_sitemap_page_costs_the_same_however_many_claims(world, client, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(ClaimSitemap, "limit", 4)
    for number in range(12):
        make_claim(f"Claim number {number}.", slug=f"sitemap-claim-{number:02d}")
    # 1. count the claims (for the paginator); 2. the page's claims.
    with django_assert_num_queries(2):
        assert client.get("/sitemap-claims.xml?p=2").status_code == 200


def test_a_page_past_the_end_is_not_found(world, client):
    assert client.get("/sitemap-claims.xml?p=99").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_names_the_sitemap_by_its_absolute_url(world, client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200
