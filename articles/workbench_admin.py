"""The workbench's admin pages: an article's reading view, its citation form, and "Add article from text".

Mixed into ArticleAdmin (articles/admin.py), so the pages live under the
article admin's URLs and permissions. The logic is in articles/workbench.py.
"""

import hashlib

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html

from articles import anchoring, workbench
from articles.models import Article, Location
from articles.rendering import render_plain_spans
from articles.workbench_forms import ArticleFromTextForm, CiteForm


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# A save that raced another storing the same citation (the database's unique
# constraint refused the second): the cite form and an accepted suggestion say so.
CITED_A_MOMENT_AGO = "This passage was cited for this claim a moment ago, perhaps by another editor or a second click."


class WorkbenchAdmin:
    """URLs and views of the workbench, for ArticleAdmin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("from-text/", wrap(self.from_text_view), name="articles_article_from_text"),
            path("<path:object_id>/read/", wrap(self.reading_view), name="articles_article_read"),
            path("<path:object_id>/cite/", wrap(self.cite_view), name="articles_article_cite"),
            *super().get_urls(),
        ]

    def _article(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No article with that id.")
        return article

    def _context(self, request, title, article=None, **kwargs):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "article": article,
            **kwargs,
        }

    # --- Reading view -----------------------------------------------------------------

    def reading_view(self, request, object_id):
        """The article's body and captions, quotes highlighted, each sentence citable.

        Context: `article`; `texts`: (location, label, HTML) for the body and
        (when there are any) the captions; `notes`: views.EvidenceNote per
        anchored quote, numbered in reading order; `lost`: citations whose
        quote is gone; `cite_url`; `can_cite`: whether the editor may add
        citations. Block `suggestions` in the template is where suggested
        citations go.
        """
        from articles.views import evidence_notes

        article = self._article(request, object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        citations = list(article.citations.select_related("claim", "speaker").order_by("location", "start", "pk"))
        notes = evidence_notes(citations)
        cite_url = reverse("admin:articles_article_cite", args=[article.pk])
        can_cite = request.user.has_perm("articles.add_citation")
        texts = []
        for location in (Location.BODY, Location.CAPTIONS):
            text = article.text_of(location)
            if location == Location.CAPTIONS and not text:
                continue
            in_captions = location == Location.CAPTIONS
            highlights = [note.highlight() for note in notes if note.in_captions == in_captions]
            texts.append(
                (location, Location(location).label, _sentences_html(text, highlights, location, cite_url, can_cite))
            )
        context = self._context(
            request,
            f"Read and cite: {article.title}",
            article,
            texts=texts,
            notes=notes,
            lost=[c for c in citations if not c.anchored],
            cite_url=cite_url,
            can_cite=can_cite,
        )
        return TemplateResponse(request, "admin/articles/article/read.html", context)

    # --- Citation form ------------------------------------------------------------------

    def cite_view(self, request, object_id):
        """Cite a passage of the article. GET fills the form in from the URL, POST saves.

        GET takes `location` and either `start`/`end` (code points, from the
        "cite this sentence" links) or `start16`/`end16` (UTF-16 units, from
        the selection script). Context: `article`, `form` (a CiteForm, with
        `misquote` and `similar` after a refusal), `context_before`,
        `context_after`: the text around the passage, `position`: the passage
        as a Passage, `text_changed`: whether the article changed since the
        form was drawn, `found_claims`: the claims a search found (the way to
        an existing claim without JavaScript), or None.
        """
        if request.method == "POST" and self.get_object(request, unquote(object_id)) is None:
            # The article was deleted while the editor was citing it: show them what they typed.
            return self.deleted_meanwhile_view(request, form_fields=CiteForm.base_fields)
        article = self._article(request, object_id)
        if not request.user.has_perm("articles.add_citation"):
            raise PermissionDenied
        status, problem, text_changed, found_claims = 200, "", False, None
        if request.method == "POST" and "_find_claims" in request.POST:
            # Finding a claim without the autocomplete (no JavaScript): the form as it was, plus the claims found.
            data = request.POST
            found_claims = workbench.find_claims(data.get("claim_search", ""))
            form = CiteForm(
                initial={name: data.get(name) for name in data if name != "csrfmiddlewaretoken"}, article=article
            )
            location = data.get("location") if data.get("location") in Location.values else Location.BODY
            chosen = _found(
                article,
                location,
                data.get("quote", "").strip(),
                _int(data.get("start")),
                data.get("prefix", ""),
                data.get("suffix", ""),
            )
        elif request.method == "POST":
            data = request.POST.copy()
            if "use_passage" in data:
                data["quote"] = data["use_passage"]
            if "cite_into" in data:
                data["target"], data["claim"] = CiteForm.EXISTING, data["cite_into"]
            if "_create_anyway" in data:
                data["create_anyway"] = "1"
            form = CiteForm(data, article=article)
            citation = None
            if form.is_valid():
                citation = self._save_citation(request, article, form)
            if citation is not None:
                return redirect(reverse("admin:articles_article_read", args=[article.pk]) + f"#{citation.anchor_id}")
            status = 400
            location = data.get("location") if data.get("location") in Location.values else Location.BODY
            text_changed = data.get("text_token") not in ("", None, workbench.text_token(article.text_of(location)))
            cleaned = form.cleaned_data
            chosen = _found(
                article,
                location,
                cleaned.get("quote"),
                cleaned.get("start"),
                cleaned.get("prefix") or "",
                cleaned.get("suffix") or "",
            )
        else:
            location = request.GET.get("location", Location.BODY)
            if location not in Location.values:
                location = Location.BODY
            text = article.text_of(location) or ""
            start, end = _int(request.GET.get("start")), _int(request.GET.get("end"))
            if "start16" in request.GET or "end16" in request.GET:
                start16, end16 = _int(request.GET.get("start16")), _int(request.GET.get("end16"))
                start = workbench.utf16_index(text, start16) if start16 is not None else None
                end = workbench.utf16_index(text, end16) if end16 is not None else None
            chosen = workbench.passage(article, location, start, end)
            asked = any(name in request.GET for name in ("start", "end", "start16", "end16"))
            if asked and chosen is None:
                status = 400
                problem = (
                    "That selection is not a passage of the article as it is now (it may have been edited "
                    "since the page was drawn). Select the passage again, or paste the quote below."
                )
            initial = {"location": location, "text_token": workbench.text_token(text)}
            if chosen is not None:
                initial.update(
                    quote=chosen.quote,
                    start=chosen.start,
                    prefix=chosen.prefix,
                    suffix=chosen.suffix,
                    new_claim=chosen.sentence,
                )
            form = CiteForm(initial=initial, article=article)
        before = after = ""
        if chosen is not None:
            before, _, after = anchoring.in_context(article.text_of(chosen.location), chosen.start, chosen.end)
        context = self._context(
            request,
            f"Cite “{article.title}”",
            article,
            form=form,
            media=self.media + form.media,
            position=chosen,
            context_before=before,
            context_after=after,
            problem=problem,
            text_changed=text_changed,
            found_claims=found_claims,
            location_label=Location(location).label,
        )
        return TemplateResponse(request, "admin/articles/article/cite.html", context, status=status)

    def _save_citation(self, request, article, form):
        """Save the valid form through workbench.cite; None, with the form's errors set, if the models refuse it."""
        cleaned = form.cleaned_data
        try:
            citation = workbench.cite(
                article=article,
                location=cleaned["location"],
                quote=cleaned["quote"],
                near=cleaned.get("start"),
                prefix=cleaned.get("prefix") or "",
                suffix=cleaned.get("suffix") or "",
                stance=cleaned["stance"],
                speaker=cleaned.get("speaker"),
                user=request.user,
                note=cleaned.get("change_note", ""),
                claim=cleaned["claim"] if cleaned["target"] == CiteForm.EXISTING else None,
                new_claim_text=cleaned.get("new_claim", ""),
            )
        except ValidationError as error:
            # What the form could not know: a save that raced this one (the same passage, just cited).
            for message in error.messages:
                form.add_error(None, message)
            return None
        except IntegrityError:
            if cleaned["target"] == CiteForm.NEW:
                # Two editors adding a claim from the same words at once: both found its address free.
                form.add_error(
                    None,
                    "A claim with these words was added a moment ago, perhaps by another editor citing this "
                    "passage; nothing was saved. Look it up under “Find a claim” and cite into it, "
                    "or save again to add yours beside it.",
                )
            else:
                form.add_error(None, CITED_A_MOMENT_AGO)
            return None
        claim = citation.claim
        messages.success(
            request,
            format_html(
                "Cited “{}”: it {} <a href='{}'>{}</a> (the claim’s status now: {}).",
                _clip(citation.quote),
                citation.get_stance_display(),
                reverse("admin:articles_claim_change", args=[claim.pk]),
                _clip(claim.text),
                claim.status_label,
            ),
        )
        return citation

    # --- Add article from text ------------------------------------------------------------

    def from_text_view(self, request):
        """Paste or upload a page; confirm which lines are furniture or captions; create the article.

        Context: `form` (an ArticleFromTextForm); `lines`: the text's lines
        with suggestions, once the text is read (the second step); `removed`,
        `captions`: the line numbers ticked in each column.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        status, lines, removed, captions = 200, [], set(), set()
        if request.method == "POST":
            form = ArticleFromTextForm(request.POST, request.FILES)
            if form.is_valid():
                cleaned = form.cleaned_data
                lines = form.lines
                confirmed = "_create" in request.POST and cleaned.get("lines_of") == cleaned["token"]
                if confirmed:
                    removed, captions = form.chosen_lines("removed"), form.chosen_lines("captions")
                    body, caption_text = workbench.split_lines(cleaned["text"], removed, captions)
                    try:
                        article = workbench.add_article_from_text(
                            title=cleaned["title"],
                            kind=cleaned["kind"],
                            body=body,
                            captions=caption_text,
                            user=request.user,
                            note=cleaned.get("change_note", ""),
                        )
                    except ValidationError as error:
                        for message in _article_problems(error):
                            form.add_error(None, message)
                        status = 400
                    except IntegrityError:
                        form.add_error(None, "An article with this title was added a moment ago: create it again.")
                        status = 400
                    else:
                        messages.success(
                            request,
                            format_html(
                                "Added “{}”. Select a passage, or use a sentence’s “cite” link, to cite it; "
                                "set its date, authors and publisher in <a href='{}'>its form</a>.",
                                article.title,
                                reverse("admin:articles_article_change", args=[article.pk]),
                            ),
                        )
                        return redirect("admin:articles_article_read", article.pk)
                else:
                    if "_create" in request.POST:
                        messages.warning(request, "The text changed, so the lines were suggested afresh: check them.")
                    removed = {line.number for line in lines if line.suggested_removal}
                    captions = {line.number for line in lines if line.suggested_caption}
                    # The checkboxes now belong to this text.
                    data = form.data.copy()
                    data["lines_of"] = cleaned["token"]
                    data["title"] = cleaned["title"]
                    form.data = data
            else:
                status = 400
                # The lines as the editor ticked them, when the text could be read.
                lines = form.lines
                removed, captions = form.chosen_lines("removed"), form.chosen_lines("captions")
        else:
            form = ArticleFromTextForm()
        context = self._context(
            request,
            "Add article from text",
            form=form,
            lines=lines,
            removed=removed,
            captions=captions,
        )
        return TemplateResponse(request, "admin/articles/article/from_text.html", context, status=status)


def _clip(text, limit=80):
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _sentences_html(text, highlights, location, cite_url, can_cite):
    """The text with its quotes marked and each sentence wrapped, with its UTF-16 start and a "cite" link.

    Cached under a hash of everything the HTML depends on, as the public
    article page's text is: a long article with hundreds of quotes takes a
    fifth of a second to render.
    """
    key = repr(("workbench", text, highlights, location, cite_url, can_cite))
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return cache.get_or_set(
        f"workbench-html:{digest}", lambda: _render_sentences(text, highlights, location, cite_url, can_cite)
    )


def _render_sentences(text, highlights, location, cite_url, can_cite):
    spans = workbench.sentence_spans(text)
    starts16 = workbench.sentence_starts16(text, spans)

    def wrap(start, end):
        opening = f'<span class="sentence" data-start16="{starts16[start]}">'
        closing = "</span>"
        if can_cite:
            href = f"{cite_url}?location={location}&start={start}&end={end}"
            closing += f' <a class="cite-sentence" href="{escape(href)}" aria-label="Cite this sentence">cite</a>'
        return opening, closing

    return render_plain_spans(text, highlights, spans, wrap)


def _found(article, location, quote, near, prefix="", suffix=""):
    """The passage where `quote` is found in the text (nearest `near`), or None."""
    found = anchoring.anchor(article.text_of(location) or "", quote or "", near=near, prefix=prefix, suffix=suffix)
    return workbench.passage(article, location, found.start, found.end) if found else None


# What the article's own validation says, for the "Add article from text" form, which
# shows neither the body nor the slug as fields: Django's "This field cannot be blank."
# said nothing about which field, or why.
_FROM_TEXT_PROBLEMS = {
    ("body", "blank"): "The body would be empty: every line is ticked to be removed or to be a caption. "
    "Untick the lines that are the article's text.",
    ("title", "blank"): "No line reads as a headline: type a title.",
}


def _article_problems(error):
    if not hasattr(error, "error_dict"):
        return error.messages
    problems = []
    for field, errors in error.error_dict.items():
        for item in errors:
            known = _FROM_TEXT_PROBLEMS.get((field, item.code))
            label = Article._meta.get_field(field).verbose_name.capitalize() if field != NON_FIELD_ERRORS else ""
            problems.append(known or (f"{label}: {' '.join(item.messages)}" if label else " ".join(item.messages)))
    return problems
