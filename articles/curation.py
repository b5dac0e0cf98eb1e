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

from articles.interchange import FORMAT, SCHEMA, VERSION, date_keys, symmetrical_conflicts

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
    """List each competing-claim link, and its note, on both sides of the pair (interchange.symmetrical_conflicts).

    The files may declare a pair on either side or both, so they read either
    way; a note for a claim not listed, or two different notes, are refused.
    """
    for claim in claims:
        stray = sorted(set(claim.get("conflict_notes") or {}) - set(claim.get("conflicts_with") or []))
        if stray:
            raise CurationError(
                f"Claim “{claim['slug']}” has conflict_notes for claims it does not list in conflicts_with: {stray}."
            )
        if claim.get("conflict_notes"):
            # An empty note is no note: the other side's, if any, stands.
            claim["conflict_notes"] = {other: note for other, note in claim["conflict_notes"].items() if note}

    def refuse(i, slug, other, note, other_note):
        raise CurationError(
            f"Claims “{slug}” and “{other}” give their link two different notes: “{other_note}” and “{note}”. Keep one."
        )

    symmetrical_conflicts(claims, refuse)


def build_document(curated_dir=CURATED_DIR):
    curated_dir = Path(curated_dir)
    articles = [_load(path) for path in sorted((curated_dir / "articles").glob("*.yaml"))]
    for article in articles:
        article.update({key: _partial(article.get(key)) for key in date_keys("articles")})
    events = _load(curated_dir / "events.yaml")
    for event in events:
        event.update({key: _partial(event.get(key)) for key in date_keys("events")})
    claims = _load(curated_dir / "claims.yaml")
    _symmetrise_conflicts(claims)
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
    """An exported object as the curated files hold it: without derived keys or empty notes.

    A citation lists only what differs from the defaults (a speaker, a quote
    from the captions, a lost quote's `anchored: false`), as the hand-written
    files do.
    """
    keys = {key.name: key for key in SCHEMA[kind].keys}
    entry = {name: value for name, value in entry.items() if keys[name].stage != "derived"}
    if kind == "claims":
        defaults = {key.name: key.missing for key in keys["citations"].keys if not key.required}
        entry["citations"] = [
            {name: value for name, value in citation.items() if name not in defaults or value != defaults[name]}
            for citation in entry["citations"]
        ]
        if not entry["conflict_notes"]:
            del entry["conflict_notes"]
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
