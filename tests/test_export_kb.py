"""`manage.py export_kb`: the documented JSON shape, and a faithful round trip."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Actor, Article, Citation, Claim, Event, LoadRecord, Stance
from tests.factories import cite, make_actor, make_article, make_claim, make_event

pytestmark = pytest.mark.django_db

BODY = "The last visit was in 2007.\n\nIt was around 2005-2006, says another."


@pytest.fixture
def small_kb():
    bloomberg = make_actor("Bloomberg", slug="bloomberg", kind=Actor.Kind.OUTLET)
    lam = make_actor("To Lam", slug="to-lam", aliases=["Tô Lâm", "Lam"])
    article = make_article(
        BODY,
        slug="wire-story",
        title="Rare visit",
        wire=bloomberg,
        authors=[lam],
        tags=["visit"],
        published=datetime.date(2025, 10, 8),
        date_approximate=True,
        source_file="001_x.txt",
    )
    event = make_event(
        "Previous visit",
        slug="previous-visit",
        start=datetime.date(2005, 1, 1),
        end=datetime.date(2007, 1, 1),
        date_precision="year",
        date_approximate=True,
        participants=[(lam, "visitor")],
    )
    first = make_claim(
        "Last visit in 2007.",
        slug="visit-2007",
        kind="fact",
        event=event,
        subjects=[lam],
        citations=[(article, "The last visit was in 2007.")],
        tags=["disagreement"],
    )
    second = make_claim(
        "Around 2005-2006.",
        slug="visit-2005",
        claimant=lam,
        citations=[(article, "It was around 2005-2006, says another.")],
    )
    first.conflicts_with.add(second, through_defaults={"note": "2007 vs around 2005–2006"})
    make_claim(
        "Qualified.",
        slug="qualified",
        citations=[
            (article, "The last visit was in 2007.", Stance.QUALIFIES),
            (article, "It was around 2005-2006, says another."),
        ],
    )
    return article


def export():
    out = io.StringIO()
    call_command("export_kb", stdout=out)
    return json.loads(out.getvalue())


def test_export_has_the_documented_top_level_keys(small_kb):
    assert set(export()) == {"format", "version", "articles", "actors", "events", "claims"}
    assert (export()["format"], export()["version"]) == ("provenance-kb", 1)


def test_export_describes_articles_with_slugs_for_references(small_kb):
    (article,) = export()["articles"]
    assert article == {
        "slug": "wire-story",
        "title": "Rare visit",
        "title_is_editorial": False,
        "publisher": None,
        "authors": ["to-lam"],
        "wire": "bloomberg",
        "published": "2025-10-08",
        "date_precision": "day",
        "date_approximate": True,
        "date_note": "",
        "editor_note": "",
        "kind": "news",
        "url": "",
        "source_file": "001_x.txt",
        "tags": ["visit"],
        "captions": "",
        "body": BODY,
    }


def test_export_lists_actor_aliases(small_kb):
    actors = {a["slug"]: a for a in export()["actors"]}
    assert actors["to-lam"]["aliases"] == ["Lam", "Tô Lâm"]
    assert set(actors["to-lam"]) >= {"slug", "name", "kind", "aliases"}


def test_export_gives_events_their_participants_and_claims(small_kb):
    (event,) = export()["events"]
    assert event["start"] == "2005" and event["end"] == "2007" and event["date_precision"] == "year"
    assert event["participants"] == [{"actor": "to-lam", "role": "visitor"}]
    assert event["claims"] == ["visit-2007"]


def test_export_gives_claims_status_conflicts_and_citations(small_kb):
    claims = {c["slug"]: c for c in export()["claims"]}
    assert claims["visit-2007"]["status"] == "contested"
    assert claims["visit-2007"]["conflicts_with"] == ["visit-2005"]
    assert claims["visit-2005"]["conflicts_with"] == ["visit-2007"]
    assert claims["visit-2005"]["claimant"] == "to-lam"
    assert claims["visit-2007"]["conflict_notes"] == {"visit-2005": "2007 vs around 2005–2006"}
    assert claims["visit-2005"]["conflict_notes"] == {"visit-2007": "2007 vs around 2005–2006"}
    assert claims["visit-2007"]["citations"] == [
        {
            "article": "wire-story",
            "quote": "The last visit was in 2007.",
            "stance": "supports",
            "speaker": None,
            "in": "body",
            "anchored": True,
        }
    ]
    assert claims["qualified"]["status"] == "single-source"
    assert claims["qualified"]["independent_origins"] == ["to-lam"]
    assert {"slug", "text", "kind", "status", "claimant", "subjects", "event", "conflicts_with", "citations"} <= set(
        claims["qualified"]
    )


def test_export_gives_a_quotes_speaker_and_whether_it_is_in_the_captions(small_kb):
    article = Article.objects.get(slug="wire-story")
    article.captions = "Children greet Lam at the airport."
    article.save()
    giang = make_actor("Nguyen Khac Giang", slug="giang")
    claim = make_claim(slug="greeted")
    cite(claim, article, "Children greet Lam", speaker=giang, location="captions")
    (exported,) = [c for c in export()["claims"] if c["slug"] == "greeted"]
    assert exported["citations"] == [
        {
            "article": "wire-story",
            "quote": "Children greet Lam",
            "stance": "supports",
            "speaker": "giang",
            "in": "captions",
            "anchored": True,
        }
    ]
    assert exported["independent_origins"] == ["giang"]


def test_export_gives_an_undated_article_no_precision(small_kb):
    make_article(slug="undated", published=None)
    articles = {a["slug"]: a for a in export()["articles"]}
    assert (articles["undated"]["published"], articles["undated"]["date_precision"]) == (None, None)


def test_export_keeps_editor_notes_for_editors(small_kb):
    Actor.objects.filter(slug="to-lam").update(editor_note="Name order checked.")
    Event.objects.update(editor_note="Dated as two sources give it.")
    document = export()
    assert {a["slug"]: a["editor_note"] for a in document["actors"]}["to-lam"] == "Name order checked."
    assert document["events"][0]["editor_note"] == "Dated as two sources give it."


def test_an_old_export_without_voices_or_notes_still_loads(small_kb, tmp_path):
    old = export()
    for article in old["articles"]:
        del article["editor_note"]
    old["articles"].append({**old["articles"][0], "slug": "undated", "published": None, "date_precision": "day"})
    for claim in old["claims"]:
        del claim["conflict_notes"], claim["independent_origins"]
        for citation in claim["citations"]:
            del citation["speaker"], citation["in"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    Claim.objects.all().delete()
    Article.objects.all().delete()
    call_command("load_kb", str(path), stdout=io.StringIO())
    undated = Article.objects.get(slug="undated")
    assert (undated.published, undated.date_precision) == (None, "")
    assert set(Citation.objects.values_list("location", flat=True)) == {"body"}
    assert not Citation.objects.filter(speaker__isnull=False).exists()
    assert Claim.objects.get(slug="visit-2007").status == "contested"


def test_export_runs_a_fixed_number_of_queries(small_kb, django_assert_num_queries):
    for _ in range(3):
        make_claim(citations=[(small_kb, "The last visit was in 2007.")], subjects=[make_actor()])
    # 1-2 actors, aliases; 3-5 articles (+publisher, wire), authors, article tags;
    # 6-9 events, participations (+actor), event claims, event tags;
    # 10-16 claims (+claimant, event), subjects, conflict links (+other claim), claim tags, citations,
    # their articles, their speakers.
    with django_assert_num_queries(16):
        export()


def test_export_then_load_into_an_empty_database_gives_the_same_knowledge_base(small_kb, tmp_path):
    before = export()
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(before), encoding="utf-8")
    Claim.objects.all().delete()
    Article.objects.all().delete()
    Event.objects.all().delete()
    Actor.objects.all().delete()
    call_command("load_kb", str(path), stdout=io.StringIO())
    assert export() == before
    assert Citation.objects.filter(anchored=True).count() == 4


def write(document, tmp_path, name="kb.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def empty_the_database():
    Claim.objects.all().delete()
    Article.objects.all().delete()
    Event.objects.all().delete()
    Actor.objects.all().delete()
    LoadRecord.objects.all().delete()


def test_export_marks_a_lost_quote_as_not_anchored(small_kb):
    small_kb.body = "It was around 2005-2006, says another."
    small_kb.save()
    claims = {c["slug"]: c for c in export()["claims"]}
    assert claims["visit-2007"]["citations"] == [
        {
            "article": "wire-story",
            "quote": "The last visit was in 2007.",
            "stance": "supports",
            "speaker": None,
            "in": "body",
            "anchored": False,
        }
    ]


UNICODE_BODY = (
    "조선민주주의인민공화국 — Triều Tiên đón Tổng Bí thư Tô Lâm.\n\n"
    "“Quan hệ hữu nghị truyền thống,” ông nói. Ça va ? Ελλάδα. 🇻🇳🤝🇰🇵\n\n"
    "A sentence an editor will remove.\n"
)


@pytest.fixture
def unicode_kb():
    """A knowledge base with Unicode everywhere, lost quotes, and objects deleted and re-created."""
    # Stored through the ORM, not the admin: spaces and CRLF line ends the admin would not leave.
    lam = make_actor(
        "Tô Lâm", slug="to-lam", aliases=["To Lam", "토 럼"], description=" Tổng Bí thư ", editor_note="Kiểm tra 🇻🇳"
    )
    dprk = make_actor("조선민주주의인민공화국", slug="dprk", kind=Actor.Kind.STATE, aliases=["Triều Tiên", "北朝鮮"])
    article = make_article(
        UNICODE_BODY,
        slug="nhan-dan",
        title="Tô Lâm tại Bình Nhưỡng — 평양",
        authors=[lam],
        tags=["조선", "Triều Tiên", "ngoại giao"],
        captions="Ảnh: TTXVN — 평양\n",
        date_note="Ngày đăng: không rõ",
        editor_note="Ghi chú: 조선",
    )
    # An article deleted and made again under the same slug (a new primary key).
    make_article("Gone.", slug="re-made", title="First version").delete()
    again = make_article("Made again: Hà Nội – Bình Nhưỡng.", slug="re-made", title="Second version", tags=["조선"])
    event = make_event(
        "Chuyến thăm cấp Nhà nước",
        slug="tham",
        participants=[(lam, "khách — visitor"), (dprk, "chủ nhà")],
        tags=["Triều Tiên"],
        description="Ba ngày, 9–11/10/2025.",
        end=datetime.date(2025, 10, 11),
    )
    kept = make_claim(
        "Tô Lâm thăm Triều Tiên.\r\nHai dòng.",
        slug="tham-trieu-tien",
        event=event,
        claimant=lam,
        subjects=[dprk, lam],
        tags=["조선"],
        citations=[
            (article, "Triều Tiên đón Tổng Bí thư Tô Lâm."),
            (article, "A sentence an editor will remove.", Stance.QUALIFIES),
            (again, "Hà Nội – Bình Nhưỡng."),
        ],
    )
    # A claim deleted and made again, and a citation deleted and made again.
    make_claim("Old.", slug="rival").delete()
    rival = make_claim("“Quan hệ hữu nghị”", slug="rival", citations=[(article, "Ça va ? Ελλάδα. 🇻🇳🤝🇰🇵")])
    rival.citations.get().delete()
    make_claim("Placeholder", citations=[])  # keeps primary keys out of step with the slugs
    rival.citations.create(article=article, quote="Ça va ? Ελλάδα. 🇻🇳🤝🇰🇵", stance=Stance.DISPUTES)
    kept.conflicts_with.add(rival, through_defaults={"note": "Hữu nghị ↔ 조선"})
    # A quote from the captions, spoken by someone.
    cite(rival, article, "Ảnh: TTXVN — 평양", speaker=dprk, location="captions")
    # An editor removes a quoted sentence: the citation is kept, flagged.
    article.body = UNICODE_BODY.replace("A sentence an editor will remove.\n", "")
    article.save()
    # A participant removed and added again.
    event.participations.get(role="chủ nhà").delete()
    event.participations.create(actor=dprk, role="chủ nhà")
    return article


def test_a_knowledge_base_with_lost_quotes_and_unicode_round_trips_exactly(unicode_kb, tmp_path):
    assert Citation.objects.lost().count() == 1
    first = export()
    lost = [c for claim in first["claims"] for c in claim["citations"] if not c["anchored"]]
    assert lost == [
        {
            "article": "nhan-dan",
            "quote": "A sentence an editor will remove.",
            "stance": "qualifies",
            "speaker": None,
            "in": "body",
            "anchored": False,
        }
    ]
    path = write(first, tmp_path)
    empty_the_database()
    out = io.StringIO()
    call_command("load_kb", path, stdout=out)
    assert "Created: 2 actors, 2 articles, 1 event, 3 claims." in out.getvalue()
    second = export()
    assert second == first
    assert json.dumps(second, ensure_ascii=False) == json.dumps(first, ensure_ascii=False)
    assert Citation.objects.lost().get().quote == "A sentence an editor will remove."
    # Loading the backup again changes nothing.
    out = io.StringIO()
    call_command("load_kb", path, "--update", "--apply", stdout=out)
    assert "Nothing to change" in out.getvalue()


def test_export_kb_writes_what_load_kb_reads_byte_for_byte(unicode_kb, tmp_path):
    out = io.StringIO()
    call_command("export_kb", stdout=out)
    path = tmp_path / "backup.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    empty_the_database()
    call_command("load_kb", str(path), stdout=io.StringIO())
    again = io.StringIO()
    call_command("export_kb", stdout=again)
    assert again.getvalue() == out.getvalue()


def test_export_as_curated_files_builds_back_into_the_same_knowledge_base(unicode_kb, tmp_path):
    from articles.curation import build_document

    first = export()
    curated = tmp_path / "curated"
    (curated / "articles").mkdir(parents=True)
    (curated / "articles" / "009_deleted-long-ago.yaml").write_text("slug: deleted-long-ago\n", encoding="utf-8")
    out = io.StringIO()
    call_command("export_kb", "--curated", str(curated), stdout=out)
    assert f"Wrote 5 files under {curated}." in out.getvalue()
    assert sorted(p.name for p in (curated / "articles").iterdir()) == ["000_nhan-dan.yaml", "001_re-made.yaml"]
    claims = (curated / "claims.yaml").read_text(encoding="utf-8")
    assert "quote: A sentence an editor will remove.\n    stance: qualifies\n    anchored: false" in claims
    assert "tags: [조선]" in claims
    empty_the_database()
    call_command("load_kb", write(build_document(curated), tmp_path), stdout=io.StringIO())
    assert export() == first


def test_the_shipped_knowledge_base_written_as_curated_files_builds_back_the_same(tmp_path):
    from articles.curation import build_document

    call_command("load_kb", stdout=io.StringIO())
    first = export()
    call_command("export_kb", "--curated", str(tmp_path / "curated"), stdout=io.StringIO())
    names = sorted(p.name for p in (tmp_path / "curated" / "articles").iterdir())
    assert names[1] == "001_bloomberg-rare-visit.yaml"
    empty_the_database()
    call_command("load_kb", write(build_document(tmp_path / "curated"), tmp_path), stdout=io.StringIO())
    assert export() == first


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda doc: doc["claims"][0]["citations"][0].update({"in": "footer"}),
            "citations[0].in: Value 'footer' is not a valid choice.",
        ),
        (
            lambda doc: doc["claims"][0]["citations"][0].update({"speaker": "nobody"}),
            "no actor with slug “nobody”",
        ),
        (
            lambda doc: doc["claims"][0]["citations"][0].update({"in": "captions"}),
            "does not occur word for word in the photo captions of “Rare visit”",
        ),
        (
            lambda doc: doc["claims"][0]["conflict_notes"].update({"visit-2007": "x" * 301}),
            "Ensure this value has at most 300 characters",
        ),
        (
            lambda doc: doc["claims"][0]["conflict_notes"].update({"visit-2007": "a different note"}),
            "the other claim gives this link another note",
        ),
        (
            lambda doc: doc["claims"][0].update({"conflict_notes": ["not", "a", "mapping"]}),
            "conflict_notes: expected an object mapping claim slugs to notes, got a list.",
        ),
    ],
)
def test_a_bad_voice_or_note_is_refused_clearly_and_nothing_is_loaded(small_kb, tmp_path, change, problem):
    document = export()
    document["claims"].sort(key=lambda claim: claim["slug"] != "visit-2005")  # visit-2005 first
    change(document)
    Claim.objects.all().delete()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_kb", str(path), stdout=io.StringIO())
    assert problem in str(refused.value)
    assert not Claim.objects.exists()
