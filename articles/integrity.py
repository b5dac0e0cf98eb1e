"""Checks over the whole knowledge base: is every statement backed by its source?

Used by `manage.py check_kb` and by the test suite against the shipped fixtures.
Each check returns readable problems; an empty list means it passed.
"""

from pathlib import Path

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Q
from taggit.models import Tag

from articles import anchoring
from articles.bidi import BIDI_CONTROL, bidi_control_problem, typed_text_fields, without_bidi_controls
from articles.curation import SOURCES_DIR
from articles.models import (
    Actor,
    ActorNameKey,
    Article,
    Citation,
    Claim,
    ClaimConflict,
    Event,
    Participation,
    RefusesBidiControls,
    Stance,
)
from articles.services import fresh_statuses, name_keys


def quotes_found_verbatim():
    problems = []
    for citation in Citation.objects.select_related("article", "claim").order_by("claim__slug", "pk"):
        if not anchoring.occurrences(citation.text or "", citation.quote):
            where = f"the captions of “{citation.article.slug}”" if citation.location == "captions" else ""
            where = where or f"“{citation.article.slug}”"
            problems.append(f"Claim “{citation.claim.slug}”: quote not found in {where}: “{citation.quote}”")
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
        | Q(Exists(Citation.objects.filter(speaker=OuterRef("pk"))))
    )
    return [
        f"Actor “{slug}” is not referenced by any article, event, claim or quote."
        for slug in Actor.objects.exclude(referenced).order_by("slug").values_list("slug", flat=True)
    ]


def events_attested():
    return [
        f"Event “{slug}” is not attested by any claim."
        for slug in Event.objects.filter(claims__isnull=True).order_by("slug").values_list("slug", flat=True)
    ]


def attributed_claims_have_their_speaker_as_claimant():
    """An attributed opinion is never an unattributed fact.

    If every supporting quote carries one speaker's words, that speaker is the
    claimant; if they carry several speakers' words, someone must be.
    """
    speakers = {}
    for slug, speaker in (
        Citation.objects.filter(stance=Stance.SUPPORTS)
        .order_by("claim__slug")
        .values_list("claim__slug", "speaker__slug")
    ):
        speakers.setdefault(slug, set()).add(speaker)
    claimants = dict(Claim.objects.filter(slug__in=speakers).values_list("slug", "claimant__slug"))
    problems = []
    for slug, voices in speakers.items():
        if None in voices:
            continue
        if len(voices) == 1:
            (speaker,) = voices
            if claimants[slug] != speaker:
                problems.append(
                    f"Claim “{slug}”: every supporting quote is {speaker}’s words, "
                    f"but its claimant is {claimants[slug] or 'nobody'}."
                )
        elif claimants[slug] is None:
            problems.append(
                f"Claim “{slug}”: every supporting quote carries a speaker ({', '.join(sorted(voices))}), "
                "but it has no claimant."
            )
    return problems


def conflict_links_have_notes():
    pairs = (
        ClaimConflict.objects.filter(note="", from_claim__slug__lt=F("to_claim__slug"))
        .order_by("from_claim__slug", "to_claim__slug")
        .values_list("from_claim__slug", "to_claim__slug")
    )
    return [
        f"Claims “{first}” and “{second}” compete, but their link has no note for readers." for first, second in pairs
    ]


def stored_statuses_are_fresh():
    fresh = fresh_statuses(Claim.objects.all())
    problems = []
    for claim in Claim.objects.order_by("slug").only("pk", "slug", "status", "origin_count", "origin_labels"):
        status, labels, stale_citations = fresh[claim.pk]
        if (claim.status, claim.origin_labels, claim.origin_count) != (status, labels, len(labels)):
            problems.append(
                f"Claim “{claim.slug}”: stored status {claim.status} {claim.origin_labels}, "
                f"but its citations give {status} {labels}. Run manage.py refresh_status."
            )
        elif stale_citations:
            problems.append(f"Claim “{claim.slug}”: stale citation origins. Run manage.py refresh_status.")
    return problems


def stored_event_counts_are_fresh():
    stale = Event.objects.with_fresh_counts().exclude(
        source_count=F("fresh_source_count"), contested=F("fresh_contested"), claim_count=F("fresh_claim_count")
    )
    return [
        f"Event “{event.slug}”: stored {event.source_count} source(s), {event.claim_count} claim(s), contested "
        f"{event.contested}, but its claims give {event.fresh_source_count}, {event.fresh_claim_count}, "
        f"{event.fresh_contested}. Run manage.py refresh_status."
        for event in stale.order_by("slug")
    ]


def stored_event_dates_are_fresh():
    """Claim.event_start, the copy the claims list sorts by, equals its event's start."""
    stale = Claim.objects.with_stale_event_date().order_by("slug")
    return [
        f"Claim “{slug}”: stored event date {stored}, but its event starts {start}. Run manage.py refresh_status."
        for slug, stored, start in stale.values_list("slug", "event_start", "event__start")
    ]


def stored_quote_contexts_are_fresh():
    """Citation.context_before/after, which claim pages show, equal the sentences around the quote now."""
    problems = []
    citations = Citation.objects.filter(anchored=True, start__isnull=False).select_related("article", "claim")
    for citation in citations.order_by("claim__slug", "pk"):
        before, _, after = anchoring.in_context(citation.text or "", citation.start, citation.end)
        if (citation.context_before, citation.context_after) != (before, after):
            problems.append(
                f"Claim “{citation.claim.slug}”: the stored context of its quote from “{citation.article.slug}” "
                "is not the text around it. Run manage.py refresh_quote_context."
            )
    return problems


def stored_name_keys_are_fresh():
    """ActorNameKey, which keeps two actors from answering to one name, holds each actor's folded names."""
    actors = dict(Actor.objects.values_list("pk", "slug"))
    wanted = name_keys()
    holders = {key: actor_id for actor_id, key in ActorNameKey.objects.values_list("actor_id", "key")}
    problems = []
    for (actor_id, key), name in sorted(wanted.items(), key=lambda item: (actors[item[0][0]], item[0][1])):
        holder = holders.get(key)
        if holder is None:
            problems.append(f"Actor “{actors[actor_id]}”: the key of “{name}” is not stored. Save the actor again.")
        elif holder != actor_id:
            problems.append(
                f"Actor “{actors[actor_id]}” answers to “{name}”, as “{actors[holder]}” does: "
                "keep it as the name or an alias of one of them only."
            )
    stored = {(actor_id, key) for key, actor_id in holders.items()}
    for actor_id, key in sorted(stored - wanted.keys()):
        problems.append(f"Actor “{actors[actor_id]}” holds the key “{key}”, which none of its names has.")
    return problems


def no_date_precision_without_a_date():
    undated = Article.objects.filter(published__isnull=True).exclude(date_precision="")
    return [
        f"Article “{slug}” has no date but a date precision ({precision})."
        for slug, precision in undated.order_by("slug").values_list("slug", "date_precision")
    ]


def no_text_has_bidi_controls():
    """No stored text holds a bidi control (articles/bidi.py).

    Every form and the import refuse them; one stored before they did can
    only be found here. Its page shows it as stored (README, "Bidi controls"),
    so an editor removes it in its form, which names where it is.
    """
    problems = []
    checked = [
        model for model in apps.get_app_config("articles").get_models() if issubclass(model, RefusesBidiControls)
    ]
    for model in [*checked, Tag]:
        fields = [field.attname for field in typed_text_fields(model)]
        anywhere = Q()
        for name in fields:
            anywhere |= Q(**{f"{name}__regex": BIDI_CONTROL.pattern})
        for obj in model.objects.filter(anywhere).order_by("pk"):
            label = f"“{obj.slug}”" if hasattr(obj, "slug") else f"#{obj.pk} (“{without_bidi_controls(str(obj))[:60]}”)"
            for name in fields:
                problem = bidi_control_problem(getattr(obj, name))
                if problem:
                    problems.append(f"{model._meta.verbose_name.capitalize()} {label}, {name}: {problem}")
    return problems


CHECKS = {
    "every quote is found verbatim in its article": quotes_found_verbatim,
    "every article body is found, line by line, in its seed file": bodies_found_in_seeds,
    "every claim has at least one supporting citation": claims_supported,
    "every actor is referenced somewhere": actors_referenced,
    "every event is attested by a claim": events_attested,
    "a claim whose support is one speaker's words names that speaker as claimant": (
        attributed_claims_have_their_speaker_as_claimant
    ),
    "every competing-claim link has a note for readers": conflict_links_have_notes,
    "every claim's stored status matches its citations": stored_statuses_are_fresh,
    "every event's stored source and claim counts and contested mark match its claims": stored_event_counts_are_fresh,
    "every claim's stored event date matches its event": stored_event_dates_are_fresh,
    "every quote's stored context is the text around it": stored_quote_contexts_are_fresh,
    "every actor's names are stored as keys no other actor holds": stored_name_keys_are_fresh,
    "no article date has a precision without a date": no_date_precision_without_a_date,
    "no text holds a bidi control (an invisible character that reorders what readers see)": no_text_has_bidi_controls,
}


def run_checks():
    """{description: [problems]} for every check."""
    return {description: check() for description, check in CHECKS.items()}
