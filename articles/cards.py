"""Share cards: the picture a social network shows next to a shared link.

A claim's card is a 1200×630 PNG (the size Open Graph and X/Twitter's
summary_large_image expect) with the claim's text, its status and how many
independent sources stand behind it. It is drawn with Pillow in DejaVu Sans,
bundled in articles/fonts (Bitstream Vera licence, see its LICENSE), so that
Vietnamese diacritics and the status symbols render the same on every machine.

Cards are drawn once per content version: the cache key holds the version
from articles.caching, so any edit draws them afresh and nothing else does.
Every other page shares one static card, static/img/share-card.png, drawn by
`render_site_card()` (see `manage.py draw_site_card`).

The work is bounded whatever the claim: the text is cut at a word boundary
before it is measured, and the layout tries a few font sizes, then ends the
last line with an ellipsis.
"""

import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import Truncator
from PIL import Image, ImageDraw, ImageFont

from articles.caching import per_version
from articles.models import Claim, ClaimStatus
from articles.templatetags.kb import SITE_NAME, STATUS_SYMBOLS, sources_phrase

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
FONTS = Path(__file__).resolve().parent / "fonts"
# Bump when the drawing changes, so cached cards are drawn again.
DESIGN = 1
CARD_CACHE_SECONDS = 7 * 24 * 3600
# Longer texts are cut here (at a word) before layout: no card can show more.
MAX_CHARACTERS = 400
TEXT_SIZES = (56, 48, 40, 34)
TEXT_TOP, TEXT_BOTTOM = 150, 470

# The site's palette (static/css/site.css custom properties); a PNG cannot read CSS.
PAPER = "#fdfcf9"
INK = "#1a1a1a"
MUTED = "#555555"
BRAND = "#1f3a5f"
ON_BRAND = "#ffffff"
STATUS_COLOURS = {  # (ink, background), as the page's badges
    ClaimStatus.CONTESTED: ("#8a1c14", "#f9dedb"),
    ClaimStatus.CORROBORATED: ("#1d5b26", "#dcf0dd"),
    ClaimStatus.SINGLE_SOURCE: ("#1f3f6e", "#e4ecf7"),
    ClaimStatus.NEEDS_REVIEW: ("#8a1c14", "#e4ecf7"),
    ClaimStatus.UNSUPPORTED: ("#404040", "#ececec"),
}


@lru_cache(maxsize=16)
def font(size, *, bold=False):
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def _width(text, typeface):
    return typeface.getlength(text)


def _split_long_word(word, typeface, width):
    """A word wider than the line (a URL, a run without spaces), cut into pieces that fit."""
    pieces, piece = [], ""
    for character in word:
        if piece and _width(piece + character, typeface) > width:
            pieces.append(piece)
            piece = ""
        piece += character
    return [*pieces, piece] if piece else pieces


def wrap(text, typeface, width):
    """The text as lines no wider than `width`, broken between words where it can be."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            for piece in _split_long_word(word, typeface, width) if _width(word, typeface) > width else [word]:
                candidate = f"{line} {piece}" if line else piece
                if _width(candidate, typeface) <= width:
                    line = candidate
                else:
                    if line:
                        lines.append(line)
                    line = piece
        if line:
            lines.append(line)
    return lines


def _ellipsize(line, typeface, width):
    """The line, cut at a word if it can be, with "…" that still fits."""
    while line and _width(f"{line}…", typeface) > width:
        cut = line.rfind(" ")
        line = line[:cut] if cut > 0 else line[:-1]
    return f"{line.rstrip(' ,;:')}…"


def fit_text(text, *, width=WIDTH - 2 * MARGIN, height=TEXT_BOTTOM - TEXT_TOP):
    """(font, lines) for the largest size at which the text fits; at the smallest, the end cut with "…"."""
    for size in TEXT_SIZES:
        typeface = font(size)
        lines = wrap(text, typeface, width)
        line_height = int(size * 1.3)
        if len(lines) * line_height <= height:
            return typeface, lines
    most = max(1, height // line_height)
    if len(lines) > most:
        lines = [*lines[: most - 1], _ellipsize(lines[most - 1], typeface, width)]
    return typeface, lines


def card_text(text):
    """The claim's text as the card shows it: composed (so diacritics sit on their letters), at most MAX_CHARACTERS."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if len(text) <= MAX_CHARACTERS:
        return text
    # Cut at the last space that keeps it within the limit; a text without one, anywhere.
    cut = text[: MAX_CHARACTERS + 1]
    space = cut.rfind(" ")
    return f"{(cut[:space] if space > 0 else cut[:MAX_CHARACTERS]).rstrip(' ,;:')}…"


def _frame(draw, eyebrow):
    draw.rectangle((0, 0, WIDTH, 96), fill=BRAND)
    draw.text((MARGIN, 48), SITE_NAME, font=font(34, bold=True), fill=ON_BRAND, anchor="lm")
    draw.text((WIDTH - MARGIN, 48), eyebrow, font=font(28), fill=ON_BRAND, anchor="rm")


def _png(image):
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_claim_card(claim):
    """The claim's card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    _frame(draw, "Claim")
    typeface, lines = fit_text(f"“{card_text(claim.text)}”")
    line_height = int(typeface.size * 1.3)
    for number, line in enumerate(lines):
        draw.text((MARGIN, TEXT_TOP + number * line_height), line, font=typeface, fill=INK)

    ink, background = STATUS_COLOURS.get(claim.status, (INK, PAPER))
    status = f"{STATUS_SYMBOLS.get(claim.status, '')} {ClaimStatus(claim.status).label}".strip()
    badge_font = font(34, bold=True)
    left, top = MARGIN, 500
    right = left + int(_width(status, badge_font)) + 40
    draw.rounded_rectangle((left, top, right, top + 60), radius=8, fill=background)
    draw.text((left + 20, top + 30), status, font=badge_font, fill=ink, anchor="lm")
    sources = sources_phrase(claim.origin_count)
    draw.text((right + 28, top + 30), sources[:1].upper() + sources[1:], font=font(32), fill=MUTED, anchor="lm")
    return _png(image)


def render_site_card():
    """The card of every page but a claim's, as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    _frame(draw, "Knowledge base")
    typeface, lines = fit_text(
        "Tô Lâm’s October 2025 visit to North Korea, and the history behind it: "
        "every statement traced to the exact words of its sources."
    )
    line_height = int(typeface.size * 1.3)
    for number, line in enumerate(lines):
        draw.text((MARGIN, TEXT_TOP + number * line_height), line, font=typeface, fill=INK)
    return _png(image)


def claim_card_alt(claim):
    """The card's text alternative: what it shows, in words."""
    status = claim.status_label
    if claim.status != ClaimStatus.CORROBORATED:  # whose label already counts the sources
        status = f"{status}, {sources_phrase(claim.origin_count)}"
    return f"{status}: “{Truncator(claim.text).chars(200)}”"


SITE_CARD_ALT = f"{SITE_NAME}: every statement about To Lam’s 2025 visit to Pyongyang, traced to its sources."


def claim_card_png(claim_slug, load):
    """The card for the claim with `claim_slug`, from the cache or drawn now; `load()` fetches the claim.

    Keyed by the content version, so a card is drawn once per version of the
    knowledge base. When the cache cannot say the version, the card is drawn
    and not stored.
    """
    return per_version(f"card:{DESIGN}:{claim_slug}", lambda: render_claim_card(load()), CARD_CACHE_SECONDS)


def claim_card(request, slug):
    """GET the claim's card (PNG); served through caching.reader_view for ETag, Last-Modified and Cache-Control."""

    def load():
        return get_object_or_404(Claim.objects.only("slug", "text", "status", "origin_count"), slug=slug)

    return HttpResponse(claim_card_png(slug, load), content_type="image/png")
