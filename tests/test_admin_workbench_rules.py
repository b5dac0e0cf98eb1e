"""The workbench's rules (articles/workbench.py): positions, misquotes, similar claims, page furniture, uploads."""

import re
from pathlib import Path

import pytest

from articles import workbench
from articles.models import Location
from tests.factories import make_article, make_claim

SOURCES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


# --- Positions -------------------------------------------------------------------------


def test_a_utf16_offset_past_an_emoji_maps_to_one_code_point_less():
    text = "Flags 🇻🇳 and 🎉 then Tô Lâm"
    target = text.index("Tô Lâm")
    units = workbench.utf16_length(text[:target])
    assert units == target + 3  # three astral characters, each two units
    assert workbench.utf16_index(text, units) == target


def test_vietnamese_diacritics_are_one_unit_each_when_precomposed_and_two_when_decomposed():
    precomposed, decomposed = "Tô Lâm", "To\u0302 La\u0302m"
    assert workbench.utf16_index(precomposed, 6) == 6
    assert workbench.utf16_index(decomposed, 8) == 8


def test_an_offset_inside_an_emoji_or_past_the_end_is_no_position():
    text = "a🎉b"
    assert workbench.utf16_index(text, 2) is None
    assert workbench.utf16_index(text, 5) is None
    assert workbench.utf16_index(text, -1) is None
    assert workbench.utf16_index(text, 4) == 3


def test_each_sentence_start_is_given_in_utf16_units():
    text = "One 🎉. Two. Three."
    spans = workbench.sentence_spans(text)
    starts = workbench.sentence_starts16(text, spans)
    assert [text[s:e] for s, e in spans] == ["One 🎉.", "Two.", "Three."]
    assert [starts[s] for s, _ in spans] == [0, 8, 13]


@pytest.mark.django_db
def test_a_passage_is_trimmed_of_surrounding_spaces_and_knows_its_sentence():
    article = make_article("First one. Then the second sentence here.\n\nA third.")
    found = workbench.passage(article, Location.BODY, 10, 20)
    assert found.quote == "Then the"
    assert found.start == 11
    assert found.sentence == "Then the second sentence here."
    assert workbench.passage(article, Location.BODY, 10, 11) is None
    assert workbench.passage(article, Location.BODY, 5, 500) is None


# --- Misquotes -------------------------------------------------------------------------


def test_a_straight_apostrophe_is_named_against_the_curly_one_in_the_article():
    text = "He said the visit was “historic” and Vietnam’s ties were deep."
    found = workbench.Misquote.of(text, "Vietnam's ties were deep")
    assert found.passage == "Vietnam’s ties were deep"
    assert found.differences == [
        "Your quote has ' (U+0027 APOSTROPHE) where the article has ’ (U+2019 RIGHT SINGLE QUOTATION MARK)."
    ]
    assert [p.text for p in found.quote_pieces if p.differs] == ["'"]
    assert [p.text for p in found.passage_pieces if p.differs] == ["’"]


def test_an_invisible_difference_is_named_not_shown():
    text = "in 2025 the visit\u00a0began"
    found = workbench.Misquote.of(text, "the visit began")
    assert found.differences == ["Your quote has U+0020 SPACE where the article has U+00A0 NO-BREAK SPACE."]


def test_a_quote_like_nothing_in_the_article_has_no_passage():
    found = workbench.Misquote.of("Completely unrelated words.", "Kim greeted Lam warmly at the airport")
    assert found.passage is None
    assert found.differences == []


# --- Similar claims ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_worded_nearly_the_same_is_found_and_an_unrelated_one_is_not():
    same = make_claim("To Lam arrived in Pyongyang on Thursday for a state visit.")
    make_claim("Trade between the two countries fell after 2017.")
    found = workbench.similar_claims("To Lam arrived in Pyongyang on Thursday, on a state visit")
    assert [s.claim for s in found] == [same]
    assert found[0].percent >= 80


@pytest.mark.django_db
def test_similar_claims_costs_one_query(django_assert_num_queries):
    for n in range(20):
        make_claim(f"Claim {n} about the state visit to Pyongyang.")
    with django_assert_num_queries(1):
        workbench.similar_claims("A state visit to Pyongyang took place.")


# --- Page furniture ----------------------------------------------------------------------


def test_the_furniture_of_a_real_page_is_suggested_for_removal_and_its_caption_as_a_caption():
    text = (SOURCES / "004_fa52f1bcee18668e.txt").read_text()
    lines = workbench.classify_lines(
        text, "Commentary: Vietnam is courting North Korea – and still winning Western friends"
    )
    removed = [line.text.strip() for line in lines if line.suggested_removal]
    captions = [line.text for line in lines if line.suggested_caption]
    assert removed == [
        "Skip to main content",
        "Advertisement",
        "Advertisement",
        "Commentary",
        "Commentary: Vietnam is courting North Korea – and still winning Western friends",
        "Commentary: Vietnam is courting North Korea – and still winning Western friends",
        "New: You can now listen to articles.",
        "This audio is generated by an AI tool.",
        "Source: Others/aj",
        "Advertisement",
        "Also worth reading",
        "Advertisement",
    ]
    assert len(captions) == 1 and captions[0].startswith("File photo of Vietnamese Communist Party Chief To Lam")
    kept = [line.text for line in lines if line.kind == workbench.LineKind.TEXT]
    assert "PUNCHING ABOVE ITS WEIGHT" in kept


def test_a_comment_box_and_a_credited_photo_caption_are_suggested():
    text = (SOURCES / "000_e5f2b9aae9f1877d.txt").read_text()
    lines = workbench.classify_lines(text)
    assert [line.text.strip() for line in lines if line.suggested_removal] == [
        "Max: 1500 characters",
        "There are no comments yet. Be the first to comment.",
    ]
    assert [line.number for line in lines if line.suggested_caption] == [2]


def test_headlines_listed_under_related_are_furniture_until_prose_resumes():
    text = "Related stories\nMarkets rally as rates hold\nStorm hits the coast\n" + "Word " * 20 + "ends here."
    kinds = [line.kind for line in workbench.classify_lines(text)]
    assert kinds == ["furniture", "furniture", "furniture", "text"]


def test_the_body_is_the_text_exactly_as_pasted_minus_the_chosen_lines():
    text = "Menu\n  Indented first line.  \n\nPhoto of a thing. (Photo: AP)\nLast line\n"
    body, captions = workbench.split_lines(text, removed={1}, captions={4})
    assert body == "  Indented first line.  \n\nLast line\n"
    assert captions == "Photo of a thing. (Photo: AP)"


# --- Uploads -------------------------------------------------------------------------------


def test_an_upload_in_utf8_with_a_byte_order_mark_reads_as_text():
    assert workbench.decode_upload("\ufeffTô Lâm 🎉\n".encode()) == "Tô Lâm 🎉\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\x00\x00binary", "not plain text"),
        ("Tô Lâm".encode("cp1258"), "not UTF-8 text: the byte 0x"),
        (b"x" * (workbench.MAX_UPLOAD_BYTES + 1), "the limit is 1,000,000"),
        (b"text with a \x1b escape", "control characters (U+001B a control character)"),
    ],
)
def test_an_unreadable_upload_says_why(data, message):
    with pytest.raises(workbench.UnreadableText, match=re.escape(message)):
        workbench.decode_upload(data)


@pytest.mark.django_db
def test_every_refusal_of_a_misquote_names_the_differing_characters_the_inline_form_too():
    from articles.models import quote_not_found_message

    article = make_article("He called Vietnam’s ties “historic”.", title="Ties")
    message = quote_not_found_message(article, "Vietnam's ties")
    assert message == (
        "This quote does not occur word for word in the body of “Ties”. The nearest passage is: “Vietnam’s ties” "
        "Your quote has ' (U+0027 APOSTROPHE) where the article has ’ (U+2019 RIGHT SINGLE QUOTATION MARK)."
    )
