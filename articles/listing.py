"""The listing machinery every reader page shares.

Validated GET filters (FilteredMixin, BadFilter and the 400 page they lead
to), pagination that refuses a page past the end, the first rows of a
growing list with its total (Section), and the one-query loaders for a
page's rows, their tags and their citations. articles/views.py holds only
the pages that use them.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.template.response import TemplateResponse
from taggit.models import TaggedItem

from articles.models import Citation

SECTION_LIMIT = 20  # rows a detail page shows of a list that grows with the data


class BadFilter(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def bad_request(request, problems, *, retry_url=None):
    """The site's 400 page, saying which parameter was wrong and how."""
    context = {"problems": problems, "retry_url": retry_url or request.path}
    # A TemplateResponse, not render(): the JSON twin (articles.api) reads the problems from its context.
    return TemplateResponse(request, "400.html", context, status=400)


class FilteredMixin:
    """Validate the GET filters with `form_class` before the page is built.

    The view reads `self.filters` (only the values the reader chose) and
    `self.form` (for rendering the form and naming the chosen things).
    """

    form_class = None

    def get(self, request, *args, **kwargs):
        self.form = self.form_class(request.GET)
        if not self.form.is_valid():
            return bad_request(request, self.form.problems())
        self.filters = self.form.filters()
        try:
            return super().get(request, *args, **kwargs)
        except BadFilter as bad:
            return bad_request(request, bad.problems)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, filters=self.filters, **kwargs)


def paginate(objects, number, per_page):
    """A page of `objects`; a page number past the end is the reader's mistake, not an empty page."""
    paginator = Paginator(objects, per_page)
    number = number or 1
    if number > paginator.num_pages:
        last = paginator.num_pages
        raise BadFilter([f"“page={number}”: there is no page {number}; the last page is {last}."])
    return paginator.page(number)


@dataclass
class Section:
    """The first rows of a list on a detail page, and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self):
        return self.total > len(self.rows)


def first_rows(queryset, limit=SECTION_LIMIT):
    """The first `limit` rows of `queryset` and its total, in one query.

    The total rides on every row as a window count, COUNT(*) OVER (), which the
    database computes over all matching rows before LIMIT applies; over a
    grouped query (with_claim_counts) it counts the groups, one per row.
    """
    rows = list(queryset.annotate(total_rows=Window(Count("pk")))[:limit])
    return Section(rows=rows, total=rows[0].total_rows if rows else 0)


def attach_tags(objects):
    """Set `tag_list` on each object: its tags, in one query.

    Used instead of prefetch_related("tags") on long lists: taggit's prefetch
    builds a fresh filtered queryset per object, which costs more than the query.
    """
    objects = list(objects)
    if not objects:
        return objects
    content_type = ContentType.objects.get_for_model(objects[0])  # cached after the first request
    items = TaggedItem.objects.filter(content_type=content_type, object_id__in=[obj.pk for obj in objects])
    tags = defaultdict(list)
    for item in items.select_related("tag").order_by("pk"):
        tags[item.object_id].append(item.tag)
    for obj in objects:
        obj.tag_list = tags[obj.pk]
    return objects


def page_rows(page, rows):
    """The page's objects, loaded from `rows` (a QuerySet with the annotations the page shows).

    Paginate a QuerySet that only filters, so that counting it is cheap; then
    annotate just the page's rows: one query, with the page as a subquery.
    """
    return list(rows.filter(pk__in=page.object_list.values("pk")).order_by(*page.object_list.query.order_by))


def citations_with_sources():
    """Citations as the claim, event and contested pages show them, in reading order."""
    return Citation.objects.with_voices().order_by("article__published", "article__title", "pk")
