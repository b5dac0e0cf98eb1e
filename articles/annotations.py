"""Every citation as a W3C Web Annotation, read through the Web Annotation Protocol.

    GET /annotations/          the AnnotationCollection (an LDP BasicContainer): total, first, last
    GET /annotations/?page=N   an AnnotationPage of PAGE_SIZE annotations, by id, with next / prev
    GET /annotations/<id>      one annotation

A citation says that a passage of an article supports, disputes or qualifies
a claim. As an annotation:

- `motivation` is `describing`: the annotation describes the passage (it is
  evidence of this kind for that claim). It is not `assessing`: the knowledge
  base judges neither the article nor the passage, and a claim's status is a
  count of independent sources, not a verdict.
- `body` is the claim (a SpecificResource whose source is the claim's page,
  purpose `describing`) and the stance (a TextualBody "supports", "disputes"
  or "qualifies", purpose `classifying`).
- `target` is the article (a SpecificResource whose source is the article's
  page) with a TextQuoteSelector (exact, prefix, suffix) and, while the quote
  is anchored, a TextPositionSelector (start, end).

What the positions count
    Unicode code points (Python's str indices; not UTF-16 code units as in
    JavaScript, nor bytes) in the article's Markdown source as stored: its
    `body`, or its `captions` for a quote from a photo caption, whose target's
    source is then the article page's captions section (`#captions-heading`).
    These are the texts the article's JSON twin gives as `body` and
    `captions`; `start` is the first code point of the quote, `end` the one
    after it (body[start:end] == exact). Prefix and suffix are up to 32 code
    points of that text either side (articles.anchoring).

    A quote that an edit of the article removed ("lost", waiting for an
    editor) has only its TextQuoteSelector, with the quote as `exact` and the
    context it had when last found.

Every response goes through articles.caching.reader_view, like the reader
pages: cached per content version, with a weak ETag, Last-Modified and 304s.
Each runs a fixed number of queries: a page counts the citations and reads
its PAGE_SIZE rows; an annotation reads one row.
"""

from functools import wraps

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import reverse

from articles.api import error_response, json_response
from articles.caching import reader_view
from articles.forms import PageForm
from articles.models import Citation, Location

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
ALLOW = "GET, HEAD, OPTIONS"
PAGE_SIZE = 100
CONSTRAINED_BY = '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
# The Link headers the protocol asks of a reading server (sections 4.1 and 4.2).
CONTAINER_LINKS = f'<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", {CONSTRAINED_BY}'
ANNOTATION_LINKS = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'


def citations():
    """Citations with just what an annotation shows: its claim's slug, its article's slug (not its texts)."""
    return (
        Citation.objects.select_related("claim", "article")
        .only(
            "pk",
            "stance",
            "quote",
            "location",
            "start",
            "end",
            "prefix",
            "suffix",
            "anchored",
            "created",
            "updated",
            "claim__slug",
            "article__slug",
        )
        .order_by("pk")
    )


def annotation_url(request, citation_id):
    return request.build_absolute_uri(reverse("annotation", args=[citation_id]))


def collection_url(request):
    return request.build_absolute_uri(reverse("annotations"))


def annotation(request, citation, *, context=True):
    """One citation as a Web Annotation (with its @context unless it is embedded in a page)."""
    article_url = request.build_absolute_uri(reverse("articles:article", args=[citation.article.slug]))
    source = f"{article_url}#captions-heading" if citation.location == Location.CAPTIONS else article_url
    selectors = [{"type": "TextQuoteSelector", "exact": citation.quote}]
    if citation.prefix:
        selectors[0]["prefix"] = citation.prefix
    if citation.suffix:
        selectors[0]["suffix"] = citation.suffix
    if citation.anchored and citation.start is not None:
        selectors.append({"type": "TextPositionSelector", "start": citation.start, "end": citation.end})
    data = {
        "id": annotation_url(request, citation.pk),
        "type": "Annotation",
        "motivation": "describing",
        "created": citation.created.isoformat(),
        "modified": citation.updated.isoformat(),
        "body": [
            {
                "type": "SpecificResource",
                "source": request.build_absolute_uri(reverse("articles:claim", args=[citation.claim.slug])),
                "purpose": "describing",
            },
            {
                "type": "TextualBody",
                "value": citation.stance,
                "purpose": "classifying",
                "format": "text/plain",
                "language": "en",
            },
        ],
        "target": {"type": "SpecificResource", "source": source, "selector": selectors},
    }
    return {"@context": ANNO_CONTEXT, **data} if context else data


def _protocol(view, links):
    """Read-only under the protocol: OPTIONS answered, writes refused, every answer in the annotation media type."""

    @wraps(view)
    def serve(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif request.method not in ("GET", "HEAD"):
            response = error_response(405, "Method not allowed", ["The annotations are read-only."])
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                response["Content-Type"] = MEDIA_TYPE
        response["Allow"] = ALLOW
        # A page of the container is not the container: only the container and the annotations say their type.
        if response.status_code in (200, 204) and not (links == CONTAINER_LINKS and "page" in request.GET):
            response["Link"] = links
        return response

    return serve


def collection(request):
    """The AnnotationCollection, or one AnnotationPage of it (?page=N)."""
    form = PageForm(request.GET)
    if not form.is_valid():
        return error_response(400, "Bad request", form.problems())
    number = form.filters().get("page")
    # Query: how many citations there are.
    paginator = Paginator(citations(), PAGE_SIZE, allow_empty_first_page=True)
    total = paginator.count
    home = collection_url(request)

    def page_url(n):
        return f"{home}?page={n}"

    if number is None:
        data = {
            "@context": [ANNO_CONTEXT, LDP_CONTEXT],
            "id": home,
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": "Every citation in the knowledge base: a quote that supports, disputes or qualifies a claim",
            "total": total,
        }
        if total:
            data["first"] = page_url(1)
            data["last"] = page_url(paginator.num_pages)
        return json_response(data)
    if not total or number > paginator.num_pages:
        last = f"the last page is {paginator.num_pages}" if total else "there are no annotations"
        return error_response(404, "Not found", [f"“page={number}”: there is no page {number}; {last}."])
    # Query: the page's citations, with their claims' and articles' slugs. The offset is taken over the
    # ids alone (an index-only scan), not over the join: far pages cost little more than the first.
    page = paginator.page(number)
    offset = (number - 1) * PAGE_SIZE
    page.object_list = citations().filter(
        pk__in=Citation.objects.order_by("pk").values("pk")[offset : offset + PAGE_SIZE]
    )
    data = {
        "@context": ANNO_CONTEXT,
        "id": page_url(number),
        "type": "AnnotationPage",
        "partOf": {"id": home, "total": total},
        "startIndex": page.start_index() - 1,
        "items": [annotation(request, citation, context=False) for citation in page.object_list],
    }
    if page.has_previous():
        data["prev"] = page_url(number - 1)
    if page.has_next():
        data["next"] = page_url(number + 1)
    return json_response(data)


def detail(request, pk):
    """One annotation (404 for a citation that does not exist)."""
    citation = citations().filter(pk=pk).first()
    if citation is None:
        return error_response(404, "Not found", [f"There is no annotation {pk}."])
    return json_response(annotation(request, citation))


def _always_jsonld(request):
    return "jsonld"


collection_view = _protocol(reader_view(collection, ("page",), negotiate=_always_jsonld), CONTAINER_LINKS)
detail_view = _protocol(reader_view(detail, (), negotiate=_always_jsonld), ANNOTATION_LINKS)
