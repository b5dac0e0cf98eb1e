"""Writes that touch several models. Each validates before it saves."""

from articles.models import Citation


def citation_create(*, claim, article, quote, stance) -> Citation:
    citation = Citation(claim=claim, article=article, quote=quote, stance=stance)
    citation.full_clean()
    citation.save()
    return citation
