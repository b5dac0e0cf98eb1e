"""GET filter forms for the reader pages.

Every filter is a plain GET form, so its state lives in the URL and a page
can be shared or bookmarked as filtered. Choices that come from the database
are read once, in __init__, so validating and rendering a form costs one
query per list, however many times the choices are consulted.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from articles.models import Actor, Article, Citation, Claim, ClaimStatus, Event, Participation
from articles.search import CANDIDATES, KINDS, MAX_QUERY_LENGTH, PER_PAGE, normalise_query

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
        return dict(self.fields[name].choices).get(value, value) if value else ""


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
    """?actor=to-lam&tag=state-visit&from=2000&to=2025 (or ?year=2025)."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Query: actors who took part in some event.
        participants = Actor.objects.filter(Exists(Participation.objects.filter(actor=OuterRef("pk"))))
        self.fields["actor"] = _slug_choice("Actor", _actor_choices(participants), "Any actor")
        # Query: tags carried by some event.
        self.fields["tag"] = _slug_choice("Tag", _tag_choices(Event), "Any tag")
        self.fields["from"] = _year_field("From year")
        self.fields["to"] = _year_field("To year")
        # ?year=2025 is a shortcut for from=2025&to=2025 (the year headings link to it); not shown in the form.
        self.fields["year"] = _year_field("Year")
        self.fields["year"].widget = forms.HiddenInput()
        for field in self.fields.values():
            field.required = False

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first is not None and last is not None and first > last:
            raise ValidationError(f"“from={first}” is after “to={last}”: the year range runs backwards.")
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
