"""Every reader page describes itself in JSON-LD, in real schema.org terms.

The JSON-LD is taken out of the rendered page with lxml and expanded with
PyLD (the JSON-LD 1.1 algorithms) against schema.org's own context, so a
misspelt term becomes an IRI the vocabulary lacks. Every type and property is
then checked against the schema.org vocabulary itself, release 30.0, stored
in tests/data (see README, "Linked data, feeds and sharing"): each type must
be a schema.org class, each property a schema.org property whose
domainIncludes holds the node's type or one of its superclasses, and none may
be superseded. Nothing is fetched: the document loader refuses any other URL.
"""

import datetime
import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import lxml.html
import pytest
from django.urls import resolve, reverse
from pyld import jsonld

from articles.dates import DatePrecision
from articles.models import Actor, Article, Claim
from articles.pages import READER_PAGES
from articles.views import CLAIMS_PER_PAGE
from tests.factories import make_actor, make_article, make_claim

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent / "data"
SCHEMA = "http://schema.org/"  # the IRIs schema.org's context expands terms to


# --- The vocabulary ------------------------------------------------------------------


def _ids(value):
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [v["@id"] if isinstance(v, dict) else v for v in values]


def _name(curie):
    return curie.removeprefix("schema:")


@lru_cache(maxsize=1)
def vocabulary():
    """(classes {name: direct superclasses}, properties {name: domain classes}, superseded names)."""
    graph = json.loads((DATA / "schemaorg-current-https.jsonld").read_text(encoding="utf-8"))["@graph"]
    classes, properties, superseded = {}, {}, set()
    for node in graph:
        if not node["@id"].startswith("schema:"):
            continue
        name, kinds = _name(node["@id"]), _ids(node.get("@type"))
        if "rdfs:Class" in kinds:
            classes[name] = [_name(parent) for parent in _ids(node.get("rdfs:subClassOf"))]
        if "rdf:Property" in kinds:
            properties[name] = {_name(domain) for domain in _ids(node.get("schema:domainIncludes"))}
        if node.get("schema:supersededBy"):
            superseded.add(name)
    return classes, properties, superseded


def ancestors(name):
    classes = vocabulary()[0]
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(classes.get(current, []))
    return seen


def schema_term(iri):
    assert iri.startswith(SCHEMA), f"{iri} is not a schema.org term"
    return iri.removeprefix(SCHEMA)


def check_node(node, problems, where):
    """Add to `problems` every type or property of this node (and the nodes in it) that schema.org lacks."""
    classes, properties, superseded = vocabulary()
    types = [schema_term(t) for t in node.get("@type", [])]
    for name in types:
        if name not in classes:
            problems.append(f"{where}: {name} is not a schema.org type")
        elif name in superseded:
            problems.append(f"{where}: {name} is superseded")
    lineage = set().union(*(ancestors(name) for name in types)) if types else set()
    for key, values in node.items():
        if key.startswith("@"):
            continue
        prop = schema_term(key)
        if prop not in properties:
            problems.append(f"{where}: {prop} is not a schema.org property")
            continue
        if prop in superseded:
            problems.append(f"{where}: {prop} is superseded")
        if types and not properties[prop] & lineage:
            problems.append(f"{where}: {prop} is not a property of {'/'.join(types)}")
        for value in values:
            if isinstance(value, dict) and "@value" not in value and set(value) != {"@id"}:
                check_node(value, problems, f"{where} > {prop}")


# --- Reading a page's JSON-LD --------------------------------------------------------

SCHEMA_CONTEXT = json.loads((DATA / "schemaorg-context.jsonld").read_text(encoding="utf-8"))


def offline_loader(url, options=None):
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"The JSON-LD asked for {url}: only schema.org's context is known here.")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": SCHEMA_CONTEXT}


def json_ld_blocks(html):
    tree = lxml.html.fromstring(html)
    return [json.loads(script.text) for script in tree.xpath('//script[@type="application/ld+json"]')]


def page_json_ld(client, url):
    """(compact JSON-LD as written, expanded JSON-LD) of the page at `url`; exactly one block."""
    response = client.get(url)
    assert response.status_code == 200, url
    blocks = json_ld_blocks(response.content.decode())
    assert len(blocks) == 1, f"{url}: {len(blocks)} JSON-LD blocks"
    return blocks[0], jsonld.expand(blocks[0], {"documentLoader": offline_loader})


def nodes_by_type(document):
    found = defaultdict(list)
    for node in document["@graph"]:
        found[node["@type"]].append(node)
    return found


def one(document, kind):
    found = nodes_by_type(document)[kind]
    assert len(found) == 1, f"{len(found)} {kind} nodes"
    return found[0]


# --- Every page ----------------------------------------------------------------------


def pages(world):
    return [
        reverse("articles:home"),
        reverse("articles:timeline"),
        f"{reverse('articles:timeline')}?actor=to-lam",
        world.visit.get_absolute_url(),
        world.relations.get_absolute_url(),
        reverse("articles:claims"),
        reverse("articles:contested"),
        reverse("articles:grid"),
        world.visit_dates.get_absolute_url(),
        world.last_2007.get_absolute_url(),
        reverse("articles:claim_history", args=[world.trade.slug]),
        reverse("articles:articles"),
        world.wire_story.get_absolute_url(),
        world.interview.get_absolute_url(),
        world.faq.get_absolute_url(),
        reverse("articles:actors"),
        world.to_lam.get_absolute_url(),
        world.vietnam.get_absolute_url(),
        world.bloomberg.get_absolute_url(),
        reverse("articles:tags"),
        reverse("articles:tag", args=["history"]),
        f"{reverse('articles:search')}?q=visit",
        reverse("articles:search"),
    ]


def test_every_registered_reader_page_is_checked(world):
    checked = {resolve(url.split("?")[0]).url_name for url in pages(world)}
    assert checked == {page.name for page in READER_PAGES}


def test_every_pages_json_ld_uses_only_schema_org_types_and_properties_of_those_types(world, client):
    problems = []
    for url in pages(world):
        compact, expanded = page_json_ld(client, url)
        assert expanded, f"{url}: the JSON-LD describes nothing"
        # A status counts sources; it is no fact-checker's verdict.
        assert "ClaimReview" not in json.dumps(compact), url
        for node in expanded:
            check_node(node, problems, url)
    assert problems == []


def test_the_vocabulary_check_rejects_what_schema_org_lacks():
    problems = []
    bad = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Claim", "apperance": "a typo"},
            {"@type": "Event", "headline": "a CreativeWork property"},
            {"@type": "Verdict", "name": "no such type"},
        ],
    }
    for node in jsonld.expand(bad, {"documentLoader": offline_loader}):
        check_node(node, problems, "bad")
    assert problems == [
        "bad: apperance is not a schema.org property",
        "bad: headline is not a property of Event",
        "bad: Verdict is not a schema.org type",
        "bad: name is not a property of Verdict",
    ]


# --- Claims --------------------------------------------------------------------------


def test_a_claim_is_a_claim_with_its_text_claimant_subjects_and_quoted_appearances(world, client):
    claim = world.mediator
    document, _ = page_json_ld(client, claim.get_absolute_url())
    node = one(document, "Claim")
    assert node["text"] == claim.text
    assert node["url"] == f"http://testserver{claim.get_absolute_url()}"
    assert node["author"]["name"] == claim.claimant.name
    assert sorted(actor["name"] for actor in node["about"]) == sorted(a.name for a in claim.subjects.all())
    anchored = claim.citations.filter(anchored=True)
    quotes = {quote["text"] for appearance in node["appearance"] for quote in appearance["hasPart"]}
    assert quotes == {citation.quote for citation in anchored}
    for appearance in node["appearance"]:
        assert all(quote["@type"] == "Quotation" for quote in appearance["hasPart"])
        assert appearance["url"].startswith("http://testserver/articles/")


def test_a_claims_first_appearance_is_its_earliest_dated_supporting_article(world, client):
    document, _ = page_json_ld(client, world.visit_dates.get_absolute_url())
    node = one(document, "Claim")
    # The interview (October 2025, month precision) predates both copies of the wire story (8 October).
    assert node["firstAppearance"] == {"@id": f"http://testserver{world.interview.get_absolute_url()}#article"}
    assert {a["@id"] for a in node["appearance"]} >= {node["firstAppearance"]["@id"]}


def test_a_quote_that_was_lost_is_no_appearance(world, client):
    lost = world.lost_citation
    document, _ = page_json_ld(client, lost.claim.get_absolute_url())
    quotes = [q["text"] for a in one(document, "Claim").get("appearance", []) for q in a["hasPart"]]
    assert lost.quote not in quotes


def test_a_hostile_claim_text_stays_inside_the_json_ld(world, client):
    hostile = '</script><script>alert("x")</script><!-- & </SCRIPT > "quoted"'
    claim = make_claim(hostile, slug="hostile-claim")
    response = client.get(claim.get_absolute_url())
    html = response.content.decode()
    assert '<script>alert("x")' not in html
    blocks = json_ld_blocks(html)
    assert len(blocks) == 1
    assert one(blocks[0], "Claim")["text"] == hostile


# --- Articles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (Article.Kind.NEWS, "NewsArticle"),
        (Article.Kind.WIRE, "NewsArticle"),
        (Article.Kind.COMMENTARY, "OpinionNewsArticle"),
        (Article.Kind.ANALYSIS, "AnalysisNewsArticle"),
        (Article.Kind.FAQ, "BackgroundNewsArticle"),
    ],
)
def test_an_articles_type_follows_its_kind(world, client, kind, schema_type):
    article = make_article("Some text.", title="A piece", kind=kind)
    document, _ = page_json_ld(client, article.get_absolute_url())
    assert one(document, schema_type)["headline"] == "A piece"


def test_an_article_states_its_date_at_its_precision_and_its_credits(world, client):
    document, _ = page_json_ld(client, world.interview.get_absolute_url())
    node = one(document, "NewsArticle")
    assert node["datePublished"] == "2025-10"
    assert node["headline"] == world.interview.title
    assert [author["name"] for author in node["author"]] == ["Carl Thayer"]
    assert node["publisher"] == {
        "@type": "NewsMediaOrganization",
        "@id": "http://testserver/actors/tuoi-tre/#actor",
        "name": "Tuoi Tre",
        "url": "http://testserver/actors/tuoi-tre/",
    }
    assert sorted(node["keywords"]) == ["mediation", "state-visit"]


def test_an_article_invents_no_publisher_author_date_or_headline(world, client):
    # The FAQ: no date, no credits, a title the editors wrote.
    document, _ = page_json_ld(client, world.faq.get_absolute_url())
    node = one(document, "BackgroundNewsArticle")
    assert node["name"] == world.faq.title
    for absent in ("headline", "datePublished", "author", "publisher", "sourceOrganization", "sameAs"):
        assert absent not in node


def test_an_approximate_date_is_not_given_as_the_publication_date(world, client):
    document, _ = page_json_ld(client, world.wire_story.get_absolute_url())
    node = one(document, "NewsArticle")
    assert "datePublished" not in node
    assert node["sourceOrganization"]["name"] == "Bloomberg"
    assert "publisher" not in node


# --- Events and actors ---------------------------------------------------------------


def test_an_event_gives_its_dates_at_their_precision_and_its_participants(world, client):
    document, _ = page_json_ld(client, world.visit.get_absolute_url())
    node = one(document, "Event")
    assert (node["startDate"], node["endDate"]) == ("2025-10-09", "2025-10-11")
    assert node["name"] == world.visit.title
    assert node["description"] == "A three-day state visit to Pyongyang."
    assert [attendee["name"] for attendee in node["attendee"]] == ["To Lam", "Kim Jong Un"]

    document, _ = page_json_ld(client, world.relations.get_absolute_url())
    node = one(document, "Event")
    assert node["startDate"] == "1950"
    assert "endDate" not in node
    assert node["attendee"] == [
        {
            "@type": "Country",
            "@id": "http://testserver/actors/vietnam/#actor",
            "name": "Vietnam",
            "url": "http://testserver/actors/vietnam/",
        }
    ]

    document, _ = page_json_ld(client, world.talks.get_absolute_url())
    assert one(document, "Event")["startDate"] == "2025-10"


def test_a_date_known_only_to_the_decade_is_left_out(world, client):
    world.relations.date_precision = DatePrecision.DECADE
    world.relations.save()
    document, _ = page_json_ld(client, world.relations.get_absolute_url())
    assert "startDate" not in one(document, "Event")


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (Actor.Kind.PERSON, "Person"),
        (Actor.Kind.STATE, "Country"),
        (Actor.Kind.PARTY, "PoliticalParty"),
        (Actor.Kind.GOVERNMENT, "GovernmentOrganization"),
        (Actor.Kind.ORGANISATION, "Organization"),
        (Actor.Kind.OUTLET, "NewsMediaOrganization"),
    ],
)
def test_an_actors_type_follows_its_kind(world, client, kind, schema_type):
    actor = make_actor("Someone", kind=kind)
    document, _ = page_json_ld(client, actor.get_absolute_url())
    assert one(document, schema_type)["name"] == "Someone"


def test_an_actor_lists_every_alias_as_an_alternate_name(world, client):
    document, _ = page_json_ld(client, world.to_lam.get_absolute_url())
    node = one(document, "Person")
    assert sorted(node["alternateName"]) == ["Mr. Lam", "Tô Lâm"]
    assert node["description"] == world.to_lam.description


# --- Lists and breadcrumbs -----------------------------------------------------------


def test_a_list_page_lists_only_its_own_rows_out_of_the_whole_list(world, client):
    for number in range(CLAIMS_PER_PAGE + 5):
        make_claim(f"Claim number {number}.", slug=f"zz-claim-{number:02d}")
    url = reverse("articles:claims")
    document, _ = page_json_ld(client, url)
    node = one(document, "ItemList")
    assert node["numberOfItems"] == Claim.objects.count()
    assert [item["position"] for item in node["itemListElement"]] == list(range(1, CLAIMS_PER_PAGE + 1))
    html = client.get(url).content.decode()
    for item in node["itemListElement"]:
        assert f'href="{item["url"].removeprefix("http://testserver")}"' in html


def test_detail_pages_carry_their_breadcrumbs(world, client):
    document, _ = page_json_ld(client, world.visit_dates.get_absolute_url())
    trail = one(document, "BreadcrumbList")["itemListElement"]
    assert [(step["position"], step["name"]) for step in trail] == [
        (1, "Home"),
        (2, "Claims"),
        (3, world.visit_dates.text),
    ]
    assert trail[-1]["item"] == f"http://testserver{world.visit_dates.get_absolute_url()}"


def test_the_home_page_is_the_web_site(world, client):
    document, _ = page_json_ld(client, reverse("articles:home"))
    assert one(document, "WebSite") == {
        "@type": "WebSite",
        "@id": "http://testserver/#website",
        "url": "http://testserver/",
        "name": "To Lam in Pyongyang",
    }


def test_a_page_for_a_bad_filter_describes_only_itself(world, client):
    response = client.get(f"{reverse('articles:claims')}?status=bogus")
    assert response.status_code == 400
    (document,) = json_ld_blocks(response.content.decode())
    assert [node["@type"] for node in document["@graph"]] == ["WebPage"]


def test_dates_in_the_json_ld_are_partial_iso_dates(world, client):
    # Guard against a date object slipping into the JSON as its repr.
    document, _ = page_json_ld(client, world.visit.get_absolute_url())
    datetime.date.fromisoformat(one(document, "Event")["startDate"])
