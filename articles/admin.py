import re

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from taggit.managers import TaggableManager

from articles.admin_queries import CheckedAutocompletes
from articles.history_admin import VersionedAdmin
from articles.models import (
    NEWEST_FIRST,
    Actor,
    ActorAlias,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    ClaimStatus,
    DatePrecision,
    Event,
    Participation,
    SlugRedirect,
    normalise_newlines,
)
from articles.names import fold
from articles.suggestions_admin import SuggestionsAdmin
from articles.tag_admin import TagAdmin  # noqa: F401  (replaces taggit's tag admin)
from articles.tagging import BoundedTagField
from articles.workbench_admin import WorkbenchAdmin


class TextAsTypedField(forms.CharField):
    """A textarea's text exactly as typed: not stripped, one kind of line end.

    Django strips form text by default, so a body ending in a newline came back
    one character shorter: every save counted Body and Captions as changed,
    rewrote them and recorded "Changed Title, Body and Captions" for a title-only
    edit. Line ends are normalised as the models store them, so an untouched
    field compares equal to the stored value (browsers send CRLF). Only white
    space is still empty, so a required body cannot be left blank.
    """

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        value = normalise_newlines(super().to_python(value))
        return value if value.strip() else ""


class TextAsTyped:
    """Admin mixin: every multi-line text field (body, captions, quote, text) uses TextAsTypedField."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField):
            kwargs.setdefault("form_class", TextAsTypedField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TagsWithinLimits:
    """Admin mixin: the tags field refuses over-long names and too many tags with a message (articles.tagging)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, TaggableManager):
            kwargs.setdefault("form_class", BoundedTagField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ActorAliasFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # Alias names are unique ignoring case (a database constraint on Lower(name)),
        # which Django checks against stored rows only: two rows of this form
        # differing in case both passed, and the database refused the save (a 500).
        super().clean()
        seen = {}
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            name = (form.cleaned_data or {}).get("name")
            if not name:
                continue
            key = fold(name) or name
            if key in seen:
                form.add_error(
                    "name",
                    f"“{name}” is already in this list as “{seen[key]}”; aliases ignore case, accents and punctuation.",
                )
            else:
                seen[key] = name


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    formset = ActorAliasFormSet
    extra = 1


@admin.register(Actor)
class ActorAdmin(TextAsTyped, VersionedAdmin):
    list_display = ["name", "kind", "description", "alias_list"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ActorAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def alias_list(self, actor):
        return ", ".join(alias.name for alias in actor.aliases.all())


class CitationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # Citations are unique by claim, article and the quote's digest (citation_unique), an
        # expression Django's formsets do not check between rows: two rows citing the same
        # passage of one article for one claim reached the database, which refused the save.
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data or {}
            claim, article, quote = data.get("claim"), data.get("article"), data.get("quote")
            if not (claim and article and quote):
                continue
            key = (claim.pk, article.pk, quote)
            if key in seen:
                form.add_error(
                    "quote", "This passage is already cited in another row of this form, for the same claim."
                )
            else:
                seen.add(key)


class CitationInline(TextAsTyped, CheckedAutocompletes, admin.StackedInline):
    model = Citation
    formset = CitationFormSet
    extra = 1
    fields = ["claim", "article", "stance", "location", "quote", "speaker", "anchor_status"]
    readonly_fields = ["anchor_status"]
    autocomplete_fields = ["claim", "article", "speaker"]

    @admin.display(description="anchor")
    def anchor_status(self, citation):
        if citation.pk is None:
            return "—"
        if not citation.anchored:
            return "Quote not found in the current article text: fix the quote or the article."
        return f"Characters {citation.start}–{citation.end}"


class ArticleCitationInline(CitationInline):
    fields = ["claim", "stance", "location", "quote", "speaker", "anchor_status"]


class ClaimCitationInline(CitationInline):
    fields = ["article", "stance", "location", "quote", "speaker", "anchor_status"]


class ClaimConflictInline(CheckedAutocompletes, admin.TabularInline):
    """Competing claims, each link with its note for readers; saving one side writes the other."""

    model = ClaimConflict
    fk_name = "from_claim"
    fields = ["to_claim", "note"]
    autocomplete_fields = ["to_claim"]
    extra = 1
    verbose_name = "competing claim"
    verbose_name_plural = "competing claims (the note tells readers what differs)"


class OutletFilter(admin.RelatedFieldListFilter):
    """Publisher and wire filters list media outlets only, not every actor on file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = "not stated"

    def field_choices(self, field, request, model_admin):
        return field.get_choices(include_blank=False, ordering=("name",), limit_choices_to={"kind": Actor.Kind.OUTLET})


class PublishedFilter(admin.SimpleListFilter):
    """Years, then the months of the chosen year, at no finer precision than the sources give.

    Django's date_hierarchy drills down to days, so a month-precision date stored as
    the 1st showed as "1 October", a day no source gives.
    """

    title = "published"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        dated = model_admin.get_queryset(request).filter(published__isnull=False)
        year = self.chosen()[0]
        if year is None:
            return [(str(day.year), str(day.year)) for day in dated.dates("published", "year", order="DESC")]
        months = dated.filter(published__year=year).exclude(
            date_precision__in=[DatePrecision.YEAR, DatePrecision.DECADE]
        )
        choices = [(str(year), f"All of {year}")]
        choices += [(f"{year}-{day.month:02}", format_date(day, "F Y")) for day in months.dates("published", "month")]
        return choices

    def chosen(self):
        """(year, month) from the parameter: (None, None) when absent or malformed."""
        match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", self.value() or "")
        if not match:
            return None, None
        return int(match[1]), int(match[2]) if match[2] else None

    def queryset(self, request, queryset):
        year, month = self.chosen()
        if year is None:
            return queryset
        queryset = queryset.filter(published__year=year)
        if month:
            queryset = queryset.filter(published__month=month).exclude(
                date_precision__in=[DatePrecision.YEAR, DatePrecision.DECADE]
            )
        return queryset


@admin.register(Article)
class ArticleAdmin(SuggestionsAdmin, WorkbenchAdmin, TextAsTyped, TagsWithinLimits, VersionedAdmin):
    # One "credited to" column instead of publisher and wire, so the counts fit at 1280 px.
    list_display = [
        "title",
        "credited_to",
        "published_display",
        "kind",
        "citation_count",
        "lost_count",
        "reading_link",
    ]
    list_filter = [
        "kind",
        PublishedFilter,
        "title_is_editorial",
        "date_precision",
        ("publisher", OutletFilter),
        ("wire", OutletFilter),
        "tags",
    ]
    search_fields = ["title", "slug", "body"]
    autocomplete_fields = ["publisher", "wire", "authors"]
    prepopulated_fields = {"slug": ["title"]}
    # Explicit, because the counts below make a GROUP BY query, which ignores Meta.ordering.
    ordering = list(NEWEST_FIRST)
    # Reversion's list ("Recover deleted articles"), plus "Add article from text".
    change_list_template = "admin/articles/article/change_list.html"
    inlines = [ArticleCitationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "title_is_editorial", "slug", "kind", "tags"]}),
        ("Who", {"fields": ["publisher", "wire", "authors"]}),
        ("When", {"fields": ["published", "date_precision", "date_approximate", "date_note"]}),
        ("Text", {"fields": ["body", "captions", "url", "source_file"]}),
        ("For editors only", {"fields": ["editor_note"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_people()
            .annotate(
                citation_total=Count("citations", distinct=True),
                lost_total=Count("citations", filter=Q(citations__anchored=False), distinct=True),
            )
        )

    @admin.display(description="credited to")
    def credited_to(self, article):
        return article.credit_line

    @admin.display(description="published", ordering="published")
    def published_display(self, article):
        return article.date_display

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, article):
        return article.citation_total

    @admin.display(description="quotes lost", ordering="lost_total")
    def lost_count(self, article):
        return article.lost_total or ""

    @admin.display(description="read and cite")
    def reading_link(self, article):
        return format_html(
            "<a href='{}' aria-label='Read and cite “{}”'>read</a>",
            reverse("admin:articles_article_read", args=[article.pk]),
            article.title,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Article.save() and Citation.save() have re-anchored every quote by now.
        lost = list(form.instance.citations.lost().select_related("claim", "article"))
        if lost:
            items = format_html_join(
                "",
                "<li><a href='{}'>{}</a></li>",
                ((reverse("admin:articles_citation_change", args=[c.pk]), c) for c in lost),
            )
            self.message_user(
                request,
                format_html(
                    "{} quote(s) no longer occur in the body and are flagged. Fix them: <ul>{}</ul>",
                    len(lost),
                    items,
                ),
                messages.WARNING,
            )


class ParticipationInline(CheckedAutocompletes, admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ["actor"]


@admin.register(Event)
class EventAdmin(TextAsTyped, TagsWithinLimits, VersionedAdmin):
    list_display = ["title", "date_shown", "date_precision", "date_approximate", "participant_names"]
    list_filter = ["date_precision", "date_approximate", "tags"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ParticipationInline]
    ordering = ["start"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_participants()

    @admin.display(description="date", ordering="start")
    def date_shown(self, event):
        return event.date_display

    @admin.display(description="participants")
    def participant_names(self, event):
        return ", ".join(str(p) for p in event.participations.all())


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ClaimStatus.choices

    def queryset(self, request, queryset):
        if self.value() in ClaimStatus.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Claim)
class ClaimAdmin(TextAsTyped, TagsWithinLimits, VersionedAdmin):
    list_display = ["slug", "text", "kind", "claimant", "status_shown", "event"]
    list_filter = [StatusFilter, "kind", "tags", ("event", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["slug", "text", "claimant__name"]
    autocomplete_fields = ["claimant", "subjects", "event"]
    prepopulated_fields = {"slug": ["text"]}
    readonly_fields = ["status_shown", "origins_shown"]
    inlines = [ClaimConflictInline, ClaimCitationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_listing()

    @admin.display(description="independent origins counted")
    def origins_shown(self, claim):
        return ", ".join(claim.origin_labels) or "none"

    @admin.display(description="status", ordering="status")
    def status_shown(self, claim):
        return claim.status_label


@admin.register(Citation)
class CitationAdmin(TextAsTyped, VersionedAdmin):
    list_display = ["claim", "article", "stance", "location", "speaker", "short_quote", "anchored"]
    list_filter = ["stance", "location", "anchored", ("article", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["quote", "claim__text", "claim__slug", "article__title", "speaker__name"]
    autocomplete_fields = ["claim", "article", "speaker"]
    readonly_fields = ["start", "end", "prefix", "suffix", "anchored", "origin"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "article", "speaker")

    @admin.display(description="quote")
    def short_quote(self, citation):
        return citation.quote if len(citation.quote) < 90 else f"{citation.quote[:89]}…"


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Old addresses, recorded when a slug is renamed (articles.redirects). Delete one to let the slug 404."""

    list_display = ["kind", "old_slug", "now_at", "created"]
    list_filter = ["kind"]
    search_fields = ["old_slug"]
    readonly_fields = ["kind", "old_slug", "object_id", "now_at", "created"]

    def has_add_permission(self, request):
        return False  # recorded by renames only

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="now at")
    def now_at(self, redirect):
        from articles.redirects import current_url

        return current_url(redirect.kind, redirect.old_slug) or "—"
