"""Writes that touch several models. Each validates before it saves."""

from django.db import transaction

from articles.models import Article, Citation


@transaction.atomic
def article_reanchor_citations(*, article: Article) -> list[Citation]:
    """Find every quote of `article` again after its body changed.

    Citations whose quote moved get their new position; those whose quote is
    gone are flagged (anchored=False), never deleted. Returns the flagged ones.
    Article.save() does this itself when the body changes; call this to list
    what is flagged, e.g. to warn an editor.
    """
    return article.reanchor_citations()


def citation_create(*, claim, article, quote, stance) -> Citation:
    citation = Citation(claim=claim, article=article, quote=quote, stance=stance)
    citation.full_clean()
    citation.save()
    return citation
