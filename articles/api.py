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

from functools import wraps

from django.http import Http404, JsonResponse
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
        if response.status_code != 200:
            return error_response(response.status_code, "Bad request", context.get("problems", ()))
        return json_response(serializer(context, request))

    return serve


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


def citation_ref(request, citation, *, with_article=True):
    """A citation as pages list it: where the quote is, what it does, and its annotation."""
    data = {
        "id": citation.pk,
        "stance": citation.stance,
        "quote": citation.quote,
        "location": citation.location,
        "anchored": citation.anchored,
        "speaker": actor_ref(request, citation.speaker) if citation.speaker_id else None,
        "url": absolute(request, citation.url),
        "annotation": absolute(request, reverse("annotation", args=[citation.pk])),
    }
    if with_article:
        data["article"] = article_ref(request, citation.article)
    return data


def section(request, section, ref):
    """A listing.Section: the first rows of a list that grows, and how many there are."""
    return {"total": section.total, "items": [ref(request, row) for row in section.rows]}


def pagination(request, page):
    """The paging of a list page: its number, the total, and the neighbouring pages' URLs (None at the ends)."""

    def at(number):
        query = request.GET.copy()
        query["page"] = number
        return absolute(request, f"{request.path}?{query.urlencode()}")

    return {
        "number": page.number,
        "per_page": page.paginator.per_page,
        "num_pages": page.paginator.num_pages,
        "count": page.paginator.count,
        "first": at(1),
        "previous": at(page.previous_page_number()) if page.has_previous() else None,
        "next": at(page.next_page_number()) if page.has_next() else None,
        "last": at(page.paginator.num_pages),
    }


def filters(context):
    """The filters the reader chose, as given (slugs and values)."""
    return {name: str(value) for name, value in context.get("filters", {}).items() if name != "page"}


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


def timeline(context, request):
    def event(request, event):
        return {
            **event_ref(request, event),
            "source_count": event.source_count,
            "participants": [participation(request, p) for p in event.participations.all()],
            "tags": [tag_ref(request, tag) for tag in event.tag_list],
        }

    return {
        "filters": filters(context),
        "first_year": context["first_year"],
        "last_year": context["last_year"],
        "events": [event(request, e) for e in context["events"]],
    }


def participation(request, participation):
    return {"actor": actor_ref(request, participation.actor), "role": participation.role}


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


def claim_detail(context, request):
    claim = context["claim"]

    def citations(items):
        return [citation_ref(request, c) for c in items]

    return {
        **claim_ref(request, claim),
        "origin_count": claim.origin_count,
        "subjects": [actor_ref(request, actor) for actor in claim.subjects.all()],
        "tags": [tag_ref(request, tag) for tag in claim.tags.all()],
        "supporting": citations(context["supporting"]),
        "disputing": citations(context["disputing"]),
        "qualifying": citations(context["qualifying"]),
        "needs_review": citations(context["needs_review"]),
        "origins": [
            {"label": origin.label, "name": origin.name, "appearances": origin.appearances}
            for origin in context["origins"]
        ],
        "competing": [
            {
                "claim": claim_ref(request, link.to_claim),
                "note": link.note,
                "supporting": citations(c for other, c in context["competing_support"] if other is link),
            }
            for link in context["competing"]
        ],
        "related": [claim_ref(request, other) for other in context["related"]],
    }


def claim_list(context, request):
    return {
        "filters": filters(context),
        "page": pagination(request, context["page"]),
        "claims": [claim_with_citations(request, claim) for claim in context["claims"]],
    }


def contested(context, request):
    def claim(request, claim):
        return {
            **claim_ref(request, claim),
            "conflicts_with": [claim_ref(request, other) for other in claim.conflicts_with.all()],
            "citations": [citation_ref(request, c) for c in claim.citations.all()],
        }

    return {"page": pagination(request, context["page"]), "claims": [claim(request, c) for c in context["claims"]]}


def agreement_grid(context, request):
    columns = context["columns"]
    return {
        "filters": filters(context),
        "page": pagination(request, context["page"]),
        "columns": [article_ref(request, article) for article in columns],
        "rows": [
            {
                "claim": claim_ref(request, row["claim"]),
                "cells": [
                    {"article": article.slug, "stances": [c.stance for c in cell]}
                    for article, cell in zip(columns, row["cells"], strict=True)
                    if cell
                ],
            }
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
        "page": pagination(request, context["page"]),
        "articles": [article(request, a) for a in context["articles"]],
    }


def article_detail(context, request):
    article = context["article"]
    return {
        **article_with_people(request, article),
        "title_is_editorial": article.title_is_editorial,
        "date_note": article.date_note,
        "source_url": article.url or None,
        # The texts the annotations' selectors count in (see articles.annotations).
        "body": article.body,
        "captions": article.captions,
        "tags": [tag_ref(request, tag) for tag in article.tags.all()],
        "citations": [
            {
                **citation_ref(request, note.citation, with_article=False),
                "number": note.number,
                "claim": note.citation.claim.slug,
            }
            for note in context["notes"]
        ],
        "claims": [
            {
                "stance": stance,
                "claims": [{"slug": c.slug, "text": c.text, "url": page_url(request, "claim", c.slug)} for c in found],
            }
            for stance, found in context["sections"]
        ],
        "lost": [citation_ref(request, c, with_article=False) for c in context["lost"]],
    }


def actor_list(context, request):
    return {
        "actors": [
            {
                **actor_ref(request, actor),
                "description": actor.description,
                "aliases": [alias.name for alias in actor.aliases.all()],
                "event_count": actor.event_count,
                "claims_made_count": actor.claims_made_count,
                "claims_about_count": actor.claims_about_count,
            }
            for actor in context["actors"]
        ]
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
    return {"tags": [{**tag_ref(request, tag), "uses": tag.uses} for tag in context["tags"]]}


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
        "problem": context["problem"],
        "articles": hits("articles", article_ref),
        "claims": hits("claims", claim_ref),
        "events": hits("events", event_ref),
        "actors": hits("actors", actor_ref),
    }
