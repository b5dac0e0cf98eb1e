"""Turn the hand-curated YAML in fixtures/curated/ into an import document.

The YAML is what editors review; fixtures/kb.json, built from it by
`manage.py build_fixtures`, is what `make run` loads.
"""

import datetime
from pathlib import Path

import yaml
from django.conf import settings

CURATED_DIR = Path(settings.BASE_DIR) / "fixtures" / "curated"
SOURCES_DIR = Path(settings.BASE_DIR) / "fixtures" / "sources"
FIXTURE_PATH = Path(settings.BASE_DIR) / "fixtures" / "kb.json"


def _partial(value):
    # YAML reads an unquoted 2025-10-09 as a date; the document wants text.
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None if value is None else str(value)


def _load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


class CurationError(ValueError):
    """The curated files contradict themselves; the message says where."""


def _symmetrise_conflicts(claims):
    """List each competing-claim link, and its note, on both sides of the pair.

    The files may declare a pair on either side or both, so they read either
    way; a pair has one note for readers, so two different notes are refused.
    """
    rivals, notes = {}, {}
    for claim in claims:
        slug = claim["slug"]
        given = claim.get("conflict_notes") or {}
        for other in claim.get("conflicts_with") or []:
            rivals.setdefault(slug, set()).add(other)
            rivals.setdefault(other, set()).add(slug)
            note = given.get(other)
            if not note:
                continue
            pair = frozenset((slug, other))
            if notes.setdefault(pair, note) != note:
                raise CurationError(
                    f"Claims “{slug}” and “{other}” give their link two different notes: "
                    f"“{notes[pair]}” and “{note}”. Keep one."
                )
        stray = sorted(set(given) - set(claim.get("conflicts_with") or []))
        if stray:
            raise CurationError(
                f"Claim “{slug}” has conflict_notes for claims it does not list in conflicts_with: {stray}."
            )
    for claim in claims:
        slug = claim["slug"]
        claim["conflicts_with"] = sorted(rivals.get(slug, ()))
        claim["conflict_notes"] = {
            other: notes[frozenset((slug, other))]
            for other in claim["conflicts_with"]
            if frozenset((slug, other)) in notes
        }


def build_document(curated_dir=CURATED_DIR):
    curated_dir = Path(curated_dir)
    articles = [_load(path) for path in sorted((curated_dir / "articles").glob("*.yaml"))]
    for article in articles:
        article["published"] = _partial(article.get("published"))
        article["body"] = article["body"].rstrip("\n") + "\n"
    events = _load(curated_dir / "events.yaml")
    for event in events:
        event["start"], event["end"] = _partial(event.get("start")), _partial(event.get("end"))
    claims = _load(curated_dir / "claims.yaml")
    _symmetrise_conflicts(claims)
    return {
        "format": "provenance-kb",
        "version": 1,
        "articles": sorted(articles, key=lambda a: a["slug"]),
        "actors": sorted(_load(curated_dir / "actors.yaml"), key=lambda a: a["slug"]),
        "events": events,
        "claims": claims,
    }
