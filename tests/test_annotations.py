"""The citations as W3C Web Annotations, read through the Web Annotation Protocol.

The shapes are checked against the MUST rules of the Web Annotation Data
Model (the sections are named) and the reading part of the Protocol.
"""

import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from articles import annotations
from articles.models import Citation, Location
from tests.factories import cite, make_article, make_claim

pytestmark = pytest.mark.django_db

ANNO = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
MOTIVATIONS = {
    "assessing",
    "bookmarking",
    "classifying",
    "commenting",
    "describing",
    "editing",
    "highlighting",
    "identifying",
    "linking",
    "moderating",
    "questioning",
    "replying",
    "tagging",
}


def get(client, path, **headers):
    response = client.get(path, headers=headers)
    return response, (json.loads(response.content) if response.content else None)


def is_iri(value):
    parts = urlsplit(value)
    return isinstance(value, str) and parts.scheme in ("http", "https") and bool(parts.netloc)


def as_list(value):
    return value if isinstance(value, list) else [value]


LDP = "http://www.w3.org/ns/ldp.jsonld"


def assert_context(data, expected=ANNO):
    # 3.1: @context MUST be anno.jsonld, or a list with it first (the container adds LDP's).
    assert data["@context"] == expected


def assert_selector(selector, text):
    # 4.2.4 TextQuoteSelector: exactly one type and one exact; prefix/suffix at most one each.
    # 4.2.5 TextPositionSelector: exactly one start and one end, non-negative integers.
    if selector["type"] == "TextQuoteSelector":
        assert isinstance(selector["exact"], str) and selector["exact"]
        for name in ("prefix", "suffix"):
            assert isinstance(selector.get(name, ""), str)
        if text is not None:
            assert selector.get("prefix", "") + selector["exact"] + selector.get("suffix", "") in text
    elif selector["type"] == "TextPositionSelector":
        start, end = selector["start"], selector["end"]
        assert isinstance(start, int) and isinstance(end, int) and 0 <= start <= end
    else:
        raise AssertionError(f"unexpected selector {selector['type']}")


def assert_annotation(annotation, *, embedded=False, texts=None):
    """The Data Model's MUST rules for an annotation, its bodies, target and selectors."""
    if not embedded:
        assert_context(annotation)
    # 3.1: exactly one IRI id; type MUST include "Annotation"; at least one target.
    assert is_iri(annotation["id"])
    assert "Annotation" in as_list(annotation["type"])
    targets = as_list(annotation["target"])
    assert targets
    # 3.3.5 motivation: from the model's list.
    assert annotation["motivation"] in MOTIVATIONS
    for body in as_list(annotation["body"]):
        # 3.2.4 a TextualBody MUST have exactly one value; 4.1 a SpecificResource exactly one source (an IRI).
        if body["type"] == "TextualBody":
            assert isinstance(body["value"], str)
        else:
            assert body["type"] == "SpecificResource" and is_iri(body["source"])
        if "purpose" in body:
            assert body["purpose"] in MOTIVATIONS
    for target in targets:
        assert target["type"] == "SpecificResource" and is_iri(target["source"])
        text = None if texts is None else texts[target["source"]]
        selectors = as_list(target["selector"])
        assert selectors
        for selector in selectors:
            assert_selector(selector, text)
        positions = [s for s in selectors if s["type"] == "TextPositionSelector"]
        quotes = [s for s in selectors if s["type"] == "TextQuoteSelector"]
        if positions and text is not None:
            # Both selectors MUST select the same text: positions count code points of the stored source.
            assert text[positions[0]["start"] : positions[0]["end"]] == quotes[0]["exact"]
    # 3.2.2 / 3.3.1: created and modified are xsd:dateTime with a timezone.
    for name in ("created", "modified"):
        assert annotation[name].endswith("+00:00")


def article_texts(world):
    texts = {}
    for article in (world.wire_story, world.wire_copy, world.interview, world.faq, world.edited):
        url = f"http://testserver{article.get_absolute_url()}"
        texts[url] = article.body
        texts[f"{url}#captions-heading"] = article.captions
    return texts


def test_every_citation_is_an_annotation_that_meets_the_data_models_must_rules(world, client):
    texts = article_texts(world)
    for citation in Citation.objects.filter(article__in=[world.wire_story, world.interview, world.faq]):
        response, annotation = get(client, f"/annotations/{citation.pk}")
        assert response.status_code == 200
        assert_annotation(annotation, texts=texts)


def test_an_annotation_describes_its_passage_with_the_claim_and_the_stance(world, client):
    citation = world.last_2007.citations.get(article=world.faq)

    _, annotation = get(client, f"/annotations/{citation.pk}")

    assert annotation["motivation"] == "describing"
    claim_body, stance_body = annotation["body"]
    assert claim_body == {
        "type": "SpecificResource",
        "source": "http://testserver/claims/previous-visit-2007/",
        "purpose": "describing",
    }
    assert (stance_body["value"], stance_body["purpose"]) == ("disputes", "classifying")
    assert annotation["target"]["source"] == "http://testserver/articles/visit-faq/"
    quote, position = annotation["target"]["selector"]
    assert quote["exact"] == "The last visit by a Vietnamese general secretary took place around 2005–2006."
    assert world.faq.body[position["start"] : position["end"]] == quote["exact"]


def test_positions_count_code_points_of_the_markdown_source_not_utf16_units():
    # "🇻🇳" is two code points and four UTF-16 code units; the heading's "##" is Markdown, not rendered text.
    body = "## Flags 🇻🇳\n\nTrade is *small* now."
    claim = make_claim("Trade is small.")
    citation = cite(claim, make_article(body), "Trade is *small* now.")

    _, annotation = get(Client(), f"/annotations/{citation.pk}")

    position = annotation["target"]["selector"][1]
    assert position == {"type": "TextPositionSelector", "start": body.index("Trade"), "end": len(body)}
    assert position["start"] == 13  # "## Flags 🇻🇳\n\n": 15 UTF-16 code units; "##" is not in the rendered text
    assert len(body[:13].encode("utf-16-le")) // 2 == 15


def test_a_caption_quote_targets_the_captions_and_counts_in_them(world, client):
    claim = make_claim("Children greeted him.")
    citation = cite(claim, world.wire_story, "To Lam greeted by children.", location=Location.CAPTIONS)

    _, annotation = get(client, f"/annotations/{citation.pk}")

    target = annotation["target"]
    assert target["source"] == "http://testserver/articles/bloomberg-rare-visit/#captions-heading"
    assert target["selector"][1] == {"type": "TextPositionSelector", "start": 0, "end": 27}


def test_a_lost_quote_keeps_only_its_quote_selector(world, client):
    lost = Citation.objects.get(article=world.edited, anchored=False)

    _, annotation = get(client, f"/annotations/{lost.pk}")

    assert_annotation(annotation)
    assert [s["type"] for s in annotation["target"]["selector"]] == ["TextQuoteSelector"]
    assert annotation["target"]["selector"][0]["exact"] == lost.quote


def test_an_annotation_is_served_as_the_protocol_says(world, client):
    citation = Citation.objects.first()

    response = client.get(f"/annotations/{citation.pk}")

    assert response["Content-Type"] == MEDIA_TYPE
    assert response["Link"] == '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "Accept" in [part.strip() for part in response["Vary"].split(",")]
    assert response["ETag"].startswith('W/"')
    assert client.get(f"/annotations/{citation.pk}", headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_the_collection_is_a_container_with_total_first_and_last(world, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    total = Citation.objects.count()
    pages = -(-total // annotations.PAGE_SIZE)

    response, collection = get(client, "/annotations/")

    assert response["Content-Type"] == MEDIA_TYPE
    assert '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"' in response["Link"]
    assert "ldp#constrainedBy" in response["Link"]
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "Accept" in response["Vary"]
    assert_context(collection, [ANNO, LDP])
    # 5.1 AnnotationCollection: an IRI id, type including AnnotationCollection; total, first and last pages.
    assert collection["id"] == "http://testserver/annotations/"
    assert "AnnotationCollection" in collection["type"]
    assert collection["total"] == total
    assert collection["first"] == "http://testserver/annotations/?page=1"
    assert collection["last"] == f"http://testserver/annotations/?page={pages}"


def test_pages_link_to_each_other_and_hold_every_annotation_once(world, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings_page = annotations.PAGE_SIZE
    annotations.PAGE_SIZE = 5
    try:
        _, collection = get(client, "/annotations/")
        seen, url, previous = [], collection["first"], None
        while url:
            response, page = get(client, url.removeprefix("http://testserver"))
            assert response.status_code == 200
            assert response["Content-Type"] == MEDIA_TYPE
            assert "Link" not in response  # a page is not the container
            # 5.2 AnnotationPage: an IRI id, type AnnotationPage, items; partOf the collection; next/prev links.
            assert_context(page)
            assert page["id"] == url and page["type"] == "AnnotationPage"
            assert page["partOf"] == {"id": collection["id"], "total": collection["total"]}
            assert page["startIndex"] == len(seen)
            assert page.get("prev") == previous
            for item in page["items"]:
                assert "@context" not in item
                assert_annotation(item, embedded=True)
            seen += [item["id"] for item in page["items"]]
            previous, url = url, page.get("next")
        assert previous == collection["last"]
    finally:
        annotations.PAGE_SIZE = settings_page
    assert len(seen) == len(set(seen)) == collection["total"]


def test_a_page_costs_two_queries_however_many_annotations_it_holds(world, client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    # Queries: the count, and the page's citations with their claims' and articles' slugs.
    with django_assert_num_queries(2):
        response = client.get("/annotations/?page=1")
    assert len(json.loads(response.content)["items"]) == Citation.objects.count()


def test_a_page_past_the_end_or_a_bad_page_number_is_a_clear_4xx(world, client):
    response, error = get(client, "/annotations/?page=999")
    assert response.status_code == 404
    assert error["problems"] == ["“page=999”: there is no page 999; the last page is 1."]
    response, error = get(client, "/annotations/?page=abc")
    assert response.status_code == 400
    assert error["problems"] == ["“page=abc”: enter a page number, e.g. 2."]


def test_an_unknown_annotation_is_a_404_in_json(world, client):
    response, error = get(client, "/annotations/999999")
    assert response.status_code == 404
    assert error["problems"] == ["There is no annotation 999999."]


def test_the_annotations_are_read_only(world, client):
    options = client.options("/annotations/")
    assert (options.status_code, options["Allow"]) == (204, "GET, HEAD, OPTIONS")
    refused = client.post("/annotations/", data="{}", content_type="application/ld+json")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD, OPTIONS"
