"""Property-based: any body Hypothesis builds, with any quotes drawn from it, renders well-formed, fast,
with each quote's words marked exactly once and its "#cite-N" landing on them.

The generator builds a body from Markdown pieces whose rendering it knows:
for every source character it records whether the character shows on the
page, so the words a quote should mark are known without rendering.
"""

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.rendering import Highlight, markdown_problems, render_highlighted, render_plain_highlighted
from tests.evidence_html import marked_text, read, target_text

PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words never start a block ("1." or "-" at a line start) and hold no Markdown punctuation.
LETTERS = "abcdefghijklmnopqrstuvwxyzLKâđếnưỡng김정은Σλ"
word = st.text(alphabet=LETTERS, min_size=1, max_size=8)
words = st.lists(word, min_size=1, max_size=4).map(" ".join)


def shown(text):
    """Every character shows as itself."""
    return [(text, "shown")]


def hidden(text):
    return [(text, "hidden")]


# An inline piece is a list of (source, how): "shown", "hidden", or ("unit", rendered)
# for an entity or escape, which renders as a whole from its first character.
inline_piece = st.one_of(
    words.map(shown),
    words.map(lambda w: hidden("*") + shown(w) + hidden("*")),
    words.map(lambda w: hidden("**") + shown(w) + hidden("**")),
    words.map(lambda w: hidden("_") + shown(w) + hidden("_")),
    words.map(lambda w: hidden("`") + shown(w) + hidden("`")),
    st.tuples(words, word, words).map(
        lambda t: hidden("[") + shown(t[0]) + hidden(f'](https://example.org/{t[1]} "{t[2]}")')
    ),
    st.tuples(words, word).map(lambda t: hidden("[") + shown(t[0]) + hidden(f"](/claims/{t[1]}/)")),
    st.sampled_from(["&amp;", "&lt;", "&copy;", "&#233;"]).map(
        lambda e: [(e, ("unit", {"&amp;": "&", "&lt;": "<", "&copy;": "©", "&#233;": "é"}[e]))]
    ),
    st.sampled_from(["\\*", "\\_", "\\[", "\\`"]).map(lambda e: [(e, ("unit", e[1]))]),
    # Raw HTML is text on the page, whatever it is.
    st.sampled_from(["<b>", "<style>", "</textarea>", "<script>x", "<title>", "<plaintext>", "<!--"]).map(shown),
    # Brackets that make no link.
    words.map(lambda w: shown("[[" + w + "]]")),
)


def line_of(pieces):
    out = []
    for piece in pieces:
        if out:
            out.append((" ", "shown"))
        out.extend(piece)
    return out


inline_line = st.lists(inline_piece, min_size=1, max_size=5).map(line_of)
block = st.one_of(
    st.lists(inline_line, min_size=1, max_size=3).map(
        lambda lines: [part for i, line in enumerate(lines) for part in ([("\n", "shown")] if i else []) + line]
    ),
    inline_line.map(lambda line: hidden("## ") + line),
    st.lists(inline_line, min_size=1, max_size=3).map(
        lambda lines: [
            part for i, line in enumerate(lines) for part in ([("\n", "shown")] if i else []) + hidden("- ") + line
        ]
    ),
    inline_line.map(lambda line: hidden("> ") + line),
)
separator = st.sampled_from(["\n\n", "\n\n\n", "\n \n"])


@st.composite
def bodies(draw):
    blocks = draw(st.lists(block, min_size=1, max_size=5))
    parts = []
    for i, parts_of_block in enumerate(blocks):
        if i:
            parts.append((draw(separator), "shown"))
        parts.extend(parts_of_block)
    source, rendered = [], []  # rendered[i]: what source character i shows as ("" if nothing)
    for text, how in parts:
        source.append(text)
        if how == "shown":
            rendered.extend(text)
        elif how == "hidden":
            rendered.extend([""] * len(text))
        else:
            rendered.extend([how[1]] + [""] * (len(text) - 1))
    return "".join(source), rendered


@st.composite
def bodies_with_quotes(draw):
    body, rendered = draw(bodies())
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, len(body) - 1), st.integers(1, 60)).map(
                lambda t: (t[0], min(len(body), t[0] + t[1]))
            ),
            min_size=1,
            max_size=5,
        )
    )
    return body, rendered, spans


def expected_marks(rendered, start, end):
    return "".join("".join(rendered[start:end]).split())


def no_space(text):
    return "".join(text.split())


def highlights_for(spans):
    return [
        Highlight(start, end, f"cite-{n}", f"#note-{n}", f"Claim {n}", "stance-supports", n)
        for n, (start, end) in enumerate(spans, start=1)
    ]


@PROPERTIES
@given(bodies_with_quotes())
def test_every_quote_is_marked_once_where_it_is_and_its_target_lands_on_it(case):
    # Timed in this process's CPU time: what else runs on the machine cannot fail it, a blow-up in the work can.
    body, rendered, spans = case
    assert markdown_problems(body) == []
    started = time.process_time()
    html = render_highlighted(body, highlights_for(spans))
    assert time.process_time() - started < 1.0
    reader = read(html)  # well-formed: every tag closed in order, no mark in a mark, ids unique
    assert not any("<mark" in value or "\ue000" in value for value in reader.attribute_values)
    for n, (start, end) in enumerate(spans, start=1):
        cite, expected = f"cite-{n}", expected_marks(rendered, start, end)
        assert no_space(marked_text(reader, cite)) == expected, (body[start:end], html)
        assert cite in reader.ids
        assert html.count(f'href="#note-{n}"') == 1
        if reader.id_class[cite] == "quote-target":
            # A target that holds the whole quote.
            assert expected in no_space(target_text(reader, cite))
        elif reader.id_tag[cite] in ("mark", "span"):
            # A quote across elements: the target is its first mark (or, where
            # two quotes start together, an element inside that mark).
            assert expected.startswith(no_space(target_text(reader, cite)))
        else:
            # No word of it shows (it is in a link's URL): the target is its marker.
            assert reader.id_tag[cite] == "a" and expected == ""


@PROPERTIES
@given(st.text(alphabet=LETTERS + " \n.-*<&", min_size=1, max_size=300), st.data())
def test_captions_are_marked_the_same_way(captions, data):
    start = data.draw(st.integers(0, len(captions) - 1))
    end = data.draw(st.integers(start + 1, len(captions)))
    html = render_plain_highlighted(captions, highlights_for([(start, end)]))
    reader = read(html)
    assert no_space(marked_text(reader, "cite-1")) == no_space(captions[start:end])
    assert "cite-1" in reader.ids
