"""`manage.py check_kb`: exits non-zero and lists every failure."""

import io

import pytest
from django.core.management import call_command

from articles.models import ActorAlias, ActorNameKey, Stance
from tests.factories import cite, make_actor, make_article, make_claim, make_event

pytestmark = pytest.mark.django_db


def run_check():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_kb", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue() + err.getvalue()


def test_a_sound_knowledge_base_passes():
    lam = make_actor("To Lam")
    event = make_event(participants=[(lam, "visitor")])
    make_claim(event=event, subjects=[lam], citations=[(make_article("Lam went."), "Lam went.")])
    code, output = run_check()
    assert code == 0
    assert "The knowledge base checks out." in output


def test_every_failure_is_listed_and_the_command_fails():
    make_actor("Nobody Cites Me", slug="orphan")
    make_event(slug="unattested")
    article = make_article("Keep. Lose this.", slug="edited")
    cite(make_claim(slug="lost-quote"), article, "Lose this.")
    make_claim(slug="only-qualified", citations=[(article, "Keep.", Stance.QUALIFIES)])
    article.body = "Keep."
    article.save()
    article.reanchor_citations()

    code, output = run_check()
    assert code == 1
    assert "Claim “lost-quote”: quote not found in “edited”: “Lose this.”" in output
    assert "Claim “only-qualified” has no supporting citation." in output
    assert "Actor “orphan” is not referenced by any article, event, claim or quote." in output
    assert "Event “unattested” is not attested by any claim." in output
    assert "problem(s) found." in output


def test_an_article_body_that_strays_from_its_seed_fails(settings, tmp_path, monkeypatch):
    seed = tmp_path / "000_seed.txt"
    seed.write_text("Advertisement\nThe real first line.\nThe real second line.\n", encoding="utf-8")
    monkeypatch.setattr("articles.integrity.SOURCES_DIR", tmp_path)
    make_article("The real first line.\n\nAn invented line.", slug="strayed", source_file="000_seed.txt")
    code, output = run_check()
    assert code == 1
    assert "Article “strayed”, body line 3 is not in 000_seed.txt: “An invented line.”" in output
    assert "body line 1" not in output


def test_a_missing_seed_file_is_reported():
    make_article("Text.", slug="no-seed", source_file="999_missing.txt")
    code, output = run_check()
    assert "Article “no-seed”: seed file 999_missing.txt cannot be read." in output


def test_a_claim_resting_on_one_speakers_words_must_name_them_as_claimant():
    khang = make_actor("Vu Xuan Khang", slug="khang")
    article = make_article("Khang said the visit matters.", authors=[make_actor()])
    claim = make_claim(slug="visit-matters")
    cite(claim, article, "the visit matters", speaker=khang)
    code, output = run_check()
    assert code == 1
    assert "Claim “visit-matters”: every supporting quote is khang’s words, but its claimant is nobody." in output
    claim.claimant = khang
    claim.save()
    assert "visit-matters" not in run_check()[1]


def test_a_claim_resting_on_several_speakers_words_must_have_a_claimant():
    article = make_article("A said yes. B said yes too.")
    claim = make_claim(slug="yes")
    cite(claim, article, "A said yes.", speaker=make_actor(slug="a"))
    cite(claim, article, "B said yes too.", speaker=make_actor(slug="b"))
    output = run_check()[1]
    assert "Claim “yes”: every supporting quote carries a speaker (a, b), but it has no claimant." in output


def test_a_claim_with_a_quote_in_the_articles_own_voice_needs_no_claimant():
    article = make_article("A said yes. It is yes.")
    claim = make_claim(slug="yes")
    cite(claim, article, "A said yes.", speaker=make_actor(slug="a"))
    cite(claim, article, "It is yes.")
    assert "Claim “yes”" not in run_check()[1]


def test_a_competing_claim_link_without_a_note_fails():
    article = make_article("In 2007. Around 2005.")
    first = make_claim(slug="in-2007", citations=[(article, "In 2007.")])
    second = make_claim(slug="around-2005", citations=[(article, "Around 2005.")])
    first.conflicts_with.add(second)
    output = run_check()[1]
    assert "Claims “around-2005” and “in-2007” compete, but their link has no note for readers." in output
    first.conflict_links.update(note="2007 vs around 2005")
    second.conflict_links.update(note="2007 vs around 2005")
    assert "compete" not in run_check()[1]


def test_a_stale_stored_status_fails():
    from articles.models import Claim

    make_claim(slug="stale", citations=[(make_article("Lam went."), "Lam went.")])
    Claim.objects.filter(slug="stale").update(status="corroborated", origin_count=2)
    code, output = run_check()
    assert code == 1
    assert "Claim “stale”: stored status corroborated" in output
    assert "but its citations give single-source" in output


def test_a_stale_stored_event_count_fails():
    from articles.models import Event

    event = make_event(slug="stale-event")
    make_claim(event=event, citations=[(make_article("Lam went."), "Lam went.")])
    Event.objects.filter(slug="stale-event").update(source_count=5, contested=True)
    code, output = run_check()
    assert code == 1
    assert (
        "Event “stale-event”: stored 5 source(s), 1 claim(s), contested True, but its claims give 1, 1, False."
        in output
    )


def test_the_database_refuses_a_date_precision_without_a_date():
    from articles.models import Article

    make_article(slug="undated", published=None)
    assert Article.objects.get(slug="undated").date_precision == ""
    # The database refuses it, so only a database without the constraint could hold one.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(slug="undated").update(date_precision="day")
    assert "Article “undated” has no date" not in run_check()[1]


def test_a_quote_from_the_captions_is_checked_against_the_captions():
    article = make_article("Body text.", captions="Children greet Lam at the airport.", slug="captioned")
    claim = make_claim(slug="greeted")
    cite(claim, article, "Children greet Lam", location="captions")
    assert "greeted" not in run_check()[1]
    article.captions = "Lam waves."
    article.save()
    assert "Claim “greeted”: quote not found in the captions of “captioned”: “Children greet Lam”" in run_check()[1]


def test_a_claim_keeps_its_events_date_to_sort_by_and_a_stale_copy_fails_until_refreshed():
    import datetime

    from articles.models import Claim

    event = make_event(slug="visit", start=datetime.date(2025, 10, 9))
    claim = make_claim(slug="dated", event=event, citations=[(make_article("Lam went."), "Lam went.")])
    assert Claim.objects.get(slug="dated").event_start == datetime.date(2025, 10, 9)
    event.start = datetime.date(2025, 10, 10)
    event.save()
    assert Claim.objects.get(slug="dated").event_start == datetime.date(2025, 10, 10)
    claim.event = None
    claim.save()
    assert Claim.objects.get(slug="dated").event_start is None

    Claim.objects.filter(slug="dated").update(event=event, event_start=datetime.date(1999, 1, 1))
    code, output = run_check()
    assert code == 1
    assert "Claim “dated”: stored event date 1999-01-01, but its event starts 2025-10-10." in output
    call_command("refresh_status", stdout=io.StringIO())
    assert Claim.objects.get(slug="dated").event_start == datetime.date(2025, 10, 10)
    assert run_check()[0] == 0


def test_a_stale_stored_quote_context_fails_until_refreshed():
    from articles.models import Citation

    make_claim(slug="stale-context", citations=[(make_article("Before. Lam went. After."), "Lam went.")])
    Citation.objects.filter(claim__slug="stale-context").update(context_before="Something else. ")
    code, output = run_check()
    assert code == 1
    assert "Claim “stale-context”: the stored context of its quote from “article-" in output
    assert "Run manage.py refresh_quote_context." in output
    call_command("refresh_quote_context", stdout=io.StringIO())
    assert "stale-context" not in run_check()[1]


def test_an_actors_name_not_stored_as_its_key_fails():
    # The keys keep two actors from answering to one name; a write around the
    # models (a script's bulk insert, raw SQL) stores none, and lets a clash in.
    lam = make_actor("To Lam", slug="to-lam")
    kim = make_actor("Kim Jong Un", slug="kim")
    ActorNameKey.objects.filter(actor=kim).delete()
    ActorAlias.objects.bulk_create([ActorAlias(actor=kim, name="Tô Lâm")])
    ActorNameKey.objects.create(actor=lam, key="lam the elder")
    code, output = run_check()
    assert code == 1
    assert "Actor “kim”: the key of “Kim Jong Un” is not stored. Save the actor again." in output
    assert (
        "Actor “kim” answers to “Tô Lâm”, as “to-lam” does: keep it as the name or an alias of one of them only."
        in output
    )
    assert "Actor “to-lam” holds the key “lam the elder”, which none of its names has." in output


def test_a_bidi_control_stored_before_forms_refused_them_is_listed_with_where_it_is():
    # Saved by a script or before the forms and the import refused them: the actor's page shows "TO LAM".
    make_actor("\u202eMAL OT", slug="spoof", aliases=["Mal \u2066Ot\u2069"])
    make_article("Lam went.\nHe said \u202bsomething.", slug="pasted")
    make_claim("Lam met Kim.", slug="met", tags=["\u202evisit"])
    code, output = run_check()
    assert code == 1
    assert (
        "Actor “spoof”, name: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 1: an invisible control "
        "character that makes readers see the text in another order than it is stored." in output
    )
    alias = ActorAlias.objects.get()
    assert (
        f"Actor alias #{alias.pk} (“Mal Ot”), name: contains U+2066 LEFT-TO-RIGHT ISOLATE at character 5 "
        "and U+2069 POP DIRECTIONAL ISOLATE at character 8: invisible control characters" in output
    )
    assert "Article “pasted”, body: contains U+202B RIGHT-TO-LEFT EMBEDDING at line 2, character 9" in output
    assert "Tag “visit”, name: contains U+202E RIGHT-TO-LEFT OVERRIDE at character 1" in output
    assert "Claim “met”," not in output
