"""The data model's rules: constraints, alias lookup, protected evidence. Claim statuses: test_status.py."""

import datetime

import pytest
from django.db import IntegrityError
from django.db.models import ProtectedError

from articles.models import Actor, ActorAlias, Article, Citation, Stance, by_stance
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


def test_an_events_sources_are_the_citations_of_its_claims():
    event = make_event()
    first, second = make_article(BODY), make_article(BODY, wire=make_actor(kind="outlet"))
    make_claim(event=event, citations=[(first, "Lam visited Pyongyang.")])
    make_claim(event=event, citations=[(second, "Lam visited Pyongyang."), (first, "Trade is small.")])
    assert {c.article for c in event.citations()} == {first, second}
    event.refresh_from_db()
    assert (event.source_count, event.claim_count) == (2, 2)


def test_article_dates_show_their_precision():
    article = make_article(published=datetime.date(2025, 10, 1), date_precision="month")
    assert article.date_display == "October 2025"
    assert Article(published=None).date_display == "Undated"


def test_a_citation_links_to_its_quote_and_a_lost_one_to_its_article():
    article = make_article("Lam arrived in Pyongyang. Kim met him.", slug="arrival")
    citation = cite(make_claim(), article, "Kim met him.")
    assert citation.url == f"/articles/arrival/#cite-{citation.pk}"
    article.body = "Lam arrived in Pyongyang."
    article.save()
    citation.refresh_from_db()
    assert citation.url == "/articles/arrival/"


def test_citations_by_stance_come_in_reading_order_with_every_stance_present():
    supports, qualifies = Citation(stance=Stance.SUPPORTS), Citation(stance=Stance.QUALIFIES)
    groups = by_stance([qualifies, supports])
    assert list(groups) == [Stance.SUPPORTS, Stance.DISPUTES, Stance.QUALIFIES]
    assert groups == {Stance.SUPPORTS: [supports], Stance.DISPUTES: [], Stance.QUALIFIES: [qualifies]}


def test_newest_first_is_one_order_in_sql_in_the_articles_list_and_in_memory():
    # Undated last; the same date by title. The default ordering, the list's keyset order and the key for
    # articles already in memory are written three ways (an index, page seeks, sorted()) but are one order.
    from articles.listing import ARTICLE_ORDERINGS

    undated = make_article(title="Undated", published=None, date_precision="")
    older = make_article(title="Older", published=datetime.date(2019, 2, 27), date_precision="day")
    second = make_article(title="B same day", published=datetime.date(2025, 10, 9), date_precision="day")
    first = make_article(title="A same day", published=datetime.date(2025, 10, 9), date_precision="day")
    expected = [first, second, older, undated]
    assert list(Article.objects.all()) == expected
    assert list(Article.objects.order_by("pk").newest_first()) == expected
    assert list(Article.objects.order_by(*ARTICLE_ORDERINGS[0].order_by())) == expected
    assert sorted([undated, older, second, first], key=Article.newest_first_key) == expected
