"""The knowledge base: who (Actor), what was written (Article), what happened
(Event), what is asserted (Claim), and the verbatim evidence tying a claim to
an article (Citation).

A claim's status and an event's sources are derived from citations, never
typed by hand; the QuerySets below compute them in SQL so that list pages run
a fixed number of queries.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from articles import anchoring
from articles.dates import DatePrecision, format_fuzzy


class Stance(models.TextChoices):
    SUPPORTS = "supports", "supports"
    DISPUTES = "disputes", "disputes"
    QUALIFIES = "qualifies", "qualifies"


class ClaimStatus(models.TextChoices):
    CONTESTED = "contested", "Contested"
    CORROBORATED = "corroborated", "Corroborated"
    SINGLE_SOURCE = "single-source", "Single source"
    UNSUPPORTED = "unsupported", "No supporting source"


def independent_source_key(article_path=""):
    """An SQL expression naming the independent source behind an article.

    Copies of one wire story share the wire service; otherwise the publisher
    stands behind the piece; an article with neither counts on its own.
    `article_path` leads from the queried model to the article, e.g.
    "citations__article__".
    """
    wire, publisher = f"{article_path}wire_id", f"{article_path}publisher_id"
    article = article_path.removesuffix("__") or "id"

    def label(prefix, field):
        return Concat(Value(prefix), Cast(field, CharField()), output_field=CharField())

    return Case(
        When(**{f"{wire}__isnull": False}, then=label("actor:", wire)),
        When(**{f"{publisher}__isnull": False}, then=label("actor:", publisher)),
        default=label("article:", article),
        output_field=CharField(),
    )


def normalise_newlines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


class FuzzyDateMixin:
    @property
    def date_display(self):
        return format_fuzzy(
            self._fuzzy_start(),
            self.date_precision,
            end=getattr(self, "end", None),
            approximate=self.date_approximate,
        )


# --- Actors --------------------------------------------------------------------


class ActorQuerySet(models.QuerySet):
    def named(self, name):
        """Actors whose canonical name or any alias is `name`, ignoring case."""
        name = name.strip()
        return self.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name)).distinct()

    def for_index(self):
        """Actors with aliases, and how many events, claims and articles they appear in.

        Each count is its own subquery: counting over three joins at once
        would multiply them (events x claims made x claims about, per actor).
        """

        def count(rows, column, counted):
            counts = rows.filter(**{column: OuterRef("pk")}).order_by().values(column)
            return Coalesce(Subquery(counts.annotate(n=Count(counted, distinct=True)).values("n")), 0)

        return self.prefetch_related("aliases").annotate(
            event_count=count(Participation.objects, "actor", "event"),
            claims_made_count=count(Claim.objects, "claimant", "pk"),
            claims_about_count=count(Claim.subjects.through.objects, "actor", "claim"),
        )


class Actor(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "person"
        STATE = "state", "state"
        PARTY = "party", "political party"
        GOVERNMENT = "government", "government body"
        ORGANISATION = "organisation", "organisation"
        OUTLET = "outlet", "media outlet"

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200, help_text="The canonical name, as most sources write it.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(
        max_length=300, blank=True, help_text="Role or description, as the sources state it."
    )

    objects = ActorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:actor", args=[self.slug])


class ActorAlias(models.Model):
    """Another name a source uses for the actor: a spelling, a name order, a capital city."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "actor aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="alias_name_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        clash = Actor.objects.filter(name__iexact=self.name.strip())
        if self.actor_id:
            clash = clash.exclude(pk=self.actor_id)
        if clash.exists():
            raise ValidationError({"name": f"“{self.name}” is already the name of {clash.first()}."})


# --- Articles ------------------------------------------------------------------


class ArticleQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("publisher", "wire").prefetch_related("authors")

    def by(self, actor):
        """Articles the actor wrote, published, or sent out as a wire service."""
        authored = Exists(Article.authors.through.objects.filter(article_id=OuterRef("pk"), actor_id=actor.pk))
        return self.filter(Q(publisher_id=actor.pk) | Q(wire_id=actor.pk) | authored)

    def tagged(self, slug):
        return self.filter(pk__in=Article.objects.filter(tags__slug=slug).values("pk"))

    def with_claim_counts(self):
        """Annotate how many citations the article gives and how many claims they serve."""
        return self.annotate(
            citation_count=Count("citations", distinct=True),
            claim_count=Count("citations__claim", distinct=True),
        )

    def by_actor(self, actor_slug):
        """Articles the actor wrote, published or sent out as a wire service, by slug (see by())."""
        authored = Exists(Article.authors.through.objects.filter(article_id=OuterRef("pk"), actor__slug=actor_slug))
        return self.filter(Q(publisher__slug=actor_slug) | Q(wire__slug=actor_slug) | authored)


class Article(FuzzyDateMixin, models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", "news report"
        WIRE = "wire", "wire copy"
        COMMENTARY = "commentary", "commentary"
        ANALYSIS = "analysis", "analysis"
        FAQ = "faq", "explainer / FAQ"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    title_is_editorial = models.BooleanField(
        default=False,
        verbose_name="title written by editors",
        help_text="Tick when the source has no headline and this title is ours.",
    )
    publisher = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_articles",
        help_text="The outlet that published this copy, only if the text states it.",
    )
    authors = models.ManyToManyField(Actor, blank=True, related_name="authored_articles")
    wire = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wire_articles",
        verbose_name="wire service / original publisher",
        help_text="The wire service or original publisher the piece credits. Copies of one "
        "wire story count as one source.",
    )
    published = models.DateField(null=True, blank=True, help_text="Leave empty when unknown.")
    date_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    date_approximate = models.BooleanField(default=False, verbose_name="date is approximate")
    date_note = models.CharField(max_length=500, blank=True, help_text="How the date was stated or inferred.")
    url = models.URLField(blank=True, max_length=500)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = models.TextField(help_text="Markdown. The article's own text, without site furniture.")
    captions = models.TextField(blank=True, help_text="Photo captions and credits; not part of the body.")
    source_file = models.CharField(max_length=200, blank=True, help_text="The seed file this came from.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    tags = TaggableManager(blank=True)
    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[authors])

    class Meta:
        ordering = [F("published").desc(nulls_last=True), "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Browsers submit textareas with CRLF line ends; quotes are matched
        # character for character, so store one kind of line end only.
        self.body, self.captions = normalise_newlines(self.body), normalise_newlines(self.captions)
        body_changed = self.pk is not None and self.body != getattr(self, "_loaded_body", None)
        super().save(*args, **kwargs)
        self._loaded_body = self.body
        if body_changed:
            # Every path that edits a body (admin, a history revert, an import,
            # the shell) must find the quotes again or flag them.
            self.reanchor_citations()

    def get_absolute_url(self):
        return reverse("articles:article", args=[self.slug])

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # Remember the body as loaded, so save() knows when quotes may have moved.
        article._loaded_body = article.__dict__.get("body")
        return article

    def _fuzzy_start(self):
        return self.published

    def reanchor_citations(self):
        """Find every quote again in the current body; flag, never drop, the lost ones.

        Returns the citations whose quote is no longer in the body.
        """
        lost = []
        for citation in self.citations.all():
            citation.article = self
            if citation.anchor():
                citation.save()
            if not citation.anchored:
                lost.append(citation)
        return lost


# --- Events --------------------------------------------------------------------


class EventQuerySet(models.QuerySet):
    def on_timeline(self):
        """Events in date order, with participants and their source count preloaded."""
        return (
            self.with_source_count()
            .prefetch_related(models.Prefetch("participations", queryset=Participation.objects.select_related("actor")))
            .order_by("start", "end", "title")
        )

    def with_source_count(self):
        supporting = Q(claims__citations__stance=Stance.SUPPORTS)
        return self.annotate(
            source_count=Count(independent_source_key("claims__citations__article__"), filter=supporting, distinct=True)
        )

    def involving(self, actor_slug):
        return self.filter(Exists(Participation.objects.filter(event=OuterRef("pk"), actor__slug=actor_slug)))

    def tagged(self, slug):
        return self.filter(pk__in=Event.objects.filter(tags__slug=slug).values("pk"))

    def in_years(self, first=None, last=None):
        """Events that overlap the years first..last (either bound may be open)."""
        events = self
        if last is not None:
            events = events.filter(start__year__lte=last)
        if first is not None:
            events = events.filter(Q(end__year__gte=first) | Q(end__isnull=True, start__year__gte=first))
        return events


class Event(FuzzyDateMixin, models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    start = models.DateField(help_text="The first day of the period the sources give.")
    end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    date_approximate = models.BooleanField(default=False, verbose_name="date is approximate")
    participants = models.ManyToManyField(Actor, through="Participation", related_name="events")

    tags = TaggableManager(blank=True)
    objects = EventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "end", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="event_ends_after_it_starts",
                violation_error_message="An event cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:event", args=[self.slug])

    def _fuzzy_start(self):
        return self.start

    def citations(self):
        """The event's sources: every citation of every claim that attests it (one query)."""
        return Citation.objects.filter(claim__event=self).select_related("article", "claim")


class Participation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=100, help_text="visitor, host, attendee, delegation leader, …")

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "actor", "role"], name="participation_unique"),
        ]

    def __str__(self):
        return f"{self.actor} ({self.role})"


# --- Claims --------------------------------------------------------------------


class ClaimQuerySet(models.QuerySet):
    def with_status(self):
        """Annotate `status`, `independent_sources` and the counts behind them, in SQL."""
        disputed = Exists(Citation.objects.filter(claim=OuterRef("pk"), stance=Stance.DISPUTES))
        conflicted = Exists(Claim.conflicts_with.through.objects.filter(from_claim=OuterRef("pk")))
        supporting = Q(citations__stance=Stance.SUPPORTS)
        return self.annotate(
            is_disputed=disputed,
            is_in_conflict=conflicted,
            independent_sources=Count(independent_source_key("citations__article__"), filter=supporting, distinct=True),
        ).annotate(
            status=Case(
                When(Q(is_disputed=True) | Q(is_in_conflict=True), then=Value(ClaimStatus.CONTESTED.value)),
                When(independent_sources__gte=2, then=Value(ClaimStatus.CORROBORATED.value)),
                When(independent_sources=1, then=Value(ClaimStatus.SINGLE_SOURCE.value)),
                default=Value(ClaimStatus.UNSUPPORTED.value),
                output_field=CharField(),
            )
        )

    def contested(self):
        # The same claims as status=contested, filtered on the Exists flags in WHERE,
        # so the database counts sources only for these claims, not for every claim.
        return self.with_status().filter(Q(is_disputed=True) | Q(is_in_conflict=True))

    def corroborated(self):
        return self.with_status().filter(status=ClaimStatus.CORROBORATED)

    def single_source(self):
        return self.with_status().filter(status=ClaimStatus.SINGLE_SOURCE)

    def for_listing(self):
        return self.with_status().select_related("claimant", "event")

    # Filters on related rows use subqueries, never joins: a join would run
    # under with_status()'s Count and could skew it.
    def involving(self, actor_slug):
        """Claims the actor makes or that are about the actor."""
        about = Exists(Claim.subjects.through.objects.filter(claim_id=OuterRef("pk"), actor__slug=actor_slug))
        return self.filter(Q(claimant__slug=actor_slug) | about)

    def about(self, actor):
        return self.filter(Exists(Claim.subjects.through.objects.filter(claim_id=OuterRef("pk"), actor_id=actor.pk)))

    def cited_in(self, article_slug):
        return self.filter(Exists(Citation.objects.filter(claim=OuterRef("pk"), article__slug=article_slug)))

    def tagged(self, slug):
        return self.filter(pk__in=Claim.objects.filter(tags__slug=slug).values("pk"))

    def related_to(self, claim, subject_ids=()):
        """Other claims on the same event or about the same actors (or by the same claimant)."""
        same = Q(pk__in=[])
        if claim.event_id:
            same |= Q(event_id=claim.event_id)
        actor_ids = set(subject_ids) | ({claim.claimant_id} if claim.claimant_id else set())
        if actor_ids:
            same |= Q(Exists(Claim.subjects.through.objects.filter(claim_id=OuterRef("pk"), actor_id__in=actor_ids)))
        return self.filter(same).exclude(pk=claim.pk)

    def claimed_by(self, actor_slug):
        """Claims the actor makes (a join on the claimant: one row per claim, so Count is safe)."""
        return self.filter(claimant__slug=actor_slug)

    def with_subject(self, actor_slug):
        """Claims about the actor, by slug."""
        return self.filter(
            Exists(Claim.subjects.through.objects.filter(claim_id=OuterRef("pk"), actor__slug=actor_slug))
        )

    def on_event(self, event_slug):
        return self.filter(event__slug=event_slug)

    def with_citations(self):
        """Only claims that some article cites."""
        return self.filter(Exists(Citation.objects.filter(claim=OuterRef("pk"))))


class Claim(models.Model):
    class Kind(models.TextChoices):
        FACT = "fact", "fact"
        FIGURE = "figure", "figure"
        OPINION = "opinion", "opinion"
        PREDICTION = "prediction", "prediction"

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Part of the permalink: do not change it once published."
    )
    text = models.TextField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FACT)
    claimant = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_made",
        help_text="Who asserts it, when it is attributed: the person quoted, or a commentary's author.",
    )
    subjects = models.ManyToManyField(Actor, blank=True, related_name="claims_about")
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="The event this claim attests, if any.",
    )
    conflicts_with = models.ManyToManyField(
        "self", blank=True, symmetrical=True, help_text="Claims that compete with this one."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    tags = TaggableManager(blank=True)
    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[subjects])

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else f"{self.text[:79]}…"

    def get_absolute_url(self):
        return reverse("articles:claim", args=[self.slug])

    @property
    def status_label(self):
        """A badge's words, e.g. "Corroborated by 3 independent sources".

        Needs the annotations of ClaimQuerySet.with_status().
        """
        if self.status == ClaimStatus.CORROBORATED:
            return f"Corroborated by {self.independent_sources} independent sources"
        return ClaimStatus(self.status).label


class CitationQuerySet(models.QuerySet):
    def lost(self):
        """Citations whose quote is no longer in the article body."""
        return self.filter(anchored=False)

    def with_sources(self):
        """Citations with the article, its publisher and wire, and `independent_source` annotated."""
        return self.select_related("article__publisher", "article__wire").annotate(
            independent_source=independent_source_key("article__")
        )


class Citation(models.Model):
    """A claim's evidence: a verbatim quote from an article, and what it does for the claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(help_text="Copied exactly from the article body, curly quotes and dashes included.")
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.SUPPORTS)
    # W3C Web Annotation selectors: TextPositionSelector (start, end) and
    # TextQuoteSelector (quote, prefix, suffix). Kept up to date by anchor().
    start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    prefix = models.CharField(max_length=64, blank=True, editable=False)
    suffix = models.CharField(max_length=64, blank=True, editable=False)
    anchored = models.BooleanField(
        default=True,
        editable=False,
        help_text="False when the article was edited and the quote can no longer be found in it.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = CitationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "article", "start"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "article", "quote"], name="citation_unique"),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__gte=F("start")), name="citation_span_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.article} {self.stance} “{self.quote[:60]}”"

    def save(self, *args, **kwargs):
        self.quote = normalise_newlines(self.quote)
        self.anchor()
        super().save(*args, **kwargs)

    def clean(self):
        try:
            # In an admin add form the article is not saved yet: it has no id,
            # but the inline's instance already holds it, body included.
            article = self.article
        except Article.DoesNotExist:
            return
        if not self.quote:
            return
        self.quote = normalise_newlines(self.quote).strip()
        if article.body:
            article.body = normalise_newlines(article.body)
        if self.pk and Citation.objects.filter(pk=self.pk, article_id=self.article_id, quote=self.quote).exists():
            # Unchanged evidence. If an edit to the article moved or removed the
            # quote, anchor() re-finds or flags it; refusing the save here would
            # block every later edit of the claim or article.
            return
        if not anchoring.occurrences(article.body, self.quote):
            raise ValidationError({"quote": quote_not_found_message(article, self.quote)})

    def anchor(self):
        """Find the quote in the current body; flag the citation if it is gone.

        Returns True when the stored position changed or the flag flipped.
        """
        found = anchoring.anchor(self.article.body, self.quote, prefix=self.prefix, suffix=self.suffix, near=self.start)
        before = (self.start, self.end, self.prefix, self.suffix, self.anchored)
        if found is None:
            self.anchored = False
        else:
            self.start, self.end = found.start, found.end
            self.prefix, self.suffix = found.prefix, found.suffix
            self.anchored = True
        return before != (self.start, self.end, self.prefix, self.suffix, self.anchored)

    @property
    def anchor_id(self):
        return f"cite-{self.pk}"

    def in_context(self):
        """(before, quote, after): the quote with a sentence either side, from the live body."""
        if not self.anchored or self.start is None:
            return "", self.quote, ""
        return anchoring.in_context(self.article.body, self.start, self.end)


def quote_not_found_message(article, quote):
    message = f"This quote does not occur word for word in the body of “{article.title}”."
    nearest = anchoring.nearest_match(article.body, quote)
    if nearest:
        message += f" The nearest passage is: “{nearest}”"
    else:
        message += " Nothing in the article resembles it; check that it was copied from this article."
    return message


# --- Loading -------------------------------------------------------------------


class LoadRecord(models.Model):
    """What `load_kb` last wrote (or found already in place) for one object.

    The snapshot is the object as exported right after the load. Comparing it
    with the object as it is now tells an editor's later change from the
    loader's own, so reloading the fixtures never overwrites an editor's work;
    a record whose object is gone marks one an editor deleted.
    """

    kind = models.CharField(max_length=20)  # the export's list: "articles", "actors", "events", "claims"
    slug = models.CharField(max_length=120)
    snapshot = models.JSONField()
    loaded = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="load_record_unique")]

    def __str__(self):
        return f"{self.kind}/{self.slug}"
