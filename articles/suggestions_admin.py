"""Suggested citations in an article's reading view: accept one as a citation, or dismiss it.

Mixed into ArticleAdmin (articles/admin.py) in front of WorkbenchAdmin: the
reading view gains a `suggestions` panel (templates/admin/articles/article/
read_suggestions.html), and two POST-only URLs take an editor's answer.
Accepting saves through workbench.cite(), the one write path of the
workbench (the quote anchored, the claim's status refreshed, one revision);
dismissing stores a DismissedSuggestion, so the same (claim, sentence) is not
offered for this article again. The suggestions are those of
`manage.py suggest_citations --article` (articles/suggestions.py).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from articles import workbench
from articles.models import Claim, DismissedSuggestion, Location, Stance
from articles.suggestions import suggest_for_article
from articles.workbench_admin import CITED_A_MOMENT_AGO


def _clip(text, limit=80):
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


class SuggestionsAdmin:
    """The suggestions panel of the reading view, and its accept and dismiss actions, for ArticleAdmin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/suggestions/accept/",
                wrap(require_POST(self.accept_suggestion_view)),
                name="articles_article_accept_suggestion",
            ),
            path(
                "<path:object_id>/suggestions/dismiss/",
                wrap(require_POST(self.dismiss_suggestion_view)),
                name="articles_article_dismiss_suggestion",
            ),
            *super().get_urls(),
        ]

    def reading_view(self, request, object_id, *, status=200):
        """The workbench's reading view, plus `suggestions` (a suggestions.Report, or None when the editor cannot
        cite), `stances` (the choices offered), and the `accept_url` and `dismiss_url` the panel's forms post to.
        """
        response = super().reading_view(request, object_id)
        article = response.context_data["article"]
        can_cite = response.context_data["can_cite"]
        response.context_data.update(
            suggestions=suggest_for_article(article, cached=True) if can_cite else None,
            stances=Stance.choices,
            accept_url=reverse("admin:articles_article_accept_suggestion", args=[article.pk]),
            dismiss_url=reverse("admin:articles_article_dismiss_suggestion", args=[article.pk]),
        )
        response.status_code = status
        return response

    def _answer(self, request, object_id):
        """(article, claim, quote, start) from a panel form; raises ValidationError on anything else."""
        article = self._article(request, object_id)
        if not request.user.has_perm("articles.add_citation"):
            raise PermissionDenied
        claim = Claim.objects.filter(pk=_number(request.POST.get("claim"))).first()
        quote = request.POST.get("quote", "")
        if claim is None:
            raise ValidationError("That claim no longer exists.")
        if not quote or quote not in article.body:
            raise ValidationError("That sentence is no longer in the article: it was edited since the page was drawn.")
        return article, claim, quote, _number(request.POST.get("start"))

    def accept_suggestion_view(self, request, object_id):
        """Cite the suggested sentence into the suggested claim, with the stance the editor chose."""
        try:
            article, claim, quote, start = self._answer(request, object_id)
            stance = request.POST.get("stance")
            if stance not in Stance.values:
                raise ValidationError("Choose whether the sentence supports, qualifies or disputes the claim.")
            citation = workbench.cite(
                article=article,
                location=Location.BODY,
                quote=quote,
                near=start,
                stance=stance,
                speaker=None,
                user=request.user,
                note=f"Cited “{article.title}” from a suggested citation.",
                claim=claim,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.reading_view(request, object_id, status=400)
        except IntegrityError:
            # Two editors accepting one suggestion at once: both found the citation new.
            messages.error(request, CITED_A_MOMENT_AGO)
            return self.reading_view(request, object_id, status=400)
        claim.refresh_from_db()
        messages.success(
            request,
            format_html(
                "Cited “{}” as {} <a href='{}'>{}</a> (status now: {}).",
                _clip(citation.quote),
                citation.get_stance_display(),
                reverse("admin:articles_claim_change", args=[claim.pk]),
                _clip(claim.text),
                claim.status_label,
            ),
        )
        return redirect(reverse("admin:articles_article_read", args=[article.pk]) + "#suggestions")

    def dismiss_suggestion_view(self, request, object_id):
        """Remember that this sentence does not bear on this claim, for this article."""
        try:
            article, claim, quote, _ = self._answer(request, object_id)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.reading_view(request, object_id, status=400)
        DismissedSuggestion.objects.get_or_create(
            article=article, claim=claim, quote=quote, defaults={"dismissed_by": request.user}
        )
        messages.info(request, f"Dismissed: “{_clip(quote)}” will not be suggested for “{_clip(claim.text)}” again.")
        return redirect(reverse("admin:articles_article_read", args=[article.pk]) + "#suggestions")


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
