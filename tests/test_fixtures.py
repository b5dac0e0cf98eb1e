"""The shipped fixtures: sound by every check, and faithful to the source texts on key facts."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils.html import escape

from articles.curation import FIXTURE_PATH, build_document
from articles.integrity import CHECKS
from articles.management.commands.build_fixtures import render_fixture
from articles.models import Actor, Article, Citation, Claim, ClaimConflict, ClaimStatus, Event, Location, Stance
from tests.factories import cite, make_actor, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shipped_kb")]


@pytest.mark.parametrize("description", list(CHECKS))
def test_the_shipped_knowledge_base_passes_the_check_that(description):
    assert CHECKS[description]() == []


def test_kb_json_is_built_from_the_curated_yaml():
    assert FIXTURE_PATH.read_text(encoding="utf-8") == render_fixture(build_document())


def test_loading_the_fixtures_again_changes_nothing():
    out = io.StringIO()
    call_command("load_kb", stdout=out)
    assert "Nothing to change" in out.getvalue()


def test_all_five_source_texts_are_articles():
    assert sorted(Article.objects.values_list("source_file", flat=True)) == [
        "000_e5f2b9aae9f1877d.txt",
        "001_f3c543d1923212f3.txt",
        "002_055f9d1d4cd9ecf2.txt",
        "003_8b3631fdfd66a28d.txt",
        "004_fa52f1bcee18668e.txt",
    ]


def test_there_are_at_least_sixty_claims_each_with_a_citation():
    assert Claim.objects.count() >= 60
    assert not Claim.objects.filter(citations__isnull=True).exists()


def test_page_furniture_is_not_in_any_body():
    bodies = "\n".join(Article.objects.values_list("body", flat=True))
    for furniture in [
        "Advertisement",
        "Max: 1500 characters",
        "Next In Aseanplus",
        "WhatsApp",
        "listen to articles",
        "Photo: Vietnam News Agency",
        "Skip to main content",
        "Typhoon Uwan",
    ]:
        assert furniture not in bodies


def test_no_article_names_a_publisher_the_text_does_not_state():
    assert not Article.objects.filter(publisher__isnull=False).exists()
    assert Article.objects.get(source_file__startswith="001").wire.name == "Bloomberg"


def test_the_visit_runs_from_the_9th_to_the_11th_of_october_2025_at_day_precision():
    visit = Event.objects.get(slug="to-lam-state-visit-north-korea-2025")
    assert (visit.start.isoformat(), visit.end.isoformat(), visit.date_precision) == ("2025-10-09", "2025-10-11", "day")
    assert visit.date_display == "9–11 October 2025"


def test_the_year_of_the_previous_visit_is_shown_as_a_disagreement():
    in_2007 = Claim.objects.get(slug="previous-party-chief-visit-2007")
    around_2005 = Claim.objects.get(slug="previous-party-chief-visit-2005-2006")
    assert list(in_2007.conflicts_with.all()) == [around_2005]
    assert in_2007.status == around_2005.status == ClaimStatus.CONTESTED
    assert {c.article.source_file[:3] for c in in_2007.citations.all()} == {"001", "004"}
    assert {c.article.source_file[:3] for c in around_2005.citations.all()} == {"002"}
    # Dated as the two agreeing sources give it; the third source's date stays a competing claim.
    previous = Event.objects.get(slug="previous-party-chief-visit")
    assert (previous.date_display, previous.date_approximate) == ("2007", False)


@pytest.mark.parametrize(
    "variants",
    [
        ["Vu Xuan Khang", "Khang Vu", "Dr. Vu Xuan Khang"],
        ["Kim Jong Un", "Kim Jong-un"],
        ["Lee Jae Myung", "Lee Jae-myung"],
        ["Shigeru Ishiba", "Ishiba Shigeru"],
        ["Vietnam", "Hanoi"],
        ["North Korea", "Pyongyang"],
    ],
)
def test_name_variants_are_one_actor(variants):
    found = {actor.pk for name in variants for actor in Actor.objects.named(name)}
    assert len(found) == 1


def test_the_boston_college_scholar_is_source_and_author():
    khang = Actor.objects.named("Khang Vu").get()
    assert khang.authored_articles.get().source_file.startswith("004")
    assert khang.claims_made.filter(citations__article__source_file__startswith="000").exists()


def test_a_statement_written_before_the_visit_is_a_prediction():
    claim = Claim.objects.get(citations__quote="Mr. Lam will join a military parade on October 10.")
    assert claim.kind == Claim.Kind.PREDICTION


def test_a_claim_backed_only_by_copies_of_one_wire_story_is_not_corroborated():
    claim = Claim.objects.get(slug="li-qiang-three-day-visit")
    bloomberg_story = Article.objects.get(slug="bloomberg-rare-visit")
    assert {c.article for c in claim.citations.all()} == {bloomberg_story}
    # Another outlet runs the same Bloomberg story: still one independent source.
    copy = make_article(
        bloomberg_story.body,
        wire=bloomberg_story.wire,
        authors=bloomberg_story.authors.all(),
        publisher=make_actor("Another Outlet", kind="outlet"),
    )
    cite(claim, copy, claim.citations.get().quote)
    claim.refresh_from_db()
    assert claim.origin_count == 1
    assert claim.status == ClaimStatus.SINGLE_SOURCE


def test_more_than_ten_disagreements_are_represented():
    contested = Claim.objects.contested().count()
    qualified = Claim.objects.filter(citations__stance="qualifies").distinct().count()
    assert contested + qualified > 10
    assert Claim.objects.filter(tags__name="disagreement").count() > 10


def test_the_export_of_the_shipped_knowledge_base_loads_back_identically(tmp_path):
    out = io.StringIO()
    call_command("export_kb", stdout=out)
    exported = json.loads(out.getvalue())
    assert len(exported["claims"]) == Claim.objects.count()
    path = tmp_path / "kb.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = io.StringIO()
    call_command("load_kb", str(path), stdout=result)
    assert "Nothing to change" in result.getvalue()


# --- The curated files keep the audit's rules (fixtures/curated/README.md) -------

CURATED = build_document()
ARTICLES = {article["slug"]: article for article in CURATED["articles"]}
CLAIMS = {claim["slug"]: claim for claim in CURATED["claims"]}
SEED = re.compile(r"\bseeds?\b", re.IGNORECASE)


def _reader_facing_strings(document):
    """(where, text) for every curated string a reader can see."""
    for article in document["articles"]:
        yield f"article {article['slug']} title", article["title"]
        yield f"article {article['slug']} date note", article.get("date_note") or ""
    for actor in document["actors"]:
        yield f"actor {actor['slug']} description", actor.get("description") or ""
    for event in document["events"]:
        yield f"event {event['slug']} title", event["title"]
        yield f"event {event['slug']} description", event.get("description") or ""
    for claim in document["claims"]:
        yield f"claim {claim['slug']}", claim["text"]
        for other, note in (claim.get("conflict_notes") or {}).items():
            yield f"note {claim['slug']} vs {other}", note


def test_no_reader_facing_text_in_the_curated_files_says_seed():
    assert [where for where, text in _reader_facing_strings(CURATED) if SEED.search(text)] == []


def test_the_seed_scan_would_catch_a_curation_note_left_in_a_description():
    leaky = {"articles": [], "actors": [{"slug": "x", "description": "Seeds 002 and 003 only say so."}]}
    leaky |= {"events": [], "claims": []}
    assert [where for where, text in _reader_facing_strings(leaky) if SEED.search(text)] == ["actor x description"]


@pytest.mark.parametrize("slug", sorted(CLAIMS))
def test_every_quote_occurs_exactly_once_in_the_text_it_quotes(slug):
    for citation in CLAIMS[slug]["citations"]:
        text = ARTICLES[citation["article"]][citation.get("in", "body")]
        assert text.count(citation["quote"]) == 1, citation["quote"]


def test_no_same_article_caveat_disputes_a_claim_that_article_supports():
    caveats_as_disputes = [
        slug
        for slug, claim in CLAIMS.items()
        if {c["article"] for c in claim["citations"] if c["stance"] == "disputes"}
        & {c["article"] for c in claim["citations"] if c["stance"] == "supports"}
    ]
    assert caveats_as_disputes == []


def test_what_was_written_before_the_anniversary_is_told_as_expected_not_as_done():
    actors = {actor["slug"]: actor["description"] for actor in CURATED["actors"]}
    assert "was expected to visit North Korea" in actors["laos"]
    assert "expected to lead a Russian delegation" in actors["dmitry-medvedev"]


# --- The shipped data, as the site counts and shows it ---------------------------


def _claim_page(client, slug):
    response = client.get(f"/claims/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_no_corroborated_claim_rests_on_fewer_than_two_distinct_origins():
    thin = []
    for claim in Claim.objects.corroborated():
        citations = Citation.objects.filter(claim=claim).with_voices()
        voices = {c.origin_label() for c in citations if c.stance == Stance.SUPPORTS and c.anchored}
        if len(voices) < 2:
            thin.append(claim.slug)
    assert Claim.objects.corroborated().exists()
    assert thin == []


def test_vu_xuan_khang_quoted_in_one_article_and_writing_another_counts_once():
    claim = Claim.objects.get(slug="kim-trump-possible-new-meeting")
    assert {c.article.source_file[:3] for c in claim.citations.all()} == {"000", "004"}
    assert (claim.origin_labels, claim.status, claim.claimant.slug) == (
        ["vu-xuan-khang"],
        ClaimStatus.SINGLE_SOURCE,
        "vu-xuan-khang",
    )


def test_the_paragraph_between_khang_said_and_khang_added_is_his_voice_not_the_articles(client):
    # 000 reports Khang's interview; the unattributed paragraph between his quote
    # and "Khang added" is his paraphrased view, so with his own commentary he is one voice.
    claim = Claim.objects.get(slug="vietnam-potential-mediator")
    paraphrase = claim.citations.get(quote__startswith="As a trusted partner of both sides")
    assert paraphrase.speaker.slug == "vu-xuan-khang"
    assert claim.origin_labels.count("vu-xuan-khang") == 1
    page = client.get(claim.get_absolute_url()).content.decode()
    assert (
        "Scholars Vu Xuan Khang and Carl Thayer on To Lam&#x27;s state visit to North Korea” (the article itself)"
        not in page
    )


def test_every_claim_citing_khang_counts_him_as_one_voice():
    khang = Q(speaker__slug="vu-xuan-khang") | Q(speaker__isnull=True, article__authors__slug="vu-xuan-khang")
    cited = Claim.objects.filter(pk__in=Citation.objects.filter(khang, stance=Stance.SUPPORTS).values("claim"))
    assert cited.count() > 20
    assert [c.slug for c in cited if c.origin_labels.count("vu-xuan-khang") != 1] == []
    assert [c.slug for c in cited if c.origin_count != len(set(c.origin_labels))] == []


def test_no_reader_facing_text_in_the_knowledge_base_says_seed():
    texts = [
        *Actor.objects.values_list("description", flat=True),
        *Event.objects.values_list("title", "description"),
        *Article.objects.values_list("title", "date_note"),
        *Claim.objects.values_list("text", flat=True),
        *ClaimConflict.objects.values_list("note", flat=True),
    ]
    flat = [t for item in texts for t in (item if isinstance(item, tuple) else (item,))]
    assert [t for t in flat if SEED.search(t)] == []


@pytest.mark.parametrize(
    "slug, article, fact",
    [
        ("children-greet-lam-on-arrival", "001", "being greeted by children upon his arrival in Pyongyang"),
        ("lam-presents-photo-book-to-kim", "000", "presents North Korean leader Kim Jong Un with a photo book"),
        ("lam-at-unga-79th-session", "004", "at the 79th session of the United Nations General Assembly"),
    ],
)
def test_a_fact_only_a_caption_states_is_a_claim_cited_from_the_caption(client, slug, article, fact):
    claim = Claim.objects.get(slug=slug)
    citation = claim.citations.get()
    assert (citation.location, citation.article.source_file[:3]) == (Location.CAPTIONS, article)
    assert (citation.anchored, claim.status) == (True, ClaimStatus.SINGLE_SOURCE)
    assert fact in citation.quote and citation.quote in citation.article.captions
    assert citation.quote not in citation.article.body
    assert claim.event is not None and claim.claimant == citation.speaker
    assert escape(citation.quote) in _claim_page(client, slug)


def test_article_002_gives_no_date_so_it_has_no_date_precision():
    undated = Article.objects.get(source_file__startswith="002")
    assert (undated.published, undated.date_precision) == (None, "")


def test_the_talks_outcome_is_not_contested_by_low_expectations():
    outcome = Claim.objects.get(slug="lam-kim-agree-to-elevate-relations")
    assert (outcome.status, outcome.conflicts_with.count()) == (ClaimStatus.SINGLE_SOURCE, 0)


def test_the_silence_framing_competes_with_the_documented_high_level_contacts():
    silence = Claim.objects.get(slug="two-decades-of-high-level-silence")
    assert set(silence.conflicts_with.values_list("slug", flat=True)) == {
        "kim-2019-sought-wider-cooperation",
        "high-level-exchanges-resumed-2024",
        "ties-strengthened-in-2000s",
    }
    assert silence.status == ClaimStatus.CONTESTED


def test_a_caveat_in_the_same_article_qualifies_and_leaves_the_claim_uncontested():
    mediator = Claim.objects.get(slug="vietnam-potential-mediator")
    futile = mediator.citations.get(quote__startswith="Without similar commitment from Pyongyang")
    assert futile.stance == Stance.QUALIFIES
    assert mediator.status == ClaimStatus.CORROBORATED


def test_premises_inside_two_speakers_opinions_stay_each_speakers_own_claim():
    frozen = Claim.objects.get(slug="inter-korean-dialogue-frozen")
    shunning = Claim.objects.get(slug="pyongyang-shuns-talks-with-seoul")
    assert (frozen.claimant.slug, frozen.origin_labels, frozen.status) == (
        "nguyen-khac-giang",
        ["nguyen-khac-giang"],
        ClaimStatus.SINGLE_SOURCE,
    )
    assert (shunning.origin_labels, shunning.status) == (["vu-xuan-khang"], ClaimStatus.SINGLE_SOURCE)
