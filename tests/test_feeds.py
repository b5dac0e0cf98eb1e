"""The Atom feeds: what a feed reader sees, and the RFC 4287 rules that matter.

Each feed is parsed with feedparser (which must find nothing malformed), and
its XML is checked against the rules a reader relies on: the feed has one
id, one updated, a self link and an author; every entry has one id (a tag:
URI that survives a renamed slug), one updated and a link to its page.
"""

import datetime

import feedparser
import lxml.html
import pytest
from django.urls import reverse
from lxml import etree
from taggit.models import Tag

from articles.feeds import FEED_LENGTH
from articles.models import Actor, Claim
from tests.factories import make_article, make_claim

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return response


def parse(client, url):
    """(feedparser's view, the XML root) of the feed at `url`, after the Atom checks."""
    response = fetch(client, url)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, f"{url}: {parsed.get('bozo_exception')}"
    assert parsed.version == "atom10"
    root = etree.fromstring(response.content)
    check_atom_rules(root, f"http://testserver{url}")
    return parsed, root


def check_atom_rules(root, self_url):
    assert root.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{element}")) == 1, f"the feed needs exactly one {element}"
    assert root.findtext(f"{ATOM}id") == self_url
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == self_url
    assert links["alternate"].startswith("http://testserver/")
    assert root.findtext(f"{ATOM}author/{ATOM}name"), "a feed author stands for every entry"
    datetime.datetime.fromisoformat(root.findtext(f"{ATOM}updated"))
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for element in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{element}")) == 1, f"an entry needs exactly one {element}"
        ids.append(entry.findtext(f"{ATOM}id"))
        assert entry.findtext(f"{ATOM}id").startswith("tag:testserver,")
        updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert updated.tzinfo is not None
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http://testserver/")
    assert len(ids) == len(set(ids)), "entry ids repeat"


# --- The claims feed -----------------------------------------------------------------


def test_the_claims_feed_lists_claims_newest_change_first(world, client):
    parsed, root = parse(client, reverse("linked:claims-feed"))
    claims = list(Claim.objects.order_by("-updated", "-pk"))
    assert [entry.link for entry in parsed.entries] == [f"http://testserver{c.get_absolute_url()}" for c in claims]
    assert parsed.feed.title == "To Lam in Pyongyang: new and changed claims"
    newest = max(claim.updated for claim in claims)
    assert datetime.datetime.fromisoformat(root.findtext(f"{ATOM}updated")) == newest


def test_a_changed_claim_moves_to_the_top_keeping_its_id(world, client):
    parsed, _ = parse(client, reverse("linked:claims-feed"))
    claim = world.relations_1950
    before = next(entry for entry in parsed.entries if entry.link.endswith(claim.get_absolute_url()))
    claim.text = "Diplomatic relations were established in 1950."
    claim.slug = "relations-established-1950"
    claim.save()
    parsed, _ = parse(client, reverse("linked:claims-feed"))
    top = parsed.entries[0]
    assert top.title == "Diplomatic relations were established in 1950."
    assert top.link == "http://testserver/claims/relations-established-1950/"
    assert top.id == before.id
    assert top.id == f"tag:testserver,{claim.created:%Y-%m-%d}:claim/{claim.pk}"
    assert datetime.datetime.fromisoformat(top.updated) > datetime.datetime.fromisoformat(before.updated)
    assert top.published == before.published


def test_an_entry_says_the_claims_status_and_tags(world, client):
    parsed, _ = parse(client, reverse("linked:claims-feed"))
    entry = next(e for e in parsed.entries if e.link.endswith(world.mediator.get_absolute_url()))
    assert entry.summary == "Claim. Contested. Claimed by Carl Thayer."
    assert [tag.term for tag in entry.tags] == ["mediation"]


def test_a_feed_holds_at_most_fifty_entries_in_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    for number in range(FEED_LENGTH + 5):
        make_claim(f"Claim number {number}.", slug=f"feed-claim-{number:02d}")
    # 1. the newest claims with claimant and event; 2. their tags.
    with django_assert_num_queries(2):
        response = fetch(client, reverse("linked:claims-feed"))
    assert len(feedparser.parse(response.content).entries) == FEED_LENGTH


def test_text_pasted_with_control_characters_is_shown_with_spaces_not_a_server_error(world, client):
    # Word writes a line break as a vertical tab; XML 1.0 cannot carry it, escaped or not.
    claimant = Actor.objects.create(slug="pasted", name="Carl\x01Pasted", kind=Actor.Kind.PERSON)
    make_claim("Talks lasted\x0btwo days.", slug="pasted-claim", claimant=claimant, tags=["talks\x0cand visits"])
    make_article("A pasted report.", title="A pasted\x1freport", authors=[claimant])

    claims, _ = parse(client, reverse("linked:claims-feed"))
    articles, _ = parse(client, reverse("linked:articles-feed"))
    actor, _ = parse(client, reverse("linked:actor-feed", args=["pasted"]))

    entry = next(e for e in claims.entries if e.link.endswith("/claims/pasted-claim/"))
    assert entry.title == "Talks lasted two days."
    assert entry.summary == "Claim. No supporting source. Claimed by Carl Pasted."
    assert [tag.term for tag in entry.tags] == ["talks and visits"]
    assert articles.entries[0].title == "A pasted report"
    assert actor.feed.title == "To Lam in Pyongyang: Carl Pasted"


# --- The articles feed ---------------------------------------------------------------


def test_the_articles_feed_lists_new_articles_first(world, client):
    newer = make_article("A new report.", title="A newer report")
    parsed, _ = parse(client, reverse("linked:articles-feed"))
    assert parsed.entries[0].title == "A newer report"
    assert parsed.entries[0].id == f"tag:testserver,{newer.created:%Y-%m-%d}:article/{newer.pk}"
    assert {entry.title for entry in parsed.entries} >= {world.wire_story.title, world.faq.title}


# --- Per actor and per tag -----------------------------------------------------------


def test_an_actors_feed_has_their_claims_articles_and_events(world, client):
    parsed, _ = parse(client, reverse("linked:actor-feed", args=["carl-thayer"]))
    links = {entry.link.removeprefix("http://testserver") for entry in parsed.entries}
    assert links == {
        world.mediator.get_absolute_url(),  # claimed by him
        world.interview.get_absolute_url(),  # written by him
        world.talks.get_absolute_url(),  # he took part
    }
    assert parsed.feed.title == "To Lam in Pyongyang: Carl Thayer"


def test_a_tags_feed_has_what_carries_the_tag(world, client):
    parsed, _ = parse(client, reverse("linked:tag-feed", args=["history"]))
    links = {entry.link.removeprefix("http://testserver") for entry in parsed.entries}
    assert links == {
        world.last_2007.get_absolute_url(),
        world.relations.get_absolute_url(),
        world.previous.get_absolute_url(),
    }


def test_a_feed_for_an_unknown_actor_or_tag_is_not_found(world, client):
    assert client.get(reverse("linked:actor-feed", args=["nobody"])).status_code == 404
    assert client.get(reverse("linked:tag-feed", args=["no-such-tag"])).status_code == 404


def test_a_renamed_actors_or_tags_old_feed_address_redirects_to_the_new(world, client):
    thayer = Actor.objects.get(pk=world.thayer.pk)
    thayer.slug = "carl-thayer-unsw"
    thayer.save()
    response = client.get("/feeds/actors/carl-thayer/")
    assert response.status_code == 301
    assert response["Location"] == "/feeds/actors/carl-thayer-unsw/"
    assert client.get(response["Location"]).status_code == 200

    tag = Tag.objects.get(slug="history")
    tag.slug = "past"
    tag.save()
    response = client.get("/feeds/tags/history/")
    assert (response.status_code, response["Location"]) == (301, "/feeds/tags/past/")


# --- Found from the pages, cheap to poll ---------------------------------------------


@pytest.mark.parametrize(
    ("page", "feeds"),
    [
        (lambda w: reverse("articles:home"), ["linked:claims-feed", "linked:articles-feed"]),
        (lambda w: reverse("articles:claims"), ["linked:claims-feed"]),
        (lambda w: w.mediator.get_absolute_url(), ["linked:claims-feed"]),
        (lambda w: reverse("articles:articles"), ["linked:articles-feed"]),
        (lambda w: w.to_lam.get_absolute_url(), [("linked:actor-feed", "to-lam")]),
        (lambda w: reverse("articles:tag", args=["history"]), [("linked:tag-feed", "history")]),
    ],
)
def test_pages_link_their_feeds(world, client, page, feeds):
    tree = lxml.html.fromstring(client.get(page(world)).content)
    linked = tree.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
    assert all(link.get("title") for link in linked)
    expected = []
    for feed in feeds:
        name, args = (feed, []) if isinstance(feed, str) else (feed[0], [feed[1]])
        expected.append(f"http://testserver{reverse(name, args=args)}")
    assert [link.get("href") for link in linked] == expected
    for url in expected:
        assert client.get(url).status_code == 200


def test_a_feed_reader_that_has_the_current_feed_gets_304(world, client):
    response = fetch(client, reverse("linked:claims-feed"))
    assert response["ETag"]
    again = client.get(reverse("linked:claims-feed"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
