"""The read API: every reader page's JSON twin.

Each page in articles.pages names a serializer: a small function of the
page's view context (and the request, to make absolute URLs) that returns
what the page shows as plain data. `json_twin()` wraps the page's view: when
the request wants JSON (`Accept: application/json`, or the page's `.json`
address), it runs the view as usual, takes the context of the response it
returns, and sends the serializer's data instead of rendering the template.
So the JSON twin reads exactly the rows the page reads, in the same number
of queries, paged and filtered by the same validated parameters, and goes
through the same page cache, ETags and 304s (articles.caching.reader_view).

References are given as both the slug and the absolute URL of the page (the
HTML one; add `.json` or send `Accept: application/json` for its twin).
Errors keep their status and come as {"status", "title", "problems"}.

The shapes are described in articles.openapi, which
tests/test_api_schemathesis.py checks every response against.
"""

from functools import lru_cache, wraps

from django.http import Http404, HttpRequest, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse

JSON = "application/json"
HTML = "text/html"


def representation(request):
    """ "json" or "html": what this request gets at a page's address.

    The `.json` address is always JSON; otherwise JSON only when the client
    prefers it to HTML (a browser's `Accept: text/html,…,*/*` gets HTML).
    """
    if getattr(request, "wants_json", False):
        return "json"
    return _representation_for(request.META.get("HTTP_ACCEPT", ""))


@lru_cache(maxsize=256)
def _representation_for(accept):
    # Parsing Accept cost more than the rest of a page-cache hit, and readers send a handful
    # of distinct headers (a bounded cache: any number of odd ones only take turns in it).
    request = HttpRequest()
    request.META["HTTP_ACCEPT"] = accept
    return "json" if request.get_preferred_type([HTML, JSON]) == JSON else "html"


def json_response(data, status=200):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/json; charset=utf-8"
    return response


def error_response(status, title, problems=()):
    return json_response({"status": status, "title": title, "problems": list(problems)}, status=status)


def json_twin(view, serializer, *, always=False):
    """`view` that answers in JSON when the request wants it (always, for a `.json` address)."""

    @wraps(view)
    def serve(request, *args, **kwargs):
        if always:
            request.wants_json = True
        if representation(request) != "json":
            return view(request, *args, **kwargs)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404, "Not found", ["There is nothing at this address."])
        if not isinstance(response, TemplateResponse):
            return response  # a redirect: the same for both representations
        context = response.context_data or {}
        if "questions" in context:
            return json_response(did_you_mean(context, request), status=300)
        if response.status_code != 200:
            return error_response(response.status_code, "Bad request", context.get("problems", ()))
        return json_response(serializer(context, request))

    return serve


def did_you_mean(context, request):
    """A filter's text named several things (listing.did_you_mean): the choices, each a URL with its slug."""
    return {
        "status": 300,
        "title": "Which one did you mean?",
        "questions": [
            {
                "name": question["name"],
                "text": question["text"],
                "options": [{"label": label, "url": absolute(request, url)} for label, url in question["options"]],
            }
            for question in context["questions"]
        ],
    }


# --- References --------------------------------------------------------------


def absolute(request, path):
    return request.build_absolute_uri(path)


def page_url(request, name, *args):
    return absolute(request, reverse(f"articles:{name}", args=args))


def actor_ref(request, actor):
    if actor is None:
        return None
    return {"slug": actor.slug, "name": actor.name, "kind": actor.kind, "url": page_url(request, "actor", actor.slug)}


def event_ref(request, event):
    if event is None:
        return None
    return {
        "slug": event.slug,
        "title": event.title,
        "start": event.start.isoformat(),
        "end": event.end.isoformat() if event.end else None,
        "date_precision": event.date_precision,
        "date": event.date_display,
        "url": page_url(request, "event", event.slug),
    }


def article_ref(request, article):
    return {
        "slug": article.slug,
        "title": article.title,
        "kind": article.kind,
        "published": article.published.isoformat() if article.published else None,
        "date": article.date_display if article.published else None,
        "url": page_url(request, "article", article.slug),
    }


def claim_ref(request, claim):
    return {
        "slug": claim.slug,
        "text": claim.text,
        "kind": claim.kind,
        "status": claim.status,
        "status_label": claim.status_label,
        "claimant": actor_ref(request, claim.claimant),
        "event": event_ref(request, claim.event),
        "url": page_url(request, "claim", claim.slug),
    }


def tag_ref(request, tag):
    return {"slug": tag.slug, "name": tag.name, "url": page_url(request, "tag", tag.slug)}


def citation_ref(request, citation, *, with_article=True, with_speaker=True):
    """A citation as pages list it: where the quote is, what it does, and its annotation.

    `with_speaker=False` where the page did not load speakers (the article page), so none is fetched.
    """
    data = {
        "id": citation.pk,
        "stance": citation.stance,
        "quote": citation.quote,
        "location": citation.location,
        "anchored": citation.anchored,
        "url": absolute(request, citation.url),
        "annotation": absolute(request, reverse("annotation", args=[citation.pk])),
    }
    if with_speaker:
        data["speaker"] = actor_ref(request, citation.speaker) if citation.speaker_id else None
    if with_article:
        data["article"] = article_ref(request, citation.article)
    return data


def section(request, section, ref):
    """A listing.Section: the first rows of a list that grows, and how many there are (`capped`: more than that)."""
    return {
        "total": section.total,
        "capped": section.capped,
        "items": [ref(request, row) for row in section.rows],
    }


def keyset_pagination(request, page):
    """The paging of a keyset list page (listing.KeysetPage): the first, previous and next pages' URLs, and a
    count that stops at a cap (`count_capped`: there are more than `count`)."""

    def at(**position):
        query = request.GET.copy()
        for name in ("after", "before", "page"):
            query.pop(name, None)
        query.update(position)
        encoded = query.urlencode()
        return absolute(request, f"{request.path}?{encoded}" if encoded else request.path)

    return {
        "count": page.count.value if page.count else None,
        "count_capped": bool(page.count and page.count.capped),
        "first": at(),
        "previous": at(before=page.before) if page.before else None,
        "next": at(after=page.after) if page.after else None,
    }


def filters(context):
    """The filters the reader chose, as given (slugs and values); page positions are in the paging."""
    return {
        name: str(getattr(value, "slug", value))
        for name, value in context.get("filters", {}).items()
        if name not in ("page", "after", "before")
    }


# --- One serializer per page ----------------------------------------------------


def home(context, request):
    return {
        "counts": context["counts"],
        "key_events": [event_ref(request, event) for event in context["key_events"]],
        "contested": {
            "total": context["contested_count"],
            "items": [claim_ref(request, claim) for claim in context["contested"]],
        },
        "tags": [{**tag_ref(request, tag), "uses": tag.uses} for tag in context["tags"]],
    }


def participation(request, participation):
    return {"actor": actor_ref(request, participation.actor), "role": participation.role}


def timeline(context, request):
    def event(request, event):
        return {
            **event_ref(request, event),
            "source_count": event.source_count,
            "participants": [participation(request, p) for p in event.participations.all()],
            "tags": [tag_ref(request, tag) for tag in event.tag_list],
        }

    window = context["window"]
    later = None
    if context["later_after"]:
        query = request.GET.copy()
        query.update({**{name: str(value) for name, value in window.params.items()}, "after": context["later_after"]})
        later = absolute(request, f"{request.path}?{query.urlencode()}")
    return {
        "filters": filters(context),
        "first_year": context["first_year"],
        "last_year": context["last_year"],
        # The stretch of time shown (articles.timeline.Window) and how many events start in it (null: a month).
        "window": {"kind": window.kind, "label": window.label, **{k: str(v) for k, v in window.params.items()}},
        "count": context["window_count"],
        "total": context["total"],
        "next": later,
        "events": [event(request, e) for e in context["events"]],
    }


def claim_with_citations(request, claim):
    return {**claim_ref(request, claim), "citations": [citation_ref(request, c) for c in claim.citations.all()]}


def event_detail(context, request):
    event = context["event"]
    return {
        **event_ref(request, event),
        "description": event.description,
        "date_approximate": event.date_approximate,
        "source_count": event.source_count,
        "participants": [participation(request, p) for p in event.participations.all()],
        "tags": [tag_ref(request, tag) for tag in event.tags.all()],
        "claims": section(request, context["claims"], claim_with_citations),
    }


def sides(request, sides, *, full_competitors=True):
    """A claim's two sides (models.sides_of): its quotes by stance, and its competing claims with their support."""

    def citations(items):
        return [citation_ref(request, c) for c in items]

    def competitor(claim):
        if full_competitors:
            return claim_ref(request, claim)
        # The claim page loads the competing claims alone (no claimant or event): name what it has.
        return {
            "slug": claim.slug,
            "text": claim.text,
            "status": claim.status,
            "url": page_url(request, "claim", claim.slug),
        }

    return {
        "supporting": citations(sides["supporting"]),
        "disputing": citations(sides["disputing"]),
        "qualifying": citations(sides["qualifying"]),
        "competing": [
            {
                "claim": competitor(link.to_claim),
                "note": link.note,
                "supporting": citations(c for other, c in sides["competing_support"] if other is link),
            }
            for link in sides["competing"]
        ],
    }


def claim_detail(context, request):
    claim = context["claim"]
    return {
        **claim_ref(request, claim),
        "origin_count": claim.origin_count,
        "subjects": [actor_ref(request, actor) for actor in claim.subjects.all()],
        "tags": [tag_ref(request, tag) for tag in claim.tags.all()],
        **sides(request, context["sides"], full_competitors=False),
        "needs_review": [citation_ref(request, c) for c in context["needs_review"]],
        "origins": [
            {"label": origin.label, "name": origin.name, "appearances": origin.appearances}
            for origin in context["origins"]
        ],
        "related": [claim_ref(request, other) for other in context["related"]],
        "history": page_url(request, "claim_history", claim.slug),
    }


def claim_history(context, request):
    claim = context["claim"]
    base = page_url(request, "claim_history", claim.slug)
    past = context["past"]
    data = {"slug": claim.slug, "text": claim.text, "url": page_url(request, "claim", claim.slug)}
    if past is None:
        older = context["older"]
        data["revisions"] = [
            {
                "id": version.pk,
                "date": version.revision.date_created.isoformat(),
                "note": version.revision.comment,
                "url": f"{base}?revision={version.pk}",
            }
            for version in context["revisions"]
        ]
        data["older"] = f"{request.build_absolute_uri(request.path)}?before={older}" if older else None
        return data
    old = past.claim

    def citation(c):
        return {
            "stance": c.stance,
            "quote": c.quote,
            "location": c.location,
            "article": article_ref(request, c.article) if c.article else None,
            "speaker": actor_ref(request, c.speaker),
        }

    data["revision"] = {
        "id": past.version.pk,
        "date": past.version.revision.date_created.isoformat(),
        "note": past.version.revision.comment,
        "text": old.text,
        "kind": old.kind,
        "status": old.status,
        "status_label": old.status_label,
        "claimant": actor_ref(request, old.claimant),
        "event": event_ref(request, old.event),
        "citations": [citation(c) for cited in past.sides.values() for c in cited],
    }
    return data


def claim_list(context, request):
    def claim(request, claim):
        return {
            **claim_ref(request, claim),
            "sources": [
                {
                    "slug": source.slug,
                    "title": source.title,
                    "stances": source.stances,
                    "url": page_url(request, "article", source.slug),
                }
                for source in claim.sources
            ],
            "more_sources": claim.more_sources,
        }

    return {
        "filters": filters(context),
        "page": keyset_pagination(request, context["page"]),
        "claims": [claim(request, c) for c in context["claims"]],
    }


def contested(context, request):
    def claim(request, claim):
        # The page shows a few quotes a side; the totals count them all (models.sides_of with a limit).
        totals = {name: claim.sides[name] for name in ("supporting_total", "disputing_total", "qualifying_total")}
        return {**claim_ref(request, claim), **sides(request, claim.sides), **totals}

    return {
        "page": keyset_pagination(request, context["page"]),
        "claims": [claim(request, c) for c in context["claims"]],
    }


def agreement_grid(context, request):
    def cited(cells):
        return [
            {"article": cell["article"].slug, "stances": [c.stance for c in cell["citations"]]}
            for cell in cells
            if cell["citations"]
        ]

    return {
        "filters": filters(context),
        "page": keyset_pagination(request, context["page"]),
        "columns": [article_ref(request, article) for article in context["columns"]],
        "other_articles": [article_ref(request, article) for article in context["others"]],
        "rows": [
            {"claim": claim_ref(request, row["claim"]), "cells": cited(row["cells"]) + cited(row["others"])}
            for row in context["rows"]
        ],
    }


def article_with_people(request, article):
    return {
        **article_ref(request, article),
        "credit_line": article.credit_line,
        "publisher": actor_ref(request, article.publisher) if article.publisher_id else None,
        "wire": actor_ref(request, article.wire) if article.wire_id else None,
        "authors": [actor_ref(request, actor) for actor in article.authors.all()],
    }


def article_list(context, request):
    def article(request, article):
        return {
            **article_with_people(request, article),
            "citation_count": article.citation_count,
            "claim_count": article.claim_count,
        }

    return {
        "filters": filters(context),
        "page": keyset_pagination(request, context["page"]),
        "articles": [article(request, a) for a in context["articles"]],
    }


def article_detail(context, request):
    article = context["article"]

    def cited(citation, **extra):
        return {**citation_ref(request, citation, with_article=False, with_speaker=False), **extra}

    return {
        **article_with_people(request, article),
        "title_is_editorial": article.title_is_editorial,
        "date_note": article.date_note,
        "source_url": article.url or None,
        # The texts the annotations' selectors count in (see articles.annotations).
        "body": article.body,
        "captions": article.captions,
        "tags": [tag_ref(request, tag) for tag in article.tags.all()],
        "notes_total": context["notes_total"],
        "citations": [
            cited(note.citation, number=note.number, claim=note.citation.claim.slug) for note in context["notes"]
        ],
        "claims": [
            {"stance": stance, "total": total, "claims": [claim_ref(request, claim) for claim in found]}
            for stance, found, total in context["sections"]
        ],
        "claims_total": context["claims_total"],
        "lost": [cited(c, claim=c.claim.slug) for c in context["lost"]],
    }


def actor_list(context, request):
    return {
        "filters": filters(context),
        "page": keyset_pagination(request, context["page"]),
        "actors": [
            {
                **actor_ref(request, actor),
                "description": actor.description,
                "aliases": [alias.name for alias in actor.aliases.all()],
            }
            for actor in context["actors"]
        ],
    }


def actor_detail(context, request):
    actor = context["actor"]
    return {
        **actor_ref(request, actor),
        "description": actor.description,
        "aliases": [alias.name for alias in actor.aliases.all()],
        "participations": section(
            request, context["participations"], lambda r, p: {"event": event_ref(r, p.event), "role": p.role}
        ),
        "claims_made": section(request, context["claims_made"], claim_ref),
        "claims_about": section(request, context["claims_about"], claim_ref),
        "articles": section(request, context["articles"], article_with_people),
    }


def tag_list(context, request):
    return {
        "page": keyset_pagination(request, context["page"]),
        "tags": [tag_ref(request, tag) for tag in context["tags"]],
    }


def tag_detail(context, request):
    return {
        **tag_ref(request, context["tag"]),
        "articles": section(request, context["articles"], article_with_people),
        "events": section(request, context["events"], event_ref),
        "claims": section(request, context["claims"], claim_ref),
    }


def search(context, request):
    results = context["results"]

    def hits(kind, ref):
        found = getattr(results, kind) if results else []
        return {
            "more": bool(results) and kind in results.more,
            "items": [{**ref(request, obj), "snippet_html": str(getattr(obj, "snippet", ""))} for obj in found],
        }

    return {
        "query": context["query"],
        "kind": results.kind if results else "",
        "page": results.page if results else 1,
        "problem": context["problem"],
        "articles": hits("articles", article_ref),
        "claims": hits("claims", claim_ref),
        "events": hits("events", event_ref),
        "actors": hits("actors", actor_ref),
    }
