"""Turn the hand-curated YAML in fixtures/curated/ into an import document, and back.

The YAML is what editors review; fixtures/kb.json, built from it by
`manage.py build_fixtures`, is what `make run` loads. write_curated() writes
a live knowledge base back in the same layout (`export_kb --curated DIR`), so
editors' work can be reviewed as a diff and shipped with the fixtures.
"""

import datetime
import re
from pathlib import Path

import yaml
from django.conf import settings

from articles.interchange import FORMAT, SCHEMA, VERSION, date_keys

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


# --- Writing the curated files from a knowledge base ---------------------------------

_NUMBERED = re.compile(r"(\d{3})_")


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, as the hand-written files have it."""


def _text(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper, value):
    # Slugs and tags on one line (`tags: [visit, history]`), as the hand-written files have them.
    flow = all(isinstance(item, str) and "\n" not in item for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def _curated(kind, entry):
    """An exported object as the curated files hold it: without derived keys, a lost quote marked."""
    derived = {key.name for key in SCHEMA[kind].stage("derived")}
    entry = {name: value for name, value in entry.items() if name not in derived}
    if kind == "claims":
        entry["citations"] = [
            {name: value for name, value in citation.items() if name != "anchored" or not value}
            for citation in entry["citations"]
        ]
    return entry


def _dump(data, path, header):
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    path.write_text(f"# {header}\n{text}", encoding="utf-8")


def write_curated(document, curated_dir):
    """Write `document` (export_kb's shape) as the curated YAML layout under `curated_dir`.

    Article files keep the number of their seed file (000_…) or get the next
    free one; article files of articles the document lacks are removed, so
    the directory builds exactly this knowledge base. Returns the paths written.
    """
    curated_dir = Path(curated_dir)
    (curated_dir / "articles").mkdir(parents=True, exist_ok=True)
    header = "Written by `manage.py export_kb --curated` from a live knowledge base; review the diff."
    written = []
    numbers = [int(m.group(1)) for a in document["articles"] if (m := _NUMBERED.match(a.get("source_file") or ""))]
    following = max(numbers, default=-1) + 1
    for article in document["articles"]:
        match = _NUMBERED.match(article.get("source_file") or "")
        if match:
            number = match.group(1)
        else:
            number, following = f"{following:03d}", following + 1
        path = curated_dir / "articles" / f"{number}_{article['slug']}.yaml"
        _dump(_curated("articles", article), path, header)
        written.append(path)
    for stale in set((curated_dir / "articles").glob("*.yaml")) - set(written):
        stale.unlink()
    for kind in ["actors", "events", "claims"]:
        path = curated_dir / f"{kind}.yaml"
        _dump([_curated(kind, entry) for entry in document[kind]], path, header)
        written.append(path)
    return written
