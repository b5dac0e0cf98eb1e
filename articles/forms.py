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
from articles.search import MAX_QUERY_LENGTH, normalise_query

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


# --- The editor's workbench (admin forms; see articles/workbench.py) ----------------------


def _autocomplete(model, name):
    """The admin's select2 autocomplete widget for a foreign key, as autocomplete_fields draws it."""
    from django.contrib import admin
    from django.contrib.admin.widgets import AutocompleteSelect

    return AutocompleteSelect(model._meta.get_field(name), admin.site)


class CiteForm(forms.Form):
    """Cite a passage of one article: into an existing claim, or a new one.

    The article is the view's; `quote`, `location` and `start` come filled in
    from the selection. clean() refuses a quote that is not in the text
    (`misquote` then holds the comparison with the nearest passage) and a new
    claim whose text is close to existing ones (`similar` holds them) until
    the editor says to create it anyway.
    """

    EXISTING, NEW = "existing", "new"

    quote = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Exactly as in the article, curly quotes and dashes included.",
    )
    location = forms.ChoiceField(choices=Citation._meta.get_field("location").choices, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    text_token = forms.CharField(required=False, widget=forms.HiddenInput)
    target = forms.ChoiceField(
        label="Cite it for",
        choices=[(EXISTING, "an existing claim"), (NEW, "a new claim")],
        widget=forms.RadioSelect,
        initial=EXISTING,
    )
    claim = forms.ModelChoiceField(
        queryset=Claim.objects.all(), required=False, widget=_autocomplete(Citation, "claim"), label="Existing claim"
    )
    new_claim = forms.CharField(
        label="New claim",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Filled in from the sentence: say what is claimed, in your words.",
    )
    create_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)
    stance = forms.ChoiceField(
        choices=Citation._meta.get_field("stance").choices, widget=forms.RadioSelect, initial="supports"
    )
    speaker = forms.ModelChoiceField(
        queryset=Actor.objects.all(),
        required=False,
        widget=_autocomplete(Citation, "speaker"),
        help_text=Citation._meta.get_field("speaker").help_text,
    )

    def __init__(self, *args, article, **kwargs):
        from articles.history_admin import change_note_field

        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["change_note"] = change_note_field()
        self.misquote = None
        self.similar = []

    def clean_quote(self):
        from articles.models import normalise_newlines

        # As Citation.clean() stores it: line ends normalised, surrounding whitespace dropped.
        return normalise_newlines(self.cleaned_data["quote"]).strip()

    def clean(self):
        from articles import anchoring, workbench
        from articles.models import Location

        cleaned = super().clean()
        quote, location = cleaned.get("quote"), cleaned.get("location")
        if quote and location:
            text = self.article.text_of(location) or ""
            if not anchoring.occurrences(text, quote):
                self.misquote = workbench.Misquote.of(text, quote)
                where = "photo captions" if location == Location.CAPTIONS else "body"
                self.add_error("quote", f"This quote does not occur word for word in the {where} of this article.")
        target = cleaned.get("target")
        if target == self.EXISTING:
            claim = cleaned.get("claim")
            if claim is None and "claim" not in self.errors:
                self.add_error("claim", "Choose the claim this passage is evidence for, or start a new claim.")
            elif (
                claim is not None
                and quote
                and Citation.objects.filter(claim=claim, article=self.article, quote=quote).exists()
            ):
                self.add_error("claim", "This claim already cites this very passage of this article.")
        elif target == self.NEW:
            text = (cleaned.get("new_claim") or "").strip()
            if not text:
                self.add_error("new_claim", "Write the new claim, or choose an existing one.")
            else:
                cleaned["new_claim"] = text
                if not cleaned.get("create_anyway"):
                    self.similar = workbench.similar_claims(text)
                    if self.similar:
                        self.add_error(
                            "new_claim",
                            "Claims like this one already exist (below). Cite into one of them, "
                            "or create the new claim anyway.",
                        )
        return cleaned


class ArticleFromTextForm(forms.Form):
    """Step one of "Add article from text": the pasted (or uploaded) page, a title and a kind."""

    title = forms.CharField(
        max_length=Article._meta.get_field("title").max_length,
        required=False,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Leave empty to use the text's headline (its first line that is not page furniture).",
    )
    kind = forms.ChoiceField(choices=Article.Kind.choices, initial=Article.Kind.NEWS)
    text = forms.CharField(
        label="Text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100}),
        help_text="Paste the whole page as plain text; the next step suggests which lines to leave out.",
    )
    upload = forms.FileField(
        label="…or a plain-text file",
        required=False,
        help_text="UTF-8 plain text (.txt), up to 1 MB. It replaces whatever is in the box above.",
    )
    # The hash of the text the line checkboxes ("removed", "captions") were drawn for; empty on the first step.
    lines_of = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from articles.history_admin import change_note_field

        super().__init__(*args, **kwargs)
        self.fields["change_note"] = change_note_field()
        self.lines = []

    def chosen_lines(self, name):
        """The line numbers ticked in the `name` column ("removed" or "captions")."""
        numbers = set()
        for value in self.data.getlist(name) if hasattr(self.data, "getlist") else []:
            if value.isdigit() and 1 <= int(value) <= len(self.lines):
                numbers.add(int(value))
        return numbers

    def clean(self):
        from articles import workbench
        from articles.models import normalise_newlines
        from articles.rendering import MAX_BODY_CHARS

        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is not None:
            try:
                text = workbench.decode_upload(upload.read(workbench.MAX_UPLOAD_BYTES + 1))
            except workbench.UnreadableText as error:
                self.add_error("upload", str(error))
                return cleaned
            # What the file says goes into the box, so it is kept from now on like pasted text.
            cleaned["text"] = text
            data = self.data.copy()
            data["text"] = text
            self.data = data
        text = normalise_newlines(cleaned.get("text") or "")
        cleaned["text"] = text
        if not text.strip():
            self.add_error("text", "Paste the article's text, or choose a plain-text file.")
            return cleaned
        if len(text) > 2 * MAX_BODY_CHARS:
            self.add_error(
                "text",
                f"This text is {len(text):,} characters long; an article body may have {MAX_BODY_CHARS:,}. "
                "Paste only the article.",
            )
            return cleaned
        title = (cleaned.get("title") or "").strip()
        if not title:
            # The headline: the first line that is neither furniture nor a caption.
            kept = (line.text.strip() for line in workbench.classify_lines(text) if line.kind == "text")
            title = next(kept, "")[: self.fields["title"].max_length]
        cleaned["title"] = title
        self.lines = workbench.classify_lines(text, title)
        cleaned["token"] = workbench.text_token(text)
        both = self.chosen_lines("removed") & self.chosen_lines("captions")
        if both and cleaned.get("lines_of") == cleaned["token"]:
            numbers = ", ".join(str(n) for n in sorted(both))
            self.add_error(None, f"Line(s) {numbers} are ticked both to remove and as a caption: choose one.")
        return cleaned
