"""Template helpers for the reader pages: dates, stances, badges, the timeline overview.

None of these run queries; they format what the views have already loaded.
"""

from django import template
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from articles.dates import DatePrecision, to_partial
from articles.models import ClaimStatus, Stance

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


@register.filter
def status_symbol(status):
    return STATUS_SYMBOLS.get(status, "")


@register.inclusion_tag("includes/status_badge.html")
def status_badge(claim):
    """The claim's status in words, e.g. "Corroborated by 3 independent sources"."""
    return {"claim": claim, "symbol": STATUS_SYMBOLS.get(claim.status, "")}


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


@register.inclusion_tag("includes/timeline_overview.html")
def timeline_overview(events):
    """An inline SVG: one row per year with events, a dot sized by how many, gaps drawn dashed.

    Rows are spaced by order, not to scale (seventy years with one busy month
    would otherwise be a single blot), but a longer gap draws a longer,
    dashed stretch of axis so that the jumps stay visible.
    """
    counts = {}
    for event in events:
        counts[event.start.year] = counts.get(event.start.year, 0) + 1
    rows, y, previous = [], 24, None
    for year in sorted(counts):
        gap = 0 if previous is None else year - previous
        if previous is not None:
            y += 30 + min(gap - 1, 25) * 2
        count = counts[year]
        rows.append(
            {
                "year": year,
                "count": count,
                "y": y,
                "r": min(4 + 2 * (count - 1), 14),
                "gap_before": gap > 1,
                "previous_y": rows[-1]["y"] if rows else y,
            }
        )
        previous = year
    return {"rows": rows, "height": y + 24, "timeline_url": reverse("articles:timeline")}


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
