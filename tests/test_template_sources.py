"""The templates' own source: mistakes Django does not report but readers see."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20


def test_no_short_comment_spans_two_lines_where_django_would_print_it():
    # {# … #} must open and close on one line; across lines Django shows it on the page.
    problems = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert problems == []


def test_no_template_line_is_longer_than_160_characters():
    # Wrap a long line between a tag's attributes or where its text has a space: HTML reads
    # the newline as the space it replaces (tests/markup.py reads pages the same way).
    # Django needs each {% %}, {{ }} and {# #} on one line, so wrap around them, not inside.
    problems = [
        f"{path.relative_to(settings.BASE_DIR)}:{number} ({len(line)})"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > 160
    ]
    assert problems == []


def test_the_markup_helper_reads_a_wrapped_line_as_the_same_markup_and_nothing_else():
    from tests.markup import squashed

    page = squashed('<p>See <a class="more"\n      href="/claims/">all claims</a>\n  →</p>')
    assert '<a class="more" href="/claims/">all claims</a> →' in page
    assert '<a class="more" href="/claims/">all claims</a>→' not in page
    assert '<a href="/claims/" class="more">' not in page
    assert "See<a" not in page
