"""The OpenAPI 3.1 description of the read API, served at /api/openapi.json.

Built from the page registry (articles.pages: each page's `.json` address and
its query parameters) and the response shapes below, which mirror the
serializers in articles.api and articles.annotations. tests/test_api.py checks
every page is described, and tests/test_api_schemathesis.py sends generated
requests to every operation and checks each answer against its schema.
"""

from django.http import JsonResponse
from django.utils.cache import patch_cache_control

from articles.listing import ARTICLE_ORDERINGS, CLAIM_ORDERINGS
from articles.models import Actor, Claim, ClaimStatus, Stance
from articles.search import KINDS as SEARCH_KINDS

API_VERSION = "1.0"


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def obj(**properties):
    """An object schema: every property listed is required unless named in `optional`.

    Open to more properties, so that the shapes compose (allOf) and the API can grow without breaking clients.
    """
    optional = set(properties.pop("optional", ()))
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def extending(*bases, **properties):
    """An object schema that is each of the schemas named in `bases`, with `properties` too (as obj gives them)."""
    return {"allOf": [ref(base) for base in bases], **obj(**properties)}


def array(items):
    return {"type": "array", "items": items}


STRING = {"type": "string"}
URL = {"type": "string", "format": "uri"}
INTEGER = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
STANCE = {"type": "string", "enum": [stance.value for stance in Stance]}


def section(items):
    return obj(total=COUNT, capped=BOOLEAN, items=array(items))


SCHEMAS = {
    "Error": obj(status=INTEGER, title=STRING, problems=array(STRING)),
    "ActorRef": obj(slug=STRING, name=STRING, kind=STRING, url=URL),
    "EventRef": obj(
        slug=STRING,
        title=STRING,
        start=DATE,
        end=nullable(DATE),
        date_precision=STRING,
        date=STRING,
        url=URL,
    ),
    "ArticleRef": obj(slug=STRING, title=STRING, kind=STRING, published=nullable(DATE), date=nullable(STRING), url=URL),
    "ClaimRef": obj(
        slug=STRING,
        text=STRING,
        kind=STRING,
        status={"type": "string", "enum": [status.value for status in ClaimStatus]},
        status_label=STRING,
        claimant=nullable(ref("ActorRef")),
        event=nullable(ref("EventRef")),
        url=URL,
    ),
    "TagRef": obj(slug=STRING, name=STRING, url=URL),
    "Citation": obj(
        id=INTEGER,
        stance=STANCE,
        quote=STRING,
        location={"type": "string", "enum": ["body", "captions"]},
        anchored=BOOLEAN,
        speaker=nullable(ref("ActorRef")),
        url=URL,
        annotation=URL,
        article=ref("ArticleRef"),
        optional=["article", "speaker"],
    ),
    "KeysetPagination": obj(
        count=nullable(COUNT), count_capped=BOOLEAN, first=URL, previous=nullable(URL), next=nullable(URL)
    ),
    "Filters": {"type": "object", "additionalProperties": STRING},
    "DidYouMean": obj(
        status={"const": 300},
        title=STRING,
        questions=array(obj(name=STRING, text=STRING, options=array(obj(label=STRING, url=URL)))),
    ),
    "Sides": obj(
        supporting=array(ref("Citation")),
        disputing=array(ref("Citation")),
        qualifying=array(ref("Citation")),
        competing=array(
            obj(
                claim=obj(slug=STRING, text=STRING, status=STRING, url=URL),
                note=STRING,
                supporting=array(ref("Citation")),
            )
        ),
    ),
    "Participation": obj(actor=ref("ActorRef"), role=STRING),
    "ArticleWithPeople": extending(
        "ArticleRef",
        credit_line=STRING,
        publisher=nullable(ref("ActorRef")),
        wire=nullable(ref("ActorRef")),
        authors=array(ref("ActorRef")),
    ),
    "ClaimWithCitations": extending("ClaimRef", citations=array(ref("Citation"))),
    "TagUse": extending("TagRef", uses=COUNT),
    # --- One per page ---
    "Home": obj(
        counts=obj(articles=COUNT, claims=COUNT, events=COUNT, actors=COUNT),
        key_events=array(ref("EventRef")),
        contested=obj(total=COUNT, items=array(ref("ClaimRef"))),
        tags=array(ref("TagUse")),
    ),
    "Timeline": obj(
        filters=ref("Filters"),
        first_year=nullable(INTEGER),
        last_year=nullable(INTEGER),
        window={
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["all", "decade", "year", "month"]},
                "label": STRING,
                "decade": STRING,
                "year": STRING,
                "month": STRING,
            },
            "required": ["kind", "label"],
        },
        count=nullable(COUNT),
        total=COUNT,
        next=nullable(STRING),
        events=array(
            extending(
                "EventRef", source_count=COUNT, participants=array(ref("Participation")), tags=array(ref("TagRef"))
            )
        ),
    ),
    "Event": extending(
        "EventRef",
        description=STRING,
        date_approximate=BOOLEAN,
        source_count=COUNT,
        participants=array(ref("Participation")),
        tags=array(ref("TagRef")),
        claims=section(ref("ClaimWithCitations")),
    ),
    "ClaimList": obj(
        filters=ref("Filters"),
        page=ref("KeysetPagination"),
        claims=array(
            extending(
                "ClaimRef",
                sources=array(obj(slug=STRING, title=STRING, stances=array(STANCE), url=URL)),
                more_sources=COUNT,
            )
        ),
    ),
    "Contested": obj(
        page=ref("KeysetPagination"),
        claims=array(
            extending("ClaimRef", "Sides", supporting_total=COUNT, disputing_total=COUNT, qualifying_total=COUNT)
        ),
    ),
    "Grid": obj(
        filters=ref("Filters"),
        page=ref("KeysetPagination"),
        columns=array(ref("ArticleRef")),
        other_articles=array(ref("ArticleRef")),
        rows=array(
            obj(
                claim=ref("ClaimRef"),
                cells=array(obj(article=STRING, stances={**array(STANCE), "minItems": 1})),
            )
        ),
    ),
    "Claim": extending(
        "ClaimRef",
        "Sides",
        origin_count=COUNT,
        subjects=array(ref("ActorRef")),
        tags=array(ref("TagRef")),
        needs_review=array(ref("Citation")),
        origins=array(obj(label=STRING, name=STRING, appearances=STRING)),
        related=array(ref("ClaimRef")),
        history=URL,
    ),
    "ClaimHistory": obj(
        slug=STRING,
        text=STRING,
        url=URL,
        revisions=array(obj(id=COUNT, date=DATETIME, note=STRING, url=URL)),
        older=nullable(URL),
        revision=obj(
            id=COUNT,
            date=DATETIME,
            note=STRING,
            text=STRING,
            kind=STRING,
            status=STRING,
            status_label=STRING,
            claimant=nullable(ref("ActorRef")),
            event=nullable(ref("EventRef")),
            citations=array(
                obj(
                    stance=STANCE,
                    quote=STRING,
                    location=STRING,
                    article=nullable(ref("ArticleRef")),
                    speaker=nullable(ref("ActorRef")),
                )
            ),
        ),
        optional=["revisions", "older", "revision"],
    ),
    "ArticleList": obj(
        filters=ref("Filters"),
        page=ref("KeysetPagination"),
        articles=array(extending("ArticleWithPeople", citation_count=COUNT, claim_count=COUNT)),
    ),
    "Article": extending(
        "ArticleWithPeople",
        title_is_editorial=BOOLEAN,
        date_note=STRING,
        source_url=nullable(STRING),
        body={"type": "string", "description": "The Markdown source; annotation positions count in it."},
        captions={"type": "string", "description": "The photo captions, plain text."},
        tags=array(ref("TagRef")),
        notes_total=COUNT,
        citations=array(extending("Citation", number=COUNT, claim=STRING)),
        claims=array(obj(stance=STANCE, total=COUNT, claims=array(ref("ClaimRef")))),
        claims_total=COUNT,
        lost=array(extending("Citation", claim=STRING)),
    ),
    "ActorList": obj(
        filters=ref("Filters"),
        page=ref("KeysetPagination"),
        actors=array(extending("ActorRef", description=STRING, aliases=array(STRING))),
    ),
    "Actor": extending(
        "ActorRef",
        description=STRING,
        aliases=array(STRING),
        participations=section(obj(event=ref("EventRef"), role=STRING)),
        claims_made=section(ref("ClaimRef")),
        claims_about=section(ref("ClaimRef")),
        articles=section(ref("ArticleWithPeople")),
    ),
    "TagList": obj(page=ref("KeysetPagination"), tags=array(ref("TagRef"))),
    "Tag": extending(
        "TagRef",
        articles=section(ref("ArticleWithPeople")),
        events=section(ref("EventRef")),
        claims=section(ref("ClaimRef")),
    ),
    "Search": obj(
        query=STRING,
        kind=STRING,
        page=COUNT,
        problem=nullable(STRING),
        articles=obj(more=BOOLEAN, items=array(ref("SearchHit"))),
        claims=obj(more=BOOLEAN, items=array(ref("SearchHit"))),
        events=obj(more=BOOLEAN, items=array(ref("SearchHit"))),
        actors=obj(more=BOOLEAN, items=array(ref("SearchHit"))),
    ),
    "SearchHit": {
        "type": "object",
        "properties": {"slug": STRING, "url": URL, "snippet_html": STRING},
        "required": ["slug", "url", "snippet_html"],
    },
    # --- Web Annotations (articles.annotations) ---
    "TextQuoteSelector": obj(
        type={"const": "TextQuoteSelector"}, exact=STRING, prefix=STRING, suffix=STRING, optional=["prefix", "suffix"]
    ),
    "TextPositionSelector": obj(type={"const": "TextPositionSelector"}, start=COUNT, end=COUNT),
    "AnnotationItem": obj(
        id=URL,
        type={"const": "Annotation"},
        motivation={"const": "describing"},
        created={"type": "string", "format": "date-time"},
        modified={"type": "string", "format": "date-time"},
        body={
            "type": "array",
            "prefixItems": [
                obj(type={"const": "SpecificResource"}, source=URL, purpose={"const": "describing"}),
                obj(
                    type={"const": "TextualBody"},
                    value=STANCE,
                    purpose={"const": "classifying"},
                    format={"const": "text/plain"},
                    language={"const": "en"},
                ),
            ],
            "minItems": 2,
            "maxItems": 2,
        },
        target=obj(
            type={"const": "SpecificResource"},
            source=URL,
            selector={
                "type": "array",
                "prefixItems": [ref("TextQuoteSelector"), ref("TextPositionSelector")],
                "minItems": 1,
                "maxItems": 2,
            },
        ),
    ),
    "Annotation": extending("AnnotationItem", **{"@context": {"const": "http://www.w3.org/ns/anno.jsonld"}}),
    "AnnotationCollection": obj(
        **{
            "@context": {"const": ["http://www.w3.org/ns/anno.jsonld", "http://www.w3.org/ns/ldp.jsonld"]},
            "id": URL,
            "type": {"const": ["BasicContainer", "AnnotationCollection"]},
            "label": STRING,
            "total": COUNT,
            "first": URL,
            "last": URL,
            "optional": ["first", "last"],
        }
    ),
    "AnnotationPage": obj(
        **{
            "@context": {"const": "http://www.w3.org/ns/anno.jsonld"},
            "id": URL,
            "type": {"const": "AnnotationPage"},
            "partOf": obj(id=URL, total=COUNT),
            "startIndex": COUNT,
            "items": array(ref("AnnotationItem")),
            "prev": URL,
            "next": URL,
            "optional": ["prev", "next"],
        }
    ),
}

# What each reader page's JSON twin returns (by page name in articles.pages).
PAGE_SCHEMAS = {
    "home": "Home",
    "timeline": "Timeline",
    "event": "Event",
    "claims": "ClaimList",
    "contested": "Contested",
    "grid": "Grid",
    "claim": "Claim",
    "claim_history": "ClaimHistory",
    "articles": "ArticleList",
    "article": "Article",
    "actors": "ActorList",
    "actor": "Actor",
    "tags": "TagList",
    "tag": "Tag",
    "search": "Search",
}

SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}
PARAMETERS = {
    "page": {"type": "integer", "minimum": 1, "description": "Page number, from 1."},
    "year": {"type": "integer", "minimum": 1, "maximum": 9999},
    "from": {"type": "integer", "minimum": 1, "maximum": 9999, "description": "First year."},
    "to": {"type": "integer", "minimum": 1, "maximum": 9999, "description": "Last year."},
    "status": {"type": "string", "enum": [status.value for status in ClaimStatus]},
    "kind": {"type": "string", "enum": [kind.value for kind in Claim.Kind]},
    "role": {"type": "string", "enum": ["claimant", "subject"]},
    "actor": {**SLUG, "description": "An actor's slug."},
    "event": {**SLUG, "description": "An event's slug."},
    "article": {**SLUG, "description": "An article's slug."},
    "tag": {**SLUG, "description": "A tag's slug."},
    "q": {"type": "string", "maxLength": 200, "description": "Words to search for."},
    "after": {**SLUG, "description": "Keyset paging: the page after this row (follow the `next` link)."},
    "before": {**SLUG, "description": "Keyset paging: the page before this row (follow the `previous` link)."},
    "sort": {"type": "string", "description": "A sort order the page offers."},
    "decade": {
        "type": "integer",
        "minimum": 0,
        "maximum": 9990,
        "multipleOf": 10,
        "description": "A decade: 1990; 0 for the years 1-9.",
    },
    "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "description": "A month: 2025-10."},
}
# Where a page reads a parameter of the same name differently.
PAGE_PARAMETERS = {
    ("actors", "kind"): {"type": "string", "enum": [kind.value for kind in Actor.Kind]},
    ("claims", "sort"): {"type": "string", "enum": [o.name for o in CLAIM_ORDERINGS if o.name]},
    ("articles", "sort"): {"type": "string", "enum": [o.name for o in ARTICLE_ORDERINGS if o.name]},
    ("search", "kind"): {"type": "string", "enum": list(SEARCH_KINDS)},
    ("claim_history", "revision"): {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    ("claim_history", "before"): {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    ("timeline", "after"): {
        "type": "string",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[.][0-3][.][0-9]+$",
        "description": "The page of the window after this event (follow the `next` link).",
    },
}


def json_content(schema):
    return {"application/json": {"schema": schema}}


def error(description):
    return {"description": description, "content": json_content(ref("Error"))}


TOO_MANY = {
    "description": "Too many requests from this client: wait Retry-After seconds.",
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    "content": json_content(ref("Error")),
}
MOVED = {"description": "An old address (a renamed slug, or parameters spelt another way): see Location."}


def _page_operation(page):
    path = "/" + page.json_route.replace("<slug:slug>", "{slug}")
    parameters = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": PAGE_PARAMETERS.get((page.name, name)) or PARAMETERS[name],
        }
        for name in page.params
    ]
    if page.is_detail:
        parameters.insert(0, {"name": "slug", "in": "path", "required": True, "schema": SLUG})
    responses = {
        "200": {"description": f"The {page.name} page's data.", "content": json_content(ref(PAGE_SCHEMAS[page.name]))},
        "301": MOVED,
        "302": {"description": "A name typed in a filter that fits one thing: the same list, filtered by its slug."},
        "300": {
            "description": "A name typed in a filter that fits several things: one URL for each.",
            "content": json_content(ref("DidYouMean")),
        },
        "400": error("A parameter that does not validate; `problems` names it."),
        "429": TOO_MANY,
    }
    if page.is_detail:
        responses["404"] = error("No such object.")
    operation = {
        "operationId": page.name,
        "summary": f"The {page.name} page as JSON (also at its HTML address with Accept: application/json).",
        "parameters": parameters,
        "responses": responses,
    }
    return path, {"get": operation}


ANNOTATION_CONTENT = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def description():
    """The whole OpenAPI document (a dict)."""
    from articles.pages import READER_PAGES

    paths = dict(_page_operation(page) for page in READER_PAGES)
    paths["/annotations/"] = {
        "get": {
            "operationId": "annotations",
            "summary": "Every citation as a W3C Web Annotation: the collection, or one page of it with ?page=N.",
            "parameters": [{"name": "page", "in": "query", "required": False, "schema": PARAMETERS["page"]}],
            "responses": {
                "200": {
                    "description": "The AnnotationCollection (no page asked) or an AnnotationPage.",
                    "content": {
                        ANNOTATION_CONTENT: {"schema": {"oneOf": [ref("AnnotationCollection"), ref("AnnotationPage")]}}
                    },
                },
                "301": MOVED,
                "400": error("A page number that does not validate."),
                "404": error("A page past the last."),
                "429": TOO_MANY,
            },
        }
    }
    paths["/annotations/{id}"] = {
        "get": {
            "operationId": "annotation",
            "summary": "One citation as a W3C Web Annotation.",
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 9223372036854775807},
                }
            ],
            "responses": {
                "200": {
                    "description": "The annotation.",
                    "content": {ANNOTATION_CONTENT: {"schema": ref("Annotation")}},
                },
                "404": error("No such annotation."),
                "429": TOO_MANY,
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Knowledge base read API",
            "version": API_VERSION,
            "description": "Read-only and anonymous. Every reader page has a JSON twin at its address with `.json` "
            "for the trailing slash (or at the same address with `Accept: application/json`), paged and filtered "
            "like the page. The citations are also served as W3C Web Annotations. Requests are rate-limited per "
            "client address (429 with Retry-After).",
        },
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


def description_view(request):
    data = description()
    data["servers"] = [{"url": request.build_absolute_uri("/").rstrip("/")}]
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=3600)
    return response
