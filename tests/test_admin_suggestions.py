"""Suggested citations in the admin's reading view: shown, accepted with a stance, dismissed for good."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from reversion.models import Version

from articles.caching import bump_content_version
from articles.models import Citation, Claim, ClaimStatus, DismissedSuggestion
from tests.factories import long_passage, make_article, make_claim, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shipped_kb")]

DISPUTING = "Some 200 North Korean personnel served with North Vietnam's air force in the conflict."
SUPPORTING = "Vietnam launched its Doi Moi reforms in 1986, which opened the country to trade and growth."
BODY = f"{DISPUTING}\n\n{SUPPORTING}\n\nPresident Lee met Nguyen Van Hung of the Hanoi Institute last week."


def read_url(article):
    return reverse("admin:articles_article_read", args=[article.pk])


def answer(client, action, article, claim, quote, **fields):
    url = reverse(f"admin:articles_article_{action}_suggestion", args=[article.pk])
    return client.post(url, {"claim": claim.pk, "quote": quote, "start": article.body.find(quote), **fields})


def offered(response):
    return {(suggestion.claim.slug, suggestion.quote) for suggestion in response.context["suggestions"].suggestions}


@pytest.fixture
def article():
    return make_article(BODY, title="Air war")


def test_the_reading_view_suggests_each_sentence_with_its_claim_stance_and_differences(editor_client, article):
    page = editor_client.get(read_url(article)).content.decode()
    assert "Suggested citations (2)" in page
    airmen = Claim.objects.get(slug="about-100-north-koreans-in-air-force")
    assert f'<blockquote class="suggestion-quote">{escape(DISPUTING)}</blockquote>' in page
    assert reverse("admin:articles_claim_change", args=[airmen.pk]) in page
    assert "count: “200 North Korean personnel” here, “100 North Korean personnel” in the claim" in page
    assert '<input type="radio" name="stance" value="disputes" checked>' in page
    assert '<input type="radio" name="stance" value="supports" checked>' in page


def test_unknown_names_are_offered_as_aliases_or_new_actors(editor_client, article):
    page = editor_client.get(read_url(article)).content.decode()
    lee = Claim.objects.get(slug="lee-took-office-june-2025").subjects.get(slug="lee-jae-myung")
    assert (
        f'href="{reverse("admin:articles_actor_change", args=[lee.pk])}">add it as an alias of Lee Jae Myung</a>'
        in page
    )
    assert f'href="{reverse("admin:articles_actor_add")}?name=Nguyen%20Van%20Hung">add it as a new actor</a>' in page


def test_accepting_cites_the_sentence_with_the_chosen_stance_and_refreshes_the_claim(editor_client, article):
    airmen = Claim.objects.get(slug="about-100-north-koreans-in-air-force")
    assert airmen.status != ClaimStatus.CONTESTED
    revisions = Version.objects.get_for_object(airmen).count()
    assert (airmen.slug, DISPUTING) in offered(editor_client.get(read_url(article)))
    response = answer(editor_client, "accept", article, airmen, DISPUTING, stance="disputes")
    assert response.status_code == 302
    assert response["Location"] == read_url(article) + "#suggestions"
    citation = Citation.objects.get(article=article, claim=airmen)
    assert (citation.quote, citation.stance, citation.anchored) == (DISPUTING, "disputes", True)
    airmen.refresh_from_db()
    assert airmen.status == ClaimStatus.CONTESTED
    assert Version.objects.get_for_object(airmen).count() > revisions
    assert Version.objects.get_for_object(airmen).first().revision.comment == (
        "Cited “Air war” from a suggested citation."
    )
    response = editor_client.get(response["Location"])
    page = response.content.decode()
    assert "Cited “Some 200 North Korean personnel" in page
    assert "(status now: Contested)" in page
    # Cited into its best claim, the sentence is not offered for weaker ones either.
    assert DISPUTING not in {quote for _, quote in offered(response)}


def test_the_editor_can_change_the_suggested_stance(editor_client, article):
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    answer(editor_client, "accept", article, reforms, SUPPORTING, stance="qualifies")
    assert Citation.objects.get(article=article, claim=reforms).stance == "qualifies"


def test_a_dismissed_suggestion_is_remembered_for_the_article(editor_client, article):
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    assert (reforms.slug, SUPPORTING) in offered(editor_client.get(read_url(article)))
    response = answer(editor_client, "dismiss", article, reforms, SUPPORTING)
    assert response.status_code == 302
    assert DismissedSuggestion.objects.filter(article=article, claim=reforms, quote=SUPPORTING).exists()
    assert (reforms.slug, SUPPORTING) not in offered(editor_client.get(read_url(article)))
    assert not Citation.objects.filter(article=article).exists()


def test_a_long_sentence_can_be_dismissed_and_accepted_on_postgresql_too(editor_client):
    # Found by hand on PostgreSQL: a sentence over the 2,704 bytes of a btree index entry could not be
    # stored, as a dismissal or as a citation (both were unique on the quote itself): a 503.
    sentence = long_passage(4_000)
    article = make_article(f"{sentence}\n\n{SUPPORTING}", title="Long")
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    assert answer(editor_client, "dismiss", article, reforms, sentence).status_code == 302
    assert DismissedSuggestion.objects.get(article=article, claim=reforms).quote == sentence
    assert answer(editor_client, "accept", article, reforms, sentence, stance="qualifies").status_code == 302
    assert Citation.objects.get(article=article, claim=reforms).quote == sentence


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"claim": "999999"}, "That claim no longer exists."),
        ({"quote": "A sentence the article never had."}, "That sentence is no longer in the article"),
        ({"stance": "maybe"}, "Choose whether the sentence supports, qualifies or disputes the claim."),
    ],
)
def test_a_bad_answer_is_refused_with_a_message(editor_client, article, fields, message):
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    data = {"claim": reforms.pk, "quote": SUPPORTING, "stance": "supports", **fields}
    response = editor_client.post(reverse("admin:articles_article_accept_suggestion", args=[article.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Citation.objects.filter(article=article).exists()


def test_accepting_twice_is_refused_rather_than_duplicated(editor_client, article):
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    answer(editor_client, "accept", article, reforms, SUPPORTING, stance="supports")
    response = answer(editor_client, "accept", article, reforms, SUPPORTING, stance="supports")
    assert response.status_code == 400
    assert Citation.objects.filter(article=article, claim=reforms).count() == 1


def test_two_editors_accepting_one_suggestion_at_once_give_the_second_a_message(editor_client, article, monkeypatch):
    # Found by hand against gunicorn: both accepts found the citation new, and the
    # second insert, refused by the database's unique constraint, was a 500.
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    assert answer(editor_client, "accept", article, reforms, SUPPORTING, stance="supports").status_code == 302
    # The second editor's check ran before the first citation was stored.
    monkeypatch.setattr(Citation, "validate_constraints", lambda self, *args, **kwargs: None)
    response = answer(editor_client, "accept", article, reforms, SUPPORTING, stance="disputes")
    assert response.status_code == 400
    assert (
        "This passage was cited for this claim a moment ago, perhaps by another editor or a second click."
        in response.content.decode()
    )
    assert list(Citation.objects.filter(article=article, claim=reforms).values_list("stance", flat=True)) == [
        "supports"
    ]


def test_answers_are_posted_only_and_need_the_right_to_cite(client, editor_client, article):
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    url = reverse("admin:articles_article_accept_suggestion", args=[article.pk])
    assert editor_client.get(url).status_code == 405
    client.force_login(make_user("dave", staff=True))
    assert answer(client, "accept", article, reforms, SUPPORTING, stance="supports").status_code == 403
    assert answer(client, "dismiss", article, reforms, SUPPORTING).status_code == 403


def reads_actor_names(client, url):
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return any("articles_actoralias" in query["sql"] for query in queries.captured_queries)


def test_suggestions_are_kept_until_the_knowledge_base_changes(editor_client, article):
    # Earlier tests kept a report for an article with this id and text (their rows were rolled back, not the cache).
    cache.clear()
    # The suggestion engine reads every actor's aliases; a kept report does not.
    assert reads_actor_names(editor_client, read_url(article))
    assert not reads_actor_names(editor_client, read_url(article))
    # Any write bumps the content version once its transaction commits (articles/caching.py); the test
    # transaction never commits, so bump it as that commit would.
    make_claim("North Korean pilots trained in Vietnam.")
    bump_content_version()
    assert reads_actor_names(editor_client, read_url(article))


def test_a_suggestion_accepted_with_a_position_outside_the_text_is_cited_where_the_sentence_is(editor_client, article):
    # Found by hand on PostgreSQL: a forged start past 2**31 - 1 was refused with "Ensure this value is
    # less than or equal to 2147483647.", about a field the editor never saw.
    reforms = Claim.objects.get(slug="doi-moi-began-1986")
    response = answer(editor_client, "accept", article, reforms, SUPPORTING, stance="supports", start="99999999999")
    assert response.status_code == 302
    assert Citation.objects.get(article=article, claim=reforms).start == BODY.index(SUPPORTING)
