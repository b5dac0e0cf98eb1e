"""`manage.py load_kb`: creates only what is missing, never overwrites an editor's work,
reviews updates object by object, and refuses a document that does not fit, listing
every problem with its place."""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from reversion.models import Revision

from articles.interchange import FORMAT, VERSION, ImportFailed, kb_import
from articles.models import Actor, Article, Citation, Claim, ClaimConflict, Event, LoadRecord
from tests.admin_forms import change_form_fields, with_changes
from tests.factories import make_actor, make_editor
from tests.test_edit_conflicts import names_checked_before_the_other_save

pytestmark = pytest.mark.django_db

BODY = "Lam visited. The last visit was in 2007.\n"


def document(**changes):
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "articles": [
            {
                "slug": "a",
                "title": "A",
                "kind": "news",
                "published": "2025-10",
                "date_precision": "month",
                "body": BODY,
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


def load(doc, tmp_path, *options):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = io.StringIO()
    call_command("load_kb", str(path), *options, stdout=out)
    return out.getvalue()


def refused(doc, tmp_path):
    """The CommandError's text for a document that must be refused; checks that nothing was loaded."""
    with pytest.raises(CommandError) as raised:
        load(doc, tmp_path)
    assert "nothing was loaded" in str(raised.value)
    assert not (Article.objects.exists() or Actor.objects.exists() or Claim.objects.exists())
    return str(raised.value)


def problems(message):
    """The problems a refusal lists, one per line, exactly as an editor reads them."""
    return [line.removeprefix("  - ") for line in message.splitlines() if line.startswith("  - ")]


# --- Loading and reloading ------------------------------------------------------------


def test_loading_creates_everything_with_anchored_quotes(tmp_path):
    assert "Created: 1 actor, 1 article, 1 event, 1 claim." in load(document(), tmp_path)
    citation = Citation.objects.get()
    assert (citation.start, citation.end, citation.anchored) == (13, 40, True)
    assert Article.objects.get().published.isoformat() == "2025-10-01"


def test_loading_twice_changes_nothing(tmp_path):
    load(document(), tmp_path)
    revisions = Revision.objects.count()
    assert "Nothing to change" in load(document(), tmp_path)
    assert Revision.objects.count() == revisions


def test_loading_reads_the_documents_objects_not_the_whole_database(tmp_path, monkeypatch):
    # make run loads the fixtures on every start: at 100,000 claims, reading and comparing
    # every claim took over ten minutes.
    from tests.factories import make_claim

    for number in range(30):
        make_claim(f"Unrelated claim {number}.", slug=f"unrelated-{number}")
    read = []
    original = Claim.from_db.__func__

    def counting_from_db(cls, db, field_names, values):
        claim = original(cls, db, field_names, values)
        read.append(claim.slug)
        return claim

    monkeypatch.setattr(Claim, "from_db", classmethod(counting_from_db))

    assert "Created: 1 actor, 1 article, 1 event, 1 claim." in load(document(), tmp_path)
    assert "Nothing to change" in load(document(), tmp_path)
    assert read
    assert not [slug for slug in read if slug.startswith("unrelated-")]


def test_loading_a_newer_file_creates_what_is_missing_and_changes_nothing_else(tmp_path):
    load(document(), tmp_path)
    newer = document()
    newer["claims"][0]["citations"][0]["stance"] = "qualifies"
    newer["claims"].append(
        {"slug": "d", "text": "Lam visited.", "citations": [{"article": "a", "quote": "Lam visited."}]}
    )
    out = load(newer, tmp_path)
    assert "Created: 1 claim" in out
    assert "not updated claim “c”: the file differs (citations); see load_kb --update" in out
    assert Citation.objects.get(claim__slug="c").stance == "supports"
    assert Claim.objects.get(slug="d").citations.get().anchored


def test_update_is_a_dry_run_that_reports_each_change(tmp_path):
    load(document(), tmp_path)
    newer = document()
    newer["claims"][0]["citations"][0]["stance"] = "qualifies"
    newer["actors"][0]["description"] = "Scholar"
    out = load(newer, tmp_path, "--update")
    assert "Dry run: nothing was written." in out
    assert "would update actor “khang”: description" in out
    assert "would update claim “c”: citations" in out
    assert Citation.objects.get().stance == "supports"
    assert Actor.objects.get().description == ""


def test_a_dry_run_reports_what_loading_would_create_and_writes_nothing(tmp_path):
    out = load(document(), tmp_path, "--dry-run")
    assert "Dry run: nothing was written. Run again without --dry-run to make these changes." in out
    assert "Would be created: 1 actor, 1 article, 1 event, 1 claim." in out
    assert not (Article.objects.exists() or LoadRecord.objects.exists())


def test_apply_without_update_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--apply and --overwrite-edited go with --update"):
        load(document(), tmp_path, "--apply")


def test_update_with_apply_writes_the_changes(tmp_path):
    load(document(), tmp_path)
    newer = document()
    newer["claims"][0]["citations"][0]["stance"] = "qualifies"
    assert "updated claim “c”: citations" in load(newer, tmp_path, "--update", "--apply")
    assert Citation.objects.get().stance == "qualifies"
    assert "Nothing to change" in load(newer, tmp_path, "--update")


def test_each_load_leaves_a_revision_to_go_back_to(tmp_path):
    from reversion.models import Version

    load(document(), tmp_path)
    claim = Claim.objects.get()
    (first,) = Version.objects.get_for_object(claim)
    assert first.revision.get_comment().startswith("Loaded by load_kb from ")
    newer = document()
    newer["claims"][0]["text"] = "Reworded in the file."
    load(newer, tmp_path, "--update")  # a dry run records nothing
    assert Version.objects.get_for_object(claim).count() == 1
    load(newer, tmp_path, "--update", "--apply")
    latest, previous = Version.objects.get_for_object(claim)[:2]
    assert latest.revision.get_comment().startswith("Updated by load_kb from ")
    assert (latest.field_dict["text"], previous.field_dict["text"]) == ("Reworded in the file.", "Last visit 2007.")


def test_an_object_edited_since_loading_is_skipped_by_update_unless_asked(tmp_path):
    load(document(), tmp_path)
    claim = Claim.objects.get()
    claim.text = "An editor's wording."
    claim.save()
    newer = document()
    newer["claims"][0]["text"] = "The file's new wording."
    out = load(newer, tmp_path, "--update", "--apply")
    assert "skipped claim “c”: edited since it was loaded (text)" in out
    assert Claim.objects.get().text == "An editor's wording."
    out = load(newer, tmp_path, "--update", "--apply", "--overwrite-edited")
    assert "updated claim “c”: text" in out
    assert Claim.objects.get().text == "The file's new wording."


def test_an_object_deleted_since_loading_is_not_re_created(tmp_path):
    load(document(), tmp_path)
    Claim.objects.get().delete()
    out = load(document(), tmp_path)
    assert "skipped claim “c”: deleted since it was loaded" in out
    assert not Claim.objects.exists()
    load(document(), tmp_path, "--update", "--apply", "--overwrite-edited")
    assert Claim.objects.get().citations.count() == 1


def test_a_new_object_that_needs_a_deleted_one_is_skipped_with_the_reason(tmp_path):
    load(document(), tmp_path)
    Claim.objects.get().delete()
    Event.objects.get().delete()
    newer = document()
    newer["claims"].append({"slug": "d", "text": "Another.", "event": "visit"})
    out = load(newer, tmp_path)
    assert "skipped claim “d”: it refers to event “visit”, which was deleted since it was loaded" in out
    assert not Claim.objects.exists()


def test_a_knowledge_base_loaded_before_loads_were_recorded_is_adopted_not_overwritten(tmp_path):
    load(document(), tmp_path)
    LoadRecord.objects.all().delete()
    claim = Claim.objects.get()
    claim.text = "Edited before the upgrade."
    claim.save()
    out = load(document(), tmp_path, "--update", "--apply")
    assert "skipped claim “c”: not loaded from a file (text)" in out
    assert Claim.objects.get().text == "Edited before the upgrade."
    assert set(LoadRecord.objects.values_list("kind", flat=True)) == {"actors", "articles", "events"}


def test_a_new_quote_of_an_article_an_editor_changed_is_kept_and_flagged(tmp_path):
    load(document(), tmp_path)
    article = Article.objects.get()
    article.body = "Rewritten by an editor."
    article.save()
    newer = document()
    newer["claims"].append(
        {"slug": "d", "text": "Lam visited.", "citations": [{"article": "a", "quote": "Lam visited."}]}
    )
    out = load(newer, tmp_path)
    assert "skipped article “a”: edited since it was loaded (body)" in out
    assert "flagged claims[1]: citations[0]: the quote is not in “a” as it is now; flagged." in out
    assert Claim.objects.get(slug="d").citations.get().anchored is False


def test_an_admin_edit_survives_make_runs_load_step(client):
    # make run's load step is exactly `manage.py load_kb` (see the Makefile's fixtures target).
    call_command("load_kb", stdout=io.StringIO())
    claim = Claim.objects.get(slug="lam-state-visit-9-11-october-2025")
    client.force_login(make_editor())
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    fields = change_form_fields(client.get(url).content.decode())
    data = with_changes(
        fields, text="To Lam's state visit lasted three days, 9 to 11 October 2025.", tags="state-visit, dates"
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    out = io.StringIO()
    call_command("load_kb", stdout=out)
    claim.refresh_from_db()
    assert claim.text == "To Lam's state visit lasted three days, 9 to 11 October 2025."
    assert sorted(claim.tags.names()) == ["dates", "state-visit"]
    assert (
        "skipped claim “lam-state-visit-9-11-october-2025”: edited since it was loaded (tags, text)" in out.getvalue()
    )
    assert "1 skipped to keep editors' work" in out.getvalue()


# --- Refusals ---------------------------------------------------------------------------


def test_a_quote_that_does_not_match_is_refused_and_nothing_is_loaded(tmp_path):
    doc = document()
    doc["claims"][0]["citations"][0]["quote"] = "The last visit was in 2006."
    message = refused(doc, tmp_path)
    assert "claims[0].citations[0].quote: This quote does not occur word for word in the body of “A”." in message
    assert "The nearest passage is: “The last visit was in 2007.”" in message


def test_every_unknown_reference_is_listed(tmp_path):
    doc = document()
    doc["claims"][0]["event"] = "no-such-event"
    doc["articles"][0]["authors"] = ["nobody"]
    message = refused(doc, tmp_path)
    assert "claims[0].event: no event with slug “no-such-event”." in message
    assert "articles[0].authors[0]: no actor with slug “nobody”." in message
    assert "2 problem(s)" in message


def test_a_bad_date_is_refused_with_its_place(tmp_path):
    doc = document()
    doc["events"][0]["start"] = "October 2025"
    assert "events[0].start: “October 2025” is not a date written as YYYY, YYYY-MM or YYYY-MM-DD." in refused(
        doc, tmp_path
    )


def test_an_event_ending_before_it_starts_is_refused(tmp_path):
    doc = document()
    doc["events"][0]["end"] = "2025-10-01"
    assert "events[0]: An event cannot end before it starts." in refused(doc, tmp_path)


def test_a_missing_file_and_bad_json_get_clear_messages(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*nope.json"):
        call_command("load_kb", str(tmp_path / "nope.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("load_kb", str(bad))
    bad.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("load_kb", str(bad))


def test_very_deep_json_is_refused_without_a_traceback(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text('{"articles": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("load_kb", str(deep))
    doc = document()
    doc["articles"][0]["tags"] = json.loads("[" * 500 + "]" * 500)
    assert "articles[0].tags[0]: expected text, got a list." in refused(doc, tmp_path)


def test_the_format_and_version_are_checked(tmp_path):
    doc = document(format="something-else", version=2, **{"x" * 100: 1})
    del doc["claims"]
    assert problems(refused(doc, tmp_path)) == [
        "format: expected “provenance-kb”, got “something-else”.",
        "version: expected a whole number from 1 to 1, got a number.",
        f"unknown key “{'x' * 60}” at the top level.",
        "claims: expected a list, got null.",
    ]
    assert problems(refused({k: v for k, v in document().items() if k != "format"}, tmp_path)) == [
        "format: expected “provenance-kb”, got null."
    ]
    assert problems(refused(document(format="f" * 100), tmp_path)) == [
        f"format: expected “provenance-kb”, got “{'f' * 40}”."
    ]
    for version, shown in [(True, "true/false"), ("1", "“1”"), (1.5, "a number"), (0, "a number")]:
        assert problems(refused(document(version=version), tmp_path)) == [
            f"version: expected a whole number from 1 to 1, got {shown}."
        ]


def test_every_bad_object_of_a_kind_is_reported(tmp_path):
    doc = document()
    khang = doc["actors"][0]
    doc["actors"] = [5, khang, dict(khang, aliases=[]), "lam", dict(khang, slug="lam", kind="robot", aliases=[])]
    doc["events"][0]["k" * 100] = 1
    assert problems(refused(doc, tmp_path)) == [
        "actors[0]: expected an object, got a number.",
        "actors[2].slug: “khang” is also the slug of actors[1].",
        "actors[3]: expected an object, got text.",
        "actors[4].kind: Value 'robot' is not a valid choice.",
        f"events[0]: unknown key “{'k' * 60}” (expected claims, date_approximate, date_precision, description,"
        " editor_note, end, participants, slug, start, tags, title).",
    ]


def test_a_missing_key_is_named_with_its_place(tmp_path):
    doc = document()
    del doc["claims"][0]["text"]
    assert "claims[0].text: is missing." in refused(doc, tmp_path)


def _set(doc, path, value):
    *parents, last = path
    target = doc
    for step in parents:
        target = target[step]
    target[last] = value


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("articles", 0, "tags"), "visit", "articles[0].tags: expected a list, got text."),
        (("articles", 0, "body"), 42, "articles[0].body: expected text, got a number."),
        (("articles", 0, "title"), True, "articles[0].title: expected text, got true/false."),
        (
            ("articles", 0, "title_is_editorial"),
            "yes",
            "articles[0].title_is_editorial: expected true or false, got text.",
        ),
        (("articles", 0, "date_approximate"), 1, "articles[0].date_approximate: expected true or false, got a number."),
        (
            ("articles", 0, "title"),
            "T" * 301,
            "articles[0].title: Ensure this value has at most 300 characters (it has 301).",
        ),
        (("articles", 0, "kind"), "blog", "articles[0].kind: Value 'blog' is not a valid choice."),
        (
            ("articles", 0, "slug"),
            "not a slug!",
            [
                "articles[0].slug: Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
                "claims[0].citations[0].article: no article with slug “a”.",
            ],
        ),
        (
            ("articles", 0, "published"),
            "2025-13",
            "articles[0].published: “2025-13” is not a date written as YYYY, YYYY-MM or YYYY-MM-DD.",
        ),
        (
            ("articles", 0, "published"),
            "2025-10-09T10:00",
            "articles[0].published: “2025-10-09T10:00” is not a date written as YYYY, YYYY-MM or YYYY-MM-DD.",
        ),
        (
            ("articles", 0, "published"),
            2025,
            "articles[0].published: expected a date written as YYYY, YYYY-MM or YYYY-MM-DD, got a number.",
        ),
        (
            ("articles", 0, "date_precision"),
            "day",
            "articles[0].published: “2025-10” is less precise than its date_precision “day”.",
        ),
        (
            ("articles", 0, "published"),
            "2025-10-09 or thereabouts, as the wire service wrote it",
            "articles[0].published: “2025-10-09 or thereabouts, as the wire s” is not a date written as YYYY,"
            " YYYY-MM or YYYY-MM-DD.",
        ),
        (
            ("articles", 0, "published"),
            "2025",
            "articles[0].published: “2025” is less precise than its date_precision “month”.",
        ),
        (("articles", 0, "wire"), "w" * 200, f"articles[0].wire: no actor with slug “{'w' * 120}”."),
        (("articles", 0, "authors"), ["a" * 200], f"articles[0].authors[0]: no actor with slug “{'a' * 120}”."),
        (
            ("articles", 0, "tags"),
            ["vi\x00sit"],
            "articles[0].tags[0]: contains a NUL character, which the database cannot store.",
        ),
        (("events", 0, "participants"), "khang", "events[0].participants: expected a list, got text."),
        (
            ("claims", 0, "conflict_notes"),
            {"d" * 100: "x"},
            f"claims[0].conflict_notes.{'d' * 60}: “{'d' * 60}” is not listed in conflicts_with.",
        ),
        (("articles", 0, "url"), "javascript:alert(1)", "articles[0].url: Enter a valid URL."),
        (("articles", 0, "tags"), ["visit", "VISIT"], "articles[0].tags[1]: “VISIT” is listed twice."),
        (("articles", 0, "tags"), ["t" * 101], "articles[0].tags[0]: has 101 characters; at most 100 are allowed."),
        (("articles", 0, "tags"), ["ok", 7], "articles[0].tags[1]: expected text, got a number."),
        (
            ("articles", 0, "tag"),
            ["visit"],
            "articles[0]: unknown key “tag” (expected authors, body, captions, date_approximate, date_note,"
            " date_precision, editor_note, kind, published, publisher, slug, source_file, tags, title,"
            " title_is_editorial, url, wire).",
        ),
        (
            ("actors", 0, "name"),
            "Khang\x00",
            "actors[0].name: contains a NUL character, which the database cannot store.",
        ),
        (("actors", 0, "name"), "Khang\ud800", "actors[0].name: is not valid Unicode (it contains a lone surrogate)."),
        (
            ("actors", 0, "kind"),
            None,
            "actors[0].kind: expected one of person, state, party, government, organisation, outlet, got null.",
        ),
        (("actors", 0, "aliases"), [1], "actors[0].aliases[0]: expected text, got a number."),
        (("actors", 0, "aliases"), ["  "], "actors[0].aliases[0]: is empty."),
        (("events", 0, "participants", 0, "role"), None, "events[0].participants[0].role: expected text, got null."),
        (("events", 0, "participants", 0), "khang", "events[0].participants[0]: expected an object, got text."),
        (
            ("claims", 0, "citations", 0, "quote"),
            "The last\x00",
            "claims[0].citations[0].quote: contains a NUL character, which the database cannot store.",
        ),
        (
            ("claims", 0, "citations", 0, "stance"),
            "likes",
            "claims[0].citations[0].stance: Value 'likes' is not a valid choice.",
        ),
        (
            ("claims", 0, "citations", 0, "anchored"),
            "no",
            "claims[0].citations[0].anchored: expected true or false, got text.",
        ),
        (("claims", 0, "subjects"), "khang", "claims[0].subjects: expected a list, got text."),
        (
            ("claims", 0, "slug"),
            "noslug!" * 20,
            "claims[0].slug: Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."
            " Ensure this value has at most 120 characters (it has 140).",
        ),
        (("claims", 0, "text"), {"en": "x"}, "claims[0].text: expected text, got an object."),
        (("claims", 0, "citations"), [None], "claims[0].citations[0]: expected an object, got null."),
        (
            ("claims", 0, "citations", 0, "speaker"),
            "nobody",
            "claims[0].citations[0].speaker: no actor with slug “nobody”.",
        ),
        (
            ("claims", 0, "citations", 0, "in"),
            "footer",
            "claims[0].citations[0].in: Value 'footer' is not a valid choice.",
        ),
        (
            ("claims", 0, "conflict_notes"),
            {"d": "x"},
            "claims[0].conflict_notes.d: “d” is not listed in conflicts_with.",
        ),
        (
            ("claims", 0, "conflict_notes"),
            "note",
            "claims[0].conflict_notes: expected an object mapping claim slugs to notes, got text.",
        ),
        (("articles", 0, "editor_note"), ["a"], "articles[0].editor_note: expected text, got a list."),
    ],
)
def test_a_wrong_type_or_value_is_refused_with_its_place(tmp_path, path, value, message):
    doc = copy.deepcopy(document())
    _set(doc, path, value)
    assert problems(refused(doc, tmp_path)) == ([message] if isinstance(message, str) else message)


BIDI = "an invisible control character that makes readers see the text in another order than it is stored"


def test_a_bidi_control_anywhere_in_a_document_is_refused_with_its_place_and_name(tmp_path):
    # As the admin's forms refuse them: an import (and load_kb's fixtures) must not store a name that
    # displays as another, or a body whose words read in another order than they are stored.
    doc = document()
    doc["actors"][0]["name"] = "\u202eMAL OT"
    doc["actors"][0]["aliases"] = ["Khang \u2067Vu"]
    doc["articles"][0]["title"] = "A \u202bvisit"
    doc["articles"][0]["tags"] = ["\u202dvisit"]
    doc["articles"][0]["body"] = BODY + "More \u2066here\u2069.\n"
    doc["events"][0]["participants"][0]["role"] = "\u202aobserver"
    doc["claims"][0]["text"] = "Last visit \u202c2007."
    doc["claims"][0]["conflicts_with"] = ["c2"]
    doc["claims"][0]["conflict_notes"] = {"c2": "2007 \u202evs 2005"}
    doc["claims"].append({"slug": "c2", "text": "Around 2005.", "kind": "fact"})
    assert problems(refused(doc, tmp_path)) == [
        f"actors[0].name: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 1: {BIDI}. Remove it (to mark the "
        "direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough).",
        f"actors[0].aliases[0]: contains U+2067 RIGHT-TO-LEFT ISOLATE at character 7: {BIDI}. Remove it (to "
        "mark the direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough).",
        f"articles[0].title: contains U+202B RIGHT-TO-LEFT EMBEDDING at character 3: {BIDI}. Remove it (to mark "
        "the direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough).",
        f"articles[0].tags[0]: contains U+202D LEFT-TO-RIGHT OVERRIDE at character 1: {BIDI}. Remove it (to mark "
        "the direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough).",
        "articles[0].body: contains U+2066 LEFT-TO-RIGHT ISOLATE at line 2, character 6 and U+2069 POP "
        "DIRECTIONAL ISOLATE at line 2, character 11: invisible control characters that make readers see the "
        "text in another order than it is stored. Remove them (to mark the direction of right-to-left words, "
        "U+200F RIGHT-TO-LEFT MARK is enough).",
        f"events[0].participants[0].role: contains U+202A LEFT-TO-RIGHT EMBEDDING at character 1: {BIDI}. Remove "
        "it (to mark the direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough).",
        f"claims[0].text: contains U+202C POP DIRECTIONAL FORMATTING at character 12: {BIDI}. Remove it (to mark "
        "the direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough).",
        f"claims[0].conflict_notes.c2: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 6: {BIDI}. Remove it "
        "(to mark the direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough).",
    ]


def test_a_huge_wrong_value_gets_a_short_message(tmp_path):
    doc = document()
    doc["articles"][0]["kind"] = "x" * 1_000_000
    message = refused(doc, tmp_path)
    assert "articles[0].kind: Value 'xxx" in message
    assert len(message) < 1_000


def test_a_problem_is_cut_to_500_characters_only_when_longer(tmp_path):
    prefix, suffix = "articles[0].kind: Value '", "' is not a valid choice."
    fits = "x" * (500 - len(prefix) - len(suffix))
    doc = document()
    doc["articles"][0]["kind"] = fits
    assert problems(refused(doc, tmp_path)) == [f"{prefix}{fits}{suffix}"]
    doc["articles"][0]["kind"] = fits + "x"
    cut = f"{prefix}{fits}x{suffix}"[:499] + "…"
    assert len(cut) == 500
    assert problems(refused(doc, tmp_path)) == [cut]


def test_every_bad_item_of_a_list_is_reported(tmp_path):
    doc = document()
    doc["articles"][0]["tags"] = [7, " ", "visit", "VISIT", "t" * 101]
    assert problems(refused(doc, tmp_path)) == [
        "articles[0].tags[0]: expected text, got a number.",
        "articles[0].tags[1]: is empty.",
        "articles[0].tags[3]: “VISIT” is listed twice.",
        "articles[0].tags[4]: has 101 characters; at most 100 are allowed.",
    ]


def test_every_bad_row_is_reported(tmp_path):
    doc = document()
    quoted = doc["claims"][0]["citations"][0]
    doc["claims"][0]["citations"] = [None, quoted, dict(quoted), dict(quoted, quote="Lam visited.", stance="likes")]
    assert problems(refused(doc, tmp_path)) == [
        "claims[0].citations[0]: expected an object, got null.",
        "claims[0].citations[2]: repeats claims[0].citations[1] (article, quote).",
        "claims[0].citations[3].stance: Value 'likes' is not a valid choice.",
    ]


def test_a_tag_or_alias_as_long_as_allowed_loads(tmp_path):
    doc = document()
    doc["articles"][0]["tags"] = ["t" * 100]
    doc["actors"][0]["aliases"] = ["K" * 200]
    load(doc, tmp_path)
    assert list(Article.objects.get().tags.names()) == ["t" * 100]
    assert list(Actor.objects.get().aliases.values_list("name", flat=True)) == ["K" * 200]


def test_null_or_empty_optional_values_load_as_empty(tmp_path):
    doc = document()
    doc["articles"][0].update(publisher=None, wire="", published="", date_precision="month", date_note=None)
    doc["events"][0].update(end=None, description=None)
    doc["claims"][0].update(claimant="", event=None)
    load(doc, tmp_path)
    assert "Nothing to change" in load(doc, tmp_path, "--update")
    article = Article.objects.get()
    assert (article.publisher, article.wire, article.published, article.date_precision, article.date_note) == (
        None,
        None,
        None,
        "",
        "",
    )
    event = Event.objects.get()
    assert (event.end, event.description) == (None, "")
    claim = Claim.objects.get()
    assert (claim.claimant, claim.event) == (None, None)


def test_a_competing_pair_with_two_different_notes_is_refused(tmp_path):
    doc = document()
    doc["claims"][0].update(conflicts_with=["d"], conflict_notes={"d": "2007 vs 2006"})
    doc["claims"].append({"slug": "d", "text": "2006.", "conflicts_with": ["c"], "conflict_notes": {"c": "other"}})
    assert "claims[1].conflict_notes.c: the other claim gives this link another note." in refused(doc, tmp_path)


def test_a_note_on_a_competing_pair_must_be_short_text(tmp_path):
    doc = document()
    doc["claims"][0].update(conflicts_with=["d", "e"], conflict_notes={"d": 5, "e": "n" * 301})
    doc["claims"] += [{"slug": "d", "text": "2006."}, {"slug": "e", "text": "2005."}]
    assert problems(refused(doc, tmp_path)) == [
        "claims[0].conflict_notes.d: expected text, got a number.",
        "claims[0].conflict_notes.e: Ensure this value has at most 300 characters (it has 301).",
    ]


def test_a_competing_link_given_on_one_side_links_both_claims_with_its_own_note(tmp_path):
    doc = document()
    doc["claims"][0].update(conflicts_with=["d"], conflict_notes={"d": "2007 vs 2006"})
    doc["claims"] += [
        {"slug": "d", "text": "2006.", "conflicts_with": ["e"]},
        {"slug": "e", "text": "2005.", "conflicts_with": ["c"], "conflict_notes": {"c": "2007 vs 2005"}},
    ]
    load(doc, tmp_path)
    links = ClaimConflict.objects.values_list("from_claim__slug", "to_claim__slug", "note")
    assert sorted(links) == [
        ("c", "d", "2007 vs 2006"),
        ("c", "e", "2007 vs 2005"),
        ("d", "c", "2007 vs 2006"),
        ("d", "e", ""),
        ("e", "c", "2007 vs 2005"),
        ("e", "d", ""),
    ]
    # A link to a claim already in the database, which this document does not list.
    load(document(claims=[{"slug": "f", "text": "2004.", "conflicts_with": ["c"]}]), tmp_path)
    assert sorted(Claim.objects.get(slug="c").conflicts_with.values_list("slug", flat=True)) == ["d", "e", "f"]


def test_a_quote_from_the_captions_is_checked_against_the_captions(tmp_path):
    doc = document()
    doc["claims"][0]["citations"][0]["in"] = "captions"
    assert "claims[0].citations[0].quote: This quote does not occur word for word in the photo captions" in refused(
        doc, tmp_path
    )
    doc = document()
    doc["articles"][0]["captions"] = "Lam at the airport. - AP\n"
    doc["claims"][0]["citations"].append({"article": "a", "quote": "Lam at the airport.", "in": "captions"})
    load(doc, tmp_path)
    assert Citation.objects.get(location="captions").anchored is True


def test_a_repeated_slug_or_citation_is_refused(tmp_path):
    doc = document()
    doc["actors"].append(dict(doc["actors"][0], aliases=[]))
    doc["claims"][0]["citations"].append(dict(doc["claims"][0]["citations"][0]))
    message = refused(doc, tmp_path)
    assert "actors[1].slug: “khang” is also the slug of actors[0]." in message
    assert "claims[0].citations[1]: repeats claims[0].citations[0] (article, quote)." in message


def test_problems_are_reported_all_at_once_and_never_as_a_traceback(tmp_path):
    doc = document()
    doc["articles"][0]["body"] = None
    doc["actors"][0]["kind"] = 3
    doc["events"][0]["start"] = None
    doc["claims"][0]["citations"][0]["article"] = ["a"]
    message = refused(doc, tmp_path)
    assert "articles[0].body: expected text, got null." in message
    assert "actors[0].kind: expected text, got a number." in message
    assert "events[0].start: is missing." in message
    assert "claims[0].citations[0].article: expected a slug, got a list." in message
    assert "Traceback" not in message


def test_an_alias_that_is_another_actors_name_is_refused_with_its_place(tmp_path):
    doc = document()
    doc["actors"].append({"slug": "lam", "name": "To Lam", "kind": "person", "aliases": ["Vu Xuan Khang"]})
    assert "actors[1].aliases[0]: “Vu Xuan Khang” is already the name of Vu Xuan Khang." in refused(doc, tmp_path)


def test_an_actor_named_as_one_an_editor_saved_meanwhile_is_refused_with_its_place(tmp_path):
    # The load checks each name, then writes: an editor's "Tô Lâm" stored between the
    # two (replayed: the load's first check of each name finds nothing) was loaded
    # beside it as a second actor, "To Lam". The database now refuses it, and the
    # load checks again, so the problem reads as the check's, not the database's.
    editors = make_actor("Tô Lâm", slug="to-lam")
    doc = document()
    doc["actors"].append({"slug": "lam", "name": "To Lam", "kind": "person", "aliases": []})
    with names_checked_before_the_other_save(), pytest.raises(CommandError) as raised:
        load(doc, tmp_path)
    assert problems(str(raised.value)) == [
        "actors[1].name: “To Lam” is already the name of Tô Lâm (names ignore case, accents and punctuation): "
        "add what differs as an alias of Tô Lâm rather than a second actor."
    ]
    assert list(Actor.objects.all()) == [editors]


# --- Flagged quotes -----------------------------------------------------------------------


def test_a_flagged_quote_is_loaded_as_flagged_not_re_validated(tmp_path):
    doc = document()
    doc["claims"][0]["citations"].append(
        {"article": "a", "quote": "A sentence the body lost.", "stance": "supports", "anchored": False}
    )
    load(doc, tmp_path)
    lost = Citation.objects.get(quote="A sentence the body lost.")
    assert (lost.anchored, lost.start) == (False, None)
    assert Citation.objects.get(quote="The last visit was in 2007.").anchored is True


def test_kb_import_raises_import_failed_with_every_problem():
    with pytest.raises(ImportFailed) as raised:
        kb_import([1, 2])
    assert raised.value.problems == ["The document must be a JSON object, not a list."]


def test_make_fixtures_twice_keeps_an_edit_and_says_what_it_skipped(tmp_path):
    """`make run` = `make fixtures` + runserver; run the real target against a scratch database."""
    import os
    import subprocess
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite3'}", "DEBUG": "true"}

    def make_fixtures():
        # -o: never reinstall the virtualenv, nor write the checkout's .env, from inside a test.
        done = subprocess.run(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "-o", ".env", "fixtures"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    shipped = json.loads((root / "fixtures" / "kb.json").read_text(encoding="utf-8"))
    counts = {kind: len(shipped[kind]) for kind in ["actors", "articles", "events", "claims"]}
    created = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    assert f"Created: {created}." in make_fixtures()
    edit = (
        "from articles.models import Claim; c = Claim.objects.get(slug='lam-state-visit-9-11-october-2025'); "
        "c.text = 'An editor rewrote this.'; c.save()"
    )
    subprocess.run([root / ".venv/bin/python", "manage.py", "shell", "-c", edit], cwd=root, env=env, check=True)
    out = make_fixtures()
    assert "skipped claim “lam-state-visit-9-11-october-2025”: edited since it was loaded (text)" in out
    assert f"1 skipped to keep editors' work; {sum(counts.values()) - 1} unchanged." in out
    check = "from articles.models import Claim; print(Claim.objects.get(slug='lam-state-visit-9-11-october-2025').text)"
    shown = subprocess.run(
        [root / ".venv/bin/python", "manage.py", "shell", "-c", check],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip().endswith("An editor rewrote this.")
