"""Quotes must match the article body exactly, and be found again after edits."""

import pytest
from django.core.exceptions import ValidationError

from articles.anchoring import anchor, in_context, nearest_match
from articles.models import Citation, Stance
from tests.factories import cite, make_article, make_claim

pytestmark = pytest.mark.django_db

TYPOGRAPHIC_BODY = (
    "Lam arrived on Thursday.\n\n"
    "“This fits Hanoi’s ambition,” said Giang.\n\n"
    "Trade fell to US$3\u00a0million — the lowest since 2010.\n\n"
    "The Vietnam–North Korea summit ended."
)


@pytest.mark.parametrize(
    "quote",
    [
        "“This fits Hanoi’s ambition,” said Giang.",
        "Trade fell to US$3\u00a0million — the lowest since 2010.",
        "The Vietnam–North Korea summit ended.",
    ],
)
def test_quotes_with_curly_quotes_dashes_and_no_break_spaces_match_when_exact(quote):
    claim = make_claim()
    citation = cite(claim, make_article(TYPOGRAPHIC_BODY), quote)
    assert citation.anchored
    assert TYPOGRAPHIC_BODY[citation.start : citation.end] == quote


@pytest.mark.parametrize(
    "typed, nearest",
    [
        ('"This fits Hanoi\'s ambition," said Giang.', "“This fits Hanoi’s ambition,” said Giang."),
        (
            "Trade fell to US$3 million - the lowest since 2010.",
            "Trade fell to US$3\u00a0million — the lowest since 2010.",
        ),
        ("The Vietnam-North Korea summit ended.", "The Vietnam–North Korea summit ended."),
    ],
)
def test_a_quote_with_straight_typography_is_refused_and_the_exact_text_offered(typed, nearest):
    article = make_article(TYPOGRAPHIC_BODY, title="Typography test")
    citation = Citation(claim=make_claim(), article=article, quote=typed, stance=Stance.SUPPORTS)
    with pytest.raises(ValidationError) as raised:
        citation.full_clean()
    message = raised.value.message_dict["quote"][0]
    assert "does not occur word for word in the body of “Typography test”" in message
    assert f"The nearest passage is: “{nearest}”" in message


def test_a_reworded_quote_is_matched_to_the_closest_sentence():
    body = "Lam will meet senior officials. The trip is an important milestone in the friendship. Nothing else."
    assert nearest_match(body, "The trip was an important milestone in their friendship.") == (
        "The trip is an important milestone in the friendship."
    )


def test_a_quote_from_another_article_has_no_nearest_match():
    article = make_article("Completely unrelated prose about the weather in spring.")
    citation = Citation(claim=make_claim(), article=article, quote="Kim visited Hanoi in 2019.")
    with pytest.raises(ValidationError, match="Nothing in the article resembles it"):
        citation.full_clean()


def test_the_stored_selectors_follow_the_w3c_quote_and_position_model():
    article = make_article("Before the quote. The quoted sentence. After the quote.")
    citation = cite(make_claim(), article, "The quoted sentence.")
    assert (citation.start, citation.end) == (18, 38)
    assert citation.prefix == "Before the quote. "
    assert citation.suffix == " After the quote."


def test_editing_the_body_moves_the_anchor_to_the_quote_new_position():
    article = make_article("First. The quoted sentence. Last.")
    citation = cite(make_claim(), article, "The quoted sentence.")
    article.body = "A new opening paragraph.\n\nFirst. The quoted sentence. Last."
    article.save()
    assert article.reanchor_citations() == []
    citation.refresh_from_db()
    assert article.body[citation.start : citation.end] == "The quoted sentence."
    assert citation.anchored


def test_a_repeated_quote_reanchors_to_the_occurrence_with_the_same_context():
    article = make_article("Alpha says yes. Beta says yes. Gamma.")
    citation = cite(make_claim(), article, "says yes.")
    citation.prefix, citation.suffix, citation.start, citation.end = "Beta ", " Gamma.", 21, 30
    citation.save()
    article.body = "New start. Alpha says yes. Beta says yes. Gamma."
    article.save()
    article.reanchor_citations()
    citation.refresh_from_db()
    assert article.body[citation.start - 5 : citation.start] == "Beta "


def test_a_quote_removed_by_an_edit_is_flagged_not_dropped():
    article = make_article("Keep this. Remove this sentence.")
    claim = make_claim()
    citation = cite(claim, article, "Remove this sentence.")
    article.body = "Keep this."
    article.save()
    lost = article.reanchor_citations()
    assert [c.pk for c in lost] == [citation.pk]
    citation.refresh_from_db()
    assert citation.anchored is False
    assert Citation.objects.lost().get() == citation
    assert claim.citations.count() == 1


def test_a_flagged_citation_does_not_block_later_edits_of_its_claim():
    article = make_article("Keep this. Remove this sentence.")
    citation = cite(make_claim(), article, "Remove this sentence.")
    article.body = "Keep this."
    article.save()
    article.reanchor_citations()
    citation.refresh_from_db()
    citation.stance = Stance.QUALIFIES
    citation.full_clean()
    citation.save()
    assert citation.anchored is False


def test_context_shows_the_sentence_either_side_within_the_paragraph():
    body = "Other paragraph.\n\nOne. Two is quoted. Three. Four."
    start = body.index("Two")
    assert in_context(body, start, start + len("Two is quoted.")) == ("One. ", "Two is quoted.", " Three.")


def test_anchor_returns_none_when_the_quote_is_gone():
    assert anchor("Nothing here.", "Gone.") is None


def test_context_does_not_end_a_sentence_at_an_abbreviation():
    body = "Before. Mr. Lam will join a military parade on October 10. After."
    start = body.index("will join")
    before, _, after = in_context(body, start, body.index(" After"))
    assert before == "Before. Mr. Lam "
    assert after == " After."


@pytest.mark.parametrize(
    "typed, written",
    [
        ("'", "\u2018"),
        ("'", "\u2019"),
        ("'", "\u201a"),
        ("'", "\u201b"),
        ("'", "\u2032"),
        ('"', "\u201c"),
        ('"', "\u201d"),
        ('"', "\u201e"),
        ('"', "\u201f"),
        ('"', "\u2033"),
        ("-", "\u2010"),
        ("-", "\u2011"),
        ("-", "\u2012"),
        ("-", "\u2013"),
        ("-", "\u2014"),
        ("-", "\u2015"),
        ("-", "\u2212"),
        (" ", "\u00a0"),
        (" ", "\u202f"),
        (" ", "\u2007"),
        (" ", "\u2009"),
        (" ", "\u200a"),
    ],
)
def test_every_typographic_variant_of_a_typed_character_is_offered_as_the_exact_text(typed, written):
    # Part of a sentence, so only the folded match (not the closest-sentence fallback) finds it.
    body = f"Intro sentence here. Officials say Kim said {written}no{written} to the deal in Hanoi. Closing words."
    assert nearest_match(body, f"Kim said {typed}no{typed} to the deal") == f"Kim said {written}no{written} to the deal"


# --- Which occurrence of a repeated quote an edit keeps (Citation.anchor passes the stored
# prefix, suffix and start): the wrong one would highlight, and quote in context, another passage.


def test_of_repeated_quotes_the_one_after_the_stored_prefix_is_kept():
    body = "Alpha: yes. Beta: yes."
    # The stored suffix runs past the end of the edited body.
    assert anchor(body, "yes.", prefix="Beta: ", suffix=" The end.", near=0).start == 18


def test_of_repeated_quotes_the_one_before_the_stored_suffix_is_kept():
    body = "Alpha says yes. Beta says yes. Gamma."
    assert anchor(body, "says yes.", prefix="", suffix=" Gamma.", near=0).start == 21
    assert anchor(body, "says yes.", prefix="Beta ", suffix=" Gamma.", near=0).start == 21


def test_of_repeated_quotes_the_longest_matching_context_wins_even_at_the_start_of_the_body():
    body = "Beta says yes. Zeta says yes."
    assert anchor(body, "says yes.", prefix="Beta ", suffix="", near=20).start == 5


def test_of_repeated_quotes_only_unbroken_context_counts():
    # "ab cd " ends the same as "xx cd " for four characters, and as "ab zz " for one.
    body = "xx cd yes. ab zz yes."
    assert anchor(body, "yes.", prefix="ab cd ", suffix="", near=17).start == 6


def test_of_repeated_quotes_with_the_same_context_the_nearest_to_the_old_position_wins():
    body = "No. Yes. No. Yes. No. Yes."
    assert [anchor(body, "Yes.", near=near).start for near in (4, 13, 22)] == [4, 13, 22]


def nearest_offered(body, typed):
    """The passage the quote form offers an editor for a quote that is not word for word in `body`."""
    citation = Citation(claim=make_claim(), article=make_article(body, title="Fold test"), quote=typed)
    with pytest.raises(ValidationError) as raised:
        citation.full_clean()
    return raised.value.message_dict["quote"][0].partition("The nearest passage is: “")[2].partition("”")[0]


@pytest.mark.parametrize(
    "typed, offered",
    [
        # Spaces and line breaks typed differently fold to one space: the fragment itself is offered.
        ("visited  Hanoi\nin", "visited Hanoi in"),
        # A letter whose lower case is two characters (İ) before the quote does not shift the offer.
        ("He met erdoğan in", "he met Erdoğan in"),
        # A missing space is not a typographic variant: the closest sentence is offered.
        ("visitedHanoi", "Lam visited Hanoi in May."),
    ],
)
def test_the_text_offered_for_a_quote_typed_loosely(typed, offered):
    body = "Lam visited Hanoi in May. Then he flew to İstanbul. There he met Erdoğan in June."
    assert nearest_offered(body, typed) == offered


def test_a_blank_quote_has_no_nearest_match():
    assert nearest_match("Lam visited Hanoi.", "  \n ") is None


def test_context_after_an_abbreviation_still_stops_at_the_next_sentence():
    body = "Mr. Lam came. He left. Then more. The end."
    start = body.index("He left.")
    assert in_context(body, start, start + len("He left.")) == ("Mr. Lam came. ", "He left.", " Then more.")


def test_a_line_break_ends_a_sentence_even_after_an_abbreviation():
    body = "Trade grew with the U.S.\nLam will meet senior officials in Hanoi."
    assert nearest_match(body, "Lam would meet senior officials in Hanoi.") == (
        "Lam will meet senior officials in Hanoi."
    )


def test_a_reworded_quote_over_two_sentences_is_matched_to_both():
    body = "Lam arrived on Monday. He met senior officials. They talked about trade. Nothing else happened."
    assert nearest_match(body, "He met the senior officials. They talked trade.") == (
        "He met senior officials. They talked about trade."
    )


def test_context_stops_at_the_paragraph_either_side():
    body = "First paragraph ends.\n\nOne. Two. Three.\n\nNext paragraph."
    contexts = [in_context(body, body.index(quote), body.index(quote) + len(quote)) for quote in ("One.", "Three.")]
    assert contexts == [("", "One.", " Two."), ("Two. ", "Three.", "")]


def test_of_sentences_equally_close_to_a_reworded_quote_the_first_is_offered():
    assert nearest_match("Lam met Jim. Lam met Tim.", "Lam met Kim.") == "Lam met Jim."
