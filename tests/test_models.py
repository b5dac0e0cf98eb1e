"""The data model's rules: constraints, alias lookup, protected evidence and derived status."""

import datetime

import pytest
from django.db import IntegrityError
from django.db.models import ProtectedError

from articles.models import Actor, ActorAlias, Article, Claim, ClaimStatus, Event, Stance
from tests.factories import cite, make_actor, make_article, make_claim, make_event

pytestmark = pytest.mark.django_db

BODY = "Lam visited Pyongyang. The last visit was in 2007. Trade is small."


def test_an_actor_is_found_by_any_of_its_aliases():
    kim = make_actor("Kim Jong Un", aliases=["Kim Jong-un", "Kim"])
    assert list(Actor.objects.named("kim jong-un")) == [kim]
    assert list(Actor.objects.named("Kim Jong Un")) == [kim]
    assert not Actor.objects.named("Kim Il Sung").exists()


def test_an_alias_belongs_to_one_actor_only():
    make_actor(aliases=["Hanoi"])
    with pytest.raises(IntegrityError):
        ActorAlias.objects.create(actor=make_actor(), name="hanoi")


def test_an_alias_may_not_be_another_actors_name():
    make_actor("Vietnam")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already the name of Vietnam"):
        ActorAlias(actor=make_actor(), name="vietnam").full_clean()


def test_slugs_are_unique():
    make_article(slug="same")
    with pytest.raises(IntegrityError):
        make_article(slug="same")


def test_an_event_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError):
        make_event(start=datetime.date(2025, 10, 11), end=datetime.date(2025, 10, 9))


def test_the_same_quote_cannot_be_cited_twice_for_one_claim():
    article, claim = make_article(BODY), make_claim()
    cite(claim, article, "Trade is small.")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already exists"):
        cite(claim, article, "Trade is small.")


def test_deleting_an_article_that_carries_citations_is_refused():
    article = make_article(BODY)
    make_claim(citations=[(article, "Trade is small.")])
    with pytest.raises(ProtectedError):
        article.delete()


def test_deleting_an_actor_who_published_an_article_is_refused():
    outlet = make_actor("Outlet", kind=Actor.Kind.OUTLET)
    make_article(publisher=outlet)
    with pytest.raises(ProtectedError):
        outlet.delete()


def status_of(claim):
    return Claim.objects.with_status().get(pk=claim.pk)


def test_a_claim_with_one_supporting_source_is_single_source():
    claim = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    assert status_of(claim).status == ClaimStatus.SINGLE_SOURCE
    assert status_of(claim).status_label == "Single source"


def test_two_independent_publishers_corroborate_a_claim():
    claim = make_claim(
        citations=[
            (make_article(BODY, publisher=make_actor(kind="outlet")), "Trade is small."),
            (make_article(BODY, publisher=make_actor(kind="outlet")), "Trade is small."),
            (make_article(BODY), "Trade is small."),
        ]
    )
    annotated = status_of(claim)
    assert annotated.status == ClaimStatus.CORROBORATED
    assert annotated.status_label == "Corroborated by 3 independent sources"


def test_copies_of_one_wire_story_count_once():
    bloomberg = make_actor("Bloomberg", kind=Actor.Kind.OUTLET)
    copies = [make_article(BODY, wire=bloomberg, publisher=make_actor(kind="outlet")) for _ in range(3)]
    claim = make_claim(citations=[(copy, "Trade is small.") for copy in copies])
    assert status_of(claim).status == ClaimStatus.SINGLE_SOURCE
    assert status_of(claim).independent_sources == 1


def test_a_wire_story_and_the_wire_services_own_article_count_once():
    bloomberg = make_actor("Bloomberg", kind=Actor.Kind.OUTLET)
    claim = make_claim(
        citations=[
            (make_article(BODY, wire=bloomberg), "Trade is small."),
            (make_article(BODY, publisher=bloomberg), "Trade is small."),
        ]
    )
    assert status_of(claim).independent_sources == 1


def test_a_disputing_citation_makes_a_claim_contested():
    claim = make_claim(
        citations=[
            (make_article(BODY), "The last visit was in 2007."),
            (make_article(BODY), "Lam visited Pyongyang.", Stance.DISPUTES),
        ]
    )
    assert status_of(claim).status == ClaimStatus.CONTESTED
    assert claim in Claim.objects.contested()


def test_competing_claims_are_both_contested():
    article = make_article(BODY)
    first = make_claim(citations=[(article, "The last visit was in 2007.")])
    second = make_claim(citations=[(article, "Lam visited Pyongyang.")])
    first.conflicts_with.add(second)
    assert set(Claim.objects.contested()) == {first, second}
    assert list(second.conflicts_with.all()) == [first]


def test_a_qualifying_citation_neither_supports_nor_contests():
    claim = make_claim(
        citations=[
            (make_article(BODY), "Trade is small."),
            (make_article(BODY), "Lam visited Pyongyang.", Stance.QUALIFIES),
        ]
    )
    assert status_of(claim).status == ClaimStatus.SINGLE_SOURCE


def test_a_claim_without_supporting_citations_is_unsupported():
    claim = make_claim(citations=[(make_article(BODY), "Trade is small.", Stance.QUALIFIES)])
    assert status_of(claim).status == ClaimStatus.UNSUPPORTED


def test_status_filters_partition_the_claims():
    article = make_article(BODY, publisher=make_actor(kind="outlet"))
    other = make_article(BODY, publisher=make_actor(kind="outlet"))
    single = make_claim(citations=[(article, "Trade is small.")])
    corroborated = make_claim(citations=[(article, "Trade is small."), (other, "Trade is small.")])
    contested = make_claim(citations=[(article, "Trade is small."), (other, "Trade is small.", Stance.DISPUTES)])
    assert list(Claim.objects.single_source()) == [single]
    assert list(Claim.objects.corroborated()) == [corroborated]
    assert list(Claim.objects.contested()) == [contested]


def test_an_events_sources_are_the_citations_of_its_claims():
    event = make_event()
    first, second = make_article(BODY), make_article(BODY, wire=make_actor(kind="outlet"))
    make_claim(event=event, citations=[(first, "Lam visited Pyongyang.")])
    make_claim(event=event, citations=[(second, "Lam visited Pyongyang."), (first, "Trade is small.")])
    assert {c.article for c in event.citations()} == {first, second}
    assert Event.objects.with_source_count().get(pk=event.pk).source_count == 2


def test_article_dates_show_their_precision():
    article = make_article(published=datetime.date(2025, 10, 1), date_precision="month")
    assert article.date_display == "October 2025"
    assert Article(published=None).date_display == "Undated"
