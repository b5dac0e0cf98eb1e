"""GET filter forms for the reader pages.

Every filter is a plain GET form, so its state lives in the URL and a page
can be shared or bookmarked as filtered. Choices that come from the database
are read once, in __init__, so validating and rendering a form costs one
query per list, however many times the choices are consulted.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from taggit.models import Tag

from articles.models import Actor, Article, Citation, Claim, ClaimStatus, Event
from articles.search import MAX_QUERY_LENGTH, normalise_query
from articles.timeline import parse_cursor

ANY = ""
# ?role= on the claims list: how the chosen actor takes part in a claim.
ACTOR_ROLES = {"claimant": "makes it", "subject": "is its subject"}


class FilterForm(forms.Form):
    """A filter form whose fields are all optional and whose errors name the parameter."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            field.required = False

    def filters(self):
        """The cleaned values the reader actually chose: {name: value}."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}

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
        if not value:
            return ""
        field = self.fields[name]
        if isinstance(field, KnownSlugField):
            return field.chosen_label or value
        return dict(field.choices).get(value, value)


class KnownSlugField(forms.CharField):
    """A slug that must name an existing row, checked with one lookup instead of a list of every row.

    A select of every actor is hundreds of kilobytes at scale; this reads the
    one row asked for. A row that exists but matches nothing is not an error:
    the page shows an empty result and says so. The row's name is kept in
    `chosen_label` (fields are copied per form, so this is per request).
    """

    def __init__(self, queryset, *, label, label_field="name", **kwargs):
        self.queryset, self.label_field, self.chosen_label = queryset, label_field, ""
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
        super().__init__(label=label, required=False, max_length=200, **kwargs)

    def clean(self, value):
        slug = super().clean(value).strip()
        if not slug:
            return ""
        name = self.queryset.filter(slug=slug).values_list(self.label_field, flat=True).first()
        if name is None:
            raise ValidationError(f"not a known {self.label.lower()}; give its slug as in its page’s address.")
        self.chosen_label = name
        return slug


def _slug_choice(label, things, empty_label):
    return forms.ChoiceField(
        label=label,
        choices=[(ANY, empty_label), *things],
        error_messages={"invalid_choice": f"not a known {label.lower()}; choose one from the list."},
    )


def _year_field(label):
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 9999}),
        error_messages={"invalid": "enter a year as a whole number, e.g. 2007."},
    )


def _page_field():
    return forms.IntegerField(
        label="Page",
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": "enter a page number, e.g. 2.", "min_value": "pages are numbered from 1."},
    )


def _actor_choices(actors):
    return list(actors.order_by("name").values_list("slug", "name"))


def _involved_actors():
    """Actors who make a claim or are the subject of one.

    Exists, not joins: joining both claim relations would multiply an
    actor's claims made by the claims about them before DISTINCT.
    """
    makes = Exists(Claim.objects.filter(claimant=OuterRef("pk")))
    is_subject = Exists(Claim.subjects.through.objects.filter(actor=OuterRef("pk")))
    return Actor.objects.filter(makes | is_subject)


def _attested_events():
    """Events some claim attests: EXISTS, not a join with DISTINCT over every claim."""
    return Event.objects.filter(Exists(Claim.objects.filter(event=OuterRef("pk")))).order_by("start", "title")


def _tag_choices(model):
    return list(model.tags.order_by("name").values_list("slug", "name").distinct())


class TimelineFilterForm(FilterForm):
    """?actor=to-lam&tag=state-visit&from=2000&to=2025, and a window: ?decade=2020, ?year=2025 or ?month=2025-10.

    `after` continues a window past its first page (see articles.timeline).
    """

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Query, only when an actor is given: that actor's name. Any actor may be
        # chosen: one who took part in no event gets an empty timeline that says so.
        self.fields["actor"] = KnownSlugField(Actor.objects.all(), label="Actor")
        self.fields["actor"].widget.attrs["placeholder"] = "e.g. to-lam"
        # Query, only when a tag is given: its name. A select of every tag costs
        # tens of kilobytes and milliseconds at scale; a tag no event carries gets
        # an empty timeline that says so.
        self.fields["tag"] = KnownSlugField(Tag.objects.all(), label="Tag")
        self.fields["tag"].widget.attrs["placeholder"] = "e.g. state-visit"
        self.fields["from"] = _year_field("From year")
        self.fields["to"] = _year_field("To year")
        # The window and the page in it, chosen by the overview's and the pages' links; not shown in the form.
        self.fields["decade"] = _year_field("Decade")
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


class ClaimFilterForm(FilterForm):
    """?status=contested&kind=fact&actor=to-lam&role=claimant&event=…&article=bloomberg-rare-visit&tag=trade&page=2"""

    status = forms.ChoiceField(
        label="Status",
        choices=[(ANY, "Any status"), *ClaimStatus.choices],
        error_messages={"invalid_choice": "not a status; use " + ", ".join(ClaimStatus.values) + "."},
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[(ANY, "Any kind"), *Claim.Kind.choices],
        error_messages={"invalid_choice": "not a kind of claim; use " + ", ".join(Claim.Kind.values) + "."},
    )
    role = forms.ChoiceField(
        label="The actor",
        choices=[(ANY, "makes it or is its subject"), *ACTOR_ROLES.items()],
        error_messages={"invalid_choice": "not a role; use " + ", ".join(ACTOR_ROLES) + "."},
    )
    page = _page_field()

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Query: actors who make a claim or are the subject of one.
        involved = _involved_actors()
        self.fields["actor"] = _slug_choice("Actor", _actor_choices(involved), "Any actor")
        # Query: events some claim attests.
        attested = _attested_events()
        self.fields["event"] = _slug_choice("Event", list(attested.values_list("slug", "title")), "Any event")
        # Query: articles that give evidence for some claim (a semi-join: joining
        # every citation and then DISTINCT costs several times more).
        citing = Article.objects.filter(Exists(Citation.objects.filter(article=OuterRef("pk")))).order_by("title")
        self.fields["article"] = _slug_choice("Article", list(citing.values_list("slug", "title")), "Any article")
        # Query: tags carried by some claim.
        self.fields["tag"] = _slug_choice("Tag", _tag_choices(Claim), "Any tag")
        self.order_fields(["status", "kind", "actor", "role", "event", "article", "tag", "page"])
        for field in self.fields.values():
            field.required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") and not cleaned.get("actor") and "actor" not in self.errors:
            role = cleaned["role"]
            raise ValidationError(f"“role={role}” says what an actor does; choose the actor too, e.g. “actor=to-lam”.")
        return cleaned


class GridFilterForm(FilterForm):
    """?event=to-lam-state-visit-north-korea-2025 or ?actor=to-lam, and &page=2"""

    page = _page_field()

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Query: events some claim attests.
        attested = _attested_events()
        self.fields["event"] = _slug_choice("Event", list(attested.values_list("slug", "title")), "Every event")
        # Query: actors who make a claim or are the subject of one.
        involved = _involved_actors()
        self.fields["actor"] = _slug_choice("Actor", _actor_choices(involved), "Every actor")
        self.order_fields(["event", "actor", "page"])
        for field in self.fields.values():
            field.required = False


class PageForm(FilterForm):
    """?page=2, for a paged list with no other filters."""

    page = _page_field()


class ArticleFilterForm(FilterForm):
    """?actor=bloomberg&tag=state-visit&page=2"""

    page = _page_field()

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Query: actors who wrote, published or sent out (as a wire service) some article.
        # One EXISTS per column: each is an index lookup, where one EXISTS over
        # "publisher = x OR wire = x" scans every article for every actor.
        behind = Actor.objects.filter(
            Exists(Article.objects.filter(publisher=OuterRef("pk")))
            | Exists(Article.objects.filter(wire=OuterRef("pk")))
            | Exists(Article.authors.through.objects.filter(actor=OuterRef("pk")))
        )
        self.fields["actor"] = _slug_choice("Actor", _actor_choices(behind), "Any actor")
        # Query: tags carried by some article.
        self.fields["tag"] = _slug_choice("Tag", _tag_choices(Article), "Any tag")
        self.order_fields(["actor", "tag", "page"])
        for field in self.fields.values():
            field.required = False


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search articles, claims, events and actors",
        required=False,
        # Longer queries are not cut off silently: the page explains.
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH, "autocomplete": "off"}),
        strip=False,
    )

    def clean_q(self):
        query = normalise_query(self.cleaned_data.get("q") or "")
        if len(query) > MAX_QUERY_LENGTH:
            raise ValidationError(
                f"That search is {len(query)} characters long; please keep it under {MAX_QUERY_LENGTH}."
            )
        return query
