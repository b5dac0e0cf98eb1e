"""Find a quote in an article body, and find it again after the body changes.

A citation keeps two selectors, as the W3C Web Annotation model does:
- a TextPositionSelector (start and end offsets into the Markdown body), for
  fast highlighting;
- a TextQuoteSelector (the exact quote plus a little text either side), so that
  the quote can be found again when an editor changes the body and the offsets
  go stale.

Matching is exact, character for character: a straight quote does not match a
curly one, nor a hyphen a dash. When an exact match fails, `nearest_match`
looks again with typography folded away, to tell the editor what the body
actually says.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass

CONTEXT_CHARS = 32

# Characters a reader treats as "the same" but which differ byte for byte.
TYPOGRAPHIC_FOLDS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200a": " ",
    }
)


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    prefix: str
    suffix: str


def occurrences(body, quote):
    """Start offsets of every exact occurrence of `quote` in `body`."""
    if not quote:
        return []
    found, position = [], body.find(quote)
    while position != -1:
        found.append(position)
        position = body.find(quote, position + 1)
    return found


def _context_score(body, start, end, prefix, suffix):
    before = body[max(0, start - len(prefix)) : start]
    after = body[end : end + len(suffix)]
    return _common_suffix(before, prefix) + _common_prefix(after, suffix)


def _common_prefix(a, b):
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _common_suffix(a, b):
    return _common_prefix(a[::-1], b[::-1])


def anchor(body, quote, *, prefix="", suffix="", near=None):
    """Locate `quote` in `body`; None when it is no longer there.

    Of several occurrences, prefer the one whose surrounding text matches the
    stored prefix and suffix best, then the one nearest the old position.
    """
    starts = occurrences(body, quote)
    if not starts:
        return None
    near = starts[0] if near is None else near
    best = max(
        starts,
        key=lambda s: (_context_score(body, s, s + len(quote), prefix, suffix), -abs(s - near)),
    )
    end = best + len(quote)
    return Anchor(
        start=best,
        end=end,
        prefix=body[max(0, best - CONTEXT_CHARS) : best],
        suffix=body[end : end + CONTEXT_CHARS],
    )


def _fold(text):
    """Typography-folded, lower-cased, whitespace-collapsed text, with a map back.

    Returns (folded, index) where index[i] is the offset in `text` of the
    character folded[i] came from.
    """
    folded, index = [], []
    previous_space = False
    for offset, original in enumerate(text.translate(TYPOGRAPHIC_FOLDS)):
        # Canonically decomposed, so that "ô" typed as one character and as "o" plus a
        # combining circumflex fold alike: a quote pasted from a source in the other
        # Unicode normalization looked like nothing in the article.
        for char in unicodedata.normalize("NFD", original):
            if char.isspace():
                if previous_space:
                    continue
                char, previous_space = " ", True
            else:
                previous_space = False
            folded.append(char.lower()[:1])
            index.append(offset)
    return "".join(folded), index


def nearest_match(body, quote, *, cutoff=0.6):
    """The span of `body` that the editor most likely meant, or None."""
    quote = quote.strip()
    if not quote or not body:
        return None
    folded_body, index = _fold(body)
    folded_quote, _ = _fold(quote)
    position = folded_body.find(folded_quote)
    if position != -1:
        start = index[position]
        end = index[position + len(folded_quote) - 1] + 1
        return body[start:end]
    return _closest_sentence_window(body, quote, cutoff)


SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+|\n+")
# A full stop after these does not end a sentence ("Mr. Lam", "U.S. President").
ABBREVIATIONS = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Gen|Sen|Rep|Jr|Sr|vs|etc|e\.g|i\.e)\.|\b(?:[A-Z]\.)+)$")


def sentences(text):
    """Sentence spans as (start, end) offsets, splitting on end punctuation and line breaks."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        if "\n" not in match.group() and ABBREVIATIONS.search(text, max(start, match.start() - 12), match.start()):
            continue
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _closest_sentence_window(body, quote, cutoff):
    spans = sentences(body)
    best_ratio, best_text = cutoff, None
    folded_quote = _fold(quote)[0]
    # Quotes may run over a sentence boundary, so also try pairs of sentences.
    for width in (1, 2):
        for i in range(len(spans) - width + 1):
            candidate = body[spans[i][0] : spans[i + width - 1][1]]
            matcher = difflib.SequenceMatcher(None, folded_quote, _fold(candidate)[0], autojunk=False)
            if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best_ratio, best_text = ratio, candidate
    return best_text


def in_context(body, start, end, *, sentences_around=1):
    """The quote with the sentences around it: (before, quote, after).

    Context stops at paragraph breaks, so it never mixes unrelated paragraphs;
    and only the quote's own paragraph is split into sentences, which keeps
    long articles cheap to quote from.
    """
    paragraph_start = body.rfind("\n", 0, start) + 1
    paragraph_end = body.find("\n", end)
    paragraph_end = len(body) if paragraph_end == -1 else paragraph_end
    spans = [(s + paragraph_start, e + paragraph_start) for s, e in sentences(body[paragraph_start:paragraph_end])]
    if not spans:
        return "", body[start:end], ""
    first = next((i for i, (s, e) in enumerate(spans) if e > start), len(spans) - 1)
    last = next((i for i, (s, e) in enumerate(spans) if e >= end), len(spans) - 1)
    context_start = min(spans[max(0, first - sentences_around)][0], start)
    context_end = max(spans[min(len(spans) - 1, last + sentences_around)][1], end)
    return body[context_start:start], body[start:end], body[end:context_end]
