"""`manage.py generate_kb`: synthetic data of realistic shape, every quote real, removable exactly."""

import io

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag, TaggedItem

from articles import integrity
from articles.models import Actor, ActorAlias, Article, Citation, Claim, Event, Participation
from tests.factories import cite, make_claim

pytestmark = pytest.mark.django_db

CLAIMS = 200  # tiny: the suite stays quick


def generate(claims=CLAIMS, seed=1, **options):
    call_command("generate_kb", claims=claims, seed=seed, stdout=io.StringIO(), **options)


def remove():
    out = io.StringIO()
    call_command("generate_kb", remove=True, stdout=out)
    return out.getvalue()


def table_counts():
    models = (Actor, ActorAlias, Article, Citation, Claim, Event, Participation, Tag, TaggedItem)
    return {model.__name__: model.objects.count() for model in models} | {
        "authors": Article.authors.through.objects.count(),
        "subjects": Claim.subjects.through.objects.count(),
        "conflicts": Claim.conflicts_with.through.objects.count(),
    }


def test_it_adds_rows_in_the_proportions_of_a_working_newsroom(shipped_kb):
    before = table_counts()
    generate()
    after = table_counts()
    added = {name: after[name] - before[name] for name in after}
    assert added["Claim"] == CLAIMS
    assert added["Citation"] == pytest.approx(2.5 * CLAIMS, abs=2)
    assert added["Article"] == CLAIMS // 10
    assert added["Actor"] == CLAIMS // 20
    assert added["Event"] == CLAIMS // 5
    assert added["Tag"] == 3  # never fewer than three, however small
    assert added["Participation"] >= added["Event"]
    assert added["subjects"] >= CLAIMS


def test_every_quote_is_the_passage_its_position_and_context_say(shipped_kb):
    generate()
    citations = Citation.objects.filter(claim__slug__startswith="gen--", anchored=True).select_related("article")
    assert citations.count() > 0
    for citation in citations:
        body = citation.article.body
        assert body[citation.start : citation.end] == citation.quote
        assert body[: citation.start].endswith(citation.prefix)
        assert body[citation.end :].startswith(citation.suffix)
        assert len(citation.prefix) == min(32, citation.start)
        # Anchoring from scratch finds the very same place.
        assert citation.anchor() is False


def test_a_quote_lost_to_an_edit_is_rare_flagged_and_really_gone_from_the_body(shipped_kb):
    generate(lost=0.05)
    lost = list(Citation.objects.filter(claim__slug__startswith="gen--", anchored=False).select_related("article"))
    assert 0 < len(lost) <= CLAIMS // 10  # at most one an article
    for citation in lost:
        assert citation.quote not in citation.article.body
        assert citation.start is None


def test_the_generated_knowledge_base_passes_every_check_but_lists_its_lost_quotes(shipped_kb):
    generate(lost=0.05)
    results = integrity.run_checks()
    lost = Citation.objects.filter(anchored=False).count()
    verbatim = results.pop("every quote is found verbatim in its article")
    assert 0 < len(verbatim) == lost
    # A lost quote is no longer in its article: that is what check_kb reports, and nothing else.
    assert all(": quote not found in “gen--" in problem for problem in verbatim)
    assert results == {description: [] for description in results}


def test_some_actors_tags_and_articles_are_far_more_popular_than_others(shipped_kb):
    generate(claims=600)
    per_actor = sorted(
        (Claim.subjects.through.objects.filter(actor=actor).count() for actor in Actor.objects.all()), reverse=True
    )
    assert per_actor[0] > 20 * per_actor[len(per_actor) // 2]
    per_article = sorted((a.citations.count() for a in Article.objects.filter(slug__startswith="gen--")), reverse=True)
    assert per_article[0] > 3 * per_article[len(per_article) // 2]
    contested = Claim.objects.filter(slug__startswith="gen--").contested().count()
    assert 0.03 * 600 < contested < 0.3 * 600


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(shipped_kb):
    def snapshot():
        claims = list(Claim.objects.filter(slug__startswith="gen--").order_by("pk").values_list("slug", "text"))
        bodies = list(Article.objects.filter(slug__startswith="gen--").order_by("pk").values_list("body", flat=True))
        return claims, bodies

    generate(seed=7)
    first = snapshot()
    remove()
    generate(seed=7)
    assert snapshot() == first
    remove()
    generate(seed=8)
    assert snapshot() != first


def test_remove_deletes_exactly_the_generated_rows(shipped_kb):
    before = table_counts()
    slugs = set(Claim.objects.values_list("slug", flat=True))
    generate()
    output = remove()
    assert table_counts() == before
    assert set(Claim.objects.values_list("slug", flat=True)) == slugs
    assert f"{CLAIMS} claims" in output


def test_remove_refuses_while_an_editors_claim_cites_a_generated_article(shipped_kb):
    generate()
    article = Article.objects.filter(slug__startswith="gen--").first()
    editors = make_claim(slug="an-editors-claim")
    cite(editors, article, article.body[:40])
    with pytest.raises(CommandError, match="citations of other claims quote generated articles: 1"):
        remove()
    assert Claim.objects.filter(slug__startswith="gen--").count() == CLAIMS
    assert Claim.objects.get(slug="an-editors-claim").citations.count() == 1


def test_remove_refuses_while_an_editors_claim_is_about_a_generated_actor(shipped_kb):
    generate()
    editors = make_claim(slug="an-editors-claim")
    editors.subjects.add(Actor.objects.filter(slug__startswith="gen--").first())
    with pytest.raises(CommandError, match="other claims are about generated actors: 1"):
        remove()
    assert editors.subjects.count() == 1


def test_remove_with_nothing_generated_says_so(shipped_kb):
    assert "there was none" in remove()


def test_it_refuses_to_generate_twice_or_a_senseless_size(shipped_kb):
    generate(claims=20)
    with pytest.raises(CommandError, match="already loaded"):
        generate(claims=20)
    with pytest.raises(CommandError, match="between 1 and"):
        call_command("generate_kb", claims=0, stdout=io.StringIO())
    with pytest.raises(CommandError, match="share between 0 and 1"):
        call_command("generate_kb", claims=20, lost=2, stdout=io.StringIO())
