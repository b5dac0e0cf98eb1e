"""The knowledge base: who (Actor), what was written (Article), what happened
(Event), what is asserted (Claim), and the verbatim evidence tying a claim to
an article (Citation).

A claim's status and an event's sources are derived from citations, never
typed by hand; the QuerySets below compute them in SQL so that list pages run
a fixed number of queries.
"""

import datetime
import unicodedata

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import MD5, Coalesce, ExtractYear, Lower
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator
from taggit.managers import TaggableManager

from articles import anchoring
from articles.bidi import bidi_control_problem, typed_text_fields, validate_no_bidi_controls
from articles.dates import DatePrecision, format_fuzzy
from articles.rendering import validate_captions, validate_markdown_body
from articles.tagging import URL_SLUG

_SLUG_MARKER = "0slug0marker0"
_reversed_urls = {}


def slug_url(name, slug):
    """reverse(name, args=[slug]) for a URL whose one argument is a slug, in a fraction of the time.

    A claim page links a hundred objects, and each reverse() costs about 0.1 ms of
    matching patterns; the URL of a slug is the URL of any other slug with the slug
    swapped in, so each URL pattern is reversed once per URLconf and script prefix.
    Anything that is not a plain slug goes through reverse(), which refuses it.
    """
    if not isinstance(slug, str) or not URL_SLUG.match(slug):
        return reverse(name, args=[slug])
    return _reversed(name, _SLUG_MARKER).replace(_SLUG_MARKER, slug)


def fixed_url(name):
    """reverse(name) for a URL without arguments (the timeline's links to its windows: dozens a page)."""
    return _reversed(name)


def _reversed(name, *args):
    key = (name, *args, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    url = _reversed_urls.get(key)
    if url is None:
        url = _reversed_urls[key] = reverse(name, args=args)
    return url


class Stance(models.TextChoices):
    SUPPORTS = "supports", "supports"
    DISPUTES = "disputes", "disputes"
    QUALIFIES = "qualifies", "qualifies"


def by_stance(citations):
    """{stance: the citations taking it}, every stance present, in the order pages show them."""
    groups = {stance: [] for stance in Stance}
    for citation in citations:
        groups[citation.stance].append(citation)
    return groups


def sides_of(citations, competing_links=(), competing_citations=None, *, limit=None):
    """A claim's two sides as the sides include shows them (templates/includes/sides.html).

    `citations`: the claim's citations (lost ones are left out: they count for
    nothing); `competing_links`: its ClaimConflict links, each `to_claim` with
    its citations loaded, or else `competing_citations`: {competing claim id:
    its citations}, when the caller fetched them some other way. A competing
    claim's anchored supporting quotes go on the disputing side, because they
    say that something else happened. With `limit`, each side keeps its first
    `limit` quotes (a list of many claims shows a few of each); `*_total`
    still count them all.
    """
    groups = by_stance(c for c in citations if c.anchored)
    competing_links = list(competing_links)

    def citations_of(link):
        if competing_citations is None:
            return link.to_claim.citations.all()
        return competing_citations.get(link.to_claim_id, [])

    competing_support = [
        (link, citation)
        for link in competing_links
        for citation in citations_of(link)
        if citation.anchored and citation.stance == Stance.SUPPORTS
    ]
    supporting, disputing, qualifying = groups[Stance.SUPPORTS], groups[Stance.DISPUTES], groups[Stance.QUALIFIES]
    totals = {
        "supporting_total": len(supporting),
        "disputing_total": len(disputing) + len(competing_support),
        "qualifying_total": len(qualifying),
    }
    if limit is not None:
        # The disputing side shares its room: direct disputes first, then competing support.
        supporting, disputing, qualifying = supporting[:limit], disputing[:limit], qualifying[:limit]
        competing_support = competing_support[: limit - len(disputing)]
    shown = len(supporting) + len(disputing) + len(qualifying) + len(competing_support)
    totals["trimmed"] = shown < sum(totals.values())
    return {
        "supporting": supporting,
        "disputing": disputing,
        "qualifying": qualifying,
        "competing": competing_links,
        "competing_support": competing_support,
        **totals,
    }


class ClaimStatus(models.TextChoices):
    CONTESTED = "contested", "Contested"
    CORROBORATED = "corroborated", "Corroborated"
    SINGLE_SOURCE = "single-source", "Single source"
    NEEDS_REVIEW = "needs-review", "Needs review"
    UNSUPPORTED = "unsupported", "No supporting source"


class VoiceRole(models.TextChoices):
    """How a voice stands behind a quote (see Citation.voice)."""

    SPEAKER = "speaker", "quoted in"
    AUTHOR = "author", "author of"
    WIRE = "wire", "wire service of"
    PUBLISHER = "publisher", "publisher of"
    ARTICLE = "article", "the article itself"


class Location(models.TextChoices):
    """Which text of an article a citation quotes."""

    BODY = "body", "article body"
    CAPTIONS = "captions", "photo caption"


def names_in_words(actors):
    """ "A", "A and B", "A, B and C"."""
    names = [actor.name for actor in actors]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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


class RefusesBidiControls:
    """Mixed into every model whose text editors type or import: no text field may hold a bidi control.

    Checked with the fields' own validation (full_clean, which the admin's
    forms, the workbench and the import run), so the refusal sits on the field,
    names the character and where it is, and the form keeps what was typed.
    """

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in typed_text_fields(type(self)):
            if field.name in (exclude or ()) or field.name in errors:
                continue
            try:
                validate_no_bidi_controls(getattr(self, field.attname))
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)


# --- Actors --------------------------------------------------------------------


def editor_note_field():
    """The note for editors that actors, articles and events carry: the admin shows it, no reader page does."""
    return models.TextField(
        blank=True,
        help_text="For editors only, never shown to readers: how this was curated, doubts, sources to check.",
    )


class ActorQuerySet(models.QuerySet):
    def named(self, name):
        """Actors whose canonical name or any alias is `name`, ignoring case and Unicode normalization.

        "Tô Lâm" may be typed with composed letters or with combining accents
        (pasted from a source that stores text decomposed): the same name to
        the eye, which must find, and clash with, the same actor.
        """
        name = name.strip()
        # SQLite's iexact folds the case of ASCII letters only: the lower-, upper- and title-cased
        # spellings let "TÔ LÂM" find "Tô Lâm" there too (PostgreSQL folds every letter).
        spellings = {
            unicodedata.normalize(form, cased)
            for cased in (name, name.lower(), name.upper(), name.title())
            for form in ("NFC", "NFD")
        }
        matches = Q()
        for spelling in spellings:
            matches |= Q(name__iexact=spelling) | Q(aliases__name__iexact=spelling)
        return self.filter(matches).distinct()

    def sharing_a_name_with(self, name):
        """The actor whose name or an alias reads as `name`, case, accents and punctuation set aside; or None.

        "To Lam", "TÔ LÂM", "Tô Lâm" typed with combining accents and "Kim Jong-un"
        beside "Kim Jong Un" are one actor's names (articles.names.fold, the key
        mentions are matched by). Neither database can compare names so (SQLite
        folds only ASCII case), so every name and alias is read in one query and
        folded here: the cost of a save of an actor or alias, never of a page.
        """
        from articles.names import fold

        key = fold(name)
        if not key:
            return None
        folded = {}
        for pk, actor_name, alias in self.values_list("pk", "name", "aliases__name").order_by("pk"):
            for each in (actor_name, alias):
                if each is not None and folded.setdefault(each, fold(each)) == key:
                    return self.get(pk=pk)
        return None

    def filtered(self, filters):
        """The actors the actors list's filters choose ({name: value}, see forms.ActorFilterForm)."""
        return self.filter(kind=filters["kind"]) if "kind" in filters else self

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


def in_one_transaction(obj, save, *args, **kwargs):
    """Run `save` (an actor's or alias's) in a transaction, for the receivers it sends to write in too.

    services.store_name_keys stores the names' keys after the row is saved: a
    name the database refuses must take the row back with it, even when saved
    outside any transaction (the shell, a script).
    """
    with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(obj), instance=obj)):
        save(*args, **kwargs)


class Actor(RefusesBidiControls, models.Model):
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
        max_length=300, blank=True, help_text="Role or description, as the sources state it. Shown to readers."
    )
    editor_note = editor_note_field()
    # When the record was added and last saved: feeds and the sitemap's lastmod read them.
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # The actors list, a page at a time, whole or by kind (listing.ACTOR_ORDERING).
            models.Index(fields=["name", "id"], name="actor_by_name_idx"),
            models.Index(fields=["kind", "name", "id"], name="actor_kind_by_name_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        in_one_transaction(self, super().save, *args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:actor", self.slug)

    def clean(self):
        if invisible_only(self.name):
            raise ValidationError({"name": "This name has only invisible characters (such as zero-width spaces)."})
        # Name variants merge into one actor: a second actor named as another is
        # named, or as one of its aliases, split the sources between the two.
        # (A name with a bidi control is refused by clean_fields; quoted here, it would reorder this message.)
        if not self.name or bidi_control_problem(self.name):
            return
        others = Actor.objects.exclude(pk=self.pk) if self.pk else Actor.objects.all()
        clash = others.sharing_a_name_with(self.name)
        if clash is not None:
            raise ValidationError(
                {
                    "name": f"“{self.name}” is already {clash.whose_name(self.name)} (names ignore case, "
                    f"accents and punctuation): add what differs as an alias of {clash} rather than "
                    "a second actor."
                }
            )

    def whose_name(self, name):
        """What `name`, one this actor answers to, is: "the name of Tô Lâm" or "an alias of Tô Lâm"."""
        from articles.names import fold

        return f"the name of {self}" if fold(name) == fold(self.name) else f"an alias of {self}"


class ActorAlias(RefusesBidiControls, models.Model):
    """Another name a source uses for the actor: a spelling, a name order, a capital city."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "actor aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="alias_name_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        in_one_transaction(self, super().save, *args, **kwargs)

    def clean(self):
        if bidi_control_problem(self.name):
            return  # refused by clean_fields; quoted in a message, it would reorder it
        others = Actor.objects.exclude(pk=self.actor_id) if self.actor_id else Actor.objects.all()
        clash = others.sharing_a_name_with(self.name)
        if clash is not None:
            raise ValidationError({"name": f"“{self.name}” is already {clash.whose_name(self.name)}."})


class ActorNameKey(models.Model):
    """A folded name (articles.names.fold) that one actor answers to, by its name or one of its aliases.

    Each key is stored once, for one actor: the database itself refuses a second
    actor answering to "To Lam" when another answers to "Tô Lâm", which the check
    in Actor.clean (a read before the write) cannot when two saves run at once.
    Written only by services.store_name_keys, on every save of an actor or alias.
    """

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="name_keys")
    key = models.TextField()

    class Meta:
        constraints = [
            # By digest: a folded name can outgrow a btree index entry (anyascii spells one character as many).
            models.UniqueConstraint(MD5("key"), name="actor_name_key_unique"),
        ]

    def __str__(self):
        return self.key


# --- Articles ------------------------------------------------------------------


def by_ref(relation, ref):
    """Lookup kwargs for a related row named by slug (str) or by id (int): {"actor__slug": …} or {"actor_id": …}.

    Lists whose filter form has already found the row pass its id: the
    database then plans with the real value, not a subquery's guess.
    """
    return {f"{relation}_id": ref} if isinstance(ref, int) else {f"{relation}__slug": ref}


class TaggedQuerySet(models.QuerySet):
    """The one tag filter, for every model that has `tags`."""

    def tagged(self, tag):
        """Rows carrying the tag, by slug or id: EXISTS, so each row stays one row whatever else is annotated."""
        return self.filter(Exists(self.tag_links(tag).filter(object_id=OuterRef("pk"))))

    def tag_links(self, tag):
        """The tag's links to rows of this model (one per row: counting them counts the rows tagged)."""
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import TaggedItem

        content_type = ContentType.objects.get_for_model(self.model)  # cached after the first request
        return TaggedItem.objects.filter(content_type=content_type, **by_ref("tag", tag))


# Newest first; undated articles last on every database (PostgreSQL sorts NULLs first when descending).
NEWEST_FIRST = (F("published").desc(nulls_last=True), "title")


class ArticleQuerySet(TaggedQuerySet):
    def with_people(self):
        """Articles with everything own_voice() reads: publisher, wire and authors."""
        return self.select_related("publisher", "wire").prefetch_related("authors")

    def newest_first(self):
        return self.order_by(*NEWEST_FIRST)

    def without_texts(self):
        """Articles without their body and captions, which no list shows (a long body costs more to read than the
        rest of its row)."""
        return self.defer("body", "captions")

    def with_claim_counts(self):
        """Annotate how many citations the article gives and how many claims they serve."""
        return self.annotate(
            citation_count=Count("citations", distinct=True),
            claim_count=Count("citations__claim", distinct=True),
        )

    def by_actor(self, actor):
        """Articles the actor (a slug or an id) wrote, published or sent out as a wire service.

        One id list from three indexes (a UNION): filtering "publisher = x OR
        wire = x OR an author is x" row by row reads every article when the
        actor has few.
        """
        published = Article.objects.filter(**by_ref("publisher", actor)).order_by().values("pk")
        sent = Article.objects.filter(**by_ref("wire", actor)).order_by().values("pk")
        written = Article.authors.through.objects.filter(**by_ref("actor", actor)).order_by().values("article_id")
        return self.filter(pk__in=published.union(sent, written))

    def filtered(self, filters):
        """The articles the articles list's filters choose ({name: value}, see forms.ArticleFilterForm.resolved)."""
        articles = self
        if "actor" in filters:
            articles = articles.by_actor(filters["actor"])
        if "tag" in filters:
            articles = articles.tagged(filters["tag"])
        return articles


class Article(RefusesBidiControls, FuzzyDateMixin, models.Model):
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
    date_precision = models.CharField(
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        blank=True,
        help_text="How precisely the source gives the date. Cleared when the date is unknown.",
    )
    date_approximate = models.BooleanField(default=False, verbose_name="date is approximate")
    date_note = models.CharField(max_length=500, blank=True, help_text="How the date was stated or inferred.")
    url = models.URLField(blank=True, max_length=500, verbose_name="URL")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = models.TextField(
        help_text="Markdown. The article's own text, without site furniture.", validators=[validate_markdown_body]
    )
    captions = models.TextField(
        blank=True, help_text="Photo captions and credits; not part of the body.", validators=[validate_captions]
    )
    source_file = models.CharField(max_length=200, blank=True, help_text="The source file this came from.")
    editor_note = editor_note_field()
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    tags = TaggableManager(blank=True)
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = list(NEWEST_FIRST)
        indexes = [
            # The articles list's sort orders (listing.ARTICLE_ORDERINGS), each read a page at a time.
            # Newest first (published DESC NULLS LAST, title, id) is indexed by migration 0011
            # on PostgreSQL only: SQLite cannot index NULLS LAST, and its tables are small.
            models.Index(fields=["published", "title", "id"], name="article_oldest_idx"),
            models.Index(fields=["title", "id"], name="article_by_title_idx"),
        ]
        constraints = [
            # A precision says how much of a known date the source gives; an
            # unknown date has none, and a known one always has one.
            models.CheckConstraint(
                condition=Q(published__isnull=True, date_precision="")
                | (Q(published__isnull=False) & ~Q(date_precision="")),
                name="article_date_precision_only_with_date",
                violation_error_message="Give a date precision exactly when the date is known.",
            ),
        ]

    def __str__(self):
        return self.title

    # What save() compares against to know whether quotes or voices may have changed.
    _TRACKED = ("body", "captions", "wire_id", "publisher_id")

    def save(self, *args, **kwargs):
        # Browsers submit textareas with CRLF line ends; quotes are matched
        # character for character, so store one kind of line end only.
        self.body, self.captions = normalise_newlines(self.body), normalise_newlines(self.captions)
        if self.published is None:
            # An unknown date has no precision (the database insists, see Meta).
            self.date_precision = ""
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            # Not loaded from the database (a history revert builds the instance
            # itself): an existing article may have changed in any way.
            changed = set(self._TRACKED) if self.pk is not None else set()
        else:
            changed = {name for name in self._TRACKED if getattr(self, name) != loaded[name]}
        super().save(*args, **kwargs)
        self._remember_loaded()
        if changed & {"body", "captions"}:
            # Every path that edits a text (admin, a history revert, an import,
            # the shell) must find the quotes again or flag them.
            self.reanchor_citations()
        if changed & {"wire_id", "publisher_id"}:
            from articles.services import claims_refresh_status

            # Whose voice the article's own-voice quotes carry may have changed.
            claims_refresh_status(Claim.objects.filter(citations__article=self))

    def get_absolute_url(self):
        return slug_url("articles:article", self.slug)

    def newest_first_key(self):
        """NEWEST_FIRST for articles already in memory (sorted(..., key=Article.newest_first_key))."""
        return (self.published is None, -(self.published.toordinal() if self.published else 0), self.title)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # Remember the texts and credits as loaded, so save() knows what changed.
        article._remember_loaded()
        return article

    def _remember_loaded(self):
        self._loaded = {name: self.__dict__.get(name) for name in self._TRACKED}

    def _fuzzy_start(self):
        return self.published

    def clean(self):
        if self.published is None:
            # A precision for an unknown date means nothing: drop it rather than refuse the form.
            self.date_precision = ""
        elif not self.date_precision:
            raise ValidationError({"date_precision": "Say how precisely the source gives this date."})

    def text_of(self, location):
        """The text a citation at `location` (body or captions) quotes."""
        return self.captions if location == Location.CAPTIONS else self.body

    def own_voice(self):
        """Who stands behind the article's own words, as (role, actors).

        Its author(s) ("author"; a co-authored piece is one voice), else its
        wire service ("wire"), else its publisher ("publisher"), else the
        article speaks for itself ("article", no actors). Reads `authors`
        through any prefetch the caller made.
        """
        authors = sorted(self.authors.all(), key=lambda actor: actor.slug)
        if authors:
            return VoiceRole.AUTHOR, authors
        if self.wire_id:
            return VoiceRole.WIRE, [self.wire]
        if self.publisher_id:
            return VoiceRole.PUBLISHER, [self.publisher]
        return VoiceRole.ARTICLE, []

    @property
    def credit_line(self):
        """Everyone the article credits, for a byline: "Carl Thayer, Tuoi Tre", "The Straits Times, via Bloomberg".

        Who of them the article's words count as is own_voice(); this only names them.
        """
        parts = []
        authors = sorted(self.authors.all(), key=lambda actor: actor.slug)
        if authors:
            parts.append(names_in_words(authors))
        if self.publisher_id:
            parts.append(self.publisher.name)
        if self.wire_id and self.wire_id != self.publisher_id:
            # A wire service or an original publisher: "via" fits both.
            parts.append(f"via {self.wire.name}")
        return ", ".join(parts) or "author and publisher not stated"

    @cached_property  # a grid names an article in its heading and in every cell that cites it
    def short_label(self):
        """A few words telling this article from others in a column heading: its outlet (publisher, else
        wire service, else first author, else the start of its title) and its date, e.g. "Tuoi Tre, October 2025"."""
        outlet = self.publisher or self.wire
        if outlet is not None:
            name = outlet.name
        else:
            authors = sorted(self.authors.all(), key=lambda actor: actor.slug)
            # Nobody named: the title's first words say more than the kind of article.
            name = authors[0].name if authors else Truncator(self.title).words(4, truncate="…")
        return f"{name}, {self.date_display}" if self.published else name

    def reanchor_citations(self):
        """Find every quote again in the current texts; flag, never drop, the lost ones.

        Returns the citations whose quote is no longer in its text.
        """
        from articles.services import refreshing_status_once

        lost = []
        with refreshing_status_once():
            for citation in self.citations.all():
                citation.article = self
                if citation.anchor():
                    citation.save()
                if not citation.anchored:
                    lost.append(citation)
        return lost


# --- Events --------------------------------------------------------------------


# Where a date of each precision sorts among the others that start on the same
# day: "the 1950s" before "1950" before "January 1950" before "1 January 1950",
# so that each heading's events stay together (see articles.timeline).
PRECISION_RANK = {DatePrecision.DECADE: 0, DatePrecision.YEAR: 1, DatePrecision.MONTH: 2, DatePrecision.DAY: 3}


class EventQuerySet(TaggedQuerySet):
    def with_participants(self):
        """Events with their participations, each with its actor: one query for all of them."""
        return self.prefetch_related(
            models.Prefetch("participations", queryset=Participation.objects.select_related("actor"))
        )

    def on_timeline(self):
        """Events in date order, with participants preloaded (`source_count` and `contested` are stored)."""
        return self.with_participants().order_by("start", "end", "title")

    def in_timeline_order(self):
        """Ordered as the timeline lists them: (start, precision rank, pk), the key its pages continue after."""
        ranks = [models.When(date_precision=precision, then=rank) for precision, rank in PRECISION_RANK.items()]
        return self.annotate(precision_rank=models.Case(*ranks, default=3)).order_by("start", "precision_rank", "pk")

    def after(self, start, rank, pk):
        """Events after the key (start, precision rank, pk) in timeline order (needs in_timeline_order())."""
        return self.filter(
            Q(start__gt=start)
            | Q(start=start, precision_rank__gt=rank)
            | Q(start=start, precision_rank=rank, pk__gt=pk)
        )

    def starting_in(self, first, stop):
        """Events whose start lies in [first, stop): each event belongs to the one window where it starts."""
        return self.filter(start__gte=first, start__lt=stop)

    def key_events(self):
        """The events most independent sources stand behind, busiest first (an index scan on stored counts)."""
        return self.order_by("-source_count", "start", "pk")

    def year_counts(self):
        """[(year, events, contested events)] by the year each starts, from one GROUP BY (no rows read out).

        Counts only columns of event_start_idx (start, contested), so that
        PostgreSQL answers from the index alone, without reading the table.
        """
        rows = (
            self.order_by()
            .annotate(year=ExtractYear("start"))
            .values("year")
            .annotate(n=Count("start"), disputed=Count("contested", filter=Q(contested=True)))
            .order_by("year")
        )
        return [(row["year"], row["n"], row["disputed"]) for row in rows]

    def with_fresh_counts(self):
        """Annotate `fresh_source_count`, `fresh_contested` and `fresh_claim_count`, from claims and citations.

        What the stored `source_count`, `contested` and `claim_count` must
        equal: kept so by services.events_refresh_counts, verified by check_kb.
        """
        counted = (
            Citation.objects.counted()
            .filter(claim__event=OuterRef("pk"))
            .order_by()
            .values("claim__event")
            .annotate(n=Count("origin", distinct=True))
            .values("n")
        )
        disputed = Claim.objects.filter(event=OuterRef("pk"), status=ClaimStatus.CONTESTED)
        claims = Claim.objects.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("pk"))
        return self.annotate(
            fresh_source_count=Coalesce(Subquery(counted), 0),
            fresh_contested=Exists(disputed),
            fresh_claim_count=Coalesce(Subquery(claims.values("n")), 0),
        )

    def involving(self, actor):
        """Events the actor (a slug, or an id: by_ref) takes part in."""
        return self.filter(Exists(Participation.objects.filter(event=OuterRef("pk"), **by_ref("actor", actor))))

    def in_years(self, first=None, last=None):
        """Events that overlap the years first..last (either bound may be open)."""
        events = self
        if last is not None:
            events = events.filter(start__year__lte=last)
        if first is not None:
            events = events.filter(Q(end__year__gte=first) | Q(end__isnull=True, start__year__gte=first))
        return events

    def filtered(self, filters):
        """The events the timeline's filters choose ({name: value}, see forms.TimelineFilterForm.resolved);
        the stretch of time shown (decade, year, month) is the timeline's window, not a filter."""
        events = self
        if "actor" in filters:
            events = events.involving(filters["actor"])
        if "tag" in filters:
            events = events.tagged(filters["tag"])
        return events.in_years(filters.get("from"), filters.get("to"))


# Shown to readers: a claim's text several times on its own page (heading, meta
# description, Cite this, BibTeX, CSL-JSON) and on every list of claims, an
# event's description on its page and in its JSON. With no limit, 100,000
# characters typed into the admin made a 500 KB claim page and 1 MB a 2 MB
# event page. A claim is a sentence or two; an event's description a paragraph.
CLAIM_TEXT_MAX_LENGTH = 2_000
EVENT_DESCRIPTION_MAX_LENGTH = 5_000


def invisible_only(value):
    """Whether `value` has characters but none a reader can see: spaces, zero-width and other format characters."""
    return bool(value) and all(char.isspace() or unicodedata.category(char) in ("Cf", "Cc") for char in value)


def validate_claim_text(value):
    if invisible_only(value):
        # Django's "required" sees only white space as empty: a claim of zero-width spaces was
        # saved, and its page showed readers nothing.
        raise ValidationError(
            "This claim has only invisible characters (such as zero-width spaces): say what is claimed in words.",
            code="claim_invisible",
        )
    if len(value or "") > CLAIM_TEXT_MAX_LENGTH:
        raise ValidationError(
            f"A claim has at most {CLAIM_TEXT_MAX_LENGTH:,} characters (this one has {len(value):,}): "
            "say what is claimed in a sentence or two; the quotes hold the detail.",
            code="claim_too_long",
        )


def validate_event_description(value):
    if len(value or "") > EVENT_DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            f"This description is {len(value):,} characters long; the limit is {EVENT_DESCRIPTION_MAX_LENGTH:,}.",
            code="description_too_long",
        )


class Event(RefusesBidiControls, FuzzyDateMixin, models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(
        blank=True,
        help_text="Shown to readers, in meta descriptions and share previews.",
        validators=[validate_event_description],
    )
    editor_note = editor_note_field()
    start = models.DateField(help_text="The first day of the period the sources give.")
    end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    date_approximate = models.BooleanField(default=False, verbose_name="date is approximate")
    participants = models.ManyToManyField(Actor, through="Participation", related_name="events")
    # Derived from its claims and their citations by services.events_refresh_counts
    # on every write that can change them; never typed (see with_fresh_counts).
    source_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="How many distinct origins stand behind the anchored quotes supporting its claims.",
    )
    contested = models.BooleanField(default=False, editable=False, help_text="Whether one of its claims is contested.")
    claim_count = models.PositiveIntegerField(default=0, editable=False, help_text="How many claims attest it.")
    # When the record was added and last saved: feeds and the sitemap's lastmod read them.
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    tags = TaggableManager(blank=True)
    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["start", "end", "title"]
        indexes = [
            # The timeline's windows, and its counts per year from the index alone.
            models.Index(fields=["start", "contested"], name="event_start_idx"),
            # The home page's key events.
            models.Index(fields=["-source_count", "start"], name="event_key_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="event_ends_after_it_starts",
                violation_error_message="An event cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Its claims keep a copy of the date to sort by (Claim.event_start).
        Claim.objects.filter(event=self).exclude(event_start=self.start).update(event_start=self.start)

    def get_absolute_url(self):
        return slug_url("articles:event", self.slug)

    def _fuzzy_start(self):
        return self.start

    def citations(self):
        """The event's sources: every citation of every claim that attests it (one query)."""
        return Citation.objects.filter(claim__event=self).select_related("article", "claim")

    @property
    def timeline_key(self):
        """Where the event sorts on the timeline: EventQuerySet.in_timeline_order's key."""
        return (self.start, PRECISION_RANK[self.date_precision], self.pk)

    def get_timeline_url(self):
        """The event on the timeline: its year's window, from the event on, whatever the year holds."""
        from articles.timeline import timeline_url_of

        return timeline_url_of(self)


class Participation(RefusesBidiControls, models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=100, help_text="visitor, host, attendee, delegation leader, …")

    class Meta:
        ordering = ["event", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "actor", "role"], name="participation_unique"),
        ]

    def __str__(self):
        return f"{self.actor} ({self.role})"


# --- Claims --------------------------------------------------------------------


# How many candidates each source of related claims (same event, same actors, same tags) offers at most.
RELATED_CANDIDATES = 100
# What a related claim shows (the related_claim tag): its words, its address and its status badge.
RELATED_CLAIM_FIELDS = ("id", "slug", "text", "status", "origin_count")


def _about(actor):
    """The condition "this claim is about the actor" (a slug or an id): EXISTS, so a claim stays one row."""
    return Exists(Claim.subjects.through.objects.filter(claim_id=OuterRef("pk"), **by_ref("actor", actor)))


class ClaimQuerySet(TaggedQuerySet):
    # A claim's status is stored (see services.claims_refresh_status), so a
    # status filter is a plain lookup on an indexed column.
    def with_status(self, status):
        return self.filter(status=status)

    def contested(self):
        return self.with_status(ClaimStatus.CONTESTED)

    def corroborated(self):
        return self.with_status(ClaimStatus.CORROBORATED)

    def single_source(self):
        return self.with_status(ClaimStatus.SINGLE_SOURCE)

    def needing_review(self):
        return self.with_status(ClaimStatus.NEEDS_REVIEW)

    def for_listing(self):
        """Claims with what a list row and the meta line show (the claim_meta tag): claimant and event."""
        return self.select_related("claimant", "event")

    def contested_entries(self):
        """The contested claims, each disagreement once, for a list in reading order
        (event date, undated last; then most independent origins; then id: listing.CLAIM_ORDERINGS[0]).

        Two competing claims are one disagreement, listed under the one that
        comes first in that order, where the other's supporting quotes stand on
        the disputing side (models.sides_of). So a claim is left out when every
        claim it competes with is contested and comes before it: the page
        already shows it there, named and linked.
        """
        undated = datetime.date.max
        own_date = Coalesce(OuterRef("event_start"), Value(undated))
        earlier = Q(to_claim__status=ClaimStatus.CONTESTED) & (
            Q(rival_date__lt=own_date)
            | Q(rival_date=own_date, to_claim__origin_count__gt=OuterRef("origin_count"))
            | Q(rival_date=own_date, to_claim__origin_count=OuterRef("origin_count"), to_claim_id__lt=OuterRef("pk"))
        )
        links = ClaimConflict.objects.filter(from_claim=OuterRef("pk"))
        later_or_uncontested = links.alias(rival_date=Coalesce("to_claim__event_start", Value(undated))).exclude(
            earlier
        )
        return self.contested().exclude(Exists(links) & ~Exists(later_or_uncontested))

    # Filters on related rows use subqueries, never joins, so that each claim
    # stays one row whatever else is annotated.
    # An actor, event or article is named by slug or by id (see by_ref).
    def involving(self, actor):
        """Claims the actor makes or that are about the actor."""
        return self.filter(Q(**by_ref("claimant", actor)) | _about(actor))

    def cited_in(self, article):
        return self.filter(Exists(Citation.objects.filter(claim=OuterRef("pk"), **by_ref("article", article))))

    def related_to(self, claim, subject_ids=(), tag_ids=(), *, exclude=(), limit=12, per_source=RELATED_CANDIDATES):
        """Up to `limit` other claims close to `claim`, closest first, as a list (one query).

        Closest: on the same event, then sharing the most actors (subjects or
        claimant), then the most tags; then by event date and slug. Ranked
        within a bounded set of candidates, each drawn through an index: the
        first `per_source` rows, in the index's order, from each of the claims
        on the same event, the subject links and the claimant column naming its
        actors, and the tag links naming its tags; then what each candidate
        shares is counted exactly. A popular actor's tens of thousands of claims are never all
        read. `subject_ids` and `tag_ids` are the claim's, as the caller has them
        preloaded; `exclude`: ids of claims to leave out (its competitors).
        Each claim returned carries `shared`: {"event": bool, "actors": n,
        "tags": n}, what it has in common with `claim`, and only the fields a
        related claim shows (RELATED_CLAIM_FIELDS: the related_claim tag);
        reading any other loads it.

        The ranking is one hand-written statement: the same query built with
        the ORM (subquery counts, CASE, a UNION of sliced subqueries SQLite
        cannot compile) cost 3 ms of Python to compile on every claim page.
        """
        from taggit.models import TaggedItem

        actor_ids = sorted(set(subject_ids) | ({claim.claimant_id} if claim.claimant_id else set()))
        tag_ids = sorted(set(tag_ids))
        db = connections[self.db]
        qn = db.ops.quote_name
        claims, subjects = qn(Claim._meta.db_table), qn(Claim.subjects.through._meta.db_table)
        tagged_items = qn(TaggedItem._meta.db_table)
        claim_type = ContentType.objects.get_for_model(Claim).pk  # cached after the first request

        def ids(values):
            return ", ".join(["%s"] * len(values))

        # Where candidates come from: each source an index lookup, at most `per_source` rows.
        sources, source_params = [], []
        # Each in the order of its index, so that the same claims are drawn every time: without an order, a
        # popular event's first rows were whichever a scan met first, and two renderings of one claim page
        # (two servers, or before and after a restart) listed different related claims.
        if claim.event_id:
            sources.append(f"SELECT id FROM {claims} WHERE event_id = %s ORDER BY slug")
            source_params.append([claim.event_id])
        if actor_ids:
            sources.append(
                f"SELECT claim_id AS id FROM {subjects} WHERE actor_id IN ({ids(actor_ids)})"
                " ORDER BY actor_id, claim_id"
            )
            sources.append(
                f"SELECT id FROM {claims} WHERE claimant_id IN ({ids(actor_ids)}) ORDER BY claimant_id, slug"
            )
            source_params += [actor_ids, actor_ids]
        if tag_ids:
            sources.append(
                f"SELECT object_id AS id FROM {tagged_items} WHERE content_type_id = %s AND tag_id IN ({ids(tag_ids)})"
                " ORDER BY tag_id, object_id"
            )
            source_params.append([claim_type, *tag_ids])
        if not sources:
            return []
        candidates = " UNION ".join(
            f"SELECT id FROM ({sql} LIMIT %s) AS {qn(f'source_{n}')}" for n, sql in enumerate(sources)
        )
        # What each candidate shares with the claim, counted exactly: a few hundred index probes at most.
        same_event, actors, tags, params = "0", "0", "0", []
        if claim.event_id:
            same_event = "CASE WHEN claim.event_id = %s THEN 1 ELSE 0 END"
            params.append(claim.event_id)
        if actor_ids:
            actors = (
                f"(SELECT COUNT(*) FROM {subjects} AS link WHERE link.claim_id = claim.id"
                f" AND link.actor_id IN ({ids(actor_ids)}))"
                f" + CASE WHEN claim.claimant_id IN ({ids(actor_ids)}) THEN 1 ELSE 0 END"
            )
            params += [*actor_ids, *actor_ids]
        if tag_ids:
            tags = (
                f"(SELECT COUNT(*) FROM {tagged_items} AS item WHERE item.object_id = claim.id"
                f" AND item.content_type_id = %s AND item.tag_id IN ({ids(tag_ids)}))"
            )
            params += [claim_type, *tag_ids]
        for values in source_params:
            params += [*values, per_source]
        left_out = [claim.pk, *exclude]
        params += left_out
        # What a related claim shows, in the model's field order (as Model.from_db reads them).
        shown = [field.column for field in Claim._meta.concrete_fields if field.name in RELATED_CLAIM_FIELDS]
        columns = ", ".join(qn(column) for column in shown)
        sql = (
            f"SELECT {columns}, same_event, actors, tags FROM ("
            f"SELECT {', '.join(f'claim.{qn(column)}' for column in shown)}, claim.event_start,"
            f" {same_event} AS same_event, {actors} AS actors,"
            f" {tags} AS tags FROM {claims} AS claim WHERE claim.id IN ({candidates})"
            f" AND claim.id NOT IN ({ids(left_out)})"
            ") AS ranked ORDER BY same_event DESC, actors DESC, tags DESC,"
            " event_start IS NULL, event_start, slug LIMIT %s"
        )
        with db.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            ranked = cursor.fetchall()
        related = []
        for row in ranked:
            related_claim = Claim.from_db(self.db, shown, row[: len(shown)])
            same_event, actors, tags = row[len(shown) :]
            # Why it is related, for the reader.
            related_claim.shared = {"event": bool(same_event), "actors": int(actors), "tags": int(tags)}
            related.append(related_claim)
        return related

    def claimed_by(self, actor):
        """Claims the actor makes (a join on the claimant: one row per claim, so Count is safe)."""
        return self.filter(**by_ref("claimant", actor))

    def about(self, actor):
        """Claims about the actor."""
        return self.filter(_about(actor))

    def on_event(self, event):
        return self.filter(**by_ref("event", event))

    def with_citations(self):
        """Only claims that some article cites."""
        return self.filter(Exists(Citation.objects.filter(claim=OuterRef("pk"))))

    def with_stale_event_date(self):
        """Claims whose event_start is not their event's start (check_kb; refresh_status repairs them)."""
        dated = self.filter(event__isnull=False).exclude(event_start=F("event__start"))
        return dated | self.filter(event__isnull=True, event_start__isnull=False)

    def filtered(self, filters):
        """The claims the claims list's filters choose ({name: value}, see forms.ClaimFilterForm.resolved)."""
        claims = self
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
        return claims


def reserved_claim_slugs():
    """Slugs whose /claims/<slug>/ address belongs to a page of its own (claims/contested/, claims/grid/).

    A claim given one was saved, and its permalink showed that list instead: it
    could not be reached. Read from the pages' registry, so a page added there
    reserves its address too.
    """
    from articles.pages import DATA_PAGES, READER_PAGES  # pages imports the views, which import this module

    routes = [page.route for page in (*READER_PAGES, *DATA_PAGES)]
    fixed = [route for route in routes if route.startswith("claims/") and route.count("/") == 2 and "<" not in route]
    return frozenset(route.split("/")[1] for route in fixed)


class Claim(RefusesBidiControls, models.Model):
    class Kind(models.TextChoices):
        FACT = "fact", "fact"
        FIGURE = "figure", "figure"
        OPINION = "opinion", "opinion"
        PREDICTION = "prediction", "prediction"

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Part of the permalink: do not change it once published."
    )
    text = models.TextField(validators=[validate_claim_text])
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
        "self",
        through="ClaimConflict",
        blank=True,
        symmetrical=True,
        help_text="Claims that compete with this one.",
    )
    # Derived from the citations by services.claims_refresh_status on every
    # write that can change them; never typed.
    status = models.CharField(
        max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.UNSUPPORTED, editable=False
    )
    origin_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="How many distinct origins stand behind the anchored supporting quotes."
    )
    origin_labels = models.JSONField(
        default=list, blank=True, editable=False, help_text="The origins counted, as labels (actor slugs or article:…)."
    )
    # Copied from the event (save() here and in Event), so that the claims list
    # can page through claims in event order on one index, without a join.
    event_start = models.DateField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    tags = TaggableManager(blank=True)
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        indexes = [
            models.Index(fields=["status"], name="claim_status_idx"),
            # An event page's first claims: without it, PostgreSQL walks the slug index past every other claim.
            models.Index(fields=["event", "slug"], name="claim_event_slug_idx"),
            # Related claims draw a claimant's first claims by slug (ClaimQuerySet.related_to).
            models.Index(fields=["claimant", "slug"], name="claim_claimant_slug_idx"),
            # The feed of new and changed claims reads the latest few.
            models.Index(fields=["updated"], name="claim_updated_idx"),
            # The claims list's sort orders (listing.CLAIM_ORDERINGS), each read a page at a time.
            models.Index(fields=["event_start", "-origin_count", "id"], name="claim_by_event_date_idx"),
            models.Index(fields=["-origin_count", "event_start", "id"], name="claim_by_sources_idx"),
            models.Index(fields=["-created", "-id"], name="claim_newest_idx"),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else f"{self.text[:79]}…"

    def save(self, *args, **kwargs):
        self.event_start = self.event.start if self.event_id else None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:claim", self.slug)

    def clean(self):
        super().clean()
        if self.slug in reserved_claim_slugs():
            address = f"/claims/{self.slug}/"
            raise ValidationError({"slug": f"{address} is the address of a list of claims, so no claim may have it."})

    @property
    def status_label(self):
        """A badge's words, e.g. "Corroborated by 3 independent sources"."""
        if self.status == ClaimStatus.CORROBORATED:
            return f"Corroborated by {self.origin_count} independent sources"
        return ClaimStatus(self.status).label


class ClaimConflict(RefusesBidiControls, models.Model):
    """A link between two competing claims, with a note telling readers what differs.

    Symmetrical: Claim.conflicts_with.add() writes both directions; a row saved
    on its own (the admin inline, a history revert) mirrors itself in save().
    """

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="conflict_links")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="For readers: what differs between the two claims, e.g. “2007 vs around 2005–2006”.",
    )

    class Meta:
        ordering = ["from_claim", "to_claim"]
        verbose_name = "competing claim"
        constraints = [
            models.UniqueConstraint(fields=["from_claim", "to_claim"], name="claim_conflict_unique"),
            models.CheckConstraint(condition=~Q(from_claim=F("to_claim")), name="claim_conflict_not_self"),
        ]

    def __str__(self):
        return f"{self.from_claim.slug} ↔ {self.to_claim.slug}"

    def save(self, *args, **kwargs):
        before = ClaimConflict.objects.filter(pk=self.pk).values("from_claim_id", "to_claim_id").first()
        if before and (before["from_claim_id"], before["to_claim_id"]) != (self.from_claim_id, self.to_claim_id):
            # The link now joins another pair: the old pair's reverse link goes too.
            ClaimConflict.objects.filter(
                from_claim_id=before["to_claim_id"], to_claim_id=before["from_claim_id"]
            ).delete()
        super().save(*args, **kwargs)
        mirror = ClaimConflict.objects.filter(from_claim_id=self.to_claim_id, to_claim_id=self.from_claim_id)
        if not mirror.filter(note=self.note).exists():
            if mirror.exists():
                mirror.update(note=self.note)
            else:
                ClaimConflict.objects.create(
                    from_claim_id=self.to_claim_id, to_claim_id=self.from_claim_id, note=self.note
                )

    def delete(self, *args, **kwargs):
        ClaimConflict.objects.filter(from_claim_id=self.to_claim_id, to_claim_id=self.from_claim_id).delete()
        return super().delete(*args, **kwargs)

    def clean(self):
        if self.from_claim_id and self.from_claim_id == self.to_claim_id:
            raise ValidationError({"to_claim": "A claim cannot compete with itself."})


class CitationQuerySet(models.QuerySet):
    def lost(self):
        """Citations whose quote is no longer in the article body."""
        return self.filter(anchored=False)

    def counted(self):
        """Citations that count towards a claim's status: anchored supporting quotes."""
        return self.filter(stance=Stance.SUPPORTS, anchored=True)

    def with_voices(self):
        """Citations with everything origin() reads: speaker, article, its wire, publisher and authors."""
        return self.select_related("speaker", "article__publisher", "article__wire").prefetch_related(
            "article__authors"
        )


class Citation(models.Model):
    """A claim's evidence: a verbatim quote from an article, and what it does for the claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(help_text="Copied exactly from the article, curly quotes and dashes included.")
    location = models.CharField(
        max_length=10,
        choices=Location.choices,
        default=Location.BODY,
        verbose_name="quoted from",
        help_text="The article's body, or its photo captions.",
    )
    speaker = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quoted_citations",
        help_text="Whose words the quote carries. Leave empty for the article's own voice: its author(s), "
        "else its wire service, else its publisher. Set it when the quote is someone's direct or reported "
        "speech (“Khang said…”, “according to the embassy…”).",
    )
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
    # Derived (see origin()); stored so that SQL can count distinct origins.
    origin = models.CharField(max_length=300, blank=True, editable=False)
    # The sentence either side of the quote (anchoring.in_context), set by anchor() with the position,
    # so that pages quoting in context need not load and split the article's text. Null: not worked
    # out yet (a row inserted in bulk); in_context() then reads the live text.
    context_before = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001 (null: not known yet)
    context_after = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["claim", "article", "start"]
        indexes = [
            models.Index(fields=["stance"], name="citation_stance_idx"),
            # "Is this claim disputed?" asks only for the few disputing rows.
            models.Index(fields=["claim"], condition=Q(stance="disputes"), name="citation_disputes_idx"),
        ]
        constraints = [
            # The quote by its digest: PostgreSQL's btree indexes refuse an entry over 2,704
            # bytes, so a long passage (a paragraph of Vietnamese) failed to save with a 503.
            models.UniqueConstraint(
                "claim",
                "article",
                MD5("quote"),
                name="citation_unique",
                violation_error_message="A citation of this passage from this article already exists for this claim.",
            ),
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

    @property
    def text(self):
        """The text of the article this citation quotes: its body or its captions."""
        return self.article.text_of(self.location)

    def voice(self):
        """Who stands behind the quote, as (role, actors): its speaker, else the article's own voice."""
        return (VoiceRole.SPEAKER, [self.speaker]) if self.speaker_id else self.article.own_voice()

    def origin_label(self):
        """The one label for who stands behind the quote; equal labels count as one voice.

        A co-authored piece is one voice ("a+b"); an article with no author,
        wire or publisher stands for itself ("article:<slug>").
        """
        role, voices = self.voice()
        if voices:
            return "+".join(actor.slug for actor in voices)
        return f"article:{self.article.slug}"

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
        article.body, article.captions = normalise_newlines(article.body), normalise_newlines(article.captions)
        unchanged = Citation.objects.filter(
            pk=self.pk, article_id=self.article_id, quote=self.quote, location=self.location
        )
        if self.pk and unchanged.exists():
            # Unchanged evidence. If an edit to the article moved or removed the
            # quote, anchor() re-finds or flags it; refusing the save here would
            # block every later edit of the claim or article.
            return
        if not anchoring.occurrences(self.text or "", self.quote):
            raise ValidationError({"quote": quote_not_found_message(article, self.quote, self.location)})

    def anchor(self):
        """Find the quote in the current text it quotes; flag the citation if it is gone.

        Returns True when the stored position changed or the flag flipped.
        """
        text = self.text or ""
        found = anchoring.anchor(text, self.quote, prefix=self.prefix, suffix=self.suffix, near=self.start)
        fields = ("start", "end", "prefix", "suffix", "anchored", "context_before", "context_after")
        before = tuple(getattr(self, name) for name in fields)
        if found is None:
            self.anchored = False
            self.context_before = self.context_after = None
        else:
            self.start, self.end = found.start, found.end
            self.prefix, self.suffix = found.prefix, found.suffix
            self.anchored = True
            self.context_before, _, self.context_after = anchoring.in_context(text, found.start, found.end)
        return before != tuple(getattr(self, name) for name in fields)

    @property
    def anchor_id(self):
        return f"cite-{self.pk}"

    @property
    def url(self):
        """The article, at this quote while it can still be found there (a lost quote has no mark)."""
        article = self.article.get_absolute_url()
        return f"{article}#{self.anchor_id}" if self.anchored else article

    def in_context(self):
        """(before, quote, after): the quote with a sentence either side, as stored by anchor()."""
        if not self.anchored or self.start is None:
            return "", self.quote, ""
        if self.context_before is None or self.context_after is None:  # not stored yet: from the live text
            return anchoring.in_context(self.text, self.start, self.end)
        # Anchoring matches exactly, character for character: the quoted span is the quote.
        return self.context_before, self.quote, self.context_after


def quote_not_found_message(article, quote, location=Location.BODY):
    where = "photo captions" if location == Location.CAPTIONS else "body"
    message = f"This quote does not occur word for word in the {where} of “{article.title}”."
    from articles.workbench import Misquote

    # The passage can look identical (a straight ' for a curly ’): name the characters that differ.
    found = Misquote.of(article.text_of(location) or "", quote)
    if found.passage:
        message += f" The nearest passage is: “{found.passage}”"
        if found.differences:
            message += " " + " ".join(found.differences[:3])
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


# --- Suggested citations ------------------------------------------------------------


class DismissedSuggestion(models.Model):
    """A suggested citation (articles/suggestions.py) an editor dismissed: not offered for this article again."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="dismissed_suggestions")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    quote = models.TextField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # By the quote's digest, as citation_unique: a long sentence's dismissal failed to save.
            models.UniqueConstraint("article", "claim", MD5("quote"), name="dismissed_suggestion_unique"),
        ]

    def __str__(self):
        return f"{self.article.slug}: {self.claim.slug} ← “{self.quote[:60]}”"


# --- Old addresses ---------------------------------------------------------------


class SlugRedirect(models.Model):
    """A slug a claim, article, event, actor or tag had before it was renamed.

    Its page's old address answers 301 to the object's current one
    (articles.redirects). It points at the object, not at the next slug, so a
    chain of renames collapses to one hop; an object that takes the slug later
    wins, and the row is dropped.
    """

    class Kind(models.TextChoices):
        # The reader page's name in articles.pages, which is also what the slug belongs to.
        CLAIM = "claim", "claim"
        ARTICLE = "article", "article"
        EVENT = "event", "event"
        ACTOR = "actor", "actor"
        TAG = "tag", "tag"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    old_slug = models.CharField(max_length=120)
    object_id = models.PositiveBigIntegerField(help_text="The renamed object's id.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "old_slug"]
        verbose_name = "old address"
        verbose_name_plural = "old addresses"
        constraints = [models.UniqueConstraint(fields=["kind", "old_slug"], name="slug_redirect_unique")]

    def __str__(self):
        return f"{self.kind}/{self.old_slug}"


class UnrecordedChange(models.Model):
    """A committed change whose new content version the cache did not take (Redis out of reach).

    The saving process retries until the cache takes it (articles.caching), but the retry lives in
    that process: a worker killed meanwhile took the change along, and every server kept serving the
    pages it retires until they expired. The row outlives the process: each new server process
    (gunicorn replaces a killed worker at once) finds it on start and records the change for it.
    Rows are removed once a later version has been recorded. Not content: no page shows it.
    """

    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"change unrecorded since {self.created:%Y-%m-%d %H:%M:%S}"
