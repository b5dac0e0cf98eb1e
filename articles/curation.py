"""Turn the hand-curated YAML in fixtures/curated/ into an import document.

The YAML is what editors review; fixtures/kb.json, built from it by
`manage.py build_fixtures`, is what `make run` loads.
"""

import datetime
from pathlib import Path

import yaml
from django.conf import settings

from articles.interchange import FORMAT, VERSION, date_keys

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


def build_document(curated_dir=CURATED_DIR):
    curated_dir = Path(curated_dir)
    articles = [_load(path) for path in sorted((curated_dir / "articles").glob("*.yaml"))]
    for article in articles:
        article.update({key: _partial(article.get(key)) for key in date_keys("articles")})
        article["body"] = article["body"].rstrip("\n") + "\n"
    events = _load(curated_dir / "events.yaml")
    for event in events:
        event.update({key: _partial(event.get(key)) for key in date_keys("events")})
    claims = _load(curated_dir / "claims.yaml")
    # conflicts_with is symmetrical; list it on both sides so the file reads either way.
    rivals = {claim["slug"]: set(claim.get("conflicts_with") or []) for claim in claims}
    for slug, others in list(rivals.items()):
        for other in others:
            rivals.setdefault(other, set()).add(slug)
    for claim in claims:
        claim["conflicts_with"] = sorted(rivals.get(claim["slug"], ()))
    return {
        "format": FORMAT,
        "version": VERSION,
        "articles": sorted(articles, key=lambda a: a["slug"]),
        "actors": sorted(_load(curated_dir / "actors.yaml"), key=lambda a: a["slug"]),
        "events": events,
        "claims": claims,
    }
