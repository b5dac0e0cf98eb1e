"""Template helpers for the reader pages: dates, stances, badges, the timeline overview.

None of these run queries; they format what the views have already loaded.
"""

from django import template
from django.utils.encoding import iri_to_uri

from articles.dates import DatePrecision, to_partial
from articles.models import ClaimStatus, Stance, slug_url

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
