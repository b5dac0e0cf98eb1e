"""Markdown to safe HTML, with cited quotes highlighted.

Editors write Markdown; Markdown lets raw HTML through, so everything it
produces is sanitised with nh3 against an allow-list before it reaches a page.
Highlights are added after sanitising, from offsets we computed ourselves, so
no editor-supplied markup can ride in on them.
"""

import re
from dataclasses import dataclass

import markdown as markdown_lib
import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "sup",
    "sub",
}
# "start" keeps a list numbered as the source numbered it ("2. Sharing Reform Experience").
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

# Private-use characters never occur in real text; they mark where highlights
# start and stop while Markdown and nh3 do their work.
OPEN, SEPARATOR, CLOSE = "\ue000", "\ue001", "\ue002"
MARKER = re.compile(f"{OPEN}(\\d+){SEPARATOR}|{CLOSE}")


def sanitise(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def _markdown(text):
    # Headings inside an article sit below the page's own <h1> and <h2>.
    return markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")


def render_markdown(text):
    cleaned = text.replace(OPEN, "").replace(SEPARATOR, "").replace(CLOSE, "")
    return mark_safe(sanitise(_markdown(cleaned)))


@dataclass(frozen=True)
class Highlight:
    """One quote to highlight: where it is, where its mark should link, and how."""

    start: int
    end: int
    anchor_id: str  # the element id of the quote's first mark, e.g. "cite-12"
    href: str
    label: str  # what the link says to a screen reader, e.g. the claim text
    css_class: str = ""


# What opens a Markdown block line: list bullets, numbers, headings, quotes.
BLOCK_PREFIX = re.compile(r"^[ \t]*(?:(?:[-*+]|\d+[.)]|#{1,6}|>)[ \t]+)*", re.MULTILINE)


def _segments(length, highlights, text):
    """Split [0, length) at every highlight edge, line break and block prefix.

    Yields (start, end, covering highlights). A mark never spans a line break,
    so it never straddles two Markdown blocks, and never swallows the "- " or
    "1. " that makes a line a list item.
    """
    edges = {0, length}
    for highlight in highlights:
        edges.update((max(0, min(length, highlight.start)), max(0, min(length, highlight.end))))
    prefixes = [(m.start(), m.end()) for m in BLOCK_PREFIX.finditer(text) if m.end() > m.start()]
    for start, end in prefixes:
        edges.update((start, end))
    edges.update(match.start() for match in re.finditer("\n", text))
    ordered = sorted(edges)
    in_prefix = {start for start, _ in prefixes}
    for start, end in zip(ordered, ordered[1:], strict=False):
        if start in in_prefix or text[start:end] == "\n":
            yield start, end, []
            continue
        covering = [h for h in highlights if h.start <= start and end <= h.end]
        yield start, end, covering


def render_highlighted(text, highlights):
    """Render Markdown with each highlight wrapped in <mark><a href>…</a></mark>."""
    text = text.replace(OPEN, "").replace(SEPARATOR, "").replace(CLOSE, "")
    highlights = [h for h in highlights if 0 <= h.start < h.end <= len(text)]
    if not highlights:
        return render_markdown(text)
    pieces, marks, first_seen = [], [], set()
    for start, end, covering in _segments(len(text), highlights, text):
        chunk = text[start:end]
        if not covering or not chunk.strip():
            pieces.append(chunk)
            continue
        owner = covering[0]
        # Every quote gets its own element id where it starts, even when several
        # quotes start at the same place, so "#cite-N" always finds its quote.
        element_ids = [h.anchor_id for h in covering if h.anchor_id not in first_seen]
        first_seen.update(element_ids)
        marks.append((owner, element_ids, len(covering)))
        pieces.append(f"{OPEN}{len(marks) - 1}{SEPARATOR}{chunk}{CLOSE}")
    html = sanitise(_markdown("".join(pieces)))

    def replace(match):
        if match.group(0) == CLOSE:
            return "</a></mark>"
        owner, element_ids, overlap = marks[int(match.group(1))]
        id_attribute = f' id="{escape(element_ids[0])}"' if element_ids else ""
        extra_anchors = "".join(f'<span id="{escape(extra)}"></span>' for extra in element_ids[1:])
        classes = " ".join(filter(None, ["quote", owner.css_class, "quote-overlap" if overlap > 1 else ""]))
        return (
            f'<mark class="{escape(classes)}"{id_attribute}>{extra_anchors}'
            f'<a href="{escape(owner.href)}" title="{escape(owner.label)}">'
        )

    return mark_safe(MARKER.sub(replace, html))
