"""Revisions of whole objects, kept with django-reversion.

A revision of a claim is the claim with its citations, competing-claim links
(with their notes) and tags; of an article, the article with its tags (authors
are in the article's own row, as a list, and so are a claim's subjects); of an
event, the event with its participants and tags; of an actor, the actor with
its aliases. PARTS below is the one place that says what belongs to what.

django-reversion stores the revisions (who, when, the change note, and every
object serialised) and finds deleted objects. Reverting is ours, and scoped to
one object: reversion's own revert puts back everything saved in the same
request, and an article save that touches a citation also records the claim,
so reverting the article must not revert the claim. revert_whole() restores
the object and its parts as they were, deletes parts added since, and saves
through each model's own save() so quotes are re-anchored and signals run.

Objects get revisions from the admin (every save, a baseline before the first
edit of an object that has none, and a snapshot before every delete) and from
load_kb (one revision per object it created). Saves from the shell or a script
are not recorded; the admin records a baseline before it first changes one.
"""

from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import IntegrityError, models, router, transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone
from reversion.models import Revision, Version
from taggit.models import TaggedItem

from articles.models import (
    Actor,
    ActorAlias,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    Event,
    Participation,
    by_stance,
)

GENERIC = "(tagged)"


@dataclass(frozen=True)
class Part:
    """Rows of `model` belonging to an object: those whose `link` column holds its pk."""

    model: type
    link: str  # the child's foreign-key attname, or GENERIC for tagged items
    label: str
    # Whether a deleted row can be recovered on its own, from its own admin
    # (a citation); other parts come back by reverting the object they belong to.
    alone: bool = False

    def rows(self, obj):
        if self.link == GENERIC:
            return list(TaggedItem.objects.filter(content_type=_content_type(obj), object_id=obj.pk))
        return list(self.model._base_manager.filter(**{self.link: obj.pk}).order_by("pk"))

    def owns(self, fields, owner_model, owner_pk):
        """Whether a stored version's `fields` (Version.field_dict) belong to the owner."""
        if self.link == GENERIC:
            return fields.get("content_type_id") == _content_type(owner_model).pk and str(
                fields.get("object_id")
            ) == str(owner_pk)
        return str(fields.get(self.link)) == str(owner_pk)


TAGS = Part(TaggedItem, GENERIC, "tag")

PARTS = {
    # A competing-claim link is two rows, one each way; each claim owns the row
    # that starts from it, and ClaimConflict.save()/delete() keep the mirror.
    Claim: [
        Part(Citation, "claim_id", "citation", alone=True),
        Part(ClaimConflict, "from_claim_id", "competing claim"),
        TAGS,
    ],
    Article: [TAGS],
    Event: [Part(Participation, "event_id", "participant"), TAGS],
    Actor: [Part(ActorAlias, "actor_id", "alias")],
    Citation: [],
}

# Where a part's own changes are also shown: a citation edited in an article's
# form, or on its own page, is recorded in its claim's history too.
OWNERS = {Citation: ["claim"], ClaimConflict: ["from_claim", "to_claim"]}

VERSIONED = (Actor, ActorAlias, Article, Citation, Claim, ClaimConflict, Event, Participation, TaggedItem)


def register_models():
    """Register every versioned model once (admin import and app ready both call this)."""
    for model in VERSIONED:
        if not reversion.is_registered(model):
            reversion.register(model)


def _content_type(obj_or_model):
    return ContentType.objects.get_for_model(obj_or_model)


def add_whole(obj):
    """Add obj and every part of it, as they are now, to the active revision."""
    reversion.add_to_revision(obj)
    for part in PARTS.get(type(obj), []):
        for row in part.rows(obj):
            reversion.add_to_revision(row)


def owners(obj):
    """The versioned objects, other than obj itself, whose history obj's changes belong to."""
    found = []
    for name in OWNERS.get(type(obj), []):
        owner = (
            type(obj)._meta.get_field(name).related_model._base_manager.filter(pk=getattr(obj, f"{name}_id")).first()
        )
        if owner is not None:
            found.append(owner)
    return found


def neighbours(obj):
    """Other whole objects whose parts an edit of obj can change, so their history shows it too."""
    if isinstance(obj, Article):
        return list(Claim._base_manager.filter(citations__article=obj).distinct())
    if isinstance(obj, Claim):
        return list(Claim._base_manager.filter(conflict_links__to_claim=obj).distinct())
    return owners(obj)


def record(objects, *, user=None, comment=""):
    """Save one revision of these objects, whole, now.

    Written directly, not through reversion.create_revision(): a revision
    block nested in another (the admin's list view wraps its actions in one)
    is saved only when the outer block ends, after a delete, and reversion
    drops versions of rows that no longer exist.
    """
    rows, seen = [], set()
    for obj in objects:
        if obj is None:
            continue
        for row in [obj, *(r for part in PARTS.get(type(obj), []) for r in part.rows(obj))]:
            key = (type(row), row.pk)
            if key not in seen:
                seen.add(key)
                rows.append(row)
    if not rows:
        return None
    revision = Revision.objects.create(date_created=timezone.now(), user=user, comment=comment)
    Version.objects.bulk_create(
        Version(
            revision=revision,
            content_type=_content_type(row),
            object_id=str(row.pk),
            db=router.db_for_write(type(row)),
            format="json",
            serialized_data=serializers.serialize("json", [row], fields=_stored_fields(type(row))),
            object_repr=str(row),
        )
        for row in rows
    )
    return revision


def _stored_fields(model):
    # What reversion.register() stores by default (it is called without fields=).
    opts = model._meta.concrete_model._meta
    return [field.name for field in [*opts.local_fields, *opts.local_many_to_many]]


def unversioned(model):
    """Objects of `model` that have no revision yet (one query)."""
    versions = Version.objects.get_for_model(model).filter(object_id=OuterRef("pk_text"))
    return model._base_manager.annotate(pk_text=Cast("pk", CharField())).exclude(Exists(versions)).order_by("pk")


def record_baselines(objects, comment):
    """A revision for each object that has none yet, so what it was can be restored."""
    for obj in objects:
        if obj.pk is not None and not Version.objects.get_for_object(obj).exists():
            record([obj], comment=comment)


def record_initial_revisions(document, comment):
    """One revision for each whole object the document names that has none yet.

    load_kb calls this after an import. Only the document's objects, so
    loading fixtures into a large knowledge base (generate_kb's) stays quick.
    """
    count = 0
    for model, key in ((Actor, "actors"), (Article, "articles"), (Event, "events"), (Claim, "claims")):
        items = document.get(key) if isinstance(document, dict) else None
        slugs = [item["slug"] for item in items or [] if isinstance(item, dict) and isinstance(item.get("slug"), str)]
        for start in range(0, len(slugs), 500):
            for obj in unversioned(model).filter(slug__in=slugs[start : start + 500]):
                record([obj], comment=comment)
                count += 1
    return count


# --- Reverting -------------------------------------------------------------------


def versions_of_whole(version):
    """The versions, in version's revision, of its object and of that object's parts."""
    model = version._model
    versions = [version]
    parts = PARTS.get(model, [])
    if not parts:
        return versions
    for other in version.revision.version_set.exclude(pk=version.pk):
        other_model = other._model
        for part in parts:
            if part.model is other_model and part.owns(other.field_dict, model, version.object_id):
                versions.append(other)
    return versions


def revert_whole(version):
    """Put the object of `version` and its parts back as they were in that revision.

    Parts added since are deleted; parts deleted since are recreated with their
    old ids. Returns the problems met (a restored row whose related object no
    longer exists), each as a sentence; what could be restored is restored.
    """
    model = version._model
    versions = versions_of_whole(version)
    kept = {(v.content_type_id, str(v.object_id)) for v in versions}
    problems = []
    with transaction.atomic():
        current = model._base_manager.filter(pk=version.object_id).first()
        if current is not None:
            for part in PARTS.get(model, []):
                for row in part.rows(current):
                    if (_content_type(row).pk, str(row.pk)) not in kept:
                        row.delete()
        for stored in versions:
            _restore(stored, problems)
    return problems


def _restore(version, problems):
    restored = version._object_version
    obj = restored.object
    for field in obj._meta.concrete_fields:
        if not field.is_relation or getattr(obj, field.attname) is None:
            continue
        if not field.related_model._base_manager.filter(pk=getattr(obj, field.attname)).exists():
            if field.null:
                setattr(obj, field.attname, None)
                problems.append(f"{version.object_repr}: its {field.verbose_name} no longer exists and was left empty.")
            else:
                problems.append(
                    f"{version.object_repr} could not be restored: its {field.verbose_name} no longer exists."
                )
                return
    try:
        with transaction.atomic():
            # The model's own save(), not a raw one: quotes are found again in
            # the current body, and the page cache hears of the change.
            obj.save()
            for name, pks in (restored.m2m_data or {}).items():
                related = obj._meta.get_field(name).related_model
                existing = list(related._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
                if len(existing) < len(set(pks)):
                    problems.append(f"{version.object_repr}: some {name} no longer exist and were left out.")
                getattr(obj, name).set(existing)
    except IntegrityError:
        problems.append(f"{version.object_repr} could not be restored: it clashes with an object saved since.")


# --- What changed ----------------------------------------------------------------


@dataclass
class Change:
    text: str
    deleted_part: Version | None = None  # a part this revision removed, with its last version


def history(model, object_id):
    """The object's revisions, newest first, each with what changed since the one before.

    Three queries whatever the length: the object's versions (with revision
    and user), every version in those revisions, and the parts' ids that exist now.
    """
    own = list(
        Version.objects.get_for_object_reference(model, object_id)
        .select_related("revision__user")
        .order_by("revision__date_created", "pk")
    )
    revision_ids = [v.revision_id for v in own]
    parts = PARTS.get(model, [])
    part_models = {part.model for part in parts}
    by_revision = {rid: [] for rid in revision_ids}
    if parts:
        cts = {_content_type(m).pk: m for m in part_models}
        for other in Version.objects.filter(revision_id__in=revision_ids, content_type_id__in=list(cts)).order_by("pk"):
            part = next(p for p in parts if p.model is cts[other.content_type_id])
            if part.owns(other.field_dict, model, object_id):
                by_revision[other.revision_id].append((part, other))
    entries, previous, previous_parts = [], None, {}
    for version in own:
        now_parts = {(part.label, other.object_id): (part, other) for part, other in by_revision[version.revision_id]}
        changes = _field_changes(model, previous, version) if previous else []
        if previous is not None:
            changes += _part_changes(previous_parts, now_parts)
        entries.append({"version": version, "revision": version.revision, "changes": changes, "first": not previous})
        previous, previous_parts = version, now_parts
    entries.reverse()
    return entries


def _short(value, limit=120):
    text = " ".join(str(value).split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _field_changes(model, before, after):
    changes = []
    old, new = before.field_dict, after.field_dict
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if field.name in ("created", "updated") or not field.editable or field.attname not in new:
            continue
        a, b = old.get(field.attname), new.get(field.attname)
        if isinstance(a, list) or isinstance(b, list):
            if sorted(map(str, a or [])) != sorted(map(str, b or [])):
                changes.append(Change(f"Changed {field.verbose_name}."))
        elif a != b:
            if field.is_relation or isinstance(field, (models.TextField,)) and len(str(a or "") + str(b or "")) > 240:
                changes.append(Change(f"Changed {field.verbose_name}."))
            else:
                changes.append(Change(f"Changed {field.verbose_name}: “{_short(a)}” → “{_short(b)}”."))
    return changes


def _part_name(part, version):
    if part.model is TaggedItem:
        # TaggedItem's repr is "<object> tagged with <tag>".
        return version.object_repr.rpartition(" tagged with ")[2]
    return _short(version.object_repr)


def _part_changes(before, after):
    changes = []
    for key, (part, version) in after.items():
        if key not in before:
            changes.append(Change(f"Added {part.label}: {_part_name(part, version)}"))
        elif part.model is not TaggedItem and _meaningful(part.model, before[key][1].field_dict, version.field_dict):
            changes.append(Change(f"Changed {part.label}: {_short(version.object_repr)}"))
    for key, (part, version) in before.items():
        if key not in after:
            verb = "Removed" if part.model is TaggedItem else "Deleted"
            changes.append(
                Change(
                    f"{verb} {part.label}: {_part_name(part, version)}", deleted_part=version if part.alone else None
                )
            )
    return changes


def _meaningful(model, a, b):
    """Whether two stored rows differ in something an editor set (not positions or timestamps)."""
    editable = [f.attname for f in model._meta.concrete_fields if f.editable and f.name not in ("created", "updated")]
    return any(a.get(name) != b.get(name) for name in editable)


def latest_versions(model, object_ids):
    """For each object id, its latest version (one query)."""
    latest = {}
    for version in (
        Version.objects.get_for_model(model).filter(object_id__in=[str(i) for i in object_ids]).order_by("pk")
    ):
        latest[version.object_id] = version
    return latest


# --- A claim's public history ------------------------------------------------------


@dataclass
class PastClaim:
    """A claim as one revision saved it: the claim (unsaved, with the status it had) and its citations by stance."""

    version: Version
    claim: Claim
    sides: dict


def public_revisions(claim, *, before=None, limit=50):
    """The claim's revisions, newest first, at most `limit` of them, older than version `before`.

    One query, bounded whatever the history's length. Returns (versions, more): `more`
    says whether older revisions remain.
    """
    versions = Version.objects.get_for_object_reference(Claim, claim.pk).select_related("revision").order_by("-pk")
    if before is not None:
        versions = versions.filter(pk__lt=before)
    found = list(versions[: limit + 1])
    return found[:limit], len(found) > limit


def claim_as_it_was(claim, version_id):
    """The claim and its citations as revision `version_id` of it saved them, or None if it is not one.

    The status is the one stored with the claim at that time: statuses are stored
    columns, so the revision holds what readers saw then. Four queries.
    """
    version = (
        Version.objects.get_for_object_reference(Claim, claim.pk)
        .select_related("revision")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        return None
    past = version._object_version.object
    citations = [v._object_version.object for v in versions_of_whole(version) if v._model is Citation]
    people = Actor.objects.in_bulk(
        {pk for pk in [past.claimant_id, *(c.speaker_id for c in citations)] if pk is not None}
    )
    articles = Article.objects.with_people().in_bulk({c.article_id for c in citations})
    past.claimant = people.get(past.claimant_id)
    past.event = Event.objects.filter(pk=past.event_id).first() if past.event_id else None
    for citation in citations:
        citation.article = articles.get(citation.article_id)
        citation.speaker = people.get(citation.speaker_id)
    citations.sort(key=lambda c: c.pk)
    return PastClaim(version=version, claim=past, sides=by_stance(citations))
