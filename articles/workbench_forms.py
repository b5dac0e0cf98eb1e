"""The workbench's admin forms: cite a passage of an article, add an article from text (see articles/workbench.py)."""

from django import forms
from django.contrib import admin

from articles import anchoring, workbench
from articles.admin_queries import CheckedAutocompleteSelect
from articles.bidi import validate_no_bidi_controls
from articles.history_admin import change_note_field
from articles.models import (
    CLAIM_TEXT_MAX_LENGTH,
    Actor,
    Article,
    Citation,
    Claim,
    Location,
    Stance,
    normalise_newlines,
)
from articles.rendering import MAX_BODY_CHARS


def _autocomplete(model, name):
    """The admin's select2 autocomplete widget for a foreign key, as autocomplete_fields draws it."""
    return CheckedAutocompleteSelect(model._meta.get_field(name), admin.site)


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
        max_length=5_000,
        error_messages={"max_length": "A quote has at most %(limit_value)s characters (this one has %(show_value)s)."},
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Exactly as in the article, curly quotes and dashes included.",
    )
    location = forms.ChoiceField(choices=Location.choices, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # The text either side of the passage when the form was drawn (anchoring's context).
    prefix = forms.CharField(required=False, strip=False, max_length=200, widget=forms.HiddenInput)
    suffix = forms.CharField(required=False, strip=False, max_length=200, widget=forms.HiddenInput)
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
    claim_search = forms.CharField(
        label="Find a claim",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"size": 40, "type": "search"}),
        help_text="A few of its words; the claims found are listed with a button to cite into each.",
    )
    new_claim = forms.CharField(
        label="New claim",
        required=False,
        strip=False,
        max_length=CLAIM_TEXT_MAX_LENGTH,
        error_messages={"max_length": "A claim has at most %(limit_value)s characters (this one has %(show_value)s)."},
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Filled in from the sentence: say what is claimed, in your words.",
        validators=[validate_no_bidi_controls],
    )
    create_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)
    stance = forms.ChoiceField(choices=Stance.choices, widget=forms.RadioSelect, initial=Stance.SUPPORTS)
    speaker = forms.ModelChoiceField(
        queryset=Actor.objects.all(),
        required=False,
        widget=_autocomplete(Citation, "speaker"),
        help_text=Citation._meta.get_field("speaker").help_text,
    )

    speaker_name = forms.CharField(
        label="…or the speaker's name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text="A name or alias of an actor on file (for when the list above cannot be searched).",
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["change_note"] = change_note_field()
        self.misquote = None
        self.similar = []

    def clean_quote(self):
        # As Citation.clean() stores it: line ends normalised, surrounding whitespace dropped.
        return normalise_newlines(self.cleaned_data["quote"]).strip()

    def clean_speaker_name(self):
        name = self.cleaned_data["speaker_name"].strip()
        if not name:
            return None
        found = list(Actor.objects.named(name)[:2])
        if not found:
            raise forms.ValidationError(f"No actor is called “{name}”. Add them under Actors first, or leave it empty.")
        if len(found) > 1:
            raise forms.ValidationError(f"Several actors are called “{name}”: choose one in the list above.")
        return found[0]

    # Where the passage was selected: hints for telling apart several occurrences of the quote,
    # which the server looks for in its own copy of the text. A hint garbled in the posted form
    # (a stale page, a browser extension) was an error on a hidden field: a 400 that said nothing.
    HINTS = {"start": None, "prefix": "", "suffix": "", "text_token": ""}

    def clean(self):
        for name, empty in self.HINTS.items():
            if name in self._errors:
                del self._errors[name]
                self.cleaned_data[name] = empty
        if "location" in self._errors:
            del self._errors["location"]
            self.add_error(None, "The form did not say which text the passage is in: select the passage again.")
        cleaned = super().clean()
        if cleaned.get("speaker") is None and cleaned.get("speaker_name"):
            cleaned["speaker"] = cleaned["speaker_name"]
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
        elif target == self.NEW and "new_claim" not in self.errors:
            # (A claim refused by its field's own checks has its message already; it is not also "missing".)
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
        validators=[validate_no_bidi_controls],
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
        try:
            validate_no_bidi_controls(text)
        except forms.ValidationError as error:
            self.add_error("text", error)
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
