"""Checks over the whole knowledge base: is every statement backed by its source?

Used by `manage.py check_kb` and by the test suite against the shipped fixtures.
Each check returns readable problems; an empty list means it passed.
"""

from pathlib import Path

from django.db.models import Exists, OuterRef, Q

from articles import anchoring
from articles.curation import SOURCES_DIR
from articles.models import Actor, Article, Citation, Claim, Event, Participation, Stance


def quotes_found_verbatim():
    problems = []
    for citation in Citation.objects.select_related("article", "claim").order_by("claim__slug", "pk"):
        if not anchoring.occurrences(citation.article.body, citation.quote):
            problems.append(
                f"Claim “{citation.claim.slug}”: quote not found in “{citation.article.slug}”: “{citation.quote}”"
            )
        elif not citation.anchored:
            problems.append(f"Claim “{citation.claim.slug}”: citation of “{citation.article.slug}” is flagged lost.")
    return problems


def bodies_found_in_seeds(sources_dir=None):
    sources_dir = sources_dir or SOURCES_DIR
    problems = []
    for article in Article.objects.exclude(source_file="").order_by("slug"):
        path = Path(sources_dir) / article.source_file
        try:
            seed_lines = set(path.read_text(encoding="utf-8").splitlines())
        except OSError:
            problems.append(f"Article “{article.slug}”: seed file {article.source_file} cannot be read.")
            continue
        for number, line in enumerate(article.body.splitlines(), start=1):
            if line.strip() and line not in seed_lines:
                problems.append(
                    f"Article “{article.slug}”, body line {number} is not in {article.source_file}: “{line}”"
                )
    return problems


def claims_supported():
    supported = Citation.objects.filter(claim=OuterRef("pk"), stance=Stance.SUPPORTS)
    return [
        f"Claim “{slug}” has no supporting citation."
        for slug in Claim.objects.filter(~Exists(supported)).order_by("slug").values_list("slug", flat=True)
    ]


def actors_referenced():
    referenced = (
        Q(Exists(Article.objects.filter(Q(publisher=OuterRef("pk")) | Q(wire=OuterRef("pk")))))
        | Q(Exists(Article.authors.through.objects.filter(actor=OuterRef("pk"))))
        | Q(Exists(Participation.objects.filter(actor=OuterRef("pk"))))
        | Q(Exists(Claim.objects.filter(claimant=OuterRef("pk"))))
        | Q(Exists(Claim.subjects.through.objects.filter(actor=OuterRef("pk"))))
    )
    return [
        f"Actor “{slug}” is not referenced by any article, event or claim."
        for slug in Actor.objects.exclude(referenced).order_by("slug").values_list("slug", flat=True)
    ]


def events_attested():
    return [
        f"Event “{slug}” is not attested by any claim."
        for slug in Event.objects.filter(claims__isnull=True).order_by("slug").values_list("slug", flat=True)
    ]


CHECKS = {
    "every quote is found verbatim in its article": quotes_found_verbatim,
    "every article body is found, line by line, in its seed file": bodies_found_in_seeds,
    "every claim has at least one supporting citation": claims_supported,
    "every actor is referenced somewhere": actors_referenced,
    "every event is attested by a claim": events_attested,
}


def run_checks():
    """{description: [problems]} for every check."""
    return {description: check() for description, check in CHECKS.items()}
