"""`manage.py load_kb`: idempotent loading, and clear refusals of documents that don't fit."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Revision

from articles.models import Article, Citation

pytestmark = pytest.mark.django_db


def document(**changes):
    doc = {
        "articles": [
            {
                "slug": "a",
                "title": "A",
                "kind": "news",
                "published": "2025-10",
                "date_precision": "month",
                "body": "Lam visited. The last visit was in 2007.",
                "authors": ["khang"],
                "tags": ["visit"],
            }
        ],
        "actors": [{"slug": "khang", "name": "Vu Xuan Khang", "kind": "person", "aliases": ["Khang Vu"]}],
        "events": [
            {
                "slug": "visit",
                "title": "Visit",
                "start": "2025-10-09",
                "end": "2025-10-11",
                "date_precision": "day",
                "participants": [{"actor": "khang", "role": "observer"}],
            }
        ],
        "claims": [
            {
                "slug": "c",
                "text": "Last visit 2007.",
                "kind": "fact",
                "event": "visit",
                "subjects": ["khang"],
                "citations": [{"article": "a", "quote": "The last visit was in 2007.", "stance": "supports"}],
            }
        ],
    }
    doc.update(changes)
    return doc


def load(doc, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = io.StringIO()
    call_command("load_kb", str(path), stdout=out)
    return out.getvalue()


def test_loading_creates_everything_with_anchored_quotes(tmp_path):
    assert "created" in load(document(), tmp_path)
    citation = Citation.objects.get()
    assert (citation.start, citation.end, citation.anchored) == (13, 40, True)
    assert Article.objects.get().published.isoformat() == "2025-10-01"


def test_loading_twice_changes_nothing(tmp_path):
    load(document(), tmp_path)
    revisions = Revision.objects.count()
    assert "Nothing to change" in load(document(), tmp_path)
    assert Revision.objects.count() == revisions


def test_loading_an_edited_document_updates_in_place(tmp_path):
    load(document(), tmp_path)
    doc = document()
    doc["claims"][0]["citations"][0]["stance"] = "qualifies"
    assert "citations updated" in load(doc, tmp_path)
    assert Citation.objects.get().stance == "qualifies"


def test_a_quote_that_does_not_match_is_refused_and_nothing_is_loaded(tmp_path):
    doc = document()
    doc["claims"][0]["citations"][0]["quote"] = "The last visit was in 2006."
    with pytest.raises(CommandError) as raised:
        load(doc, tmp_path)
    message = str(raised.value)
    assert "nothing was loaded" in message
    assert "claim “c”, citation of “a” quote" in message
    assert "The nearest passage is: “The last visit was in 2007.”" in message
    assert not Article.objects.exists()


def test_every_unknown_reference_is_listed(tmp_path):
    doc = document()
    doc["claims"][0]["event"] = "no-such-event"
    doc["articles"][0]["authors"] = ["nobody"]
    with pytest.raises(CommandError) as raised:
        load(doc, tmp_path)
    assert "no event with slug “no-such-event”" in str(raised.value)
    assert "no actor with slug “nobody”" in str(raised.value)


def test_a_bad_date_is_refused_with_its_place(tmp_path):
    doc = document()
    doc["events"][0]["start"] = "October 2025"
    with pytest.raises(CommandError, match="event “visit”: 'October 2025' is not a date"):
        load(doc, tmp_path)


def test_an_event_ending_before_it_starts_is_refused(tmp_path):
    doc = document()
    doc["events"][0]["end"] = "2025-10-01"
    with pytest.raises(CommandError, match="An event cannot end before it starts"):
        load(doc, tmp_path)


def test_a_missing_file_and_bad_json_get_clear_messages(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*nope.json"):
        call_command("load_kb", str(tmp_path / "nope.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("load_kb", str(bad))


def test_a_document_without_the_four_lists_is_refused(tmp_path):
    with pytest.raises(CommandError, match="has no list under “claims”"):
        load({"articles": [], "actors": [], "events": []}, tmp_path)


def test_a_malformed_entry_is_reported_not_crashed_on(tmp_path):
    doc = document()
    del doc["claims"][0]["text"]
    with pytest.raises(CommandError, match="Malformed document"):
        load(doc, tmp_path)
