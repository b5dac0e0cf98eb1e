"""Markdown rendering: sanitised, with every cited quote marked and reachable by its id."""

from articles.rendering import Highlight, render_highlighted, render_markdown


def highlight(start, end, n):
    return Highlight(start, end, f"cite-{n}", f"/claims/c{n}/", f"Claim {n}", "stance-supports")


def test_each_quote_has_its_own_anchor_even_when_two_start_together():
    body = "Lam arrived on Thursday. Kim greeted him."
    html = render_highlighted(body, [highlight(0, 24, 1), highlight(0, 41, 2)])
    assert 'id="cite-1"' in html and 'id="cite-2"' in html


def test_a_quote_over_a_list_item_keeps_the_list():
    body = "- item one\n- item two"
    html = render_highlighted(body, [highlight(0, len(body), 1)])
    assert html.count("<li>") == 2
    assert "<li><mark" in html


def test_raw_html_in_markdown_is_sanitised():
    html = render_markdown("Hi <script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))")
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_a_numbered_list_keeps_the_sources_numbering():
    html = render_markdown("Intro.\n\n2. Sharing Reform Experience\n\nMore.")
    assert '<ol start="2">' in html
