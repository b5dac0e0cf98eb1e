"""Markdown rendering: bounded in time, sanitised, and every cited quote marked where it is, never in a tag."""

import time

import pytest
from django.core.exceptions import ValidationError

from articles.rendering import (
    MAX_BODY_CHARS,
    MAX_NESTING,
    Highlight,
    markdown_problems,
    render_highlighted,
    render_markdown,
    render_plain_highlighted,
    validate_captions,
    validate_markdown_body,
)
from tests.evidence_html import marked_text, read, target_text


def highlight(start, end, n, stance="supports"):
    return Highlight(start, end, f"cite-{n}", f"#note-{n}", f"Claim {n}", f"stance-{stance}", n)


def quote(body, text, n, stance="supports"):
    start = body.index(text)
    return highlight(start, start + len(text), n, stance)


def no_space(text):
    return "".join(text.split())


# --- Bounded ------------------------------------------------------------------------

PATHOLOGICAL = {
    # The 27 KB body: python-markdown took over 30 s on it.
    "nested brackets": "[" * 13_500 + "x](" + "(" * 13_500,
    "nested brackets without a link": "[[" * 7_000 + "x" + "](" * 7_000,
    # python-markdown raised RecursionError on it.
    "a list nested 400 deep": "".join("  " * i + "- x\n" for i in range(400)),
    "a list nested 400 deep on one line": "- " * 400 + "x",
    "block quotes nested 5,000 deep": "> " * 5_000 + "x",
    "emphasis 50,000 deep": "*_" * 50_000 + "x",
    "open images": "![a" * 33_000,
    "a body of 2 MB": "Lam arrived. " * 160_000,
}

# Within the limits, but made to make a regular expression backtrack.
ACCEPTED_ODD = {
    "only spaces": " " * 99_999,
    "one long line of tabs and a word": "\t" * 99_990 + "Lam",
    "blank lines": "\n \n" * 700,
}


@pytest.mark.parametrize("name", ACCEPTED_ODD)
def test_an_odd_body_within_the_limits_is_checked_and_rendered_quickly(name):
    # Timed in this process's CPU time: what else runs on the machine cannot fail it, a blow-up in the work can.
    body = ACCEPTED_ODD[name]
    started = time.process_time()
    assert markdown_problems(body) == []
    read(render_highlighted(body, [highlight(len(body) - 3, len(body), 1)]))
    assert time.process_time() - started < 1.0


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_it_renders_a_pathological_body_in_well_under_a_second(name):
    body = PATHOLOGICAL[name]
    started = time.process_time()
    html = render_highlighted(body, [highlight(0, 40, 1)])
    elapsed = time.process_time() - started
    assert elapsed < 1.0, f"{name}: {elapsed:.2f} s"
    read(html)


# What each pathological body is refused for: the first limit it breaks.
REFUSED_FOR = {
    "nested brackets": "This body has 13,500 opening square brackets (links and images); the limit is 500.",
    "nested brackets without a link": (
        "This body has 14,000 opening square brackets (links and images); the limit is 500."
    ),
    "a list nested 400 deep": "This body is 161,200 characters long; the limit is 100,000.",
    "a list nested 400 deep on one line": "nested more than 20 levels deep (at line 1).",
    "block quotes nested 5,000 deep": "nested more than 20 levels deep (at line 1).",
    "emphasis 50,000 deep": "This body is 100,001 characters long; the limit is 100,000.",
    "open images": "This body has 33,000 opening square brackets (links and images); the limit is 500.",
    "a body of 2 MB": "This body is 2,080,000 characters long; the limit is 100,000.",
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_it_refuses_a_pathological_body_with_a_message_saying_what_to_cut(name):
    problems = markdown_problems(PATHOLOGICAL[name])
    assert REFUSED_FOR[name] in problems[0]


# The densest bodies the limits accept, each at a limit.
def _pad(body):
    return (body + " word" * MAX_BODY_CHARS)[:MAX_BODY_CHARS]


ACCEPTED_WORST = {
    "the longest body": _pad("Lam arrived in Pyongyang. "),
    "brackets at the paragraph budget": _pad("![a" * 250 + "*_" * 125),
    "emphasis at its limit": _pad("*_" * 1_500),
    "entities at their limit": _pad("&amp;" * 2_000),
    "line breaks at their limit": ("a" * 60 + "  \n") * 1_500,
    "nesting at its limit": "".join("  " * i + "- x\n" for i in range(9)),
}


@pytest.mark.parametrize("name", ACCEPTED_WORST)
def test_any_accepted_body_renders_in_well_under_a_second(name):
    body = ACCEPTED_WORST[name]
    assert markdown_problems(body) == []
    highlights = [highlight(i, i + 40, n) for n, i in enumerate(range(0, len(body) - 50, len(body) // 100), 1)]
    started = time.process_time()
    read(render_highlighted(body, highlights))
    assert time.process_time() - started < 1.0  # about 0.2 s on a busy two-core machine


def test_a_body_quoted_thousands_of_times_in_overlapping_quotes_renders_in_well_under_a_second():
    # Every stretch of text between two quote edges looked at every quote, and each quote's target
    # was widened over every quote before it: 3,000 citations of one article took two seconds, 5,000 five.
    body = _pad("Lam arrived in Pyongyang. ")
    highlights = [highlight(i * 19, i * 19 + 60, n) for n, i in enumerate(range(3_000), 1)]
    started = time.process_time()
    html = render_highlighted(body, highlights)
    assert time.process_time() - started < 1.0  # about 0.15 s on a busy two-core machine
    assert html.count('data-cites="cite-1 cite-2 cite-3 cite-4"') == 1
    assert html.count('<a class="evidence-ref ') == 3_000


def test_a_body_over_the_limits_saved_before_them_still_shows_every_word_as_text():
    body = "Intro.\n\n" + "[" * 2_000 + "\n\nLam arrived *today*."
    html = render_highlighted(body, [quote(body, "Lam arrived", 1)])
    reader = read(html)
    assert "[" * 2_000 in html and " *today*.</p>" in html
    assert target_text(reader, "cite-1") == "Lam arrived"


def test_the_validators_refuse_over_limit_text_with_a_clear_message():
    with pytest.raises(ValidationError) as refused:
        validate_markdown_body("x" * (MAX_BODY_CHARS + 1))
    assert f"the limit is {MAX_BODY_CHARS:,}" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        validate_markdown_body("Fine.\n\n" + "- " * (MAX_NESTING + 5) + "x")
    assert f"nested more than {MAX_NESTING} levels deep (at line 3)" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        validate_captions("x" * 20_001)
    validate_markdown_body("A *normal* article with [a link](https://example.org).\n\n- one\n  - two\n")


# --- Sanitised --------------------------------------------------------------------------


def test_raw_html_is_shown_as_the_text_the_editor_typed_never_as_markup():
    html = render_markdown("Hi <script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))")
    reader = read(html)
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "<script>alert(1)</script>" in "".join(reader.text)


@pytest.mark.parametrize("tag", ["style", "textarea", "script", "title", "xmp", "plaintext", "noscript", "iframe"])
def test_an_unclosed_raw_text_tag_cannot_swallow_the_rest_of_the_article(tag):
    body = f"Before.\n\n<{tag}>\n\nLam arrived in Pyongyang.\n\n- Kim greeted him."
    html = render_highlighted(body, [quote(body, "Lam arrived in Pyongyang.", 1)])
    reader = read(html)
    assert f"<{tag}" not in html
    assert target_text(reader, "cite-1") == "Lam arrived in Pyongyang."
    assert "<li>Kim greeted him.</li>" in html


def test_a_numbered_list_keeps_the_sources_numbering():
    html = render_markdown("Intro.\n\n2. Sharing Reform Experience\n\nMore.")
    assert '<ol start="2">' in html


def test_private_use_characters_in_a_body_cannot_forge_a_mark():
    body = "A \ue0000\ue001 B \ue002 C"
    html = render_highlighted(body, [highlight(0, 1, 1)])
    assert html.count("<mark") == 1
    assert "\ufffd" in html


# --- Marked where the quote is ---------------------------------------------------------


def test_each_quote_has_its_own_anchor_even_when_two_start_together():
    body = "Lam arrived on Thursday. Kim greeted him."
    reader = read(render_highlighted(body, [highlight(0, 24, 1), highlight(0, 41, 2)]))
    assert target_text(reader, "cite-1") == "Lam arrived on Thursday."
    assert target_text(reader, "cite-2") == "Lam arrived on Thursday. Kim greeted him."


def test_a_quote_over_a_list_item_keeps_the_list():
    body = "- item one\n- item two"
    html = render_highlighted(body, [highlight(0, len(body), 1)])
    assert html.count("<li>") == 2
    assert '<li><mark class="quote stance-supports" id="cite-1"' in html
    assert no_space(marked_text(read(html), "cite-1")) == "itemoneitemtwo"


def test_a_quote_in_a_links_url_or_title_puts_no_mark_in_the_attribute():
    body = 'See [the report](https://example.org/kim-greeted-lam "Kim greeted Lam") for details.'
    html = render_highlighted(body, [quote(body, "kim-greeted", 1), quote(body, "greeted Lam", 2)])
    reader = read(html)
    assert '<a href="https://example.org/kim-greeted-lam" title="Kim greeted Lam"' in html
    assert not any("mark" in value or "\ue000" in value for value in reader.attribute_values)
    # Nothing of the page's text is the quote, so its marker is where "#cite-1" lands.
    assert 'id="cite-1" href="#note-1"' in html and 'id="cite-2" href="#note-2"' in html
    assert "<mark" not in html


def test_a_quote_across_emphasis_is_split_at_the_element_edges_not_misnested():
    body = "Lam said the talks were *very productive* and **useful** overall."
    html = render_highlighted(body, [quote(body, "talks were *very productive* and **use", 1)])
    reader = read(html)
    assert "<em><mark" in html and "</mark></em>" in html
    assert marked_text(reader, "cite-1") == "talks were very productive and use"


def test_a_quote_across_a_blank_line_keeps_the_two_paragraphs():
    body = "Lam arrived on Thursday.\n\nKim greeted him at the airport."
    html = render_highlighted(body, [quote(body, "Thursday.\n\nKim greeted", 1)])
    assert html.count("<p>") == 2
    assert no_space(marked_text(read(html), "cite-1")) == "Thursday.Kimgreeted"


def test_a_quote_with_an_entity_or_an_escape_marks_what_they_render():
    body = r"Trade \*fell\* by half &amp; more, said Lam."
    reader = read(render_highlighted(body, [quote(body, r"\*fell\* by half &amp; more", 1)]))
    assert marked_text(reader, "cite-1") == "*fell* by half & more"


def test_a_quote_in_a_heading_a_code_span_and_a_block_quote_is_marked():
    body = "## The visit to Pyongyang\n\n> Kim said `we agree` today.\n\n    code line"
    reader = read(
        render_highlighted(
            body, [quote(body, "visit to", 1), quote(body, "said `we agree", 2), quote(body, "code line", 3)]
        )
    )
    assert marked_text(reader, "cite-1") == "visit to"
    assert marked_text(reader, "cite-2") == "said we agree"
    assert marked_text(reader, "cite-3") == "code line"


def test_non_ascii_text_is_marked_by_code_points():
    body = "Tô Lâm đến Bình Nhưỡng 🇻🇳 và gặp 김정은."
    reader = read(render_highlighted(body, [quote(body, "🇻🇳 và gặp 김정은", 1)]))
    assert target_text(reader, "cite-1") == "🇻🇳 và gặp 김정은"


# --- Overlapping quotes --------------------------------------------------------------------


def test_overlapping_quotes_each_land_on_their_own_words_and_list_every_claim_after_the_passage():
    body = "Giang said sanctions limit Vietnam's influence over Pyongyang, and little will change."
    html = render_highlighted(
        body,
        [
            quote(body, "sanctions limit Vietnam's influence", 1),
            quote(body, "limit Vietnam's influence over Pyongyang", 2, "disputes"),
            quote(body, "little will change", 3, "qualifies"),
        ],
    )
    reader = read(html)
    assert target_text(reader, "cite-1").startswith("sanctions limit")
    assert target_text(reader, "cite-2").startswith("limit Vietnam")
    assert marked_text(reader, "cite-1") == "sanctions limit Vietnam's influence"
    assert marked_text(reader, "cite-2") == "limit Vietnam's influence over Pyongyang"
    # One group of markers after the overlapping passage, one after the separate quote.
    assert html.count('<sup class="evidence-refs">') == 2
    first_group = html[html.index('<sup class="evidence-refs">') :]
    first_group = first_group[: first_group.index("</sup>")]
    assert 'href="#note-1"' in first_group and 'href="#note-2"' in first_group
    assert 'class="evidence-ref stance-disputes"' in first_group
    assert 'aria-label="Evidence 2: Claim 2"' in first_group
    assert '<mark class="quote stance-mixed quote-overlap" data-cites="cite-1 cite-2">' in html


def test_markers_after_a_passage_that_ends_in_a_link_come_after_the_link():
    body = "Read [the full statement](https://example.org) here."
    html = render_highlighted(body, [quote(body, "the full", 1)])
    assert '</a><sup class="evidence-refs">' in html
    read(html)


# --- Captions ---------------------------------------------------------------------------------


def test_captions_are_plain_text_with_their_quotes_marked_the_same_way():
    captions = "To Lam greeted by children at the airport.\n- AP\n\nA *photo* book."
    html = render_plain_highlighted(captions, [quote(captions, "greeted by children", 7)])
    reader = read(html)
    assert target_text(reader, "cite-7") == "greeted by children"
    assert "<br>- AP" in html and "A *photo* book." in html
    assert 'href="#note-7"' in html
