"""The knowledge base as one JSON document: export it, and load it back.

The shape is documented in README ("The JSON export") and other tools read it,
so change it only by adding keys. References between objects are slugs.
The shipped fixture, fixtures/kb.json, is a document of this shape too, so the
site loads its own fixtures through the same validating path as any import.

Each kind of object declares its keys once (SCHEMA, below). The export writes
them, the import validates and writes them, and the comparison that tells an
editor's change from the loader's own reads them. Adding a key to the format
means adding one line there.

Loading runs in three steps:
1. validate: every key of every object is checked for its JSON type, length,
   choices, dates and references, with nothing written. Every problem is
   reported with its place (`claims[3].citations[1].quote`), never a traceback.
2. plan: each object is compared with the database and with what the last load
   wrote (LoadRecord): create, update, unchanged, or skip because an editor has
   changed or deleted it since.
3. write, all or nothing, and record what was loaded.
"""

import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from taggit.models import Tag

from articles import anchoring, services
from articles.bidi import bidi_control_problem
from articles.dates import DatePrecision, parse_partial, to_partial, truncate
from articles.models import (
    Actor,
    ActorAlias,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    Event,
    LoadRecord,
    Participation,
    normalise_newlines,
    quote_not_found_message,
)

FORMAT = "provenance-kb"
VERSION = 1


class ImportFailed(Exception):
    """The document does not fit the knowledge base; nothing was written."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Skip(Exception):
    """This object cannot be written without overwriting an editor's work."""


def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _brief(problem, limit=500):
    """A problem short enough to read: Django's messages quote the offending value, which may be huge."""
    return problem if len(problem) <= limit else f"{problem[: limit - 1]}…"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text_problem(value):
    """Why `value` cannot be stored as text in every supported database, or None."""
    if "\x00" in value:
        return "contains a NUL character, which the database cannot store."
    if _SURROGATE.search(value):
        return "is not valid Unicode (it contains a lone surrogate)."
    # Refused as the admin's forms refuse them: an import must not store what an editor could not type.
    return bidi_control_problem(value)


class _Checker:
    """Collects problems while one document is validated, and knows the slugs it may refer to."""

    def __init__(self, known, texts):
        self.problems = []
        self.known = known  # kind -> set of slugs in the document or the database
        self.texts = texts  # article slug -> Article with the title, body and captions quotes are checked against

    def problem(self, at, message):
        self.problems.append(_brief(f"{at}: {message}"))

    def refers(self, kind, slug, at):
        """Whether `slug` names a `kind` object of the document or the database; if not, says so."""
        if slug in self.known[kind]:
            return True
        self.problem(at, f"no {SCHEMA[kind].noun} with slug “{slug[:120]}”.")
        return False


# --- Keys ------------------------------------------------------------------------


class Key:
    """One key of an exported object: how it is exported, validated and written.

    `stage` says when it is written: "field" before the object is saved,
    "link" after (many-to-many, tags, dependent rows), "late" after every
    object of the kind exists, "derived" never (export only).
    """

    stage = "field"
    missing = None  # the value when the key is absent

    def __init__(self, name, *, field=None, required=False):
        self.name, self.field_name, self.required = name, field or name, required

    def bind(self, model):
        self.model = model
        try:
            self.field = model._meta.get_field(self.field_name)
        except FieldDoesNotExist:
            self.field = None
        return self

    def export(self, obj):
        return getattr(obj, self.field_name)

    def clean(self, value, at, check, entry):
        return value

    def absent(self, value, at, check):
        """True when the value is null (or an empty optional value); a required key says it is missing."""
        if value is None or (value == "" and not self.required):
            if self.required:
                check.problem(at, "is missing.")
            return True
        return False

    def clean_present(self, entry, at, check):
        if self.name not in entry:
            if self.required:
                check.problem(at, "is missing.")
            return self.missing
        return self.clean(entry[self.name], at, check, entry)

    def _model_validation(self, value, at, check):
        """Run the model field's own checks (length, choices, slug format, URL) on a typed value."""
        if self.field is None:
            return value
        try:
            return self.field.clean(value, None)
        except ValidationError as error:
            check.problem(at, " ".join(error.messages))
            return value

    def write(self, obj, value, loader):
        setattr(obj, self.field_name, value)


class Text(Key):
    """A string, kept exactly as given (a backup must restore what was there).

    `newlines`: the model stores one kind of line end (Article.save(),
    Citation.save()), so the document's are normalised the same way before
    they are compared with what is stored.
    """

    missing = ""

    def __init__(self, name, *, newlines=False, **kwargs):
        super().__init__(name, **kwargs)
        self.newlines = newlines

    def clean(self, value, at, check, entry):
        if value is None and not self.required:
            value = ""
        if not isinstance(value, str):
            check.problem(at, f"expected text, got {_type_name(value)}.")
            return ""
        trouble = _text_problem(value)
        if trouble:
            check.problem(at, trouble)
            return ""
        if self.newlines:
            value = normalise_newlines(value)
        return self._model_validation(value, at, check)


class Choice(Text):
    """One of the model field's choices; null or absent means the field's default."""

    def bind(self, model):
        super().bind(model)
        self.missing = self.field.get_default()
        return self

    def clean(self, value, at, check, entry):
        if value is None:
            if self.required:
                check.problem(at, f"expected one of {', '.join(v for v, _ in self.field.choices)}, got null.")
            return self.missing
        return super().clean(value, at, check, entry)


class Precision(Choice):
    """An article's date_precision: none (null) exactly when its date is unknown, as the model insists."""

    def __init__(self, name, *, date, **kwargs):
        super().__init__(name, **kwargs)
        self.date_key = date

    def export(self, obj):
        return getattr(obj, self.field_name) or None

    def clean(self, value, at, check, entry):
        precision = super().clean(value, at, check, entry)
        return precision if entry.get(self.date_key) not in (None, "") else None

    def write(self, obj, value, loader):
        setattr(obj, self.field_name, value or "")


class Flag(Key):
    def __init__(self, name, *, missing=False, **kwargs):
        super().__init__(name, **kwargs)
        self.missing = missing

    def clean(self, value, at, check, entry):
        if not isinstance(value, bool):
            check.problem(at, f"expected true or false, got {_type_name(value)}.")
            return self.missing
        return value


_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_PRECISION_RANK = {DatePrecision.DECADE: 0, DatePrecision.YEAR: 1, DatePrecision.MONTH: 2, DatePrecision.DAY: 3}


class PartialDate(Key):
    """ "2025", "2025-10" or "2025-10-09", at the precision named by the object's date_precision."""

    def __init__(self, name, *, precision="date_precision", **kwargs):
        super().__init__(name, **kwargs)
        self.precision_key = precision

    def _precision(self, entry):
        precision = entry.get(self.precision_key)
        return precision if precision in _PRECISION_RANK else DatePrecision.DAY

    def export(self, obj):
        return to_partial(getattr(obj, self.field_name), getattr(obj, self.precision_key))

    def clean(self, value, at, check, entry):
        if self.absent(value, at, check):
            return None
        if not isinstance(value, str):
            check.problem(at, f"expected a date written as YYYY, YYYY-MM or YYYY-MM-DD, got {_type_name(value)}.")
            return None
        try:
            if not _PARTIAL_DATE.fullmatch(value):
                raise ValueError
            parsed, stated = parse_partial(value)
        except ValueError:
            check.problem(at, f"“{value[:40]}” is not a date written as YYYY, YYYY-MM or YYYY-MM-DD.")
            return None
        precision = self._precision(entry)
        if _PRECISION_RANK[stated] < _PRECISION_RANK[precision]:
            check.problem(at, f"“{value}” is less precise than its date_precision “{precision}”.")
            return None
        return to_partial(truncate(parsed, precision), precision)

    def write(self, obj, value, loader):
        setattr(obj, self.field_name, None if value is None else parse_partial(value)[0])


class Ref(Key):
    """The slug of another object, or null."""

    def __init__(self, name, kind, **kwargs):
        super().__init__(name, **kwargs)
        self.kind = kind

    def export(self, obj):
        target = getattr(obj, self.field_name)
        return target.slug if target else None

    def clean(self, value, at, check, entry):
        if self.absent(value, at, check):
            return None
        if not isinstance(value, str):
            check.problem(at, f"expected a slug, got {_type_name(value)}.")
            return None
        check.refers(self.kind, value, at)
        return value

    def write(self, obj, value, loader):
        setattr(obj, self.field_name, None if value is None else loader.resolve(self.kind, value))


class _List(Key):
    """A list of strings, each checked by item(); no repeats."""

    stage = "link"
    missing = ()
    fold = staticmethod(str)  # what counts as a repeat

    def clean(self, value, at, check, entry):
        if value is None:
            return []
        if not isinstance(value, list):
            check.problem(at, f"expected a list, got {_type_name(value)}.")
            return []
        cleaned, seen = [], set()
        for i, item in enumerate(value):
            item_at = f"{at}[{i}]"
            if not isinstance(item, str):
                check.problem(item_at, f"expected text, got {_type_name(item)}.")
                continue
            item = self.item(item, item_at, check)
            if item is None:
                continue
            if self.fold(item) in seen:
                check.problem(item_at, f"“{item}” is listed twice.")
                continue
            seen.add(self.fold(item))
            cleaned.append(item)
        return cleaned

    def item(self, value, at, check):
        return value


class Refs(_List):
    """Slugs of other objects, linked through a many-to-many field."""

    def __init__(self, name, kind, **kwargs):
        super().__init__(name, **kwargs)
        self.kind = kind

    def export(self, obj):
        return sorted(target.slug for target in getattr(obj, self.field_name).all())

    def item(self, value, at, check):
        return value if check.refers(self.kind, value, at) else None

    def write(self, obj, value, loader):
        targets = [loader.resolve(self.kind, slug) for slug in value]
        manager = getattr(obj, self.field_name)
        if {t.pk for t in manager.all()} != {t.pk for t in targets}:
            manager.set(targets)


class _Names(_List):
    """Free-text names (tags, aliases): not blank, within the model's length, no repeats ignoring case."""

    fold = staticmethod(str.casefold)
    max_length = None

    def item(self, value, at, check):
        trouble = _text_problem(value)
        if trouble or not value.strip():
            check.problem(at, trouble or "is empty.")
            return None
        if len(value) > self.max_length:
            check.problem(at, f"has {len(value)} characters; at most {self.max_length} are allowed.")
            return None
        return value


class Tags(_Names):
    max_length = Tag._meta.get_field("name").max_length

    def export(self, obj):
        return sorted(tag.name for tag in obj.tags.all())

    def write(self, obj, value, loader):
        if sorted(tag.name for tag in obj.tags.all()) != sorted(value):
            obj.tags.set(value)


class Aliases(_Names):
    max_length = ActorAlias._meta.get_field("name").max_length

    def export(self, obj):
        return sorted(alias.name for alias in obj.aliases.all())

    def write(self, actor, value, loader):
        existing = {alias.name: alias for alias in actor.aliases.all()}
        for name, alias in existing.items():
            if name not in value:
                alias.delete()
        for name in value:
            if name not in existing:
                alias = ActorAlias(actor=actor, name=name)
                loader.validated(alias, f"{self.name}[{value.index(name)}]", {"name": ""})
                alias.save()


class Rows(Key):
    """A list of dependent rows (an event's participants, a claim's citations), each with its own keys.

    `identity` names the keys that tell one row from another; rows the
    document no longer lists are deleted, the others updated in place.
    """

    stage = "link"
    missing = ()

    def __init__(self, name, model, keys, *, identity, related, **kwargs):
        super().__init__(name, **kwargs)
        self.row_model, self.identity, self.related = model, identity, related
        self.keys = [key.bind(model) for key in keys]

    def bind(self, model):
        self.model, self.field = model, None
        return self

    def export(self, obj):
        return [{key.name: key.export(row) for key in self.keys} for row in self.rows(obj)]

    def rows(self, obj):
        return getattr(obj, self.related).all()

    def clean(self, value, at, check, entry):
        if value is None:
            return []
        if not isinstance(value, list):
            check.problem(at, f"expected a list, got {_type_name(value)}.")
            return []
        cleaned, seen = [], {}
        for i, item in enumerate(value):
            item_at = f"{at}[{i}]"
            if not isinstance(item, dict):
                check.problem(item_at, f"expected an object, got {_type_name(item)}.")
                continue
            _unknown_keys(item, self.keys, item_at, check)
            row = {key.name: key.clean_present(item, f"{item_at}.{key.name}", check) for key in self.keys}
            identity = tuple(row[name] for name in self.identity)
            if identity in seen:
                check.problem(item_at, f"repeats {seen[identity]} ({', '.join(self.identity)}).")
                continue
            seen[identity] = item_at
            self.check_row(row, item_at, check)
            cleaned.append(row)
        return cleaned

    def check_row(self, row, at, check):
        pass

    def write(self, obj, value, loader):
        existing = {self.identity_of(row): row for row in self.rows(obj)}
        for i, item in enumerate(value):
            identity = tuple(item[name] for name in self.identity)
            row = existing.pop(identity, None)
            if row is None:
                row = self.row_model(**{self.parent: obj})
            before = {key.name: key.export(row) for key in self.keys} if row.pk else None
            for key in self.keys:
                key.write(row, item[key.name], loader)
            if before != {key.name: key.export(row) for key in self.keys}:
                self.save_row(row, item, f"{self.name}[{i}]", loader)
        for row in existing.values():
            row.delete()

    def identity_of(self, row):
        keys = {key.name: key for key in self.keys}
        return tuple(keys[name].export(row) for name in self.identity)

    def save_row(self, row, item, at, loader):
        loader.validated(row, at, {key.field_name: key.name for key in self.keys}, exclude=[self.parent])
        row.save()


class Participants(Rows):
    parent = "event"

    def __init__(self, name):
        super().__init__(
            name,
            Participation,
            [Ref("actor", "actors", required=True), Text("role", required=True)],
            identity=("actor", "role"),
            related="participations",
        )


class Citations(Rows):
    """A claim's quotes. A flagged one ("anchored": false) is kept as it is, not checked against the body."""

    parent = "claim"

    def __init__(self, name):
        super().__init__(
            name,
            Citation,
            [
                Ref("article", "articles", required=True),
                Text("quote", newlines=True, required=True),
                Choice("stance"),
                Ref("speaker", "actors"),
                Choice("in", field="location"),
                Anchored("anchored"),
            ],
            identity=("article", "quote"),  # the database's citation_unique, within a claim
            related="citations",
        )

    def rows(self, obj):
        # Lost quotes sort after the found ones: their stale position must not move them around.
        return sorted(obj.citations.all(), key=lambda c: (c.article.slug, not c.anchored, c.start or 0, c.quote))

    def check_row(self, row, at, check):
        article = check.texts.get(row["article"])
        if not row["anchored"] or article is None or not row["quote"]:
            return
        if not anchoring.occurrences(article.text_of(row["in"]) or "", row["quote"]):
            check.problem(f"{at}.quote", quote_not_found_message(article, row["quote"], row["in"]))

    def save_row(self, row, item, at, loader):
        # Field checks ran during validation, and the quote was checked against the
        # document's body; Citation.clean() would refuse a flagged quote, which a
        # backup must keep. save() anchors it, or flags it if the body here differs.
        row.save()
        if item["anchored"] and not row.anchored:
            loader.flagged.append(
                f"{loader.label}: {at}: the quote is not in “{row.article.slug}” as it is now; flagged."
            )


class Anchored(Flag):
    """Whether the quote was found in its article when exported; false marks a flagged (lost) quote."""

    def __init__(self, name):
        super().__init__(name, missing=True)

    def write(self, obj, value, loader):
        # Derived from the body when the citation is saved (Citation.anchor()).
        pass


class Conflicts(Refs):
    """Competing claims: symmetrical, so written once every claim of the document exists."""

    stage = "late"

    def export(self, claim):
        return sorted(link.to_claim.slug for link in claim.conflict_links.all())

    def write(self, claim, value, loader):
        wanted = {loader.resolve("claims", slug, missing_ok=True) for slug in value} - {None}
        current = set(claim.conflicts_with.all())
        # A link changes both claims. Leave alone links to claims this load skips
        # (an editor's): the document describes those claims only as they were.
        add = [c for c in wanted - current if loader.writes("claims", c.slug)]
        drop = [c for c in current - wanted if loader.writes("claims", c.slug)]
        if add:
            claim.conflicts_with.add(*add)
        if drop:
            claim.conflicts_with.remove(*drop)


class ConflictNotes(Key):
    """{competing claim's slug: note for readers}; a pair has one note, given on either side."""

    stage = "late"
    missing = {}
    note = ClaimConflict._meta.get_field("note")

    def export(self, claim):
        links = sorted((link.to_claim.slug, link.note) for link in claim.conflict_links.all())
        return {slug: note for slug, note in links if note}

    def clean(self, value, at, check, entry):
        if value is None:
            return {}
        if not isinstance(value, dict):
            check.problem(at, f"expected an object mapping claim slugs to notes, got {_type_name(value)}.")
            return {}
        listed = entry.get("conflicts_with") if isinstance(entry.get("conflicts_with"), list) else []
        cleaned = {}
        for slug, note in value.items():
            note_at = f"{at}.{str(slug)[:60]}"
            if slug not in listed:
                check.problem(note_at, f"“{str(slug)[:60]}” is not listed in conflicts_with.")
            elif not isinstance(note, str):
                check.problem(note_at, f"expected text, got {_type_name(note)}.")
            elif _text_problem(note):
                check.problem(note_at, _text_problem(note))
            elif note:
                try:
                    cleaned[slug] = self.note.clean(note, None)
                except ValidationError as error:
                    check.problem(note_at, " ".join(error.messages))
        return cleaned

    def write(self, claim, value, loader):
        for link in ClaimConflict.objects.filter(from_claim=claim).select_related("to_claim"):
            wanted = value.get(link.to_claim.slug, "")
            if link.note != wanted and loader.writes("claims", link.to_claim.slug):
                link.note = wanted
                link.save()  # mirrors the note onto the reverse link


class Derived(Key):
    """Export only (a claim's status, an event's claims); ignored on import."""

    stage = "derived"

    def __init__(self, name, export):
        super().__init__(name)
        self._export = export

    def export(self, obj):
        return self._export(obj)


@dataclass
class Kind:
    name: str  # the document's list: "articles"
    noun: str
    model: type
    keys: list

    def __post_init__(self):
        self.keys = [key.bind(self.model) for key in self.keys]

    def stage(self, name):
        return [key for key in self.keys if key.stage == name]

    def export(self, obj):
        return {key.name: key.export(obj) for key in self.keys}


# The export's keys, in the order they are written. Loading follows the order
# of the kinds, so that references point backwards.
SCHEMA = {
    kind.name: kind
    for kind in [
        Kind(
            "actors",
            "actor",
            Actor,
            [
                Text("slug", required=True),
                Text("name", required=True),
                Choice("kind", required=True),
                Text("description"),
                Text("editor_note"),
                Aliases("aliases"),
            ],
        ),
        Kind(
            "articles",
            "article",
            Article,
            [
                Text("slug", required=True),
                Text("title", required=True),
                Flag("title_is_editorial"),
                Ref("publisher", "actors"),
                Refs("authors", "actors"),
                Ref("wire", "actors"),
                PartialDate("published"),
                Precision("date_precision", date="published"),
                Flag("date_approximate"),
                Text("date_note"),
                Text("editor_note"),
                Choice("kind", required=True),
                Text("url"),
                Text("source_file"),
                Tags("tags"),
                Text("captions", newlines=True),
                Text("body", newlines=True, required=True),
            ],
        ),
        Kind(
            "events",
            "event",
            Event,
            [
                Text("slug", required=True),
                Text("title", required=True),
                Text("description"),
                Text("editor_note"),
                PartialDate("start", required=True),
                PartialDate("end"),
                Choice("date_precision"),
                Flag("date_approximate"),
                Participants("participants"),
                Derived("claims", lambda e: sorted(claim.slug for claim in e.claims.all())),
                Tags("tags"),
            ],
        ),
        Kind(
            "claims",
            "claim",
            Claim,
            [
                Text("slug", required=True),
                Text("text", required=True),
                Choice("kind"),
                Derived("status", lambda c: c.status),
                # Sorted: stored in the order the citations were made, which a restore does not keep.
                Derived("independent_origins", lambda c: sorted(c.origin_labels)),
                Ref("claimant", "actors"),
                Refs("subjects", "actors"),
                Ref("event", "events"),
                Conflicts("conflicts_with", "claims"),
                ConflictNotes("conflict_notes"),
                Tags("tags"),
                Citations("citations"),
            ],
        ),
    ]
}


def date_keys(kind):
    """The keys of `kind` that hold partial dates (curation writes YAML dates as text for them)."""
    return [key.name for key in SCHEMA[kind].keys if isinstance(key, PartialDate)]


# --- Export --------------------------------------------------------------------


def _exported_querysets(slugs=None):
    """What the export reads; with `slugs` ({kind: slugs}), only those objects (see _only)."""
    querysets = {
        "actors": Actor.objects.prefetch_related("aliases").order_by("slug"),
        "articles": Article.objects.with_people().prefetch_related("tags").order_by("slug"),
        "events": Event.objects.with_participants().prefetch_related("claims", "tags").order_by("start", "slug"),
        "claims": (
            Claim.objects.for_listing()
            .prefetch_related(
                "subjects", "conflict_links__to_claim", "tags", "citations__article", "citations__speaker"
            )
            .order_by("slug")
        ),
    }
    if slugs is None:
        return querysets
    return {name: _only(queryset, slugs[name]) for name, queryset in querysets.items()}


# Above this many slugs, reading the whole table is as cheap as naming them (and SQLite
# limits the parameters of one query).
MANY_SLUGS = 900


def _only(queryset, slugs):
    """The queryset narrowed to the given slugs, so a load costs what its document holds, not the database."""
    slugs = list(slugs)
    return queryset.filter(slug__in=slugs) if len(slugs) <= MANY_SLUGS else queryset


def kb_export(slugs=None):
    """The whole knowledge base as a JSON-ready dict (a fixed number of queries); or, with
    `slugs` ({kind: slugs}), only those objects."""
    querysets = _exported_querysets(slugs)
    document = {"format": FORMAT, "version": VERSION}
    for name in ["articles", "actors", "events", "claims"]:
        document[name] = [SCHEMA[name].export(obj) for obj in querysets[name]]
    return document


def _comparable(kind, entry):
    """An exported or validated object as the loader compares it: no derived keys, lists as sets."""
    derived = {key.name for key in SCHEMA[kind].stage("derived")}
    return _sorted_lists({name: value for name, value in entry.items() if name not in derived})


def _sorted_lists(value):
    if isinstance(value, dict):
        return {name: _sorted_lists(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return sorted((_sorted_lists(item) for item in value), key=_canonical)
    return value


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _project(current, like):
    """`current` reduced to the keys `like` has, so keys added to the format later don't count as edits."""
    if isinstance(like, dict) and isinstance(current, dict):
        return {name: _project(current[name], item) for name, item in like.items() if name in current}
    if isinstance(like, list) and isinstance(current, list):
        names = set().union(*(item.keys() for item in like if isinstance(item, dict)))
        if names:
            current = [
                {name: item[name] for name in names if name in item} if isinstance(item, dict) else item
                for item in current
            ]
        return _sorted_lists(current)
    return current


def _differing(a, b):
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


# --- Validation ------------------------------------------------------------------


def _unknown_keys(data, keys, at, check):
    names = {key.name for key in keys}
    for name in data:
        if name not in names:
            check.problem(at, f"unknown key “{str(name)[:60]}” (expected {', '.join(sorted(names))}).")


def validate(document):
    """Check `document` entirely, writing nothing; return it cleaned (types strict, defaults filled).

    Raises ImportFailed listing every problem with its place.
    """
    if not isinstance(document, dict):
        raise ImportFailed([f"The document must be a JSON object, not {_type_name(document)}."])
    problems = []
    if document.get("format") != FORMAT:
        problems.append(f"format: expected “{FORMAT}”, got {_shown(document.get('format'))}.")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        problems.append(f"version: expected a whole number from 1 to {VERSION}, got {_shown(version)}.")
    for name in document:
        if name not in {"format", "version", *SCHEMA}:
            problems.append(f"unknown key “{str(name)[:60]}” at the top level.")
    for name in SCHEMA:
        if not isinstance(document.get(name), list):
            problems.append(f"{name}: expected a list, got {_shown(document.get(name))}.")
    if problems:
        raise ImportFailed(problems)

    check = _Checker(*_references(document))
    check.problems = problems
    cleaned = {"format": FORMAT, "version": VERSION}
    for name, kind in SCHEMA.items():
        cleaned[name], seen = [], {}
        for i, data in enumerate(document[name]):
            at = f"{name}[{i}]"
            if not isinstance(data, dict):
                check.problem(at, f"expected an object, got {_type_name(data)}.")
                continue
            _unknown_keys(data, kind.keys, at, check)
            entry = {key.name: key.clean_present(data, f"{at}.{key.name}", check) for key in kind.keys}
            slug = entry["slug"]
            if slug in seen:
                check.problem(f"{at}.slug", f"“{slug}” is also the slug of {seen[slug]}.")
                continue
            seen[slug] = at
            cleaned[name].append(entry)
    symmetrical_conflicts(
        cleaned["claims"],
        lambda i, slug, other, note, other_note: check.problem(
            f"claims[{i}].conflict_notes.{other}", "the other claim gives this link another note."
        ),
    )
    if check.problems:
        raise ImportFailed(check.problems)
    return cleaned


def _shown(value):
    return f"“{value[:40]}”" if isinstance(value, str) else _type_name(value)


def _references(document):
    """Slugs each kind may refer to (in the document or already in the database), and article bodies."""
    known = {}
    for name, kind in SCHEMA.items():
        listed = {data.get("slug") for data in document[name] if isinstance(data, dict)}
        known[name] = {slug for slug in listed if isinstance(slug, str)} | set(
            kind.model.objects.values_list("slug", flat=True)
        )
    # Quotes are checked against the texts the document gives, or the stored ones.
    texts = {article.slug: article for article in Article.objects.only("slug", "title", "body", "captions")}
    for data in document["articles"]:
        if isinstance(data, dict) and isinstance(data.get("slug"), str) and isinstance(data.get("body"), str):
            captions = data.get("captions") if isinstance(data.get("captions"), str) else ""
            texts[data["slug"]] = Article(
                title=str(data.get("title")),
                body=normalise_newlines(data["body"]),
                captions=normalise_newlines(captions),
            )
    return known, texts


def symmetrical_conflicts(claims, clash):
    """List each competing-claim link, and its note, on both sides of the pair, as the database holds them.

    `claims`: dicts with "slug", and "conflicts_with" and "conflict_notes" if they have links. A document
    may give a link on either side or both; a pair has one note for readers, so when the two sides give
    different notes, `clash(i, slug, other, note, other_note)` is told (claims[i] gives `note`).
    """
    slugs = {claim["slug"] for claim in claims}
    rivals = {claim["slug"]: set(claim.get("conflicts_with") or ()) for claim in claims}
    notes = {}
    for i, claim in enumerate(claims):
        for other, note in (claim.get("conflict_notes") or {}).items():
            pair = frozenset((claim["slug"], other))
            if notes.setdefault(pair, note) != note:
                clash(i, claim["slug"], other, note, notes[pair])
    for slug, others in list(rivals.items()):
        for other in others:
            if other in slugs:
                rivals[other].add(slug)
    for claim in claims:
        slug = claim["slug"]
        claim["conflicts_with"] = sorted(rivals[slug] - {slug})
        claim["conflict_notes"] = {
            other: notes[frozenset((slug, other))]
            for other in claim["conflicts_with"]
            if frozenset((slug, other)) in notes
        }


# --- Planning and loading ------------------------------------------------------------

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
EDITED, DELETED, BLOCKED, NEWER = "edited", "deleted", "blocked", "newer"


@dataclass
class Step:
    action: str
    kind: str
    slug: str
    keys: list = field(default_factory=list)  # what differs (update, newer) or what the editor changed (edited)
    note: str = ""

    @property
    def label(self):
        return f"{SCHEMA[self.kind].noun} “{self.slug}”"


@dataclass
class LoadReport:
    steps: list = field(default_factory=list)
    flagged: list = field(default_factory=list)
    applied: bool = True
    update: bool = False

    def of(self, *actions):
        return [step for step in self.steps if step.action in actions]

    @property
    def changed(self):
        return bool(self.of(CREATE, UPDATE))

    def counts(self, action):
        counts = {}
        for step in self.of(action):
            counts[step.kind] = counts.get(step.kind, 0) + 1
        return ", ".join(f"{n} {kind if n != 1 else SCHEMA[kind].noun}" for kind, n in counts.items())

    def lines(self, *, each_created=False):
        """The report, object by object for what was (or would be) updated or skipped; created ones if asked."""
        out = []
        if not self.applied and self.changed:
            again = "with --apply" if self.update else "without --dry-run"
            out.append(f"Dry run: nothing was written. Run again {again} to make these changes.")
        if each_created:
            out += [f"  {'created' if self.applied else 'would create'} {step.label}" for step in self.of(CREATE)]
        for step in self.of(UPDATE):
            out.append(f"  {'updated' if self.applied else 'would update'} {step.label}: {', '.join(step.keys)}")
        for step in self.of(EDITED):
            why = step.note or "edited since it was loaded"
            out.append(
                f"  skipped {step.label}: {why} ({', '.join(step.keys)}); --update --overwrite-edited replaces it"
            )
        for step in self.of(DELETED):
            out.append(
                f"  skipped {step.label}: deleted since it was loaded; --update --overwrite-edited re-creates it"
            )
        for step in self.of(BLOCKED):
            out.append(f"  skipped {step.label}: {step.note}")
        for step in self.of(NEWER):
            out.append(f"  not updated {step.label}: the file differs ({', '.join(step.keys)}); see load_kb --update")
        out += [f"  flagged {line}" for line in self.flagged]
        out.append(self.summary())
        return out

    def summary(self):
        parts = []
        created, updated = self.counts(CREATE), self.counts(UPDATE)
        prefix = "" if self.applied else "would be "
        if created:
            parts.append(f"{prefix}created: {created}")
        if updated:
            parts.append(f"{prefix}updated: {updated}")
        skipped = len(self.of(EDITED, DELETED, BLOCKED))
        if skipped:
            parts.append(f"{skipped} skipped to keep editors' work")
        unchanged = len(self.of(UNCHANGED))
        if unchanged:
            parts.append(f"{unchanged} unchanged")
        newer = len(self.of(NEWER))
        if newer:
            parts.append(f"{newer} differ from the file and were not updated (review with `load_kb --update`)")
        if not self.changed and not skipped and not newer:
            return "Nothing to change: the knowledge base already matches."
        text = "; ".join(parts) + "."
        return text[0].upper() + text[1:]


def kb_import(document, *, update=False, overwrite_edited=False, apply=True):
    """Load `document`; all or nothing. Returns a LoadReport; raises ImportFailed.

    By default only what is missing is created: an object the database already
    has is never changed, and one an editor deleted after it was loaded is not
    re-created. With `update`, objects that differ are updated too, except those
    an editor changed or deleted since they were loaded, unless
    `overwrite_edited`. With `apply=False`, everything is worked out and
    checked, and nothing is kept (a dry run). Objects the document does not
    mention are left alone.
    """
    cleaned = validate(document)
    with transaction.atomic():
        loader = _Loader(cleaned, update=update, overwrite_edited=overwrite_edited)
        # Each citation saved would refresh its claim's status; refresh each claim once, at the end.
        with services.refreshing_status_once():
            report = loader.run()
        report.applied = apply
        if loader.problems:
            transaction.set_rollback(True)
            raise ImportFailed(loader.problems)
        if not apply:
            transaction.set_rollback(True)
    return report


class _Loader:
    def __init__(self, cleaned, *, update, overwrite_edited):
        self.cleaned, self.update, self.overwrite = cleaned, update, overwrite_edited
        self.problems, self.flagged = [], []
        self.label = ""
        # Everything read here is narrowed to the document's objects: loading the shipped
        # fixtures into a database of 100,000 claims must not export and compare all of them.
        self.in_document = {name: {entry["slug"] for entry in cleaned[name]} for name in SCHEMA}
        self.before = _exported_by_slug(self.in_document)
        self.records = {
            (r.kind, r.slug): r.snapshot
            for name in SCHEMA
            for r in _only(LoadRecord.objects.filter(kind=name), self.in_document[name])
        }
        self.objects = {name: _BySlug(kind.model, self.in_document[name]) for name, kind in SCHEMA.items()}
        self.plan = {name: {entry["slug"]: self._decide(name, entry) for entry in cleaned[name]} for name in SCHEMA}

    def _decide(self, kind, entry):
        slug = entry["slug"]
        current = self.before[kind].get(slug)
        wanted = _comparable(kind, entry)
        record = self.records.get((kind, slug))
        if current is None:
            if record is not None and not self.overwrite:
                return Step(DELETED, kind, slug)
            return Step(CREATE, kind, slug)
        differing = _differing(current, wanted)
        if not differing:
            return Step(UNCHANGED, kind, slug)
        if record is None:
            # Not loaded by load_kb (or loaded before loads were recorded): whoever
            # made it this way, it is not the file's to overwrite.
            edited, note = differing, "not loaded from a file"
        else:
            edited, note = _differing(_project(current, record), record), ""
        if edited and not self.overwrite:
            return Step(EDITED, kind, slug, keys=edited, note=note)
        if not self.update:
            return Step(NEWER, kind, slug, keys=differing)
        return Step(UPDATE, kind, slug, keys=differing)

    def writes(self, kind, slug):
        """Whether this load may change the object: it writes it, or the document does not mention it."""
        if slug not in self.in_document[kind]:
            return True
        return self.plan[kind][slug].action in (CREATE, UPDATE)

    def resolve(self, kind, slug, missing_ok=False):
        found = self.objects[kind].get(slug)
        if found is None and not missing_ok:
            step = self.plan[kind].get(slug)
            reason = "was deleted since it was loaded" if step and step.action == DELETED else "is not loaded"
            raise _Skip(f"it refers to {SCHEMA[kind].noun} “{slug}”, which {reason}")
        return found

    def validated(self, obj, at, names, exclude=None):
        """Run the model's own checks; report a failure with its place in the document."""
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=True)
        except ValidationError as error:
            where = f"{self.label}{'.' + at if at else ''}"
            if hasattr(error, "message_dict"):
                for name, messages in error.message_dict.items():
                    key = names.get(name, name) if name != "__all__" else ""
                    self.problems.append(_brief(f"{where}{'.' + key if key else ''}: {' '.join(messages)}"))
            else:
                self.problems.append(_brief(f"{where}: {' '.join(error.messages)}"))
            raise _Skip("invalid") from None

    def run(self):
        report = LoadReport(update=self.update)
        clean_before = {
            (kind, slug)
            for kind, by_slug in self.before.items()
            for slug, current in by_slug.items()
            if (kind, slug) in self.records
            and _project(current, self.records[(kind, slug)]) == self.records[(kind, slug)]
        }
        written = set()
        for name, kind in SCHEMA.items():
            for i, entry in enumerate(self.cleaned[name]):
                step = self.plan[name][entry["slug"]]
                if step.action in (CREATE, UPDATE):
                    self.label = f"{name}[{i}]"
                    try:
                        self._write_checked_again_if_refused(kind, entry, step)
                        written.add((name, entry["slug"]))
                    except _Skip as skip:
                        if str(skip) != "invalid":
                            step.action, step.note = BLOCKED, str(skip)
                    except DatabaseError as error:
                        # A limit no check above knew of: still a listed problem, not a traceback.
                        self.problems.append(f"{self.label}: the database refused it ({str(error).strip()[:300]}).")
                report.steps.append(step)
        for i, entry in enumerate(self.cleaned["claims"]):
            if ("claims", entry["slug"]) in written:
                self.label = f"claims[{i}]"
                for key in SCHEMA["claims"].stage("late"):
                    key.write(self.objects["claims"][entry["slug"]], entry[key.name], self)
        report.flagged = self.flagged
        if not self.problems:
            self._record(written | clean_before | {(s.kind, s.slug) for s in report.of(UNCHANGED)})
        return report

    def _write_checked_again_if_refused(self, kind, entry, step):
        try:
            with transaction.atomic():
                self._write(kind, entry, step)
        except IntegrityError:
            # Another save took this slug or name (an editor's "Tô Lâm" beside this "To Lam")
            # after the checks read and before this write: checked again, they now name the
            # clash in their own words, as the admin's form does.
            with transaction.atomic():
                self._write(kind, entry, step)

    def _write(self, kind, entry, step):
        obj = self.objects[kind.name].get(entry["slug"]) or kind.model()
        for key in kind.stage("field"):
            key.write(obj, entry[key.name], self)
        self.validated(obj, "", {key.field_name: key.name for key in kind.keys})
        obj.save()
        for key in kind.stage("link"):
            key.write(obj, entry[key.name], self)
        self.objects[kind.name][obj.slug] = obj

    def _record(self, keys):
        after = _exported_by_slug({name: {slug for kind, slug in keys if kind == name} for name in SCHEMA})
        for name in SCHEMA:
            LoadRecord.objects.filter(kind=name, slug__in=[slug for kind, slug in keys if kind == name]).delete()
        LoadRecord.objects.bulk_create(
            LoadRecord(kind=kind, slug=slug, snapshot=after[kind][slug])
            for kind, slug in sorted(keys)
            if slug in after[kind]
        )


class _BySlug(dict):
    """One model's objects by slug: those named up front, loaded at once; any other slug
    looked up when first asked for (a reference to an object the document does not hold)."""

    def __init__(self, model, slugs):
        super().__init__((obj.slug, obj) for obj in _only(model.objects.all(), slugs))
        self.model = model
        self.everything = len(slugs) > MANY_SLUGS  # _only read the whole table

    def get(self, slug, default=None):
        if slug not in self and not self.everything:
            self[slug] = self.model.objects.filter(slug=slug).first()
        found = super().get(slug)
        return default if found is None else found


def _exported_by_slug(slugs):
    document = kb_export(slugs)
    return {name: {entry["slug"]: _comparable(name, entry) for entry in document[name]} for name in SCHEMA}
