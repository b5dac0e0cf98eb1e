"""An article's text with its evidence marked: the numbered notes, and the highlighted HTML.

The article page asks this module; the pages themselves stay in views.py. The
Markdown rendering and the marking live in articles.rendering; here the
citations become numbered notes and Highlights, and the HTML is cached.

Why a cache, not a stored column: the highlighted HTML depends on the text
*and* on every anchored citation of the article (their spans, stances, claims'
words and numbering), which change through many write paths (citation edits,
claim edits, re-anchoring, imports, history reverts). The cache key is a hash
of everything the HTML depends on, so it can never serve stale HTML and needs
no write path to remember it; an edit simply renders afresh under a new key.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.models import Citation, Location
from articles.rendering import Highlight, render_highlighted, render_plain_highlighted


@dataclass(frozen=True)
class EvidenceNote:
    """One marked quote on an article page: its number, where it is, and what it is evidence for."""

    number: int
    citation: Citation
    in_captions: bool

    @property
    def note_id(self):
        return f"note-{self.citation.pk}"

    def highlight(self, *, numbered=True):
        """The Highlight marking this quote, numbered with a marker linking to its note unless told not to."""
        citation = self.citation
        if not numbered:  # no marker: nothing to label
            return Highlight(citation.start, citation.end, citation.anchor_id, "", "", f"stance-{citation.stance}")
        return Highlight(
            start=citation.start,
            end=citation.end,
            anchor_id=citation.anchor_id,
            href=f"#{self.note_id}",
            label=f"{citation.get_stance_display().capitalize()}: {citation.claim.text}",
            css_class=f"stance-{citation.stance}",
            number=self.number if numbered else 0,
        )


def evidence_notes(citations):
    """The article's anchored quotes, numbered in reading order: the body's first, then the captions'."""
    anchored = [c for c in citations if c.anchored and c.start is not None]
    in_captions = {c.pk: c.location == Location.CAPTIONS for c in anchored}
    ordered = sorted(anchored, key=lambda c: (in_captions[c.pk], c.start, c.end, c.pk))
    return [EvidenceNote(number, c, in_captions[c.pk]) for number, c in enumerate(ordered, start=1)]


def highlighted_body(article, highlights):
    """The article's Markdown as HTML, every anchored quote marked, with numbered markers to its notes."""
    return _cached_render("body", article.body, highlights, render_highlighted)


def highlighted_captions(article, highlights):
    """The photo captions (plain text) as HTML, their quotes marked the same way."""
    if not article.captions:
        return ""
    return _cached_render("captions", article.captions, highlights, render_plain_highlighted)


def notes_html(notes):
    """The numbered notes under the text (includes/evidence_notes.html), cached like the text.

    Keyed by everything a note shows (its number and place, its citation's
    stance and words, its claim's address and words), so an edit of any of
    them renders the notes afresh.
    """
    shown = [
        (
            note.number,
            note.in_captions,
            note.citation.pk,
            note.citation.stance,
            note.citation.quote,
            note.citation.claim.slug,
            note.citation.claim.text,
        )
        for note in notes
    ]
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    html = cache.get_or_set(
        f"article-html:notes:{digest}", lambda: render_to_string("includes/evidence_notes.html", {"notes": notes})
    )
    return mark_safe(html)  # rendered from our own template, every value escaped there


def _cached_render(kind, text, highlights, render):
    # Cached under a hash of everything the HTML depends on, so an edit renders afresh.
    digest = hashlib.sha256(repr((kind, text, highlights)).encode()).hexdigest()
    return cache.get_or_set(f"article-html:{kind}:{digest}", lambda: render(text, highlights))
