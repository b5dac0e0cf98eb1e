"""The public reader pages.

Views stay thin: the QuerySet methods in models.py say what a page needs, and
each view preloads it (select_related / prefetch_related / annotations), so
every page runs a fixed number of queries however many rows there are. The
tests in tests/test_page_*.py pin each count and name the queries.

Filters are GET forms (articles/forms.py). A value that does not validate
gets the 400 page, naming the parameter, rather than a silently different list.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Window
from django.shortcuts import render
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag, TaggedItem

from articles.forms import (
    ArticleFilterForm,
    ClaimFilterForm,
    GridFilterForm,
    PageForm,
    SearchForm,
    TimelineFilterForm,
)
from articles.models import (
    Actor,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    Event,
    Location,
    Participation,
    Stance,
    by_stance,
)
from articles.rendering import Highlight, render_highlighted, render_plain_highlighted
from articles.search import search as run_search
from articles.services import origins_of

CLAIMS_PER_PAGE = 20
CONTESTED_PER_PAGE = 20  # each with both sides quoted in full: a long page already
GRID_ROWS_PER_PAGE = 30
ARTICLES_PER_PAGE = 50
SECTION_LIMIT = 20  # rows a detail page shows of a list that grows with the data


class BadFilter(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def bad_request(request, problems, *, retry_url=None):
    """The site's 400 page, saying which parameter was wrong and how."""
    context = {"problems": problems, "retry_url": retry_url or request.path}
    return render(request, "400.html", context, status=400)


class FilteredMixin:
    """Validate the GET filters with `form_class` before the page is built.

    The view reads `self.filters` (only the values the reader chose) and
    `self.form` (for rendering the form and naming the chosen things).
    """

    form_class = None

    def get(self, request, *args, **kwargs):
        self.form = self.form_class(request.GET)
        if not self.form.is_valid():
            return bad_request(request, self.form.problems())
        self.filters = self.form.filters()
        try:
            return super().get(request, *args, **kwargs)
        except BadFilter as bad:
            return bad_request(request, bad.problems)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, filters=self.filters, **kwargs)


def paginate(objects, number, per_page):
    """A page of `objects`; a page number past the end is the reader's mistake, not an empty page."""
    paginator = Paginator(objects, per_page)
    number = number or 1
    if number > paginator.num_pages:
        last = paginator.num_pages
        raise BadFilter([f"“page={number}”: there is no page {number}; the last page is {last}."])
    return paginator.page(number)


@dataclass
class Section:
    """The first rows of a list on a detail page, and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self):
        return self.total > len(self.rows)


def first_rows(queryset, limit=SECTION_LIMIT):
    """The first `limit` rows of `queryset` and its total, in one query.

    The total rides on every row as a window count, COUNT(*) OVER (), which the
    database computes over all matching rows before LIMIT applies; over a
    grouped query (with_claim_counts) it counts the groups, one per row.
    """
    rows = list(queryset.annotate(total_rows=Window(Count("pk")))[:limit])
    return Section(rows=rows, total=rows[0].total_rows if rows else 0)


def attach_tags(objects):
    """Set `tag_list` on each object: its tags, in one query.

    Used instead of prefetch_related("tags") on long lists: taggit's prefetch
    builds a fresh filtered queryset per object, which costs more than the query.
    """
    objects = list(objects)
    if not objects:
        return objects
    content_type = ContentType.objects.get_for_model(objects[0])  # cached after the first request
    items = TaggedItem.objects.filter(content_type=content_type, object_id__in=[obj.pk for obj in objects])
    tags = defaultdict(list)
    for item in items.select_related("tag").order_by("pk"):
        tags[item.object_id].append(item.tag)
    for obj in objects:
        obj.tag_list = tags[obj.pk]
    return objects


def page_rows(page, rows):
    """The page's objects, loaded from `rows` (a QuerySet with the annotations the page shows).

    Paginate a QuerySet that only filters, so that counting it is cheap; then
    annotate just the page's rows: one query, with the page as a subquery.
    """
    return list(rows.filter(pk__in=page.object_list.values("pk")).order_by(*page.object_list.query.order_by))


def citations_with_sources():
    """Citations as the claim, event and contested pages show them, in reading order."""
    return Citation.objects.with_voices().order_by("article__published", "article__title", "pk")


# --- Home and timeline -----------------------------------------------------------


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        # The busiest-sourced events, shown in date order.
        key_events = sorted(
            Event.objects.on_timeline().order_by("-source_count", "start")[:5], key=lambda e: (e.start, e.title)
        )
        contested = first_rows(Claim.objects.contested().for_listing().order_by("slug"), 5)
        return super().get_context_data(
            counts={
                "articles": Article.objects.count(),
                "claims": Claim.objects.count(),
                "events": Event.objects.count(),
                "actors": Actor.objects.count(),
            },
            key_events=key_events,
            contested=contested.rows,
            contested_count=contested.total,
            tags=Tag.objects.annotate(uses=Count("taggit_taggeditem_items")).order_by("-uses", "name")[:24],
            **kwargs,
        )


class TimelineView(FilteredMixin, TemplateView):
    template_name = "articles/timeline.html"
    form_class = TimelineFilterForm

    def get_context_data(self, **kwargs):
        events = Event.objects.on_timeline()
        filters = self.filters
        if "actor" in filters:
            events = events.involving(filters["actor"])
        if "tag" in filters:
            events = events.tagged(filters["tag"])
        first, last = filters.get("from"), filters.get("to")
        if "year" in filters:
            first = last = filters["year"]
        events = attach_tags(events.in_years(first, last))
        return super().get_context_data(
            events=events,
            first_year=first,
            last_year=last,
            actor_name=self.form.chosen_label("actor"),
            tag_name=self.form.chosen_label("tag"),
            **kwargs,
        )


class EventDetailView(DetailView):
    template_name = "articles/event_detail.html"
    queryset = Event.objects.on_timeline().prefetch_related("tags")

    def get_context_data(self, **kwargs):
        claims = (
            Claim.objects.for_listing()
            .filter(event=self.object)
            .order_by("slug")
            .prefetch_related(Prefetch("citations", queryset=citations_with_sources()))
        )
        return super().get_context_data(claims=first_rows(claims), **kwargs)


# --- Claims --------------------------------------------------------------------------


class ClaimDetailView(DetailView):
    """One claim with its evidence.

    Context: `claim`; `supporting`, `disputing`, `qualifying`: its anchored
    citations by stance; `needs_review`: its lost citations, counted for
    nothing; `origins`: the distinct voices behind the supporting quotes
    (services.Origin), as counted for the status; `competing`: its
    competing-claim links (ClaimConflict, with `note` and `to_claim`);
    `competing_support`: (link, citation) pairs, each competing claim's
    anchored supporting quotes, shown on the disputing side; `disputing_count`:
    both together; `related`.
    """

    template_name = "articles/claim_detail.html"
    queryset = Claim.objects.for_listing().prefetch_related(
        "subjects",
        "tags",
        Prefetch("citations", queryset=citations_with_sources()),
        Prefetch(
            "conflict_links",
            queryset=ClaimConflict.objects.select_related("to_claim__claimant", "to_claim__event")
            .prefetch_related(Prefetch("to_claim__citations", queryset=citations_with_sources()))
            .order_by("to_claim__slug"),
        ),
    )

    def get_context_data(self, **kwargs):
        claim = self.object
        citations = list(claim.citations.all())
        anchored = [c for c in citations if c.anchored]
        sides = by_stance(anchored)
        competing = list(claim.conflict_links.all())
        competing_support = [
            (link, citation)
            for link in competing
            for citation in link.to_claim.citations.all()
            if citation.anchored and citation.stance == Stance.SUPPORTS
        ]
        related = (
            Claim.objects.for_listing()
            .related_to(claim, subject_ids=[actor.pk for actor in claim.subjects.all()])
            .exclude(pk__in=[link.to_claim_id for link in competing])
            .order_by("event__start", "slug")[:12]
        )
        return super().get_context_data(
            citations=citations,
            supporting=sides[Stance.SUPPORTS],
            disputing=sides[Stance.DISPUTES],
            qualifying=sides[Stance.QUALIFIES],
            needs_review=[c for c in citations if not c.anchored],
            origins=origins_of(citations),
            competing=competing,
            competing_support=competing_support,
            disputing_count=len(sides[Stance.DISPUTES]) + len(competing_support),
            related=related,
            **kwargs,
        )


class ClaimListView(FilteredMixin, TemplateView):
    template_name = "articles/claim_list.html"
    form_class = ClaimFilterForm

    def get_context_data(self, **kwargs):
        filters = self.filters
        # Only a status filter needs the status of every claim; otherwise count plain rows.
        claims = Claim.objects.all()
        if "status" in filters:
            claims = claims.with_status(filters["status"])
        if "kind" in filters:
            claims = claims.filter(kind=filters["kind"])
        if "actor" in filters:
            role = filters.get("role")
            if role == "claimant":
                claims = claims.claimed_by(filters["actor"])
            elif role == "subject":
                claims = claims.about(filters["actor"])
            else:
                claims = claims.involving(filters["actor"])
        if "event" in filters:
            claims = claims.on_event(filters["event"])
        if "article" in filters:
            claims = claims.cited_in(filters["article"])
        if "tag" in filters:
            claims = claims.tagged(filters["tag"])
        page = paginate(claims.order_by("slug"), filters.get("page"), CLAIMS_PER_PAGE)
        rows = Claim.objects.for_listing().prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("article").order_by("article__title"))
        )
        chosen = {name: self.form.chosen_label(name) for name in ("status", "kind", "actor", "event", "article", "tag")}
        chosen["role"] = filters.get("role", "")
        return super().get_context_data(page=page, claims=page_rows(page, rows), chosen=chosen, **kwargs)


class ContestedView(FilteredMixin, TemplateView):
    template_name = "articles/contested.html"
    form_class = PageForm

    def get_context_data(self, **kwargs):
        claims = (
            Claim.objects.contested()
            .for_listing()
            .prefetch_related(
                Prefetch("citations", queryset=citations_with_sources()),
                Prefetch("conflicts_with", queryset=Claim.objects.for_listing()),
            )
            .order_by("event__start", "slug")
        )
        page = paginate(claims, self.filters.get("page"), CONTESTED_PER_PAGE)
        for claim in page.object_list:
            citations = list(claim.citations.all())
            claim.sides = by_stance(citations)
        return super().get_context_data(page=page, claims=page.object_list, **kwargs)


class GridView(FilteredMixin, TemplateView):
    """Claims down the side, articles across the top; each cell says what the article does.

    A page of claims at a time; the columns are only the articles that cite a
    claim on the page, so neither dimension grows with the whole knowledge base.
    """

    template_name = "articles/grid.html"
    form_class = GridFilterForm

    def get_context_data(self, **kwargs):
        # A claim no article cites would be a row of blanks; the claims list shows those.
        claims = Claim.objects.with_citations()
        if "event" in self.filters:
            claims = claims.on_event(self.filters["event"])
        if "actor" in self.filters:
            claims = claims.involving(self.filters["actor"])
        page = paginate(claims.order_by("event__start", "slug"), self.filters.get("page"), GRID_ROWS_PER_PAGE)
        claims = page_rows(page, Claim.objects.for_listing())
        citations = (
            Citation.objects.filter(claim_id__in=[claim.pk for claim in claims])
            .select_related("article__publisher", "article__wire")
            .prefetch_related("article__authors")
        )
        articles = {}
        stances = defaultdict(list)  # (claim id, article id) -> one citation per stance
        for citation in citations.order_by("stance", "pk"):
            article = articles.setdefault(citation.article_id, citation.article)
            citation.article = article  # one object per article, however many cells cite it
            cell = stances[citation.claim_id, citation.article_id]
            if all(other.stance != citation.stance for other in cell):
                cell.append(citation)
        columns = sorted(articles.values(), key=Article.newest_first_key)
        rows = [{"claim": claim, "cells": [stances.get((claim.pk, a.pk), []) for a in columns]} for claim in claims]
        return super().get_context_data(
            page=page,
            rows=rows,
            columns=columns,
            event_name=self.form.chosen_label("event"),
            actor_name=self.form.chosen_label("actor"),
            **kwargs,
        )


# --- Articles ------------------------------------------------------------------------


class ArticleListView(FilteredMixin, TemplateView):
    template_name = "articles/article_list.html"
    form_class = ArticleFilterForm

    def get_context_data(self, **kwargs):
        # Page through plain rows, and count citations for the page's articles
        # only: counting them for every article first costs seconds at 10,000 articles.
        articles = Article.objects.newest_first()
        if "actor" in self.filters:
            articles = articles.by_actor(self.filters["actor"])
        if "tag" in self.filters:
            articles = articles.tagged(self.filters["tag"])
        page = paginate(articles, self.filters.get("page"), ARTICLES_PER_PAGE)
        rows = Article.objects.with_people().with_claim_counts()
        return super().get_context_data(
            page=page,
            articles=page_rows(page, rows),
            actor_name=self.form.chosen_label("actor"),
            tag_name=self.form.chosen_label("tag"),
            **kwargs,
        )


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    queryset = Article.objects.with_people().prefetch_related("tags")

    def get_context_data(self, **kwargs):
        article = self.object
        citations = list(article.citations.select_related("claim").order_by("start", "pk"))
        claims = list(Claim.objects.for_listing().cited_in(article.slug).order_by("slug"))
        stances = defaultdict(set)
        for citation in citations:
            stances[citation.claim_id].add(citation.stance)
        sections = [(stance, [claim for claim in claims if stance in stances[claim.pk]]) for stance in Stance]
        notes = evidence_notes(citations)
        return super().get_context_data(
            body=highlighted_body(article, [note for note in notes if not note.in_captions]),
            captions=highlighted_captions(article, [note for note in notes if note.in_captions]),
            notes=notes,
            sections=[(stance, found) for stance, found in sections if found],
            lost=[citation for citation in citations if not citation.anchored],
            **kwargs,
        )


@dataclass(frozen=True)
class EvidenceNote:
    """One marked quote on an article page: its number, where it is, and what it is evidence for."""

    number: int
    citation: Citation
    in_captions: bool

    @property
    def note_id(self):
        return f"note-{self.citation.pk}"

    def highlight(self):
        citation = self.citation
        return Highlight(
            start=citation.start,
            end=citation.end,
            anchor_id=citation.anchor_id,
            href=f"#{self.note_id}",
            label=f"{citation.get_stance_display().capitalize()}: {citation.claim.text}",
            css_class=f"stance-{citation.stance}",
            number=self.number,
        )


def evidence_notes(citations):
    """The article's anchored quotes, numbered in reading order: the body's first, then the captions'."""
    anchored = [c for c in citations if c.anchored and c.start is not None]
    in_captions = {c.pk: c.location == Location.CAPTIONS for c in anchored}
    ordered = sorted(anchored, key=lambda c: (in_captions[c.pk], c.start, c.end, c.pk))
    return [EvidenceNote(number, c, in_captions[c.pk]) for number, c in enumerate(ordered, start=1)]


def highlighted_body(article, notes):
    """The article's Markdown as HTML, every anchored quote marked, with numbered markers to its notes."""
    return _cached_render("body", article.body, notes, render_highlighted)


def highlighted_captions(article, notes):
    """The photo captions (plain text) as HTML, their quotes marked the same way."""
    if not article.captions:
        return ""
    return _cached_render("captions", article.captions, notes, render_plain_highlighted)


def _cached_render(kind, text, notes, render):
    # Cached under a hash of everything the HTML depends on, so an edit renders afresh.
    highlights = [note.highlight() for note in notes]
    digest = hashlib.sha256(repr((kind, text, highlights)).encode()).hexdigest()
    return cache.get_or_set(f"article-html:{kind}:{digest}", lambda: render(text, highlights))


# --- Actors and tags ---------------------------------------------------------------


KIND_HEADINGS = {
    Actor.Kind.PERSON: "People",
    Actor.Kind.STATE: "States",
    Actor.Kind.PARTY: "Political parties",
    Actor.Kind.GOVERNMENT: "Government bodies",
    Actor.Kind.ORGANISATION: "Organisations",
    Actor.Kind.OUTLET: "Media outlets",
}


class ActorListView(ListView):
    template_name = "articles/actor_list.html"
    context_object_name = "actors"
    queryset = Actor.objects.for_index().order_by("name")

    def get_context_data(self, **kwargs):
        order = list(Actor.Kind.values)
        groups = defaultdict(list)
        for actor in self.object_list:
            groups[actor.kind].append(actor)
        kinds = [(KIND_HEADINGS[kind], groups[kind]) for kind in sorted(groups, key=order.index)]
        return super().get_context_data(kinds=kinds, **kwargs)


class ActorDetailView(DetailView):
    template_name = "articles/actor_detail.html"
    queryset = Actor.objects.prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        # Each list can grow without bound: show the first rows, link to the whole list.
        actor = self.object
        return super().get_context_data(
            participations=first_rows(
                Participation.objects.filter(actor=actor)
                .select_related("event")
                .order_by("event__start", "event__title")
            ),
            claims_made=first_rows(Claim.objects.for_listing().filter(claimant=actor).order_by("slug")),
            claims_about=first_rows(Claim.objects.for_listing().about(actor.slug).order_by("slug")),
            articles=first_rows(Article.objects.by_actor(actor.slug).with_people().newest_first()),
            **kwargs,
        )


class TagListView(ListView):
    template_name = "articles/tag_list.html"
    context_object_name = "tags"
    queryset = Tag.objects.annotate(uses=Count("taggit_taggeditem_items")).filter(uses__gt=0).order_by("name")


class TagDetailView(DetailView):
    template_name = "articles/tag_detail.html"
    model = Tag
    context_object_name = "tag"

    def get_context_data(self, **kwargs):
        # Each list can grow without bound: show the first rows, link to the whole list.
        slug = self.object.slug
        return super().get_context_data(
            articles=first_rows(Article.objects.tagged(slug).with_people().newest_first()),
            events=first_rows(Event.objects.on_timeline().tagged(slug)),
            claims=first_rows(Claim.objects.for_listing().tagged(slug).order_by("slug")),
            **kwargs,
        )


# --- Search -------------------------------------------------------------------------


def search(request):
    """One box across articles, claims, events and actors. Never an error: odd input gets a kind page."""
    form = SearchForm(request.GET)
    query, results, problem = "", None, None
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            results = run_search(query)
            if not results.total and not any(ch.isalnum() for ch in query):
                problem = "There are no words in that search to look for. Try a name, a place or a year."
    else:
        problem = " ".join(form.errors["q"])
    return render(
        request,
        "articles/search.html",
        {"form": form, "query": query, "results": results, "problem": problem},
    )


# --- The names urls.py uses ----------------------------------------------------------

home = HomeView.as_view()
timeline = TimelineView.as_view()
event_detail = EventDetailView.as_view()
claim_list = ClaimListView.as_view()
contested = ContestedView.as_view()
agreement_grid = GridView.as_view()
claim_detail = ClaimDetailView.as_view()
article_list = ArticleListView.as_view()
article_detail = ArticleDetailView.as_view()
actor_list = ActorListView.as_view()
actor_detail = ActorDetailView.as_view()
tag_list = TagListView.as_view()
tag_detail = TagDetailView.as_view()
