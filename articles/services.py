"""The one place a claim's status is worked out, and what keeps it fresh on every write.

A claim's status depends on its citations, their speakers, the articles they
quote (texts, authors, wire, publisher) and the claims it competes with. It is
stored on the claim (and each citation's origin on the citation) so that list
pages filter on an indexed column; the signal receivers at the bottom keep it
fresh on every write.

Why signals rather than calls in each write path: the writes come from the
admin (forms, inlines, M2M widgets), load_kb, history reverts
(articles.versioning saves the model) and the shell. Only model signals see
all of them; a call added to each path would be forgotten in the next one.
Receivers run inside the writer's transaction, so the status commits or rolls
back with the change that caused it. For the same reason there is no
"create a citation" service: Citation.save() anchors the quote and the
receivers here refresh the claim, whichever path saved it; only a bulk import
defers the refresh, through refreshing_status_once().
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save

from articles import anchoring
from articles.caching import content_changed
from articles.models import (
    Actor,
    ActorAlias,
    ActorNameKey,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    ClaimStatus,
    Event,
    Stance,
    VoiceRole,
    names_in_words,
)
from articles.names import fold

# --- Status: the rule ----------------------------------------------------------


@dataclass
class Origin:
    """One voice behind a claim, and every supporting quote that carries it."""

    label: str
    citations: list = field(default_factory=list)

    @property
    def name(self):
        """The voice in words: "Vu Xuan Khang", "A and B", or the article's title."""
        role, voices = self.citations[0].voice()
        if not voices:
            return f"“{self.citations[0].article.title}”"
        return names_in_words(voices)

    @property
    def appearances(self):
        """How the voice appears, in words: "quoted in one article, author of another"."""
        articles_by_role = {}
        for citation in self.citations:
            role, _ = citation.voice()
            articles_by_role.setdefault(role, set()).add(citation.article_id)
        parts, named = [], 0
        for role, articles in articles_by_role.items():
            if role == VoiceRole.ARTICLE:
                parts.append(VoiceRole.ARTICLE.label)
                continue
            count = len(articles)
            if count == 1:
                what = "another" if named else "one article"
            else:
                what = f"{_number(count)} {'other ' if named else ''}articles"
            parts.append(f"{VoiceRole(role).label} {what}")
            named += count
        return ", ".join(parts)


def _number(n):
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    return words[n] if n < len(words) else str(n)


def origins_of(citations):
    """The distinct origins behind the counted citations (anchored, supporting), in first-seen order."""
    origins = {}
    for citation in citations:
        if citation.stance == Stance.SUPPORTS and citation.anchored:
            label = citation.origin_label()
            origins.setdefault(label, Origin(label)).citations.append(citation)
    return list(origins.values())


def status_for(citations, competing_supported):
    """A claim's status from its citations and whether any competing claim has support of its own.

    Only anchored quotes count: a lost quote supports nothing until an editor
    fixes it, and a qualifying quote never contests.
    """
    anchored = [c for c in citations if c.anchored]
    if competing_supported or any(c.stance == Stance.DISPUTES for c in anchored):
        return ClaimStatus.CONTESTED
    count = len(origins_of(citations))
    if count >= 2:
        return ClaimStatus.CORROBORATED
    if count == 1:
        return ClaimStatus.SINGLE_SOURCE
    if any(c.stance == Stance.SUPPORTS for c in citations):
        return ClaimStatus.NEEDS_REVIEW
    return ClaimStatus.UNSUPPORTED


def fresh_statuses(claims):
    """{claim pk: (status, origin labels, {citation pk: origin label, for citations whose stored one is stale})}.

    Computed afresh, in at most five queries whatever the number of claims.
    """
    ids = list(claims.values_list("pk", flat=True))
    citations = {}
    for citation in Citation.objects.filter(claim_id__in=ids).with_voices().order_by("pk"):
        citations.setdefault(citation.claim_id, []).append(citation)
    # Links are read in both directions: while a symmetrical add() is half done,
    # only one of the pair's two rows exists.
    rivals = {}
    for first, second in ClaimConflict.objects.filter(Q(from_claim__in=ids) | Q(to_claim__in=ids)).values_list(
        "from_claim_id", "to_claim_id"
    ):
        rivals.setdefault(first, set()).add(second)
        rivals.setdefault(second, set()).add(first)
    rival_ids = set().union(*rivals.values()) if rivals else set()
    supported = set(Citation.objects.counted().filter(claim_id__in=rival_ids).values_list("claim_id", flat=True))
    result = {}
    for pk in ids:
        cited = citations.get(pk, [])
        labels = [origin.label for origin in origins_of(cited)]
        competing = bool(rivals.get(pk, set()) & supported)
        stale = {c.pk: c.origin_label() for c in cited if c.origin != c.origin_label()}
        result[pk] = (status_for(cited, competing), labels, stale)
    return result


# --- Status: keeping the stored columns fresh ------------------------------------


_pending = threading.local()


@contextmanager
def refreshing_status_once():
    """Collect the claims that need a fresh status and refresh them once, on the way out.

    Bulk writes (an import, re-anchoring every quote of an article) would
    otherwise refresh the same claims once per row.
    """
    outer = getattr(_pending, "ids", None) is None
    if outer:
        _pending.ids = set()
    try:
        yield
        if outer and _pending.ids:
            ids, _pending.ids = _pending.ids, set()
            _refresh(Claim.objects.filter(pk__in=ids))
    finally:
        if outer:
            _pending.ids = None


def claims_refresh_status(claims):
    """Recompute and store the status, origins and citation origins of `claims` (a QuerySet)."""
    ids = getattr(_pending, "ids", None)
    if ids is not None:
        ids.update(claims.values_list("pk", flat=True))
        return
    _refresh(claims)


def claim_refresh_status(claim):
    claims_refresh_status(Claim.objects.filter(pk=claim.pk))


def _refresh(claims):
    with transaction.atomic():
        claims = Claim.objects.filter(pk__in=claims.values("pk"))
        fresh = fresh_statuses(claims)
        changed_claims, changed_citations = [], []
        for claim in Claim.objects.filter(pk__in=fresh).only("pk", "status", "origin_count", "origin_labels"):
            status, labels, citation_labels = fresh[claim.pk]
            if (claim.status, claim.origin_labels) != (status, labels) or claim.origin_count != len(labels):
                claim.status, claim.origin_labels, claim.origin_count = status, labels, len(labels)
                changed_claims.append(claim)
            for pk, label in citation_labels.items():
                changed_citations.append(Citation(pk=pk, origin=label))
        # bulk_update sends no signals: the receivers below do not run again.
        Claim.objects.bulk_update(changed_claims, ["status", "origin_labels", "origin_count"])
        Citation.objects.bulk_update(changed_citations, ["origin"], batch_size=500)
        if changed_claims:
            # Nor does the page cache hear of it: without this, refresh_status (or a
            # migration that recomputes statuses) left readers on the old statuses.
            content_changed(sender=Claim)
        # An event's counts follow its claims' citations and statuses, just stored above.
        events_refresh_counts(Event.objects.filter(pk__in=claims.values("event_id")))


# --- Events: their stored counts ---------------------------------------------------


def events_refresh_counts(events):
    """Recompute and store `source_count`, `contested` and `claim_count` for `events`; True if any changed.

    Called by _refresh for the events of every claim whose status is refreshed
    (so every write path that reaches a claim's status reaches its event), and
    by the receivers below for an event a claim leaves or a deleted claim had.
    """
    changed, fields = [], ["source_count", "contested", "claim_count"]
    for event in events.with_fresh_counts().only("pk", *fields):
        fresh = [getattr(event, f"fresh_{name}") for name in fields]
        if [getattr(event, name) for name in fields] != fresh:
            for name, value in zip(fields, fresh, strict=True):
                setattr(event, name, value)
            changed.append(event)
    # bulk_update sends no signals and so no content_changed: say it here.
    Event.objects.bulk_update(changed, fields, batch_size=500)
    if changed:
        content_changed(sender=Event)
    return bool(changed)


# --- Signal receivers ------------------------------------------------------------


def _citation_changed(sender, instance, **kwargs):
    claims_refresh_status(Claim.objects.filter(pk=instance.claim_id))


def _claim_saved(sender, instance, created, raw=False, **kwargs):
    # A history revert or a fixture load writes the claim row whole.
    if not raw:
        claim_refresh_status(instance)
    left = getattr(instance, "_event_before", None)
    if left is not None and left != instance.event_id:
        # The event the claim left loses its sources (the new one is refreshed with the claim).
        events_refresh_counts(Event.objects.filter(pk=left))


def _claim_saving(sender, instance, raw=False, **kwargs):
    # Which event the claim attested before this save, to refresh it if the claim moves.
    if instance.pk is not None:
        instance._event_before = Claim.objects.filter(pk=instance.pk).values_list("event_id", flat=True).first()


def _claim_deleted(sender, instance, **kwargs):
    if instance.event_id:
        events_refresh_counts(Event.objects.filter(pk=instance.event_id))


def _conflict_changed(sender, instance, **kwargs):
    claims_refresh_status(Claim.objects.filter(pk__in=[instance.from_claim_id, instance.to_claim_id]))


def _conflicts_m2m_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if action == "pre_clear":
        # After a clear the other side is unknown: remember it now.
        instance._cleared_rivals = set(
            ClaimConflict.objects.filter(from_claim=instance).values_list("to_claim", flat=True)
        )
        return
    ids = set(pk_set or ()) | getattr(instance, "_cleared_rivals", set())
    if isinstance(instance, Claim):
        ids.add(instance.pk)
    claims_refresh_status(Claim.objects.filter(pk__in=ids))


def _actor_saved(sender, instance, created, raw=False, **kwargs):
    # Origin labels are actor slugs: a renamed slug renames the labels.
    if created or raw:
        return
    voiced = (
        Q(citations__speaker=instance)
        | Q(citations__article__authors=instance)
        | Q(citations__article__wire=instance)
        | Q(citations__article__publisher=instance)
    )
    claims_refresh_status(Claim.objects.filter(voiced))


def _authors_changed(sender, instance, action, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    articles = [instance] if isinstance(instance, Article) else []
    if not articles:  # actor.authored_articles.add(...): pk_set holds articles
        articles = list(Article.objects.filter(pk__in=kwargs.get("pk_set") or ()))
    claims_refresh_status(Claim.objects.filter(citations__article__in=articles))


# --- Name variants: one actor per folded name ----------------------------------------


class NameTaken(IntegrityError):
    """A name or alias that folds to a key another actor holds (ActorNameKey), refused by the database."""


def name_keys(actor_ids=None):
    """{(actor id, folded name): the name or alias it folds from}: the keys ActorNameKey must hold for
    these actors, or for every actor when `actor_ids` is None. Two queries."""
    actors, aliases = Actor.objects.all(), ActorAlias.objects.all()
    if actor_ids is not None:
        actors, aliases = actors.filter(pk__in=actor_ids), aliases.filter(actor_id__in=actor_ids)
    wanted = {}
    for actor_id, name in [*actors.values_list("pk", "name"), *aliases.values_list("actor_id", "name")]:
        if key := fold(name):
            wanted.setdefault((actor_id, key), name)
    return wanted


def store_name_keys(actor_ids):
    """Store the folded names these actors answer to (ActorNameKey), by name or alias; forget those they no longer do.

    Raises NameTaken, naming the actor that holds it, when another actor
    answers to one of them: the unique key makes the database refuse it even
    when both saves passed Actor.clean's check at the same moment (the second
    insert waits for the first transaction and fails once it commits). At most
    five queries, whatever the number of actors.
    """
    ids = set(actor_ids)
    wanted = name_keys(ids)
    stored = list(ActorNameKey.objects.filter(actor_id__in=ids).values_list("pk", "actor_id", "key"))
    gone = {pk for pk, actor_id, key in stored if (actor_id, key) not in wanted}
    if gone:
        ActorNameKey.objects.filter(pk__in=gone).delete()
    kept = {(actor_id, key) for pk, actor_id, key in stored if pk not in gone}
    new = [ActorNameKey(actor_id=actor_id, key=key) for actor_id, key in sorted(wanted.keys() - kept)]
    if not new:
        return
    try:
        with transaction.atomic():
            ActorNameKey.objects.bulk_create(new)
    except IntegrityError as error:
        # Only when refused, so a scan (the unique index is on the key's digest) is no cost to a save.
        taken = ActorNameKey.objects.filter(key__in=[row.key for row in new]).exclude(actor_id__in=ids)
        held = taken.select_related("actor").first()
        if held is None:
            raise
        name = next(name for (actor_id, key), name in wanted.items() if key == held.key)
        raise NameTaken(f"“{name}” is already {held.actor.whose_name(name)}.") from error


def _actor_or_alias_saved(sender, instance, **kwargs):
    store_name_keys([instance.pk if sender is Actor else instance.actor_id])


def _alias_deleted(sender, instance, origin=None, **kwargs):
    # An actor's deletion takes its keys with it (a cascade); storing them
    # again from its remaining names would point them at a deleted row.
    if isinstance(origin, Actor) or (isinstance(origin, QuerySet) and origin.model is Actor):
        return
    store_name_keys([instance.actor_id])


def refresh_all_statuses():
    """Recompute every claim's stored status, the event date it sorts by, and every event's counts.

    (manage.py refresh_status.)
    """
    _refresh(Claim.objects.all())
    refresh_event_dates()
    # Events no claim attests are not reached through their claims.
    events_refresh_counts(Event.objects.all())


def refresh_event_dates():
    """Copy each event's start onto its claims (Claim.event_start), in one UPDATE; returns how many changed."""
    start = Event.objects.filter(pk=OuterRef("event_id")).values("start")[:1]
    stale = Claim.objects.with_stale_event_date().values("pk")
    changed = Claim.objects.filter(pk__in=stale).update(event_start=Subquery(start))
    if changed:
        content_changed(sender=Claim)
    return changed


# The migration that added the stored columns; a database migrated past it
# gets its statuses computed with the current rule (a migration cannot call
# the rule itself: it runs against historical models).
STATUS_MIGRATION = ("articles", "0004_voices_statuses_editor_notes")


def _after_migrate(sender, plan=None, **kwargs):
    applied = {(migration.app_label, migration.name) for migration, backwards in plan or () if not backwards}
    if STATUS_MIGRATION in applied:
        refresh_all_statuses()


def connect_signals():
    post_migrate.connect(_after_migrate, dispatch_uid="kb-status-after-migrate")
    post_save.connect(_citation_changed, sender=Citation, dispatch_uid="kb-status-citation-save")
    post_delete.connect(_citation_changed, sender=Citation, dispatch_uid="kb-status-citation-delete")
    post_save.connect(_claim_saved, sender=Claim, dispatch_uid="kb-status-claim-save")
    pre_save.connect(_claim_saving, sender=Claim, dispatch_uid="kb-event-counts-claim-saving")
    post_delete.connect(_claim_deleted, sender=Claim, dispatch_uid="kb-event-counts-claim-delete")
    post_save.connect(_conflict_changed, sender=ClaimConflict, dispatch_uid="kb-status-conflict-save")
    post_delete.connect(_conflict_changed, sender=ClaimConflict, dispatch_uid="kb-status-conflict-delete")
    m2m_changed.connect(_conflicts_m2m_changed, sender=ClaimConflict, dispatch_uid="kb-status-conflict-m2m")
    post_save.connect(_actor_saved, sender=Actor, dispatch_uid="kb-status-actor-save")
    post_save.connect(_actor_or_alias_saved, sender=Actor, dispatch_uid="kb-name-keys-actor-save")
    post_save.connect(_actor_or_alias_saved, sender=ActorAlias, dispatch_uid="kb-name-keys-alias-save")
    post_delete.connect(_alias_deleted, sender=ActorAlias, dispatch_uid="kb-name-keys-alias-delete")
    m2m_changed.connect(_authors_changed, sender=Article.authors.through, dispatch_uid="kb-status-authors")


def citations_refresh_context(citations=None, *, articles=None, batch_size=200):
    """Store each quote's context (Citation.context_before/after) afresh; returns how many changed.

    Citation.anchor() keeps it up to date on every save; this fills rows
    written around save() (generated in bulk, or from before the columns
    existed). A batch of articles at a time, each text read once. The
    migration that added the columns passes its historical models.
    """
    citations = Citation.objects.all() if citations is None else citations
    articles = Article.objects.all() if articles is None else articles
    article_ids = sorted(set(citations.values_list("article_id", flat=True)))
    changed = 0
    for first in range(0, len(article_ids), batch_size):
        batch = article_ids[first : first + batch_size]
        texts = {row["pk"]: row for row in articles.filter(pk__in=batch).values("pk", "body", "captions")}
        fields = ("pk", "article_id", "location", "start", "end", "anchored", "context_before", "context_after")
        stale = []
        for row in citations.filter(article_id__in=batch).order_by("pk").only(*fields):
            before = after = None
            if row.anchored and row.start is not None:
                text = texts[row.article_id]["captions" if row.location == "captions" else "body"] or ""
                before, _, after = anchoring.in_context(text, row.start, row.end)
            if (before, after) != (row.context_before, row.context_after):
                row.context_before, row.context_after = before, after
                stale.append(row)
        # bulk_update sends no signals: a context changes no status; the content version is bumped below.
        citations.model.objects.bulk_update(stale, ["context_before", "context_after"], batch_size=500)
        changed += len(stale)
    if changed:
        content_changed()
    return changed
