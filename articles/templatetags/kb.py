"""Template helpers for the reader pages: dates, stances, badges, the rows of lists, the timeline overview.

None of these run queries; they format what the views have already loaded.
"""

from urllib.parse import quote

from django import template
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from articles.dates import DatePrecision, to_partial
from articles.models import ClaimStatus, Location, Stance, fixed_url, slug_url

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


def _article_time(article):
    """article_date, marked up as a <time> when the article has a date."""
    if not article.published:
        return article_date(article)
    return format_html('<time datetime="{}">{}</time>', iso_date(article), article.date_display)


def _part(content):
    """One part of a meta line (the line under a quote, a claim or an article)."""
    return format_html('<span class="meta__part">{}</span>', content)


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
    parts += [_part(article.credit_line), _part(_article_time(article))]
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


# --- Rows of lists ------------------------------------------------------------------------------
# Built in Python, as the grid's cells and the quotes are: a list prints dozens of rows, and as
# includes the rows were most of a list page's rendering (a timeline page of 40 events: 17 ms of
# CPU as includes, 10 ms as these).


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


@register.simple_tag
def event_item(event, level=3, show_tags=False):
    """One event in a list: its date, title (a heading of `level`), participants and how many sources
    attest it, a link to its contested claims if any, and with `show_tags` its tags."""
    people = format_html_join(
        ", ",
        '<a\n      href="{}">{}</a>\n    <span class="role">as {}</span>',
        ((part.actor.get_absolute_url(), part.actor.name, part.role) for part in event.participations.all()),
    )
    if people:
        people = format_html(
            '\n  <p class="event-item__people"><span\n      class="visually-hidden">Participants: </span>{}</p>', people
        )
    contested = ""
    if event.contested:
        contested = format_html(
            '<a class="badge status-contested"\n      href="{}?event={}&amp;status=contested"><span\n'
            '      class="badge__symbol" aria-hidden="true">⚠</span> Contested</a> · ',
            fixed_url("articles:claims"),
            quote(event.slug),
        )
    tags = ""
    if show_tags and event.tag_list:
        links = format_html_join(
            "\n    ", '<a class="tag" href="{}">{}</a>', ((tag_url(t), t.name) for t in event.tag_list)
        )
        tags = format_html("\n    · {}", links)
    return format_html(
        '<li class="event-item{}" id="event-{}">\n  <p class="event-item__date"><time datetime="{}">{}</time></p>\n'
        '  <h{} class="event-item__title"><a href="{}">{}</a></h{}>{}\n'
        '  <p class="event-item__sources meta">{}<span\n      class="sources sources-{}">{}</span>{}</p>\n</li>\n',
        " event-item--contested" if event.contested else "",
        event.slug,
        iso_date(event),
        event.date_display,
        level,
        event.get_absolute_url(),
        event.title,
        level,
        people,
        contested,
        "some" if event.source_count else "none",
        sources_phrase(event.source_count),
        tags,
    )


@register.simple_tag
def claim_meta(claim, show_event=False, show_sources=False):
    """The line under a claim's words: its status, kind and claimant; with `show_event`, its event; with
    `show_sources`, the articles that cite it and how (listing.attach_sources). Every list of claims
    prints it, so the line reads the same on every page."""
    parts = [_part(claim.get_kind_display())]
    if claim.claimant_id:
        claimant = claim.claimant
        parts.append(
            format_html(
                '<span class="meta__part">claimed by\n    <a href="{}">{}</a></span>',
                claimant.get_absolute_url(),
                claimant.name,
            )
        )
    if show_event and claim.event_id:
        event = claim.event
        parts.append(
            format_html(
                '<span class="meta__part">on\n    <a href="{}">{}</a></span>',
                event.get_absolute_url(),
                shorten(event.title, 90),
            )
        )
    if show_sources and claim.sources:
        sources = format_html_join(
            ";\n    ",
            "{}\n    ({})",
            (
                (article_title(source, link=True, shown_title=shorten(source.title, 60)), ", ".join(source.stances))
                for source in claim.sources
            ),
        )
        if claim.more_sources > 0:
            more = format_html('<a href="{}">+{} more</a>', claim.get_absolute_url(), claim.more_sources)
            sources = format_html("{}\n    {}", sources, more)
        parts.append(format_html('<span class="meta__part">cited in\n    {}</span>', sources))
    # Each part was built by format_html.
    return format_html('\n\n<p class="meta">{}\n  {}</p>\n', status_badge(claim), mark_safe("\n  ".join(parts)))


@register.simple_tag
def claim_item(claim, show_sources=False):
    """One claim in a list: its words, linked to its page, over its meta line (with its event)."""
    return format_html(
        '<li class="claim-item">\n  <p class="claim-item__text"><a href="{}">{}</a></p>\n  {}\n</li>\n',
        claim.get_absolute_url(),
        claim.text,
        claim_meta(claim, show_event=True, show_sources=show_sources),
    )


@register.simple_tag
def article_item(article, role=""):
    """One article in a list: its title, byline, date and kind; `role`, what an actor did in it (on an
    actor's page); and how many quotes it has cited, when the list counted them."""
    parts = [_part(article.credit_line), _part(_article_time(article)), _part(article.get_kind_display())]
    if role:
        parts.append(_part(role))
    citation_count = getattr(article, "citation_count", None)
    if citation_count is not None:
        parts.append(
            format_html(
                '<span class="meta__part">{}\n      cited for {}</span>',
                _plural(citation_count, "quote"),
                _plural(article.claim_count, "claim"),
            )
        )
    return format_html(
        '<li class="article-item">\n  <p class="article-item__title">{}</p>\n'
        '  <p class="meta">\n    {}\n  </p>\n</li>\n',
        article_title(article, link=True),
        mark_safe("\n    ".join(parts)),  # each part was built by format_html
    )


@register.simple_tag
def related_claim(claim):
    """One related claim: its words, its status, and what it shares with the claim on the page
    (`claim.shared`, from ClaimQuerySet.related_to)."""
    shared = claim.shared
    common = []
    if shared["event"]:
        common.append("same event")
    if shared["actors"]:
        common.append(f"{_plural(shared['actors'], 'actor')}\n    in common")
    if shared["tags"]:
        common.append(f"{_plural(shared['tags'], 'tag')} in common")
    return format_html(
        '\n<li class="related-claim"><a href="{}">{}</a>\n  <span class="meta">{}\n    '
        '<span class="meta__part">{}</span></span>\n</li>\n',
        claim.get_absolute_url(),
        claim.text,
        status_badge(claim),
        ",\n    ".join(common),
    )
