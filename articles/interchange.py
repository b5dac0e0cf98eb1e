"""The knowledge base as one JSON document: export it, and load it back.

The shape is documented in README ("The JSON export") and other tools read it,
so change it only by adding keys. References between objects are slugs.
The shipped fixture, fixtures/kb.json, is a document of this shape too, so the
site loads its own fixtures through the same validating path as any import.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from articles import services
from articles.dates import DatePrecision, parse_partial, to_partial, truncate
from articles.models import (
    Actor,
    ActorAlias,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    Event,
    Location,
    Participation,
)

FORMAT = "provenance-kb"
VERSION = 1


# --- Export --------------------------------------------------------------------


def _tag_names(obj):
    # Tags are prefetched by the callers; sorting keeps the output stable.
    return sorted(tag.name for tag in obj.tags.all())


def kb_export():
    """The whole knowledge base as a JSON-ready dict (a fixed number of queries)."""
    actors = Actor.objects.prefetch_related("aliases").order_by("slug")
    articles = Article.objects.with_people().prefetch_related("tags").order_by("slug")
    events = Event.objects.prefetch_related("participations__actor", "claims", "tags").order_by("start", "slug")
    claims = (
        Claim.objects.select_related("claimant", "event")
        .prefetch_related("subjects", "conflict_links__to_claim", "tags", "citations__article", "citations__speaker")
        .order_by("slug")
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "articles": [
            {
                "slug": a.slug,
                "title": a.title,
                "title_is_editorial": a.title_is_editorial,
                "publisher": a.publisher.slug if a.publisher else None,
                "authors": sorted(author.slug for author in a.authors.all()),
                "wire": a.wire.slug if a.wire else None,
                "published": to_partial(a.published, a.date_precision),
                "date_precision": a.date_precision or None,
                "date_approximate": a.date_approximate,
                "date_note": a.date_note,
                "editor_note": a.editor_note,
                "kind": a.kind,
                "url": a.url,
                "source_file": a.source_file,
                "tags": _tag_names(a),
                "captions": a.captions,
                "body": a.body,
            }
            for a in articles
        ],
        "actors": [
            {
                "slug": actor.slug,
                "name": actor.name,
                "kind": actor.kind,
                "description": actor.description,
                "editor_note": actor.editor_note,
                "aliases": sorted(alias.name for alias in actor.aliases.all()),
            }
            for actor in actors
        ],
        "events": [
            {
                "slug": e.slug,
                "title": e.title,
                "description": e.description,
                "editor_note": e.editor_note,
                "start": to_partial(e.start, e.date_precision),
                "end": to_partial(e.end, e.date_precision),
                "date_precision": e.date_precision,
                "date_approximate": e.date_approximate,
                "participants": [{"actor": p.actor.slug, "role": p.role} for p in e.participations.all()],
                "claims": sorted(claim.slug for claim in e.claims.all()),
                "tags": _tag_names(e),
            }
            for e in events
        ],
        "claims": [
            {
                "slug": c.slug,
                "text": c.text,
                "kind": c.kind,
                "status": c.status,
                "independent_origins": c.origin_labels,
                "claimant": c.claimant.slug if c.claimant else None,
                "subjects": sorted(subject.slug for subject in c.subjects.all()),
                "event": c.event.slug if c.event else None,
                "conflicts_with": sorted(link.to_claim.slug for link in c.conflict_links.all()),
                "conflict_notes": {link.to_claim.slug: link.note for link in c.conflict_links.all() if link.note},
                "tags": _tag_names(c),
                "citations": [
                    {
                        "article": cit.article.slug,
                        "quote": cit.quote,
                        "stance": cit.stance,
                        "speaker": cit.speaker.slug if cit.speaker else None,
                        "in": cit.location,
                        # Only on a quote an edit removed: loading it back keeps it flagged.
                        **({} if cit.anchored else {"lost": True}),
                    }
                    for cit in sorted(c.citations.all(), key=lambda cit: (cit.article.slug, cit.start or 0))
                ],
            }
            for c in claims
        ],
    }


# --- Import --------------------------------------------------------------------


class ImportFailed(Exception):
    """The document does not fit the knowledge base; nothing was written."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ImportReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, kind, created):
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self):
        return bool(self.created or self.updated)

    def summary(self):
        if not self.changed:
            return "Nothing to change: the knowledge base already matches."
        parts = [f"{n} {kind} created" for kind, n in sorted(self.created.items())]
        parts += [f"{n} {kind} updated" for kind, n in sorted(self.updated.items())]
        return ", ".join(parts) + "."


def _save_if_changed(model, slug, values, report, kind):
    """Create or update by slug, saving only when something differs.

    Saving an unchanged row would still add a history record, and loading the
    fixtures twice must change nothing.
    """
    obj = model.objects.filter(slug=slug).first()
    created = obj is None
    if created:
        obj = model(slug=slug)
    changed = created or any(getattr(obj, name) != value for name, value in values.items())
    if changed:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.full_clean(validate_unique=False, validate_constraints=True)
        obj.save()
        report.count(kind, created)
    obj.created_by_import = created
    return obj


def _set_tags(obj, names):
    names = sorted(set(names or []))
    if sorted(tag.name for tag in obj.tags.all()) != names:
        obj.tags.set(names)
        return True
    return False


def _sync_links(obj, actors_manager, actors, tags, report):
    """Set an article's authors or a claim's subjects, and its tags; count an update unless just created."""
    changed = _set_m2m(actors_manager, actors) | _set_tags(obj, tags)
    if changed and not obj.created_by_import:
        report.count(f"{obj._meta.model_name}s", created=False)


def _set_m2m(manager, objects):
    wanted = {o.pk for o in objects}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(objects)
        return True
    return False


def _date(value, precision, where, problems):
    if value in (None, ""):
        return None
    try:
        parsed, _ = parse_partial(value)
    except ValueError as error:
        problems.append(f"{where}: {error}")
        return None
    return truncate(parsed, precision)


class _Lookup:
    """Slug → object, collecting a readable problem for every unknown slug."""

    def __init__(self, model, problems, noun):
        self.objects = {o.slug: o for o in model.objects.all()}
        self.problems, self.noun = problems, noun

    def __call__(self, slug, where):
        if slug in (None, ""):
            return None
        found = self.objects.get(slug)
        if found is None:
            self.problems.append(f"{where}: no {self.noun} with slug “{slug}”.")
        return found

    def many(self, slugs, where):
        return [found for found in (self(slug, where) for slug in slugs or []) if found]

    def add(self, obj):
        self.objects[obj.slug] = obj


def _check_shape(document):
    if not isinstance(document, dict):
        raise ImportFailed(["The document must be a JSON object with articles, actors, events and claims."])
    missing = [key for key in ("articles", "actors", "events", "claims") if not isinstance(document.get(key), list)]
    if missing:
        raise ImportFailed([f"The document has no list under “{key}”." for key in missing])


def _problem_text(where, error):
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(f"{where} {name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items())
    return f"{where}: {' '.join(getattr(error, 'messages', [str(error)]))}"


@transaction.atomic
def kb_import(document):
    """Create or update everything in `document`, by slug. All or nothing.

    Objects the document does not mention are left alone. Raises ImportFailed
    listing every problem (unknown slugs, quotes not in their article, bad
    dates, broken constraints) and writes nothing in that case.
    """
    _check_shape(document)
    problems, report = [], ImportReport()
    try:
        # Each citation saved would refresh its claim's status; refresh each claim once, at the end.
        with services.refreshing_status_once():
            _import_all(document, problems, report)
    except (KeyError, TypeError, AttributeError) as error:
        problems.append(f"Malformed document: {error!r} is missing or has the wrong type.")
    if problems:
        transaction.set_rollback(True)
        raise ImportFailed(problems)
    return report


def _guarded(problems, where, action, *args):
    """Run action(*args) in a savepoint; record a ValidationError as a problem."""
    try:
        with transaction.atomic():
            return action(*args)
    except ValidationError as error:
        problems.append(_problem_text(where, error))
    return None


def _import_all(document, problems, report):
    actors = _Lookup(Actor, problems, "actor")
    for data in document["actors"]:
        where = f"actor “{data['slug']}”"
        values = {
            "name": data["name"],
            "kind": data["kind"],
            "description": data.get("description", ""),
            "editor_note": data.get("editor_note") or "",
        }
        actor = _guarded(problems, where, _save_if_changed, Actor, data["slug"], values, report, "actors")
        if actor is None:
            continue
        actors.add(actor)
        _guarded(problems, where, _sync_aliases, actor, data.get("aliases", []), report)

    articles = _Lookup(Article, problems, "article")
    for data in document["articles"]:
        where = f"article “{data['slug']}”"
        precision = data.get("date_precision") or DatePrecision.DAY
        if data.get("published") in (None, ""):
            # Older exports gave undated articles a precision; an unknown date has none.
            precision = ""
        values = {
            "title": data["title"],
            "title_is_editorial": bool(data.get("title_is_editorial")),
            "publisher": actors(data.get("publisher"), where),
            "wire": actors(data.get("wire"), where),
            "published": _date(data.get("published"), precision, where, problems),
            "date_precision": precision,
            "date_approximate": bool(data.get("date_approximate")),
            "date_note": data.get("date_note") or "",
            "editor_note": data.get("editor_note") or "",
            "kind": data["kind"],
            "url": data.get("url") or "",
            "source_file": data.get("source_file") or "",
            "captions": data.get("captions") or "",
            "body": data["body"],
        }
        article = _guarded(problems, where, _save_if_changed, Article, data["slug"], values, report, "articles")
        if article is None:
            continue
        articles.add(article)
        _sync_links(article, article.authors, actors.many(data.get("authors"), where), data.get("tags"), report)

    events = _Lookup(Event, problems, "event")
    for data in document["events"]:
        where = f"event “{data['slug']}”"
        precision = data.get("date_precision") or DatePrecision.DAY
        values = {
            "title": data["title"],
            "description": data.get("description") or "",
            "editor_note": data.get("editor_note") or "",
            "start": _date(data.get("start"), precision, where, problems),
            "end": _date(data.get("end"), precision, where, problems),
            "date_precision": precision,
            "date_approximate": bool(data.get("date_approximate")),
        }
        event = _guarded(problems, where, _save_if_changed, Event, data["slug"], values, report, "events")
        if event is None:
            continue
        events.add(event)
        participants = [(actors(p["actor"], where), p["role"]) for p in data.get("participants", [])]
        _sync_participants(event, [(a, role) for a, role in participants if a], report)
        if _set_tags(event, data.get("tags")) and not event.created_by_import:
            report.count("events", created=False)

    claims = _Lookup(Claim, problems, "claim")
    for data in document["claims"]:
        where = f"claim “{data['slug']}”"
        values = {
            "text": data["text"],
            "kind": data["kind"],
            "claimant": actors(data.get("claimant"), where),
            "event": events(data.get("event"), where),
        }
        claim = _guarded(problems, where, _save_if_changed, Claim, data["slug"], values, report, "claims")
        if claim is None:
            continue
        claims.add(claim)
        _sync_links(claim, claim.subjects, actors.many(data.get("subjects"), where), data.get("tags"), report)

    pair_notes = {}  # {frozenset of two slugs: note}: a pair has one note, whichever side gives it
    for data in document["claims"]:
        claim = claims.objects.get(data["slug"])
        if claim is None:
            continue
        where = f"claim “{data['slug']}”"
        if _sync_conflicts(claim, data, claims, where, problems, pair_notes) and not claim.created_by_import:
            report.count("claims", created=False)
        _sync_citations(claim, data.get("citations", []), actors, articles, where, problems, report)


def _sync_conflicts(claim, data, claims, where, problems, pair_notes):
    """Add the claim's competing-claim links and set their notes; True if anything changed.

    Links are only added, never removed, because the other side of a pair may
    list them alone. A note given on either side is the pair's note.
    """
    notes = data.get("conflict_notes") or {}
    if not isinstance(notes, dict):
        problems.append(f"{where}: conflict_notes must map a claim slug to a note.")
        return False
    unlisted = sorted(set(notes) - set(data.get("conflicts_with") or []))
    if unlisted:
        problems.append(f"{where}: conflict_notes names claims not in conflicts_with: {', '.join(unlisted)}.")
    changed = False
    current = {link.to_claim_id: link for link in ClaimConflict.objects.filter(from_claim=claim)}
    for rival in claims.many(data.get("conflicts_with"), where):
        note = str(notes.get(rival.slug) or "")
        pair = frozenset((claim.slug, rival.slug))
        if note and pair_notes.setdefault(pair, note) != note:
            problems.append(f"{where}: the link with “{rival.slug}” has two different notes.")
            continue
        try:
            ClaimConflict(from_claim=claim, to_claim=rival, note=note).clean_fields()
        except ValidationError as error:
            problems.append(_problem_text(f"{where}, link with “{rival.slug}”", error))
            continue
        link = current.get(rival.pk)
        if link is None:
            # Symmetrical: adding here adds the reverse link too, with the same note.
            claim.conflicts_with.add(rival, through_defaults={"note": note})
            changed = True
        elif note and link.note != note:
            link.note = note
            link.full_clean()
            link.save()  # mirrors the note onto the reverse link
            changed = True
    return changed


def _validated_save(obj):
    obj.full_clean()
    obj.save()
    return obj


def _flagged_save(citation):
    """Save a citation exported as lost: every check but "the quote occurs in the text"; save() flags it."""
    citation.clean_fields()
    citation.validate_unique()
    citation.validate_constraints()
    citation.save()
    return citation


def _sync_aliases(actor, names, report):
    wanted = {name.strip() for name in names if name.strip()}
    existing = {alias.name: alias for alias in actor.aliases.all()}
    for name, alias in existing.items():
        if name not in wanted:
            alias.delete()
            report.count("aliases", created=False)
    for name in sorted(wanted - set(existing)):
        alias = ActorAlias(actor=actor, name=name)
        alias.full_clean()
        alias.save()
        report.count("aliases", created=True)


def _sync_participants(event, wanted, report):
    existing = {(p.actor_id, p.role): p for p in event.participations.all()}
    wanted_keys = {(actor.pk, role) for actor, role in wanted}
    for key, participation in existing.items():
        if key not in wanted_keys:
            participation.delete()
            report.count("participations", created=False)
    for actor, role in wanted:
        if (actor.pk, role) not in existing:
            Participation.objects.create(event=event, actor=actor, role=role)
            existing[(actor.pk, role)] = True
            report.count("participations", created=True)


def _sync_citations(claim, items, actors, articles, where, problems, report):
    existing = {(c.article_id, c.quote): c for c in claim.citations.select_related("article")}
    seen = set()
    for item in items:
        article = articles(item["article"], where)
        if article is None:
            continue
        key = (article.pk, item["quote"])
        seen.add(key)
        citation = existing.get(key)
        cited_where = f"{where}, citation of “{article.slug}”"
        if item.get("in") not in (None, *Location.values):
            problems.append(f"{cited_where}: “in” must be “body” or “captions”, not {item['in']!r}.")
            continue
        # Older exports have neither key: the article's own voice, in its body.
        values = {
            "stance": item["stance"],
            "speaker": actors(item.get("speaker"), cited_where),
            "location": item.get("in") or Location.BODY,
        }
        if item.get("lost", False) not in (True, False):
            problems.append(f"{cited_where}: “lost” must be true or false, not {item['lost']!r}.")
            continue
        # A flagged quote is kept flagged, as the site keeps it, rather than refused:
        # otherwise the site's own backup could not be restored once a quote is lost.
        save = _flagged_save if item.get("lost") else _validated_save
        if citation is None:
            citation = Citation(claim=claim, article=article, quote=item["quote"], **values)
            if _guarded(problems, cited_where, save, citation):
                report.count("citations", created=True)
        elif any(getattr(citation, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(citation, name, value)
            if _guarded(problems, cited_where, _validated_save, citation):
                report.count("citations", created=False)
    for key, citation in existing.items():
        if key not in seen:
            citation.delete()
            report.count("citations", created=False)
