"""The data model's rules: constraints, alias lookup, protected evidence. Claim statuses: test_status.py."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import ProtectedError

from articles import integrity
from articles.models import Actor, ActorAlias, ActorNameKey, Article, Citation, Stance, by_stance
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


def test_the_database_refuses_a_second_actor_answering_to_one_name_in_any_spelling():
    # Actor.clean's check reads before the save writes: two saves at once both passed
    # it. The database now holds each folded name once (test_edit_conflicts replays the race).
    lam = make_actor("To Lam", aliases=["General Secretary Lam"])
    kim = make_actor("Kim Jong Un")
    refusals = [
        (lambda: Actor.objects.create(slug="second-lam", name="Tô Lâm", kind="person"), "the name of To Lam"),
        (lambda: ActorAlias.objects.create(actor=kim, name="TO-LAM"), "the name of To Lam"),
        (lambda: ActorAlias.objects.create(actor=kim, name="General Secretary Lâm"), "an alias of To Lam"),
    ]
    for save, whose in refusals:
        with pytest.raises(IntegrityError, match=f"is already {whose}"):
            save()
    kim.name = "tô lâm’s"
    with pytest.raises(IntegrityError, match="“tô lâm’s” is already the name of To Lam."):
        kim.save()
    assert list(Actor.objects.order_by("pk").values_list("name", flat=True)) == ["To Lam", "Kim Jong Un"]
    assert list(ActorAlias.objects.values_list("name", flat=True)) == ["General Secretary Lam"]
    # An actor's own aliases may spell its name again ("Kim Jong-un" for Kim Jong Un).
    ActorAlias.objects.create(actor=lam, name="Tô Lâm")


def test_a_name_an_actor_no_longer_answers_to_is_free_for_another():
    lam = make_actor("To Lam", aliases=["Lam"])
    lam.name = "Tô Lâm (General Secretary)"
    lam.save()
    lam.aliases.get().delete()
    make_actor("To Lam", aliases=["Lam"])
    make_actor("Kim Jong Un", aliases=["Kim"]).delete()
    ActorAlias.objects.filter(name="Lam").delete()
    make_actor("Kim Jong-un", aliases=["Kim", "Lam"])


def test_the_migration_stores_every_actors_names_and_lists_those_two_actors_share(capsys):
    migration = importlib.import_module("articles.migrations.0023_actor_name_keys")
    make_actor("To Lam", aliases=["Tô Lâm", "General Secretary Lam"], slug="to-lam")
    make_actor("Kim Jong Un", aliases=["Kim Jong-un"], slug="kim")
    # Saved as two actors before the database refused it (bulk_create stores no keys).
    Actor.objects.bulk_create([Actor(slug="second-lam", name="TÔ LÂM’s", kind="person")])
    ActorNameKey.objects.all().delete()

    now = MigrationLoader(connection).project_state().apps
    migration.store_keys(now, SimpleNamespace(connection=connection))

    assert set(ActorNameKey.objects.values_list("actor__slug", "key")) == {
        ("kim", "kim jong un"),
        ("to-lam", "general secretary lam"),
        ("to-lam", "to lam"),
    }
    assert "1 name(s) shared by two actors" in capsys.readouterr().out
    assert integrity.stored_name_keys_are_fresh() == [
        "Actor “second-lam” answers to “TÔ LÂM’s”, as “to-lam” does: "
        "keep it as the name or an alias of one of them only."
    ]


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
