"""Template helpers for the reader pages: dates, stances, badges, the timeline overview.

None of these run queries; they format what the views have already loaded.
"""

from django import template
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from articles.dates import DatePrecision, to_partial
from articles.models import ClaimStatus, Location, Stance, slug_url

register = template.Library()

STANCE_SYMBOLS = {Stance.SUPPORTS: "✓", Stance.DISPUTES: "✗", Stance.QUALIFIES: "≈"}
# No tick anywhere: a badge counts voices, it never says "verified".
STATUS_SYMBOLS = {
    ClaimStatus.CONTESTED: "⚠",
    ClaimStatus.CORROBORATED: "●●",
    ClaimStatus.SINGLE_SOURCE: "●",
    ClaimStatus.NEEDS_REVIEW: "!",
    ClaimStatus.UNSUPPORTED: "○",
}
SITE_NAME = "To Lam in Pyongyang"


@register.simple_tag
def site_name():
    return SITE_NAME


@register.filter
def tag_url(tag):
    """A tag's page (taggit's Tag has no get_absolute_url); a list of claims links many."""
    return slug_url("articles:tag", tag.slug)


@register.filter
def iso_date(obj):
    """A machine-readable date for <time datetime>, only as precise as the source: "2025-10"."""
    start = getattr(obj, "start", None) or getattr(obj, "published", None)
    if start is None:
        return ""
    precision = obj.date_precision
    if precision == DatePrecision.DECADE:
        precision = DatePrecision.YEAR
    return to_partial(start, precision)


@register.filter
def stance_symbol(stance):
    return STANCE_SYMBOLS.get(stance, "")


def stance_html(stance, *, href=None, capital=False):
    """A stance as every page shows it: a chip with its symbol (for the eye only) and its word, e.g. "✓ supports";
    a link when `href` is given."""
    label = capfirst(Stance(stance).label) if capital else Stance(stance).label
    inner = format_html('<span aria-hidden="true">{}</span> {}', STANCE_SYMBOLS.get(stance, ""), label)
    if href is None:
        return format_html('<span class="stance stance--{}">{}</span>', stance, inner)
    return format_html('<a class="stance stance--{}" href="{}">{}</a>', stance, href, inner)


@register.simple_tag
def stance_chip(stance, capital=False):
    """{% stance_chip citation.stance %}: see stance_html."""
    return stance_html(stance, capital=capital)


@register.filter
def status_symbol(status):
    return STATUS_SYMBOLS.get(status, "")


@register.simple_tag
def status_badge(claim):
    """The claim's status in words, e.g. "Corroborated by 3 independent sources".

    A tag built in Python, not an inclusion tag: lists print one per claim.
    """
    return format_html(
        '<span class="badge status-{}"><span class="badge__symbol" aria-hidden="true">{}</span> {}</span>',
        claim.status,
        STATUS_SYMBOLS.get(claim.status, ""),
        claim.status_label,
    )


@register.filter
def sources_phrase(count):
    """How many independent sources stand behind something, in words."""
    if not count:
        return "no supporting source yet"
    return f"{count} independent source{'' if count == 1 else 's'}"


@register.filter
def article_date(article):
    """The article's date at its real precision, or "date not stated"."""
    return article.date_display if article.published else "date not stated"


@register.simple_tag(takes_context=True)
def absolute(context, path):
    """An absolute URL for `path` on this site (needs the request; falls back to the path)."""
    request = context.get("request")
    if not request:
        return path
    if path.startswith("//"):
        # A path of this site (a 404 for "//[" renders it), not a URL of another host, as build_absolute_uri
        # would read it ("Invalid IPv6 URL": a 500 instead of the 404 page).
        return request.build_absolute_uri("/").rstrip("/") + iri_to_uri(path)
    return request.build_absolute_uri(path)


@register.filter
def shorten(text, length):
    """`text` cut to at most `length` characters at a word boundary, with "…"; never mid-word.

    A single word longer than `length` is kept whole: cutting it would be worse.
    """
    text = str(text or "")
    length = int(length)
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if not text[length - 1].isspace() and " " in cut:
        cut = cut[: cut.rindex(" ")]
    elif " " not in cut:
        cut = text.split(" ", 1)[0]
    return cut.rstrip(" ,;:–—-") + "…"


# --- The agreement grid's cells ------------------------------------------------------------

NOT_MENTIONED = mark_safe(
    '<td class="grid__cell grid__cell--none"><span class="visually-hidden">not mentioned</span></td>'
)


def _cell_body(cell):
    """An article's short label, then a link to each of its quotes for the claim, one per stance."""
    links = format_html_join("", "\n{}", ((stance_html(c.stance, href=c.url),) for c in cell["citations"]))
    return format_html('<span class="grid__source">{}</span>{}', cell["article"].short_label, links)


@register.simple_tag
def grid_cells(row, others):
    """One grid row's cells after its heading: a cell per column, then "Other articles" when `others`.

    Built in Python, as Django's admin builds its change list's cells: a page of
    the grid has hundreds of cells, and the same markup as template loops took
    most of the page's time.
    """
    cells = [
        format_html('<td class="grid__cell grid__cell--{}">{}</td>', cell["citations"][0].stance, _cell_body(cell))
        if cell["citations"]
        else NOT_MENTIONED
        for cell in row["cells"]
    ]
    if others:
        rest = format_html_join("\n", '<span class="grid__other">{}</span>', ((_cell_body(c),) for c in row["others"]))
        cells.append(
            format_html(
                '<td class="grid__others">{}</td>', rest or mark_safe('<span class="visually-hidden">none</span>')
            )
        )
    return mark_safe("\n".join(cells))  # every part was built by format_html


@register.simple_tag
def article_title(article, link=False, shown_title=None):
    """An article's title, marked when our editors wrote it (the source has no headline), so that it is
    never passed off as the source's own: the one rule for every place a title appears.

    `link`: the title links to the article page; `shown_title`: the title as a list row shortens it.
    `article` may be any object with `title`, `title_is_editorial` and `get_absolute_url`. A tag, not an
    include: a claim page prints one for each of its quotes.
    """
    title = shown_title or article.title
    html = format_html('<a href="{}">{}</a>', article.get_absolute_url(), title) if link else conditional_escape(title)
    if article.title_is_editorial:
        html = format_html('{}\n<span class="note-inline title-note">(title by our editors)</span>', html)
    return html


# --- A quote and what it does -----------------------------------------------------------------

NEEDS_REVIEW_CHIP = mark_safe(
    '<span class="stance status-needs-review"><span aria-hidden="true">!</span> needs review</span>'
)
FOR_COMPETING_CHIP = mark_safe(
    '<span class="stance stance--disputes"><span aria-hidden="true">⇄</span> for a competing claim</span>'
)
IN_A_CAPTION = mark_safe('<span class="meta__part">in a photo caption</span>')
LOST_NOTE = mark_safe(
    '<p class="lost-note"><strong>Needs review:</strong> the article was edited after this quote was recorded,'
    " and these words are no longer in it.\n"
    "    It is shown as it was recorded and counts for nothing until an editor fixes it.</p>"
)


def _citation_meta(citation, for_competing):
    """The line under a quote's source: its stance, whether it needs review, the byline, the date, the speaker."""
    article = citation.article
    parts = [FOR_COMPETING_CHIP if for_competing else stance_html(citation.stance)]
    if not citation.anchored:
        parts.append(NEEDS_REVIEW_CHIP)
    parts.append(format_html('<span class="meta__part">{}</span>', article.credit_line))
    if article.published:
        date = format_html('<time datetime="{}">{}</time>', iso_date(article), article.date_display)
    else:
        date = "date not stated"
    parts.append(format_html('<span class="meta__part">{}</span>', date))
    if citation.speaker_id:
        speaker = citation.speaker
        parts.append(
            format_html(
                '<span class="meta__part">the words of <a href="{}">{}</a></span>',
                speaker.get_absolute_url(),
                speaker.name,
            )
        )
    if citation.location == Location.CAPTIONS:
        parts.append(IN_A_CAPTION)
    return format_html('<p class="meta">\n    {}\n  </p>', mark_safe("\n    ".join(parts)))  # each part is safe


def _citation_quote(citation, side):
    """The quoted words, marked in the sentences around them as `side` (the stance they stand for on this
    page); a lost quote alone, as it was recorded."""
    mark = format_html('<mark class="quote-mark quote-mark--{}">{}</mark>', side, citation.quote)
    if not citation.anchored:
        return format_html('{}\n  <blockquote class="quote-in-context"><p>{}</p></blockquote>', LOST_NOTE, mark)
    before, quote, after = citation.in_context()
    article = citation.article
    cite = format_html(' cite="{}"', article.url) if article.url else ""
    return format_html(
        '<blockquote class="quote-in-context"{}>\n    <p>{}<mark class="quote-mark quote-mark--{}">{}</mark>{}</p>\n'
        "  </blockquote>\n"
        '  <p class="follow"><a href="{}">Read this quote in the article'
        '<span class="visually-hidden">: {}</span></a></p>',
        cite,
        before,
        side,
        quote,
        after,
        citation.url,
        article.title,
    )


@register.simple_tag
def citation_block(citation, for_competing=None):
    """A quote and what it does: its source, stance, byline, date and speaker, then the quote in its context.

    `for_competing`: the ClaimConflict link, when the quote supports a competing
    claim and stands on this claim's disputing side. The one markup for a
    quote (includes/sides.html and the claim page's quotes needing review).
    Built in Python, as grid_cells is: as an include, each quote cost a
    quarter of a millisecond, a third of a claim page's rendering.
    """
    # A quote for a competing claim stands on this claim's disputing side, and is marked as disputing it:
    # a green "supports" mark there read as support for the claim on the page.
    side = Stance.DISPUTES if for_competing else citation.stance
    modifier = f"{side} citation--competing" if for_competing else side
    lost = "" if citation.anchored else " citation--lost"
    note = ""
    if for_competing:
        rival = for_competing.to_claim
        what_differs = format_html("\n    — {}", for_competing.note) if for_competing.note else ""
        note = format_html(
            '\n  <p class="competing-note">Supports the competing claim\n    <a href="{}">“{}”</a>{}</p>',
            rival.get_absolute_url(),
            rival.text,
            what_differs,
        )
    return format_html(
        '<article class="citation citation--{}{}">\n  <h4 class="citation__source">{}</h4>\n  {}{}\n  {}\n</article>\n',
        modifier,
        lost,
        article_title(citation.article, link=True),
        _citation_meta(citation, for_competing),
        note,
        _citation_quote(citation, side),
    )
