"""Atom feeds: new and changed claims, new articles, and everything on one actor or one tag.

Each feed holds at most FEED_LENGTH entries, newest first, so it costs the
same at any size. Every entry has:

- an `id` that never changes: a tag: URI (RFC 4151) made of the site's host,
  the day the record was created and its database id, e.g.
  `tag:example.org,2026-11-29:claim/42`. It survives a renamed slug, which a
  permalink would not;
- `updated`: when the record was last saved (`updated`), and `published`:
  when it was added to the knowledge base (`created`);
- a link to its page.

The feed itself has an id (its own address), a self link, `updated` (its
newest entry's time) and the site as its author, as RFC 4287 asks.
"""

import re
from dataclasses import dataclass
from heapq import nlargest

from django.contrib.syndication.views import Feed
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from taggit.models import Tag

from articles.models import Actor, Article, Claim, Event
from articles.templatetags.kb import SITE_NAME

FEED_LENGTH = 50
# Characters XML 1.0 cannot carry at all, escaped or not. Text pasted from a word processor brings some
# (a vertical tab is Word's line break); Django's feed writer refuses them with an exception.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Subject:
    """What a feed is about (an actor, a tag, or nothing: the whole site) and the request's host."""

    host: str
    thing: object = None


def xml_text(value):
    """`value` with every character XML cannot carry made a space; lists and tuples of strings likewise."""
    if isinstance(value, str):
        return NOT_IN_XML.sub(" ", value)
    if isinstance(value, list | tuple):
        return type(value)(xml_text(part) for part in value)
    return value


def tag_uri(host, record, kind):
    """The entry's permanent id: tag:<host>,<day created>:<kind>/<id>."""
    return f"tag:{host},{record.created:%Y-%m-%d}:{kind}/{record.pk}"


def newest(*querysets):
    """The FEED_LENGTH most recently updated records among several lists (each read at most that far)."""
    rows = [row for queryset in querysets for row in queryset.order_by("-updated", "-pk")[:FEED_LENGTH]]
    return nlargest(FEED_LENGTH, rows, key=lambda row: (row.updated, row.pk))


class KnowledgeBaseFeed(Feed):
    """What every feed shares: Atom, the site as author, tag: URI ids, created and updated times.

    Subclasses give `title`, `subtitle`, `link` and `entries(subject)`.
    """

    feed_type = Atom1Feed
    author_name = SITE_NAME

    def get_object(self, request, *args, **kwargs):
        # A tag: URI's authority is a host name: without the port, whose colon would end it.
        host, _port = split_domain_port(request.get_host())
        return Subject(host=host if host and not host.startswith("[") else "localhost")

    def items(self, subject):
        entries = list(self.entries(subject))
        for entry in entries:
            # The Feed instance is shared by concurrent requests: the host rides on the entry.
            entry.feed_host = subject.host
        return entries

    def get_feed(self, subject, request):
        feed = super().get_feed(subject, request)
        # The feed's id is its own address: a page's link is shared by the feeds that link back to it.
        feed.feed["id"] = feed.feed["feed_url"]
        # Every text an editor typed, in elements and in attributes (a category's term), in one pass.
        feed.feed = {name: xml_text(value) for name, value in feed.feed.items()}
        feed.items = [{name: xml_text(value) for name, value in item.items()} for item in feed.items]
        return feed

    def item_title(self, item):
        if isinstance(item, Claim):
            return Truncator(item.text).chars(200)
        return item.title

    def item_description(self, item):
        if isinstance(item, Claim):
            by = f" Claimed by {item.claimant.name}." if item.claimant_id else ""
            return f"Claim. {item.status_label}.{by}"
        if isinstance(item, Article):
            return f"Article ({item.get_kind_display()}), {item.credit_line}; {item.date_display}."
        return f"Event, {item.date_display}. {item.description}".strip()

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return tag_uri(item.feed_host, item, type(item).__name__.lower())

    def item_pubdate(self, item):
        return item.created

    def item_updateddate(self, item):
        return item.updated


class ClaimsFeed(KnowledgeBaseFeed):
    title = f"{SITE_NAME}: new and changed claims"
    subtitle = "Claims as they are added or their evidence changes, newest first."

    def link(self):
        return reverse("articles:claims")

    def entries(self, subject):
        return Claim.objects.for_listing().prefetch_related("tags").order_by("-updated", "-pk")[:FEED_LENGTH]

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class ArticlesFeed(KnowledgeBaseFeed):
    title = f"{SITE_NAME}: new articles"
    subtitle = "Articles as they are added to the knowledge base, newest first."

    def link(self):
        return reverse("articles:articles")

    def entries(self, subject):
        return Article.objects.with_people().prefetch_related("tags").order_by("-created", "-pk")[:FEED_LENGTH]

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class AboutOneFeed(KnowledgeBaseFeed):
    """A feed about one `model` row (an actor, a tag), named by the slug in its URL: `subject.thing`."""

    model = None

    def get_object(self, request, slug):
        subject = super().get_object(request)
        subject.thing = get_object_or_404(self.model, slug=slug)
        return subject


class ActorFeed(AboutOneFeed):
    model = Actor

    def title(self, subject):
        return f"{SITE_NAME}: {subject.thing.name}"

    def subtitle(self, subject):
        return f"Claims by or about {subject.thing.name}, articles by them and events they took part in."

    def link(self, subject):
        return subject.thing.get_absolute_url()

    def entries(self, subject):
        slug = subject.thing.slug
        return newest(
            Claim.objects.for_listing().involving(slug),
            Article.objects.with_people().by_actor(slug),
            Event.objects.involving(slug),
        )


class TagFeed(AboutOneFeed):
    model = Tag

    def title(self, subject):
        return f"{SITE_NAME}: tagged “{subject.thing.name}”"

    def subtitle(self, subject):
        return f"Claims, articles and events tagged “{subject.thing.name}”."

    def link(self, subject):
        return reverse("articles:tag", args=[subject.thing.slug])

    def entries(self, subject):
        slug = subject.thing.slug
        return newest(
            Claim.objects.for_listing().tagged(slug),
            Article.objects.with_people().tagged(slug),
            Event.objects.tagged(slug),
        )
