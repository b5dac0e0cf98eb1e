"""`manage.py export_kb`: the documented JSON shape, and a faithful round trip."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Actor, Article, Citation, Claim, Event, Stance
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
    assert {"articles", "actors", "events", "claims"} <= set(export())


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
    # 6-10 events, participations, their actors, event claims, event tags;
    # 11-17 claims (+claimant, event), subjects, conflict links (+other claim), claim tags, citations,
    # their articles, their speakers.
    with django_assert_num_queries(17):
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


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda doc: doc["claims"][0]["citations"][0].update({"in": "footer"}),
            "citation of “wire-story”: “in” must be “body” or “captions”, not 'footer'.",
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
            "has two different notes",
        ),
        (
            lambda doc: doc["claims"][0].update({"conflict_notes": ["not", "a", "mapping"]}),
            "conflict_notes must map a claim slug to a note",
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


def test_an_export_with_a_lost_quote_loads_into_an_empty_database_with_the_quote_still_flagged(
    small_kb, tmp_path, client
):
    small_kb.body = small_kb.body.replace("The last visit was in 2007.", "The last visit was long ago.")
    small_kb.save()
    before = export()
    (lost,) = [c for c in before["claims"] if c["slug"] == "visit-2007"][0]["citations"]
    assert lost["lost"] is True
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(before), encoding="utf-8")
    Claim.objects.all().delete()
    Article.objects.all().delete()
    Event.objects.all().delete()
    Actor.objects.all().delete()
    out = io.StringIO()
    call_command("load_kb", str(path), stdout=out)
    assert "citations created" in out.getvalue()
    assert export() == before
    page = client.get("/claims/visit-2007/").content.decode()
    assert "Needs review (1)" in page
    assert "The last visit was in 2007." in page


def test_lost_must_be_true_or_false(small_kb, tmp_path):
    doc = export()
    doc["claims"][0]["citations"][0]["lost"] = "yes"
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CommandError, match="“lost” must be true or false, not 'yes'."):
        call_command("load_kb", str(path), stdout=io.StringIO())
