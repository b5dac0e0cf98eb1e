"""Claim pages of the shipped knowledge base, read as a fact-checker would: who really stands behind each claim."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shipped_kb")]


def page(client, slug):
    response = client.get(f"/claims/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_tuoi_tres_mediator_sentence_is_khangs_interview_not_a_voice_of_its_own(client):
    # 000 says Khang "made the remarks in a recent interview"; the mediator sentence sits between
    # "Khang said" and "Khang added", so it is his paraphrased remark, and his own 004 commentary
    # is the same voice again.
    mediator = page(client, "vietnam-potential-mediator")
    assert "Corroborated by 3 independent sources" in mediator
    assert "<li>Vu Xuan Khang (author of one article, quoted in another) — one voice.</li>" in mediator
    tuoi_tre = "Vu Xuan Khang and Carl Thayer on To Lam&#x27;s state visit to North Korea”"
    assert f"{tuoi_tre} (the article itself)" not in mediator


def test_tuoi_tres_host_of_the_summit_clause_is_also_khangs_paraphrase(client):
    summit = page(client, "kim-visited-hanoi-2019-summit")
    assert "Corroborated by 3 independent sources" in summit
    assert "<li>Vu Xuan Khang (author of one article, quoted in another) — one voice.</li>" in summit
