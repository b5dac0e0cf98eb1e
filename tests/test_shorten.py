"""The `shorten` template filter: long titles cut at a word, never mid-word."""

import pytest

from articles.templatetags.kb import shorten


@pytest.mark.parametrize(
    "text, length, shown",
    [
        ("Vietnam and North Korea: a friendship of seventy-five years", 30, "Vietnam and North Korea: a…"),
        ("Short title", 30, "Short title"),
        ("Exactly ten", 11, "Exactly ten"),
        ("one two three", 8, "one two…"),  # the cut falls on a space: the word before it stays whole
        ("one two, three", 9, "one two…"),  # no dangling comma before the ellipsis
        ("Supercalifragilistic word", 5, "Supercalifragilistic…"),  # one long word is kept whole
        ("", 10, ""),
        (None, 10, ""),
    ],
)
def test_it_cuts_at_a_word_boundary(text, length, shown):
    assert shorten(text, length) == shown


def test_it_never_ends_inside_a_word_of_the_original():
    text = "An unusually long headline about the visit that goes on and on about Pyongyang and Hanoi ties"
    for length in range(5, len(text)):
        cut = shorten(text, length).removesuffix("…")
        assert text.startswith(cut)
        assert len(text) == len(cut) or not text[len(cut)].isalnum(), length
