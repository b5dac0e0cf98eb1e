"""GET filter forms for the reader pages.

Every filter is a plain GET form, so its state lives in the URL and a page
can be shared or bookmarked as filtered. A filter on something there may be
thousands of (an actor, event, article or tag) is a text box, never a list
of every row: it takes a slug, or a name the server looks up (LookupField).
A name that fits one thing is replaced by its slug in the URL; one that fits
several gets a "Did you mean" page; one that fits nothing is a 400 naming
the parameter. A form with nothing chosen runs no query at all.
"""

import datetime
from dataclasses import dataclass

from anyascii import anyascii
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from taggit.models import Tag

from articles.listing import ARTICLE_ORDERINGS, CLAIM_ORDERINGS
from articles.models import Actor, Article, Claim, ClaimStatus, Event
from articles.search import CANDIDATES, KINDS, MAX_QUERY_LENGTH, PER_PAGE, normalise_query
from articles.timeline import parse_cursor

ANY = ""
# ?role= on the claims list: how the chosen actor takes part in a claim.
ACTOR_ROLES = {"claimant": "makes it", "subject": "is its subject"}
SUGGESTIONS = 8  # names offered for an ambiguous filter, or by the suggestions endpoint
LOOKUP_MAX_LENGTH = 200


# --- Finding things by slug or name -------------------------------------------------------


@dataclass(frozen=True)
class Finder:
    """How a filter finds the things it names: by slug exactly, or by name (and alias) for the reader's text."""

    kind: str  # the suggestions endpoint's name for it: /suggest/<kind>/
    noun: str  # "actor", for messages
    queryset: object  # a callable returning the QuerySet to look in
    label_field: str  # the name readers see
    name_fields: tuple  # what typed text is compared with

    def find(self, slug):
        """(id, label) of the thing with this slug, or None (one query)."""
        return self.queryset().filter(slug=slug).values_list("pk", self.label_field).first()

    def matching(self, text, limit=SUGGESTIONS):
        """(slug, label, id) triples for `text`: exact names first, then names containing it.

        Two queries; two more when nothing matched and the text has letters beyond
        ASCII, retried folded: readers type "Tô Lâm" for the actor the sources spell "To Lam".
        """
        text = text.strip()
        if not text:
            return []
        found = self._matching(text, limit)
        # Invisible characters (a zero-width space, a word joiner, Unicode tag characters) fold to
        # nothing, and "containing nothing" is every name: nothing is left to look for.
        folded = anyascii(text).strip()
        if not found and folded and folded != text:
            found = self._matching(folded, limit)
        return found

    def _matching(self, text, limit):
        exact = Q()
        for field in self.name_fields:
            exact |= Q(**{f"{field}__iexact": text})
        found = self._pairs(self.queryset().filter(exact), limit)
        if found:
            return found
        containing = Q()
        for field in self.name_fields:
            containing |= Q(**{f"{field}__icontains": text})
        return self._pairs(self.queryset().filter(containing), limit)

    def _pairs(self, queryset, limit):
        # Matching an alias joins one row per alias: DISTINCT keeps one per thing.
        rows = queryset.order_by(self.label_field, "slug").values_list("slug", self.label_field, "pk").distinct()
        return list(rows[:limit])


FINDERS = {
    finder.kind: finder
    for finder in (
        Finder("actors", "actor", lambda: Actor.objects.all(), "name", ("name", "aliases__name", "slug")),
        Finder("events", "event", lambda: Event.objects.all(), "title", ("title", "slug")),
        Finder("articles", "article", lambda: Article.objects.all(), "title", ("title", "slug")),
        Finder("tags", "tag", lambda: Tag.objects.all(), "name", ("name", "slug")),
    )
}


@dataclass(frozen=True)
class Chosen:
    """A lookup filter's value: the thing's slug, label and id; `typed` when the reader gave a name, not a slug."""

    slug: str
    label: str
    pk: int
    typed: bool = False


@dataclass(frozen=True)
class Ambiguous:
    """Text that names several things: the first few, as (slug, label, id) triples."""

    text: str
    options: list


class LookupField(forms.CharField):
    """A text box taking a slug or a name; cleans to Chosen, Ambiguous, or "" when empty."""

    def __init__(self, kind, label, **kwargs):
        self.finder = FINDERS[kind]
        attrs = {"autocomplete": "off", "data-suggest": kind, "placeholder": f"Any {self.finder.noun}"}
        super().__init__(
            label=label,
            required=False,
            max_length=LOOKUP_MAX_LENGTH,
            widget=forms.TextInput(attrs=attrs),
            **kwargs,
        )

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return ""
        found = self.finder.find(text)
        if found is not None:
            return Chosen(text, found[1], found[0])
        options = self.finder.matching(text)
        if len(options) == 1:
            slug, label, pk = options[0]
            return Chosen(slug, label, pk, typed=True)
        if options:
            return Ambiguous(text, options)
        raise ValidationError(f"no {self.finder.noun} has that slug, name or alias.")


class FilterForm(forms.Form):
    """A filter form whose fields are all optional and whose errors name the parameter."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            if isinstance(field, LookupField):
                # The <datalist> templates/includes/filter_form.html puts beside it.
                field.widget.attrs["list"] = f"{name}-suggestions"

    def filters(self):
        """The cleaned values the reader actually chose: {name: value}; a lookup gives its slug."""
        chosen = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, Chosen):
                chosen[name] = value.slug
            elif value not in (None, "", []) and not isinstance(value, Ambiguous):
                chosen[name] = value
        return chosen

    def resolved(self):
        """filters(), with each lookup's id in place of its slug (for the QuerySets' filter methods)."""
        ids = {name: value.pk for name, value in self.cleaned_data.items() if isinstance(value, Chosen)}
        return {**self.filters(), **ids}

    def ambiguous(self):
        """{name: Ambiguous} for each text that names several things."""
        return {name: value for name, value in self.cleaned_data.items() if isinstance(value, Ambiguous)}

    def typed(self):
        """{name: slug} for each name the reader typed that fits exactly one thing."""
        return {
            name: value.slug for name, value in self.cleaned_data.items() if isinstance(value, Chosen) and value.typed
        }

    def problems(self):
        """One sentence per bad parameter: “year=abc”: Enter a whole number."""
        problems = []
        for name, errors in self.errors.items():
            if name == "__all__":
                problems.extend(errors)
                continue
            value = self.data.get(name, "")
            problems.extend(f"“{name}={value}”: {error}" for error in errors)
        return problems

    def chosen_label(self, name):
        """The label of the choice made in `name`, e.g. the actor's name for ?actor=to-lam."""
        value = self.cleaned_data.get(name) if self.is_bound and hasattr(self, "cleaned_data") else None
        if isinstance(value, Chosen):
            return value.label
        if value in (None, "", []) or isinstance(value, Ambiguous):
            return ""
        choices = getattr(self.fields[name], "choices", None)
        return dict(choices).get(value, value) if choices else str(value)

    def chips(self):
        """(label, value label) for each filter chosen, in the form's order, e.g. ("Actor", "To Lam")."""
        chips = []
        for name, field in self.fields.items():
            value = self.filters().get(name)
            if value is None or field.widget.is_hidden or name == "sort":
                continue
            chips.append((name, field.label, self.chosen_label(name)))
        return chips


def _choice(label, choices, empty_label, what):
    return forms.ChoiceField(
        label=label,
        choices=[(ANY, empty_label), *choices],
        error_messages={"invalid_choice": f"not {what}; use " + ", ".join(value for value, _ in choices) + "."},
    )


def _year_field(label, first=1):
    return forms.IntegerField(
        label=label,
        min_value=first,
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": first, "max": 9999}),
        error_messages={"invalid": "enter a year as a whole number, e.g. 2007."},
    )


def _page_field():
    return forms.IntegerField(
        label="Page",
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": "enter a page number, e.g. 2.", "min_value": "pages are numbered from 1."},
    )


def _sort_field(orderings):
    return _choice("Sort by", [(o.name, o.label) for o in orderings if o.name], orderings[0].label, "a sort order")


def _cursor_field(name):
    # Where a keyset page starts: a slug the page links carry (listing.keyset_page reads it).
    return forms.SlugField(
        required=False,
        max_length=200,
        widget=forms.HiddenInput,
        error_messages={"invalid": "not a page position; follow the page links."},
    )


class TimelineFilterForm(FilterForm):
    """?actor=to-lam&tag=state-visit&from=2000&to=2025, and a window: ?decade=2020, ?year=2025 or ?month=2025-10.

    `after` continues a window past its first page (see articles.timeline).
    An actor or tag that exists but matches no event is not an error: the
    page shows an empty timeline and says so.
    """

    actor = LookupField("actors", "Actor")
    tag = LookupField("tags", "Tag")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["from"] = _year_field("From year")
        self.fields["to"] = _year_field("To year")
        # The window and the page in it, chosen by the overview's and the pages' links; not shown in the form.
        # The "0s" are the years 1-9: the timeline names and links them so when an event is dated there.
        self.fields["decade"] = _year_field("Decade", first=0)
        self.fields["year"] = _year_field("Year")
        self.fields["month"] = forms.CharField(label="Month", max_length=7)
        self.fields["after"] = forms.CharField(label="After", max_length=40)
        for name in ("decade", "year", "month", "after"):
            self.fields[name].widget = forms.HiddenInput()
        for field in self.fields.values():
            field.required = False

    def clean_decade(self):
        decade = self.cleaned_data.get("decade")
        if decade is not None and decade % 10:
            raise ValidationError(f"a decade is named by its first year, e.g. {decade - decade % 10}.")
        return decade

    def clean_month(self):
        text = self.cleaned_data.get("month")
        if not text:
            return None
        try:
            year, month = (int(part) for part in text.split("-"))
            return datetime.date(year, month, 1)
        except ValueError:
            raise ValidationError("write a month as YYYY-MM, e.g. 2025-10.") from None

    def clean_after(self):
        text = self.cleaned_data.get("after")
        if not text:
            return None
        try:
            return parse_cursor(text)
        except ValueError:
            raise ValidationError("this is not a place on the timeline; follow the page’s own links.") from None

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first is not None and last is not None and first > last:
            raise ValidationError(f"“from={first}” is after “to={last}”: the year range runs backwards.")
        windows = [name for name in ("decade", "year", "month") if self.data.get(name)]
        if len(windows) > 1:
            raise ValidationError(f"“{windows[0]}” and “{windows[1]}” each choose a stretch of time; keep one.")
        return cleaned


class CursorForm(FilterForm):
    """?after=<slug> or ?before=<slug>: where a keyset-paged list's page starts (listing.keyset_page reads them,
    and forwards an old ?page=N link). Alone, the form of a list with no other filters.

    A subclass names its filters as fields, and in `orderings` the sort orders a
    reader may choose (?sort=), if any; the sort and the page position follow them.
    """

    orderings = ()

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        if self.orderings:
            self.fields["sort"] = _sort_field(self.orderings)
            self.fields["sort"].required = False
        self.fields["after"] = _cursor_field("after")
        self.fields["before"] = _cursor_field("before")


class ClaimFilterForm(CursorForm):
    """?status=contested&kind=fact&actor=to-lam&role=claimant&event=…&article=…&tag=trade&sort=sources&after=…"""

    status = _choice("Status", ClaimStatus.choices, "Any status", "a status")
    kind = _choice("Kind", Claim.Kind.choices, "Any kind", "a kind of claim")
    actor = LookupField("actors", "Actor")
    role = forms.ChoiceField(
        label="The actor",
        choices=[(ANY, "makes it or is its subject"), *ACTOR_ROLES.items()],
        error_messages={"invalid_choice": "not a role; use " + ", ".join(ACTOR_ROLES) + "."},
    )
    event = LookupField("events", "Event")
    article = LookupField("articles", "Cited in article")
    tag = LookupField("tags", "Tag")
    orderings = CLAIM_ORDERINGS

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") and not cleaned.get("actor") and "actor" not in self.errors:
            role = cleaned["role"]
            raise ValidationError(f"“role={role}” says what an actor does; choose the actor too, e.g. “actor=to-lam”.")
        return cleaned


class PageForm(FilterForm):
    """?page=2, for a numbered list with no other filters."""

    page = _page_field()


class GridFilterForm(CursorForm):
    """?event=to-lam-state-visit-north-korea-2025 or ?actor=to-lam, and &after=<slug>"""

    event = LookupField("events", "Event")
    actor = LookupField("actors", "Actor")


class ArticleFilterForm(CursorForm):
    """?actor=bloomberg&tag=state-visit&sort=title&after=…"""

    actor = LookupField("actors", "Written, published or sent out by")
    tag = LookupField("tags", "Tag")
    orderings = ARTICLE_ORDERINGS


class ActorFilterForm(CursorForm):
    """?kind=person&after=…"""

    kind = _choice("Kind", Actor.Kind.choices, "Every kind", "a kind of actor")


class SearchForm(forms.Form):
    """The search box, and which kind of result to page through (?kind=claims&page=2)."""

    q = forms.CharField(
        label="Search articles, claims, events and actors",
        required=False,
        # Longer queries are not cut off silently: the page explains.
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH, "autocomplete": "off"}),
        strip=False,
    )
    kind = forms.ChoiceField(
        choices=[(ANY, "everything"), *KINDS.items()],
        required=False,
        error_messages={"invalid_choice": f"search one of {', '.join(KINDS)}, or leave it out to search everything."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=CANDIDATES // PER_PAGE,
        error_messages={
            "invalid": "enter a page number, e.g. 2.",
            "min_value": "pages are numbered from 1.",
            "max_value": f"only the best {CANDIDATES} results are shown; add a word to narrow the search.",
        },
    )

    def clean_q(self):
        query = normalise_query(self.cleaned_data.get("q") or "")
        if len(query) > MAX_QUERY_LENGTH:
            raise ValidationError(
                f"That search is {len(query)} characters long; please keep it under {MAX_QUERY_LENGTH}."
            )
        return query

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("page") and not cleaned.get("kind"):
            self.add_error("page", "pages are for one kind of result: add kind=claims, events, articles or actors.")
        return cleaned


class ClaimHistoryForm(FilterForm):
    """?revision=812 (one past revision, its permalink) or ?before=812 (older revisions)."""

    # Hidden: they pick a revision or a page, not a filter to show as a chip.
    revision = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    before = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
