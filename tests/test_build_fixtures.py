"""`manage.py build_fixtures`: competing-claim links and their notes, declared on either side of a pair."""

import pytest
import yaml

from articles.curation import CurationError, build_document


def curated(tmp_path, claims):
    (tmp_path / "articles").mkdir()
    for name in ("actors.yaml", "events.yaml"):
        (tmp_path / name).write_text("[]\n", encoding="utf-8")
    (tmp_path / "claims.yaml").write_text(yaml.safe_dump(claims, allow_unicode=True), encoding="utf-8")
    return tmp_path


def claim(slug, **fields):
    return {"slug": slug, "text": slug, "kind": "fact", "citations": [], **fields}


def test_a_link_declared_on_one_side_is_listed_on_both_with_its_note(tmp_path):
    document = build_document(
        curated(
            tmp_path,
            [
                claim(
                    "in-2007",
                    conflicts_with=["around-2005"],
                    conflict_notes={"around-2005": "2007 vs around 2005–2006"},
                ),
                claim("around-2005"),
            ],
        )
    )
    claims = {c["slug"]: c for c in document["claims"]}
    assert claims["around-2005"]["conflicts_with"] == ["in-2007"]
    assert claims["around-2005"]["conflict_notes"] == {"in-2007": "2007 vs around 2005–2006"}
    assert claims["in-2007"]["conflict_notes"] == {"around-2005": "2007 vs around 2005–2006"}


def test_the_same_note_on_both_sides_is_accepted(tmp_path):
    document = build_document(
        curated(
            tmp_path,
            [
                claim("a", conflicts_with=["b"], conflict_notes={"b": "one vs two"}),
                claim("b", conflicts_with=["a"], conflict_notes={"a": "one vs two"}),
            ],
        )
    )
    assert [c["conflict_notes"] for c in document["claims"]] == [{"b": "one vs two"}, {"a": "one vs two"}]


def test_two_different_notes_for_one_pair_are_refused(tmp_path):
    files = curated(
        tmp_path,
        [
            claim("a", conflicts_with=["b"], conflict_notes={"b": "one vs two"}),
            claim("b", conflicts_with=["a"], conflict_notes={"a": "two vs one"}),
        ],
    )
    with pytest.raises(CurationError, match="Claims “b” and “a” give their link two different notes"):
        build_document(files)


def test_a_note_for_a_claim_not_listed_as_competing_is_refused(tmp_path):
    files = curated(tmp_path, [claim("a", conflict_notes={"b": "one vs two"}), claim("b")])
    with pytest.raises(CurationError, match="Claim “a” has conflict_notes for claims it does not list"):
        build_document(files)


def test_speaker_and_caption_keys_pass_through_to_the_document(tmp_path):
    quote = {"article": "x", "quote": "q", "stance": "supports", "speaker": "giang", "in": "captions"}
    document = build_document(curated(tmp_path, [claim("a", citations=[quote])]))
    assert document["claims"][0]["citations"] == [quote]
