"""The public reader pages.

Views stay thin: the QuerySet methods in models.py say what a page needs, and
each view preloads it (select_related / prefetch_related / annotations), so
every page runs a fixed number of queries however many rows there are. The
tests in tests/test_page_*.py pin each count and name the queries.

Filters are GET forms (articles/forms.py). A value that does not validate
gets the 400 page, naming the parameter, rather than a silently different list.
"""

from collections import Counter, defaultdict

from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import DetailView, TemplateView
from taggit.models import Tag, TaggedItem

from articles import versioning
from articles.caching import per_version
from articles.citing import Reference
from articles.evidence import evidence_notes, highlighted_body, highlighted_captions, notes_html
from articles.forms import (
    FINDERS,
    LOOKUP_MAX_LENGTH,
    ActorFilterForm,
    ArticleFilterForm,
    ClaimFilterForm,
    ClaimHistoryForm,
    CursorForm,
    GridFilterForm,
    SearchForm,
    TimelineFilterForm,
)
from articles.listing import (
    ACTOR_ORDERING,
    ARTICLE_ORDERINGS,
    CLAIM_ORDERINGS,
    SECTION_LIMIT,
    TAG_ORDERING,
    FilteredMixin,
    Section,
    attach_sources,
    bad_request,
    citations_with_sources,
    first_rows,
    keyset_page,
    ordering_named,
    preload,
    tags_of,
)
from articles.models import (
    Actor,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    Event,
    Participation,
    by_stance,
    sides_of,
)
from articles.search import search as run_search
from articles.services import origins_of
from articles.tagging import most_used as most_used_tags
from articles.templatetags.kb import SITE_NAME
from articles.timeline import (
    build_overview,
    choose_window,
    cursor_of,
    group_by_heading,
    neighbours,
    subject_event,
    timeline_url,
    window_page,
)

CLAIMS_PER_PAGE = 20
RELATED_CLAIMS = 12
# An article's texts: a claim page shows its quotes' stored context, never the whole text.
CONTESTED_PER_PAGE = 8  # each with up to nine quotes in context: a long page already
QUOTES_PER_SIDE = 3  # on the contested page; the claim's page has them all
GRID_ROWS_PER_PAGE = 15
# The timeline's counts per year are read again at least this often, even with no edit.
TIMELINE_COUNTS_SECONDS = 3600
GRID_CITATION_FIELDS = (
    *("claim_id", "stance", "anchored"),
    *("article__slug", "article__title", "article__published", "article__date_precision", "article__date_approximate"),
    *("article__publisher__name", "article__wire__name"),
)
GRID_COLUMNS = 12  # the articles citing most of the page's claims; the rest share an "other articles" column
ARTICLES_PER_PAGE = 50
ACTORS_PER_PAGE = 100
TAGS_PER_PAGE = 200
REVISIONS_PER_PAGE = 50
# An article page's bounds: notes under the text, and claims listed per stance.
NOTES_SHOWN = 120
CLAIMS_PER_STANCE = 10
# What an article page reads of each citation (its marks, notes and the lost quotes).
CITATION_FIELDS = ("claim_id", "article_id", "quote", "location", "stance", "start", "end", "anchored")


# --- Home and timeline -----------------------------------------------------------


class HomeView(TemplateView):
    """The front page: what the knowledge base holds, and where to start reading.

    Context: `counts`: a dict of how many `articles`, `claims`, `events` and
    `actors` there are; `key_events`: the five events with the most
    independent sources, in date order; `contested`: the first five contested
    claims (by slug); `contested_count`: how many claims are contested in all;
    `tags`: the 24 most used tags, each with `uses`.
    """

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        # The busiest-sourced events (stored counts, an index scan), shown in date order.
        key_events = sorted(Event.objects.on_timeline().key_events()[:5], key=lambda e: (e.start, e.title))
        # Counted apart from the five shown: a window count would read every contested claim.
        contested = Claim.objects.contested()
        return super().get_context_data(
            counts={
                "articles": Article.objects.count(),
                "claims": Claim.objects.count(),
                "events": Event.objects.count(),
                "actors": Actor.objects.count(),
            },
            key_events=key_events,
            contested=list(contested.for_listing().order_by("slug")[:5]),
            contested_count=contested.count(),
            tags=most_used_tags(24),
            **kwargs,
        )


class TimelineView(FilteredMixin, TemplateView):
    """The events of one window of history (articles.timeline), filtered by actor, tag and years.

    Context: `form`, `filters`: the validated filter form and the values the
    reader chose; `window`: the timeline.Window shown; `window_count`: how
    many matching events start in it (None for a month); `total`: how many
    match the filters in all; `events`: the page's events in timeline order,
    each with its participants, stored `source_count` and `contested`, and
    `tag_list`; `groups`: (Heading, events) pairs, the same events under
    headings at their own precision;
    `shown`: how many events the page shows; `later_url`, `later_after`: the
    next page of the window and its ?after= (None on its last); `continued`: whether this page continues
    an earlier one; `window_url`: the window's first page; `earlier`, `up`,
    `later`: neighbouring windows (timeline.Link or None); `overview`: the
    timeline.Overview drawn at the top (None when nothing matches);
    `first_year`, `last_year`: the from/to bounds (None when open);
    `actor_name`, `tag_name`: the chosen actor's and tag's names.
    """

    template_name = "articles/timeline.html"
    form_class = TimelineFilterForm

    def get_context_data(self, **kwargs):
        filters = self.filters
        # By id where the form found the row: the database plans for that actor's real number of events.
        chosen = self.form.resolved()
        events = Event.objects.filtered(chosen)
        # Every window of one filter draws the same overview: its counts are read once per content version.
        counts_key = "timeline-years:" + ":".join(str(chosen.get(name)) for name in ("actor", "tag", "from", "to"))
        counts = per_version(counts_key, events.year_counts, TIMELINE_COUNTS_SECONDS)
        window = choose_window(filters, counts)
        page, next_key = window_page(events, window, filters.get("after"))
        later_after = next_key and cursor_of(next_key)
        later_url = later_after and timeline_url(filters, **window.params, after=later_after)
        subject = subject_event()
        earlier, up, later = neighbours(window, counts, filters)
        window_count = window.count(counts)
        if window_count is None and not later_url and "after" not in filters:
            window_count = len(page)  # a month is not counted per year, but one page of it is all of it
        return super().get_context_data(
            window=window,
            window_count=window_count,
            total=sum(n for _, n, _ in counts),
            events=page,
            groups=group_by_heading(page, window),
            shown=len(page),
            later_url=later_url,
            later_after=later_after,
            continued="after" in filters,
            window_url=timeline_url(filters, **window.params),
            earlier=earlier,
            up=up,
            later=later,
            overview=build_overview(counts, window, page, subject, filters),
            first_year=filters.get("from"),
            last_year=filters.get("to"),
            actor_name=self.form.chosen_label("actor"),
            tag_name=self.form.chosen_label("tag"),
            **kwargs,
        )


class EventDetailView(DetailView):
    """One event with the claims made about it.

    Context: `event` (and `object`): with participants, tags and its stored
    `source_count`, `contested` and `claim_count`; `claims`: a
    listing.Section of its first claims (by slug), each with its citations
    and their voices, and their total (the stored count).
    """

    template_name = "articles/event_detail.html"
    queryset = Event.objects.on_timeline().prefetch_related("tags")

    def get_context_data(self, **kwargs):
        # The stored count, not a window count: that would read every claim of a busy event to show 20.
        claims = (
            Claim.objects.for_listing()
            .on_event(self.object.pk)
            .order_by("slug")
            .prefetch_related(Prefetch("citations", queryset=citations_with_sources()))
        )
        section = Section(rows=list(claims[:SECTION_LIMIT]), total=self.object.claim_count)
        return super().get_context_data(claims=section, **kwargs)


# --- Claims --------------------------------------------------------------------------


class ClaimDetailView(DetailView):
    """One claim with its evidence.

    Seven queries whatever the claim: the claim (with claimant and event),
    its subjects, its tags, its competing-claim links (with the other claims),
    the citations of the claim and of its competitors together (with speaker,
    article, publisher and wire; the quote's context is stored, so no article
    text is loaded), their articles' authors, and the related claims (ranked,
    with what each shows).

    Context: `claim`; `subjects`, `tags`: the actors it is about and its
    tags (also what claim.subjects.all() and claim.tags.all() return);
    `citations`: all its citations; `sides`: its two sides and its competing
    claims (models.sides_of, for includes/sides.html); `needs_review`: its lost
    citations, counted for nothing; `origins`: the distinct voices behind the
    supporting quotes (services.Origin), as counted for the status;
    `related`: up to RELATED_CLAIMS related claims, closest first
    (ClaimQuerySet.related_to); `reference`: the claim as a
    citing.Reference, accessed today.
    """

    template_name = "articles/claim_detail.html"
    queryset = Claim.objects.for_listing()

    def get_context_data(self, **kwargs):
        claim = self.object
        subjects = preload(claim, "subjects", Actor.objects.filter(claims_about=claim))
        tags = preload(claim, "tags", Tag.objects.filter(**tags_of(claim)).order_by("name"))
        competing = list(
            ClaimConflict.objects.filter(from_claim=claim).select_related("to_claim").order_by("to_claim__slug")
        )
        rivals = {link.to_claim_id: [] for link in competing}  # competing claim id -> its citations
        citations = []
        for citation in citations_with_sources().filter(claim_id__in=[claim.pk, *rivals]):
            (citations if citation.claim_id == claim.pk else rivals[citation.claim_id]).append(citation)
        sides = sides_of(citations, competing, competing_citations=rivals)
        related = Claim.objects.related_to(
            claim,
            subject_ids=[actor.pk for actor in subjects],
            tag_ids=[tag.pk for tag in tags],
            exclude=list(rivals),
            limit=RELATED_CLAIMS,
        )
        permalink = self.request.build_absolute_uri(claim.get_absolute_url())
        reference = Reference.for_claim(claim, permalink, SITE_NAME, timezone.localdate())
        return super().get_context_data(
            subjects=subjects,
            tags=tags,
            citations=citations,
            sides=sides,
            needs_review=[c for c in citations if not c.anchored],
            origins=origins_of(citations),
            related=related,
            reference=reference,
            **kwargs,
        )


class ClaimHistoryView(FilteredMixin, DetailView):
    """A claim's public history, as Wikipedia shows a page's: every revision, newest first,
    with its date and change note; `?revision=N` is the permalink of one revision, showing
    the claim as it was then, status included. Editors' names are not shown.

    Context: `claim`; `revisions` (reversion Versions, newest first, at most
    REVISIONS_PER_PAGE) and `older` (the `before` value of the next page, or None);
    `past`: the versioning.PastClaim for ?revision, or None.
    """

    template_name = "articles/claim_history.html"
    form_class = ClaimHistoryForm
    queryset = Claim.objects.all()

    def get_context_data(self, **kwargs):
        claim = self.object
        if "revision" in self.filters:
            past = versioning.claim_as_it_was(claim, self.filters["revision"])
            if past is None:
                raise Http404("This claim has no such revision.")
            return super().get_context_data(past=past, revisions=[], older=None, **kwargs)
        revisions, more = versioning.public_revisions(
            claim, before=self.filters.get("before"), limit=REVISIONS_PER_PAGE
        )
        older = revisions[-1].pk if more else None
        return super().get_context_data(past=None, revisions=revisions, older=older, **kwargs)


class ClaimListView(FilteredMixin, TemplateView):
    """The claims, a page at a time, filtered by status, kind, actor (and role), event, article and tag.

    Context: `form`, `filters`; `page`: a listing.KeysetPage (its `count`
    capped); `claims`: the page's claims, with claimant, event and `sources`
    (listing.attach_sources); `ordering`: the sort order shown; `chosen`: the
    label of each chosen filter by name (`status`, `kind`, `actor`, `event`,
    `article`, `tag`), and the chosen `role`.
    """

    template_name = "articles/claim_list.html"
    form_class = ClaimFilterForm

    def get_context_data(self, **kwargs):
        filters = self.filters
        ordering = ordering_named(CLAIM_ORDERINGS, filters.get("sort"))
        claims = Claim.objects.filtered(self.form.resolved()).for_listing()
        page = keyset_page(self.request, claims, ordering, CLAIMS_PER_PAGE, noun="claim")
        chosen = {name: self.form.chosen_label(name) for name in ("status", "kind", "actor", "event", "article", "tag")}
        chosen["role"] = filters.get("role", "")
        return super().get_context_data(
            page=page, claims=attach_sources(page.rows), ordering=ordering, chosen=chosen, **kwargs
        )


class ContestedView(FilteredMixin, TemplateView):
    """The contested claims, a page at a time, each disagreement once, with both sides quoted.

    Two competing claims are one disagreement: it is listed under the claim that
    comes first (Claim.objects.contested_entries), with the other claim's
    supporting quotes on its disputing side, as the claim page shows them.
    In the claims list's default order (event date, then most sources), keyset-paged.

    Context: `form`, `filters`; `page`: a listing.KeysetPage (its `count`
    capped); `claims`: the page's claims, each with `sides` (models.sides_of:
    `supporting`, `disputing`, `qualifying`, `competing`, `competing_support`).
    """

    template_name = "articles/contested.html"
    form_class = CursorForm

    def get_context_data(self, **kwargs):
        entries = Claim.objects.contested_entries().for_listing()
        page = keyset_page(self.request, entries, CLAIM_ORDERINGS[0], CONTESTED_PER_PAGE, noun="contested claim")
        claim_ids = [claim.pk for claim in page.rows]
        # The same queries whatever the page holds: its competing links, then the
        # citations of its claims and of their competitors together, as the claim page reads them.
        links = defaultdict(list)
        for link in (
            ClaimConflict.objects.filter(from_claim_id__in=claim_ids)
            .select_related("to_claim__claimant", "to_claim__event")
            .order_by("to_claim__slug")
        ):
            links[link.from_claim_id].append(link)
        rival_ids = {link.to_claim_id for claim_links in links.values() for link in claim_links}
        by_claim = defaultdict(list)
        # Quotes show their stored context: the articles' texts stay in the database.
        for citation in citations_with_sources().filter(claim_id__in=[*claim_ids, *rival_ids]):
            by_claim[citation.claim_id].append(citation)
        for claim in page.rows:
            claim.sides = sides_of(
                by_claim[claim.pk], links[claim.pk], competing_citations=by_claim, limit=QUOTES_PER_SIDE
            )
        return super().get_context_data(page=page, claims=page.rows, **kwargs)


class GridView(FilteredMixin, TemplateView):
    """Claims down the side, articles across the top; each cell says what the article does.

    A page of claims at a time, keyset-paged in the claims list's default order
    (event date, then most sources); the columns are only the articles that cite
    a claim on the page, so neither dimension grows with the whole knowledge
    base. On a phone the stylesheet turns each row into a card listing only the
    articles that cite the claim, each under its short label.

    Context: `form`, `filters`, `chips`; `page`: a listing.KeysetPage (its
    `count` capped); `columns`: the (at most GRID_COLUMNS) articles citing
    most of the page's claims, newest first; `others`: the other articles
    citing them; `article_count`: both together; `rows`: one dict per claim, with `claim`, `cells` (per
    column, a dict with the `article` and its `citations` of the claim, one
    per stance) and `others` (the same, for each other article citing it);
    `event_name`, `actor_name`: the chosen filters' names.
    """

    template_name = "articles/grid.html"
    form_class = GridFilterForm

    def get_context_data(self, **kwargs):
        # A claim no article cites would be a row of blanks; the claims list shows those.
        claims = Claim.objects.filtered(self.form.resolved()).with_citations().for_listing()
        page = keyset_page(self.request, claims, CLAIM_ORDERINGS[0], GRID_ROWS_PER_PAGE, noun="claim")
        citations = (
            Citation.objects.filter(claim_id__in=[claim.pk for claim in page.rows])
            .select_related("article__publisher", "article__wire")
            # A cell needs the article's label and link, not its text: hundreds of rows, few columns.
            .only(*GRID_CITATION_FIELDS)
        )
        articles = {}
        stances = defaultdict(list)  # (claim id, article id) -> one citation per stance
        for citation in citations.order_by("stance", "pk"):
            article = articles.setdefault(citation.article_id, citation.article)
            citation.article = article  # one object per article, however many cells cite it
            cell = stances[citation.claim_id, citation.article_id]
            if all(other.stance != citation.stance for other in cell):
                cell.append(citation)
        # Authors once per article, and only for an article with no outlet: only its short label names one.
        prefetch_related_objects([a for a in articles.values() if not (a.publisher_id or a.wire_id)], "authors")
        # The articles citing most of the page's claims are columns; the others share one.
        reach = Counter(article_id for _, article_id in stances)
        widest = sorted(articles.values(), key=lambda a: (-reach[a.pk], Article.newest_first_key(a)))
        columns = sorted(widest[:GRID_COLUMNS], key=Article.newest_first_key)
        others = sorted(widest[GRID_COLUMNS:], key=Article.newest_first_key)
        rows = [
            {
                "claim": claim,
                "cells": [{"article": a, "citations": stances.get((claim.pk, a.pk), [])} for a in columns],
                "others": [
                    {"article": a, "citations": stances[claim.pk, a.pk]} for a in others if (claim.pk, a.pk) in stances
                ],
            }
            for claim in page.rows
        ]
        return super().get_context_data(
            page=page,
            rows=rows,
            columns=columns,
            others=others,
            article_count=len(columns) + len(others),
            event_name=self.form.chosen_label("event"),
            actor_name=self.form.chosen_label("actor"),
            **kwargs,
        )


# --- Articles ------------------------------------------------------------------------


class ArticleListView(FilteredMixin, TemplateView):
    """The articles, newest first (or oldest first, or by title), a page at a time, filtered by actor and tag.

    Context: `form`, `filters`; `page`: a listing.KeysetPage (its `count`
    capped); `articles`: the page's articles, with publisher, wire, authors,
    `citation_count` and `claim_count`; `ordering`; `actor_name`,
    `tag_name`: the chosen filters' names.
    """

    template_name = "articles/article_list.html"
    form_class = ArticleFilterForm

    def get_context_data(self, **kwargs):
        ordering = ordering_named(ARTICLE_ORDERINGS, self.filters.get("sort"))
        articles = Article.objects.filtered(self.form.resolved()).without_texts()
        page = keyset_page(self.request, articles, ordering, ARTICLES_PER_PAGE, noun="article")
        # Count citations for the page's articles only: counting them for every
        # article first costs seconds at 10,000 articles.
        counted = Article.objects.filter(pk__in=[a.pk for a in page.rows]).without_texts()
        counted = {a.pk: a for a in counted.with_people().with_claim_counts()}
        return super().get_context_data(
            page=page,
            articles=[counted[a.pk] for a in page.rows],
            ordering=ordering,
            actor_name=self.form.chosen_label("actor"),
            tag_name=self.form.chosen_label("tag"),
            **kwargs,
        )


class ArticleDetailView(DetailView):
    """One article, its quotes marked in the text and numbered in notes.

    However many claims cite it, the page stays bounded: every quote is marked
    in the text (the text is capped in size, and so are the quotes in it), but
    only the first NOTES_SHOWN get a number and a note below it (a later
    quote keeps its mark and id, unnumbered), and each stance lists its first
    CLAIMS_PER_STANCE claims, with the whole list a link away.

    Context: `article` (and `object`): with publisher, wire, authors and
    tags; `body`, `captions`: the text as HTML with every anchored quote
    marked; `notes`: the EvidenceNotes shown, in reading order, and
    `notes_html` those notes rendered (evidence.notes_html);
    `notes_total`: how many quotes are marked in all, `notes_hidden`: how
    many of them have no note; `sections`: (stance, claims, total) triples,
    the first claims the article supports, disputes or qualifies, and how
    many there are (stances with none left out);
    `claims_total`: the distinct claims it bears on; `lost`: citations whose
    quote is no longer in the text.
    """

    template_name = "articles/article_detail.html"
    queryset = Article.objects.with_people().prefetch_related("tags")

    def get_context_data(self, **kwargs):
        article = self.object
        # Hundreds of citations on a busy article: load only what marks and notes read.
        citations = list(article.citations.only(*CITATION_FIELDS).order_by("start", "pk"))
        # The cited claims' addresses and words as plain rows: only the few shown become objects.
        cited = dict(
            (pk, (slug, text))
            for pk, slug, text in Claim.objects.filter(pk__in=article.citations.values("claim_id")).values_list(
                "pk", "slug", "text"
            )
        )
        # Each claim once per stance, however many of its quotes take that stance here.
        claims_by_stance = {
            stance: {citation.claim_id for citation in cited_here}
            for stance, cited_here in by_stance(citations).items()
        }
        firsts = {
            stance: sorted(claim_ids, key=lambda pk: cited[pk][0])[:CLAIMS_PER_STANCE]
            for stance, claim_ids in claims_by_stance.items()
        }
        # The listed claims again, with what a list row shows: a bounded set, in one query.
        listed = Claim.objects.for_listing().in_bulk([pk for first in firsts.values() for pk in first])
        sections = [
            (stance, [listed[pk] for pk in first], len(claims_by_stance[stance]))
            for stance, first in firsts.items()
            if first
        ]
        notes = evidence_notes(citations)
        shown = notes[:NOTES_SHOWN]
        # What a note or the lost list shows of a quote: its claim and (this) article, no second copy of its text.
        for citation in [note.citation for note in shown] + [c for c in citations if not c.anchored]:
            slug, text = cited[citation.claim_id]
            citation.claim = Claim(pk=citation.claim_id, slug=slug, text=text)
            citation.article = article
        # Every quote is marked and keeps its id (claim pages link to it); only those with a note get a number.
        body_marks, caption_marks = [], []
        for note in notes:
            marks = caption_marks if note.in_captions else body_marks
            marks.append(note.highlight(numbered=note.number <= NOTES_SHOWN))
        return super().get_context_data(
            body=highlighted_body(article, body_marks),
            captions=highlighted_captions(article, caption_marks),
            notes=shown,
            notes_html=notes_html(shown),
            notes_total=len(notes),
            notes_hidden=len(notes) - len(shown),
            sections=sections,
            claims_total=len({citation.claim_id for citation in citations}),
            lost=[citation for citation in citations if not citation.anchored],
            **kwargs,
        )


# --- Actors and tags ---------------------------------------------------------------


KIND_HEADINGS = {
    Actor.Kind.PERSON: "People",
    Actor.Kind.STATE: "States",
    Actor.Kind.PARTY: "Political parties",
    Actor.Kind.GOVERNMENT: "Government bodies",
    Actor.Kind.ORGANISATION: "Organisations",
    Actor.Kind.OUTLET: "Media outlets",
}


class ActorListView(FilteredMixin, TemplateView):
    """The actors by name, a page at a time, whole or of one kind.

    No counts per actor: at thousands of actors, three count subqueries each
    cost more than the page; each actor's own page has them.

    Context: `form`, `filters`; `page`: a listing.KeysetPage (its `count`
    capped); `actors`: the page's actors, with aliases; `kind_name`: the
    chosen kind's heading.
    """

    template_name = "articles/actor_list.html"
    form_class = ActorFilterForm

    def get_context_data(self, **kwargs):
        actors = Actor.objects.filtered(self.filters)
        page = keyset_page(self.request, actors, ACTOR_ORDERING, ACTORS_PER_PAGE, noun="actor")
        prefetch_related_objects(page.rows, "aliases")
        kind = self.filters.get("kind")
        return super().get_context_data(
            page=page, actors=page.rows, kind_name=KIND_HEADINGS[kind] if kind else "", **kwargs
        )


class ActorDetailView(DetailView):
    """One actor: the events they took part in, the claims by and about them, the articles by them.

    Context: `actor` (and `object`): with aliases; `participations`,
    `claims_made`, `claims_about`, `articles`: each a listing.Section (its
    first rows and a capped `total`), linking to the whole filtered list.
    """

    template_name = "articles/actor_detail.html"
    queryset = Actor.objects.prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        # Each list can grow without bound: show the first rows, count up to a cap, link to the whole list.
        actor = self.object
        return super().get_context_data(
            participations=first_rows(
                Participation.objects.filter(actor=actor)
                .select_related("event")
                .order_by("event__start", "event__title"),
                capped=True,
            ),
            claims_made=first_rows(
                Claim.objects.for_listing().claimed_by(actor.pk).order_by(*CLAIM_ORDERINGS[0].order_by()),
                capped=True,
            ),
            # An actor is the subject of a claim at most once: counting their subject links is counting the claims.
            claims_about=first_rows(
                Claim.objects.for_listing().about(actor.pk).order_by(*CLAIM_ORDERINGS[0].order_by()),
                capped=True,
                counted=Claim.subjects.through.objects.filter(actor=actor),
            ),
            articles=first_rows(
                Article.objects.by_actor(actor.pk).without_texts().with_people().newest_first(),
                capped=True,
            ),
            **kwargs,
        )


class TagListView(FilteredMixin, TemplateView):
    """The tags in use, by name, a page at a time.

    Context: `form`, `filters`; `page`: a listing.KeysetPage (its `count`
    capped); `tags`: the page's tags.
    """

    template_name = "articles/tag_list.html"
    form_class = CursorForm

    def get_context_data(self, **kwargs):
        in_use = Tag.objects.filter(Exists(TaggedItem.objects.filter(tag=OuterRef("pk"))))
        page = keyset_page(self.request, in_use, TAG_ORDERING, TAGS_PER_PAGE, noun="tag")
        return super().get_context_data(page=page, tags=page.rows, **kwargs)


class TagDetailView(DetailView):
    """What carries one tag.

    Context: `tag` (and `object`); `articles` (newest first), `events` (in
    date order), `claims` (by event date, then most sources): each a
    listing.Section with a capped `total`.
    """

    template_name = "articles/tag_detail.html"
    model = Tag
    context_object_name = "tag"

    def get_context_data(self, **kwargs):
        # Each list can grow without bound: show the first rows, count up to a cap, link to the whole list.
        # Each is counted by its tag links: one index, no join.
        tag = self.object.pk
        return super().get_context_data(
            articles=first_rows(
                Article.objects.tagged(tag).without_texts().with_people().newest_first(),
                capped=True,
                counted=Article.objects.tag_links(tag),
            ),
            events=first_rows(
                Event.objects.on_timeline().tagged(tag), capped=True, counted=Event.objects.tag_links(tag)
            ),
            claims=first_rows(
                Claim.objects.for_listing().tagged(tag).order_by(*CLAIM_ORDERINGS[0].order_by()),
                capped=True,
                counted=Claim.objects.tag_links(tag),
            ),
            **kwargs,
        )


def suggest(request, kind):
    """Names for a filter's text box, as JSON: {"suggestions": [{"value": slug, "label": name}, …]}.

    Bounded (at most forms.SUGGESTIONS, texts of two characters or more),
    cached like a reader page for a few minutes (articles.pages). The filter
    works without it: the server resolves typed names itself.
    """
    finder = FINDERS.get(kind)
    if finder is None:
        raise Http404("No such list to suggest from.")
    text = request.GET.get("q", "").strip()[:LOOKUP_MAX_LENGTH]
    found = finder.matching(text) if len(text) >= 2 and "\x00" not in text else []
    return JsonResponse({"suggestions": [{"value": slug, "label": label} for slug, label, _ in found]})


# --- Search -------------------------------------------------------------------------


def search(request):
    """One box across claims, events, articles and actors; or one kind of result, a page at a time.

    Odd text is never an error (it gets a kind page); a bad `kind` or `page` is a 400.

    Context: `form`; `query`: the cleaned search text; `results`: the
    search.search() results (None before a search), with `kind` and `page`;
    `problem`: why the search found nothing to look for, or the form's error.
    """
    form = SearchForm(request.GET)
    query, results, problem = "", None, None
    if form.is_valid():
        query = form.cleaned_data["q"]
        kind, page = form.cleaned_data["kind"], form.cleaned_data["page"] or 1
        if query:
            results = run_search(query, kind=kind, page=page)
            if page > 1 and not results.total:
                return bad_request(request, [f"“page={page}”: there is no page {page} of these results."])
            if not results.total and not any(ch.isalnum() for ch in query):
                problem = "There are no words in that search to look for. Try a name, a place or a year."
            elif results.only_exclusions:
                problem = "That search only leaves words out (-word). Add a word to look for, e.g. “Trump -Kim”."
    elif set(form.errors) - {"q"}:
        problems = [
            f"“{name}={request.GET.get(name, '')}”: {error}"
            for name, errors in form.errors.items()
            if name != "q"
            for error in errors
        ]
        return bad_request(request, problems)
    else:
        problem = " ".join(form.errors["q"])
    # A TemplateResponse, not render(): the JSON twin (articles.api) reads its context.
    return TemplateResponse(
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
claim_history = ClaimHistoryView.as_view()
article_list = ArticleListView.as_view()
article_detail = ArticleDetailView.as_view()
actor_list = ActorListView.as_view()
actor_detail = ActorDetailView.as_view()
tag_list = TagListView.as_view()
tag_detail = TagDetailView.as_view()
