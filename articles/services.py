"""Writes that touch several models. Each validates before it saves."""

from django.db import transaction

from articles.models import Article, Citation


@transaction.atomic
def article_reanchor_citations(*, article: Article) -> list[Citation]:
    """Find every quote of `article` again after its body changed.

    Citations whose quote moved get their new position; those whose quote is
    gone are flagged (anchored=False), never deleted. Returns the flagged ones.
    """
    lost = []
    for citation in article.citations.select_related("claim"):
        citation.article = article
        if citation.anchor():
            citation.save()
        if not citation.anchored:
            lost.append(citation)
    return lost


def citation_create(*, claim, article, quote, stance) -> Citation:
    citation = Citation(claim=claim, article=article, quote=quote, stance=stance)
    citation.full_clean()
    citation.save()
    return citation
