"""Markdown to safe HTML, with cited quotes marked as evidence.

What a citation's offsets count
-------------------------------
`Citation.start` and `Citation.end` are offsets into the article's *Markdown
source* as stored (line ends normalised to "\\n"), counted in Python code points
(not bytes, not UTF-16 units, not rendered characters). The rendered page
drops Markdown syntax, so this module maps every rendered text character back
to the source character it came from and marks exactly the rendered text whose
source lies inside a quote.

How a body is rendered
----------------------
- markdown-it-py (CommonMark) parses the source. Its parser is linear in the
  input, unlike python-markdown, which is quadratic on nested brackets; bodies
  are also capped in size and nesting depth (`markdown_problems`, used by the
  Article model's validators), so rendering any accepted body takes well under
  a second.
- Raw HTML is not interpreted: `<b>`, `<style>` or an unclosed `<textarea>` in
  a body is shown as the text the editor typed. No raw-text element can then
  swallow the rest of the article, and every character of a quote that is
  visible in the source is visible on the page.
- Highlights are inserted while rendering, into text nodes only: a mark never
  lands in a tag or an attribute (a quote inside a link's URL or title gets no
  <mark>), and a quote that crosses an element boundary (emphasis, a paragraph
  break, a list item) is split into one mark per text run, so nothing misnests
  and no two paragraphs merge.
- What comes out is sanitised by nh3 against an allow-list. The marks travel
  through nh3 as private-use characters in text and become tags afterwards,
  built only from values we computed.
- A body that is over the limits anyway (saved before they existed, or loaded
  without validation) is shown as plain text paragraphs, with its quotes marked
  the same way: nothing lost, nothing slow.

Evidence marks
--------------
Overlapping quotes are cut into segments; each segment is one <mark> listing,
in `data-cites`, every citation that covers it. A *passage* is a run of quotes
that overlap or touch; after it come numbered markers (like a reference list's),
one per citation in the passage, each linking to that citation's note below the
article. Each citation's `#cite-N` id sits on its first mark, so a "read this
quote in the article" link lands on the quote itself, also when quotes overlap.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import autolink as autolink_rule
from markdown_it.rules_inline import image as image_rule
from markdown_it.rules_inline import link as link_rule

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

# Limits on what an editor may save. A long feature is 50,000 characters; the
# longest source text here is 14,500. Markdown nesting (lists in lists, quotes
# in quotes, emphasis in links) deeper than this is never prose.
MAX_BODY_CHARS = 100_000
MAX_CAPTIONS_CHARS = 20_000
MAX_NESTING = 20
# Markdown-it's work per character is highest for these; each is capped.
MARKUP_LIMITS = [
    ("[", "opening square brackets (links and images)", 500),
    ("*_", "asterisks and underscores (emphasis)", 3_000),
    ("&\\`<", "ampersands, backslashes, backticks and angle brackets", 2_000),
    ("\n", "line breaks", 1_500),
]
# Each "[" makes markdown-it scan ahead through the markup of its paragraph
# for a closing bracket, so the two multiply within a paragraph.
MARKUP_CHARACTERS = "[]()!*_&\\`<>"
BLOCK_MARKUP_BUDGET = 250_000
# The parser's own guard; past it markdown-it drops the rest of the block, so a
# body that reaches it is shown as plain text instead.
PARSER_MAX_NESTING = 21

# A private-use character carries a mark through nh3: SENTINEL, its index in
# the snippet list, END. Source text holding these characters gets U+FFFD
# instead, one for one, so offsets do not move.
SENTINEL, END = "\ue000", "\ue001"
SNIPPET = re.compile(f"{SENTINEL}(\\d+){END}")
ADJACENT = re.compile(f"{SENTINEL}(\\d+){END}{SENTINEL}(\\d+){END}")
_PRIVATE = str.maketrans({SENTINEL: "\ufffd", END: "\ufffd"})


def _recording_end(rule):
    """Wrap an inline rule so the token it pushes last knows where its source ends.

    link_close and image need it: a link's URL and title are source text that
    renders nowhere, and the text after them must not be looked for inside them.
    """

    def wrapped(state, silent):
        start = state.pos
        matched = rule(state, silent)
        if matched and not silent:
            state.tokens[-1].meta["span"] = (start, state.pos)
        return matched

    return wrapped


def _parser():
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": PARSER_MAX_NESTING})
    md.inline.ruler.at("link", _recording_end(link_rule))
    md.inline.ruler.at("image", _recording_end(image_rule))
    md.inline.ruler.at("autolink", _recording_end(autolink_rule))
    # Keep escapes and entities as their own tokens: their source ("&amp;",
    # "\\*") is longer than what they render, so they map as a unit.
    md.disable("text_join")
    for name in ("text", "text_special"):
        md.add_render_rule(name, lambda self, tokens, i, options, env: env["marks"].text_token(tokens[i]))
    md.add_render_rule("code_inline", lambda self, tokens, i, options, env: env["marks"].code_inline(tokens[i]))
    md.add_render_rule("code_block", lambda self, tokens, i, options, env: env["marks"].code_block(tokens[i]))
    md.add_render_rule("fence", lambda self, tokens, i, options, env: env["marks"].code_block(tokens[i]))
    md.add_render_rule("softbreak", lambda self, tokens, i, options, env: "\n")
    md.add_render_rule("hardbreak", lambda self, tokens, i, options, env: "<br>\n")
    md.add_render_rule("link_open", lambda self, tokens, i, options, env: env["marks"].link_open(self, tokens, i))
    md.add_render_rule("link_close", lambda self, tokens, i, options, env: env["marks"].link_close(tokens[i]))
    # <img> is not on the allow-list; an image leaves nothing but its evidence markers.
    md.add_render_rule("image", lambda self, tokens, i, options, env: env["marks"].after_hidden(tokens[i]))
    return md


MD = _parser()


def sanitise(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


# --- Limits ------------------------------------------------------------------------


def _depth(tokens):
    """The deepest nesting of elements in a token stream, inline children included."""
    deepest = level = 0
    for token in tokens:
        level += token.nesting
        deepest = max(deepest, level)
        if token.children:
            inner = level
            for child in token.children:
                inner += child.nesting
                deepest = max(deepest, inner)
    return deepest


def _deepest_line(tokens, limit):
    level = 0
    for token in tokens:
        level += token.nesting
        if level > limit and token.map:
            return token.map[0] + 1
        if token.children:
            inner = level
            for child in token.children:
                inner += child.nesting
                if inner > limit:
                    return (token.map[0] + 1) if token.map else None
    return None


def _count_problems(text):
    """Limits that counting characters can check; each names what to cut."""
    if len(text) > MAX_BODY_CHARS:
        return [
            f"This body is {len(text):,} characters long; the limit is {MAX_BODY_CHARS:,}. "
            "Split the article, or keep only the part that is cited."
        ]
    problems = []
    for characters, what, limit in MARKUP_LIMITS:
        count = sum(text.count(character) for character in characters)
        if count > limit:
            problems.append(
                f"This body has {count:,} {what}; the limit is {limit:,}. "
                "Markdown this dense is not prose: remove what is not part of the article."
            )
    for line, block in _paragraphs(text):
        openers = block.count("[")
        markup = sum(block.count(character) for character in MARKUP_CHARACTERS)
        if openers * markup > BLOCK_MARKUP_BUDGET:
            problems.append(
                f"The paragraph at line {line} has {openers:,} opening square brackets among "
                f"{markup:,} Markdown punctuation characters; that is too dense to render quickly. "
                "Split it into paragraphs, or remove the brackets that are not links."
            )
            break
    return problems


def _paragraphs(text):
    """(first line number, text) of each run of non-blank lines: linear, no regular expression to backtrack."""
    first, lines = 1, []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not lines:
                first = number
            lines.append(line)
        elif lines:
            yield first, "\n".join(lines)
            lines = []
    if lines:
        yield first, "\n".join(lines)


def _depth_problems(tokens):
    if _depth(tokens) <= MAX_NESTING:
        return []
    line = _deepest_line(tokens, MAX_NESTING)
    where = f" (at line {line})" if line else ""
    return [
        f"Lists, block quotes, emphasis and links are nested more than {MAX_NESTING} levels deep{where}. "
        "Flatten them: no article needs nesting that deep."
    ]


def markdown_problems(text):
    """What makes a body unacceptable, in words an editor can act on; [] when it is fine.

    Within these limits any body renders in well under a second: markdown-it's
    work grows with the length and with the number of brackets, emphasis
    marks, entities and lines, so each is capped.
    """
    text = (text or "").translate(_PRIVATE)
    return _count_problems(text) or _depth_problems(MD.parse(text, {}))


def validate_markdown_body(value):
    problems = markdown_problems(value)
    if problems:
        raise ValidationError(problems, code="markdown_limits")


def validate_captions(value):
    if len(value or "") > MAX_CAPTIONS_CHARS:
        raise ValidationError(
            f"These captions are {len(value):,} characters long; the limit is {MAX_CAPTIONS_CHARS:,}.",
            code="captions_too_long",
        )


# --- Highlights -----------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """One quote to mark: where it is in the source, its element id, and its marker."""

    start: int
    end: int
    anchor_id: str  # the element id of the quote's first mark, e.g. "cite-12"
    href: str  # where its numbered marker leads, e.g. "#note-12"
    label: str  # what the marker says to a screen reader, e.g. "Supports: Kim greeted Lam"
    css_class: str = ""  # e.g. "stance-supports"
    number: int = 0  # the marker's number; 0 leaves the quote without a marker


class _Marks:
    """Turns text with known source offsets into escaped text with mark sentinels.

    The coverage of the source by highlights is cut at every highlight edge;
    each elementary interval knows which highlights cover it.
    """

    def __init__(self, highlights, runs):
        """`runs`: (source start, length, parent element) of every visible run of text, in source order."""
        self.highlights = sorted(highlights, key=lambda h: (h.start, h.number, h.anchor_id))
        self.passages = _passages(self.highlights)
        _set_last_visible(self.passages, runs)
        self.opens, self.closes = _targets(self.highlights, runs)
        edges = {h.start for h in self.highlights} | {h.end for h in self.highlights}
        edges.update(self.opens)
        edges.update(self.closes)
        self.edges = edges = sorted(edges)
        self.covering = _covering(self.highlights, edges)
        self.open_targets = []
        self.snippets = []
        self.joins = []  # per snippet: what a seamless mark joins on, or None
        # Quotes whose target wraps them whole carry their id there, not on a mark.
        self.started = {h.anchor_id for targets in self.opens.values() for h in targets}
        self.deferred = []  # marker groups waiting for the end of a link or code span
        self.hold = 0  # inside a link (no <a> in an <a>) or a code span
        self.emitted = set()
        self.ends = None  # passages by the offset of their last visible character, once known

    # Sentinels --------------------------------------------------------------------

    def _snippet(self, html, joins=None):
        self.snippets.append(html)
        self.joins.append(joins)
        return f"{SENTINEL}{len(self.snippets) - 1}{END}"

    def resolve(self, html):
        # A mark that closes where an identical one opens (across an entity, an
        # escape or a token edge) is one mark: drop the seam.
        def seam(match):
            closing, opening = self.joins[int(match.group(1))], self.joins[int(match.group(2))]
            if closing is not None and closing == opening:
                return ""
            return match.group(0)

        html = ADJACENT.sub(seam, html)
        return SNIPPET.sub(lambda match: self.snippets[int(match.group(1))], html)

    # Coverage ---------------------------------------------------------------------

    def _cover(self, offset):
        index = bisect_right(self.edges, offset) - 1
        if index < 0 or index >= len(self.covering):
            return ()
        return self.covering[index]

    def _pieces(self, start, length):
        """Cut the source run [start, start + length) at highlight edges: (from, to, covering)."""
        end = start + length
        cuts = [start]
        first = bisect_right(self.edges, start)
        last = bisect_left(self.edges, end)
        cuts.extend(self.edges[first:last])
        cuts.append(end)
        for left, right in zip(cuts, cuts[1:], strict=False):
            if right > left:
                yield left, right, self._cover(left)

    def _open(self, covering):
        fresh = [h for h in covering if h.anchor_id not in self.started]
        self.started.update(h.anchor_id for h in fresh)
        stances = {h.css_class for h in covering if h.css_class}
        classes = ["quote"]
        if len(stances) == 1:
            classes.append(stances.pop())
        elif stances:
            classes.append("stance-mixed")
        if len(covering) > 1:
            classes.append("quote-overlap")
        id_attribute = f' id="{escape(fresh[0].anchor_id)}"' if fresh else ""
        cites = " ".join(h.anchor_id for h in covering)
        # A second quote that starts here too gets its own element, holding the same words.
        inner = "".join(f'<span class="quote-start" id="{escape(h.anchor_id)}">' for h in fresh[1:])
        opening = f'<mark class="{" ".join(classes)}"{id_attribute} data-cites="{escape(cites)}">{inner}'
        closing = "</span>" * len(fresh[1:]) + "</mark>"
        key = (tuple(h.anchor_id for h in covering),)
        # Only a plain mark may run on into the next; one holding start elements must close.
        return self._snippet(opening, None if fresh else key), self._snippet(closing, None if fresh[1:] else key)

    # Output -----------------------------------------------------------------------

    def run(self, text, start):
        """`text` whose characters came from source offsets start, start + 1, …"""
        if start is None:
            return escapeHtml(text)
        end = start + len(text)
        if bisect_left(self.edges, start) == bisect_right(self.edges, end) and not self._cover(start):
            # Nothing starts, ends or is marked here: most of an article.
            return escapeHtml(text) + self._markers_ending_in(start, end)
        out = []
        for left, right, covering in self._pieces(start, len(text)):
            out.append(self._targets_opening(left))
            chunk = escapeHtml(text[left - start : right - start])
            if covering and chunk.strip():
                opening, closing = self._open(covering)
                out.append(f"{opening}{chunk}{closing}")
            else:
                out.append(chunk)
            out.append(self._targets_closing(right))
            out.append(self._markers_ending_in(left, right))
        return "".join(out)

    def _targets_opening(self, offset):
        """Open the whole-quote targets whose first visible character is at `offset`, outermost first."""
        out = []
        for h in self.opens.get(offset, ()):
            self.open_targets.append(h)
            out.append(self._snippet(f'<span class="quote-target" id="{escape(h.anchor_id)}">'))
        return "".join(out)

    def _targets_closing(self, offset):
        """Close the targets whose last visible character is just before `offset`, innermost first."""
        out = []
        for h in self.closes.get(offset, ()):
            if self.open_targets and self.open_targets[-1] is h:
                self.open_targets.pop()
                out.append(self._snippet("</span>"))
        return "".join(out)

    def unit(self, text, start, length):
        """`text` that came from the source run [start, start + length) as a whole (an entity, an escape)."""
        if start is None:
            return escapeHtml(text)
        covering = self._cover(start)
        chunk = escapeHtml(text)
        if covering and chunk.strip():
            opening, closing = self._open(covering)
            chunk = f"{opening}{chunk}{closing}"
        return (
            self._targets_opening(start)
            + chunk
            + self._targets_closing(start + 1)
            + self._markers_ending_in(start, start + 1)
        )

    def _markers_ending_in(self, left, right):
        """Marker groups of passages whose last visible character lies in [left, right)."""
        if self.ends is None:
            shown = [p for p in self.passages if p.last_visible is not None]
            self.ends = sorted(shown, key=lambda p: p.last_visible)
            self.end_offsets = [p.last_visible for p in self.ends]
        first, last = bisect_left(self.end_offsets, left), bisect_left(self.end_offsets, right)
        return "".join(self._markers(passage) for passage in self.ends[first:last])

    def _markers(self, passage):
        if passage in self.emitted:
            return ""
        self.emitted.add(passage)
        if self.hold:
            self.deferred.append(passage)
            return ""
        return self._marker_group(passage)

    def _marker_group(self, passage):
        links = []
        for h in sorted(passage.highlights, key=lambda h: (h.number, h.anchor_id)):
            if not h.number:
                continue
            # A quote with no visible words (inside a link's URL) is reached through its marker.
            id_attribute = "" if h.anchor_id in self.started else f' id="{escape(h.anchor_id)}"'
            self.started.add(h.anchor_id)
            links.append(
                f'<a class="evidence-ref {escape(h.css_class)}"{id_attribute} href="{escape(h.href)}" '
                f'aria-label="{escape(f"Evidence {h.number}: {h.label}")}">{h.number}</a>'
            )
        if not links:
            return ""
        # A word joiner: the markers never wrap onto a line away from their passage.
        return self._snippet(f'<sup class="evidence-refs">\u2060{"".join(links)}</sup>')

    def flush(self):
        """Marker groups held back by a link or code span, once it has closed."""
        if self.hold:
            return ""
        groups, self.deferred = self.deferred, []
        return "".join(self._marker_group(passage) for passage in groups)

    def rest(self):
        """Marker groups of passages nothing visible belonged to, at the very end."""
        self.hold = 0
        leftover = [p for p in self.passages if p not in self.emitted]
        self.emitted.update(leftover)
        self.deferred.extend(leftover)
        return self.flush()

    # markdown-it render rules ------------------------------------------------------

    def text_token(self, token):
        where = token.meta.get("source")
        if where is None:
            return escapeHtml(token.content)
        start, length = where
        if token.type == "text_special":
            return self.unit(token.content, start, length)
        return self.run(token.content, start)

    def code_inline(self, token):
        self.hold += 1
        starts = token.meta.get("chars")
        body = self._mixed(token.content, starts)
        self.hold -= 1
        return f"<code>{body}</code>{self.flush()}"

    def code_block(self, token):
        self.hold += 1
        body = self._mixed(token.content, token.meta.get("chars"))
        self.hold -= 1
        return f"<pre><code>{body}</code></pre>\n{self.flush()}"

    def _mixed(self, text, starts):
        """Text whose characters map one by one to `starts` (None: unknown), cut into linear runs."""
        if not starts:
            return escapeHtml(text)
        out, i = [], 0
        while i < len(text):
            j = i + 1
            while j < len(text) and starts[i] is not None and starts[j] == starts[i] + (j - i):
                j += 1
            out.append(self.run(text[i:j], starts[i]))
            i = j
        return "".join(out)

    def link_open(self, renderer, tokens, index):
        self.hold += 1
        return renderer.renderToken(tokens, index, MD.options, {})

    def link_close(self, token):
        self.hold -= 1
        return "</a>" + self.after_hidden(token)

    def after_hidden(self, token):
        """After a link or image: markers for passages hidden inside its URL or title."""
        span = token.meta.get("source_span")
        if span is not None:
            for passage in self.passages:
                hidden_here = span[0] <= passage.start and passage.end <= span[1]
                if hidden_here and passage.last_visible is None and passage not in self.emitted:
                    self.emitted.add(passage)
                    self.deferred.append(passage)
        return self.flush()


@dataclass(eq=False)
class _Passage:
    start: int
    end: int
    highlights: list
    last_visible: int | None = None


def _covering(highlights, edges):
    """For each interval between consecutive `edges`, the highlights covering it, in their order.

    One sweep, adding each highlight at its start and dropping it at its end: an article
    cited thousands of times took seconds when every interval looked at every highlight.
    """
    by_start = sorted(range(len(highlights)), key=lambda index: highlights[index].start)
    active, added, covering = set(), 0, []
    for left, right in zip(edges, edges[1:], strict=False):
        while added < len(by_start) and highlights[by_start[added]].start <= left:
            active.add(by_start[added])
            added += 1
        active = {index for index in active if highlights[index].end >= right}
        covering.append(tuple(highlights[index] for index in sorted(active)))
    return covering


def _passages(highlights):
    """Runs of highlights that overlap or touch, in source order."""
    passages = []
    for h in sorted(highlights, key=lambda h: (h.start, h.end)):
        if passages and h.start <= passages[-1].end:
            passages[-1].end = max(passages[-1].end, h.end)
            passages[-1].highlights.append(h)
        else:
            passages.append(_Passage(h.start, h.end, [h]))
    return passages


def _set_last_visible(passages, runs):
    """For each passage, the source offset of its last character that shows on the page.

    `runs` are (start, length) source runs that render visibly, in source order.
    """
    run_starts = [run[0] for run in runs]
    for passage in passages:
        # The last run that starts before the passage ends.
        index = bisect_left(run_starts, passage.end) - 1
        while index >= 0:
            start, length, _ = runs[index]
            last = min(start + length, passage.end) - 1
            if last < passage.start:
                break
            if last >= start:
                passage.last_visible = last
                break
            index -= 1


def _visible_ends(h, runs, run_starts):
    """The first and last visible character of a quote, each with its parent element; None if none shows."""
    index = max(0, bisect_right(run_starts, h.start) - 1)
    first = None
    while index < len(runs) and runs[index][0] < h.end:
        start, length, parent = runs[index]
        if start + length > h.start:
            first = (max(start, h.start), parent)
            break
        index += 1
    if first is None:
        return None, None
    index = bisect_left(run_starts, h.end) - 1
    start, length, parent = runs[index]
    return first, (min(start + length, h.end) - 1, parent)


def _targets(highlights, runs):
    """Where to open and close an element that holds a whole quote, so "#cite-N" lands on all of it.

    Possible when the quote's first and last visible characters sit in the same
    element (a quote across a paragraph break or out of an emphasis cannot be
    wrapped: its id stays on its first mark). Targets that would cross are
    widened until they nest. Returns ({open offset: [highlights, outermost
    first]}, {close offset: [highlights, innermost first]}).
    """
    run_starts = [run[0] for run in runs]
    spans = []
    for h in highlights:
        first, last = _visible_ends(h, runs, run_starts)
        if first and last and first[1] == last[1] and first[0] <= last[0]:
            spans.append([first[0], last[0] + 1, first[1], h])
    spans.sort(key=lambda span: (span[2], span[0], -span[1]))
    # Each span on the stack is widened to the end of every span pushed above it; the widening is
    # handed down as each leaves the stack, so a chain of thousands of overlapping quotes is not quadratic.
    stack = []

    def pop():
        top = stack.pop()
        if stack:
            stack[-1][1] = max(stack[-1][1], top[1])

    for span in spans:
        while stack and (stack[-1][2] != span[2] or stack[-1][1] <= span[0]):
            pop()
        stack.append(span)
    while stack:
        pop()
    opens, closing = {}, {}
    for order, (start, end, _, h) in enumerate(sorted(spans, key=lambda span: (span[0], -span[1]))):
        opens.setdefault(start, []).append(h)
        closing.setdefault(end, []).append((order, h))
    # Within a nest, what opened last closes first.
    closes = {
        end: [h for _, h in sorted(pairs, key=lambda pair: pair[0], reverse=True)] for end, pairs in closing.items()
    }
    return opens, closes


# --- Source maps ----------------------------------------------------------------------


class _Lines:
    def __init__(self, src):
        self.src = src
        self.starts = [0] + [m.end() for m in re.finditer("\n", src)]

    def span(self, number):
        start = self.starts[number]
        end = self.starts[number + 1] - 1 if number + 1 < len(self.starts) else len(self.src)
        return start, end


def _content_map(lines, content, first_line, *, strip_last=False):
    """Where each line of a block's `content` starts in the source: [(content_offset, source_offset | None)].

    markdown-it builds a block's content from its source lines minus their
    indentation and container markers ("> ", "- "), so each content line is the
    tail of its source line (the last one right-stripped, for paragraphs).
    """
    mapping, offset = [], 0
    for number, line in enumerate(content.split("\n")):
        source_line = first_line + number
        base = None
        if source_line < len(lines.starts):
            line_start, line_end = lines.span(source_line)
            source = lines.src[line_start:line_end]
            if source.endswith(line):
                base = line_end - len(line)
            else:
                trimmed = source.rstrip()
                if trimmed.endswith(line):
                    base = line_start + len(trimmed) - len(line)
                else:
                    found = source.find(line)
                    base = line_start + found if found != -1 and line else None
        mapping.append((offset, base))
        offset += len(line) + 1
    return mapping


def _source_function(mapping):
    offsets = [offset for offset, _ in mapping]

    def source(position):
        offset, base = mapping[bisect_right(offsets, position) - 1]
        return None if base is None else base + position - offset

    return source


class _Mapper:
    """Give every text-bearing token the source offsets of what it renders.

    Also lists the visible runs of text, each with the element it sits in
    (a number per element), for placing targets and markers.
    """

    def __init__(self, src):
        self.lines = _Lines(src)
        self.runs = []  # (source start, length, parent element)
        self.elements = 0
        self.stack = [0]

    def _enter(self):
        self.elements += 1
        self.stack.append(self.elements)

    def _nest(self, token):
        if token.nesting == 1:
            self._enter()
        elif token.nesting == -1 and len(self.stack) > 1:
            self.stack.pop()

    def _visible(self, start, length, text):
        if start is not None and text.strip():
            self.runs.append((start, length, self.stack[-1]))

    def tokens(self, tokens):
        for token in tokens:
            self._nest(token)
            if token.type == "inline" and token.map:
                self.inline(token)
            elif token.type in ("code_block", "fence") and token.map:
                first = token.map[0] + (1 if token.type == "fence" else 0)
                source = _source_function(_content_map(self.lines, token.content, first))
                chars = [source(i) if ch != "\n" else None for i, ch in enumerate(token.content)]
                token.meta["chars"] = chars
                self._code(token.content, chars)

    def _code(self, text, chars):
        self._enter()
        for ch, start in zip(text, chars, strict=False):
            self._visible(start, 1, ch)
        self.stack.pop()

    def inline(self, token):
        content = token.content
        source = _source_function(_content_map(self.lines, content, token.map[0]))
        cursor = 0
        for child in token.children or ():
            kind = child.type
            self._nest(child)
            if kind == "text":
                found = content.find(child.content, cursor) if child.content else -1
                if found != -1:
                    start = source(found)
                    child.meta["source"] = (start, len(child.content)) if start is not None else None
                    self._visible(start, len(child.content), child.content)
                    cursor = found + len(child.content)
            elif kind == "text_special":
                found = content.find(child.markup, cursor) if child.markup else -1
                if found != -1:
                    start = source(found)
                    child.meta["source"] = (start, len(child.markup)) if start is not None else None
                    # It shows as a whole, from its first character.
                    self._visible(start, 1, child.content)
                    cursor = found + len(child.markup)
            elif kind == "code_inline":
                opening = content.find(child.markup, cursor)
                if opening == -1:
                    continue
                inner = opening + len(child.markup)
                closing = content.find(child.markup, inner + len(child.content))
                raw = content[inner:closing] if closing != -1 else child.content
                skip = 1 if len(raw) > len(child.content) and raw[:1] in (" ", "\n") else 0
                chars = [source(inner + skip + i) for i in range(len(child.content))]
                child.meta["chars"] = chars
                self._code(child.content, chars)
                cursor = (closing + len(child.markup)) if closing != -1 else inner + len(child.content)
            elif kind in ("softbreak", "hardbreak"):
                found = content.find("\n", cursor)
                if found != -1:
                    cursor = found + 1
            elif kind in ("link_close", "image") and "span" in child.meta:
                span_start, span_end = child.meta["span"]
                start, end = source(span_start), source(max(span_start, span_end - 1))
                if start is not None and end is not None:
                    child.meta["source_span"] = (start, end + 1)
                cursor = max(cursor, span_end)


# --- Rendering ------------------------------------------------------------------------


def _prepare(text, highlights):
    text = (text or "").translate(_PRIVATE)
    return text, [h for h in highlights if 0 <= h.start < h.end <= len(text)]


def render_highlighted(text, highlights):
    """Render Markdown with each highlight marked in the text and numbered markers after each passage."""
    text, highlights = _prepare(text, highlights)
    if _count_problems(text):
        # Saved before the limits or loaded without validation: show it, quickly.
        return _render_plain(text, highlights)
    tokens = MD.parse(text, {})
    if _depth(tokens) >= PARSER_MAX_NESTING:
        return _render_plain(text, highlights)
    mapper = _Mapper(text)
    mapper.tokens(tokens)
    marks = _Marks(highlights, sorted(mapper.runs))
    html = MD.renderer.render(tokens, MD.options, {"marks": marks}) + marks.rest()
    return mark_safe(marks.resolve(sanitise(html)))


def render_markdown(text):
    return render_highlighted(text, [])


def render_plain_highlighted(text, highlights):
    """Plain text (photo captions) as paragraphs and line breaks, with quotes marked as in a body."""
    text, highlights = _prepare(text, highlights)
    return _render_plain(text, highlights)


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _plain_paragraphs(text):
    """(start, end) of each paragraph of plain text: runs of lines parted by blank lines."""
    paragraphs, position = [], 0
    for match in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        if text[position:end].strip():
            paragraphs.append((position, end))
        position = match.end() if match else len(text)
    return paragraphs


def _render_plain(text, highlights):
    paragraphs = _plain_paragraphs(text)
    # Each paragraph is one element; its lines are parted by <br>, which holds nothing.
    runs = []
    for number, (start, end) in enumerate(paragraphs):
        for line in re.finditer(r"[^\n]+", text[start:end]):
            if line.group().strip():
                runs.append((start + line.start(), len(line.group()), number))
    marks = _Marks(highlights, runs)
    out = []
    for start, end in paragraphs:
        lines, line_start = [], start
        for line in text[start:end].split("\n"):
            lines.append(marks.run(line, line_start))
            line_start += len(line) + 1
        out.append(f"<p>{'<br>'.join(lines)}</p>")
    html = "\n".join(out) + marks.rest()
    return mark_safe(marks.resolve(sanitise(html)))


def render_plain_spans(text, highlights, spans, wrap):
    """Plain text as render_plain_highlighted shows it, with each of `spans` wrapped in an element.

    For the admin's reading view: `spans` are (start, end) source offsets (its
    sentences), and `wrap(start, end)` returns the (opening, closing) HTML put
    around each, built by the caller from values it computed (escaped). The
    text inside a wrapper is the source text of its span character for
    character, so a selection in it maps back to source offsets. Quotes are
    marked as everywhere else; a mark or a quote's target never crosses a
    wrapper. A span that crosses a line break (sentences never do) is wrapped
    once per line.
    """
    text, highlights = _prepare(text, highlights)
    spans = sorted((start, end) for start, end in spans if 0 <= start < end <= len(text))
    paragraphs = _plain_paragraphs(text)
    span_starts = [start for start, _ in spans]

    def pieces(start, end):
        """[start, end) cut at span edges: (from, to, the span it lies in or None)."""
        out, cursor = [], start
        index = max(0, bisect_right(span_starts, start) - 1)
        while cursor < end:
            while index < len(spans) and spans[index][1] <= cursor:
                index += 1
            if index < len(spans) and spans[index][0] <= cursor:
                right = min(end, spans[index][1])
                out.append((cursor, right, spans[index]))
            else:
                right = min(end, spans[index][0]) if index < len(spans) else end
                out.append((cursor, right, None))
            cursor = right
        return out

    lines = []  # per paragraph: [(line start, [pieces])]
    runs, element = [], 0
    for start, end in paragraphs:
        paragraph_lines, line_start = [], start
        for line in text[start:end].split("\n"):
            cut = pieces(line_start, line_start + len(line))
            for left, right, _ in cut:
                element += 1
                if text[left:right].strip():
                    runs.append((left, right - left, element))
            paragraph_lines.append(cut)
            line_start += len(line) + 1
        lines.append(paragraph_lines)
    marks = _Marks(highlights, runs)
    out = []
    for paragraph_lines in lines:
        rendered = []
        for cut in paragraph_lines:
            parts = []
            for left, right, span in cut:
                html = marks.run(text[left:right], left)
                if span is not None:
                    opening, closing = wrap(*span)
                    html = f"{marks._snippet(opening)}{html}{marks._snippet(closing)}"
                parts.append(html)
            rendered.append("".join(parts))
        out.append(f"<p>{'<br>'.join(rendered)}</p>")
    html = "\n".join(out) + marks.rest()
    return mark_safe(marks.resolve(sanitise(html)))
