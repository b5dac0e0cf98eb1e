"""`manage.py check_kb`: exits non-zero and lists every failure."""

import io

import pytest
from django.core.management import call_command

from articles.models import Stance
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
    assert "Actor “orphan” is not referenced by any article, event or claim." in output
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
