"""A claim's status: who stands behind each quote, and how the stored status stays fresh on every write."""

import io

import pytest
from django.core.management import call_command

from articles import versioning
from articles.models import Actor, Citation, Claim, ClaimConflict, ClaimStatus, Stance
from articles.services import claims_refresh_status
from tests.factories import cite, make_actor, make_article, make_claim, make_event

pytestmark = pytest.mark.django_db

BODY = "Lam visited Pyongyang. The last visit was in 2007. Trade is small."


def status_of(claim):
    claim.refresh_from_db()
    return claim.status


# --- Counting origins ------------------------------------------------------------


def test_a_claim_with_one_supporting_source_is_single_source():
    claim = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE
    assert claim.status_label == "Single source"
    assert claim.origin_count == 1


def test_three_independent_voices_corroborate_a_claim():
    claim = make_claim(
        citations=[
            (make_article(BODY, publisher=make_actor(kind="outlet")), "Trade is small."),
            (make_article(BODY, publisher=make_actor(kind="outlet")), "Trade is small."),
            (make_article(BODY), "Trade is small."),
        ]
    )
    assert status_of(claim) == ClaimStatus.CORROBORATED
    assert claim.status_label == "Corroborated by 3 independent sources"


def test_copies_of_one_wire_story_count_once():
    bloomberg = make_actor("Bloomberg", kind=Actor.Kind.OUTLET, slug="bloomberg")
    copies = [make_article(BODY, wire=bloomberg, publisher=make_actor(kind="outlet")) for _ in range(3)]
    claim = make_claim(citations=[(copy, "Trade is small.") for copy in copies])
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE
    assert claim.origin_labels == ["bloomberg"]


def test_a_wire_story_and_the_wire_services_own_article_count_once():
    bloomberg = make_actor("Bloomberg", kind=Actor.Kind.OUTLET)
    claim = make_claim(
        citations=[
            (make_article(BODY, wire=bloomberg), "Trade is small."),
            (make_article(BODY, publisher=bloomberg), "Trade is small."),
        ]
    )
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE


def test_one_person_quoted_in_one_article_and_author_of_another_counts_once():
    khang = make_actor("Vu Xuan Khang", slug="vu-xuan-khang")
    reported = make_article(BODY, publisher=make_actor(kind="outlet"))
    commentary = make_article(BODY, authors=[khang])
    claim = make_claim()
    cite(claim, reported, "Trade is small.", speaker=khang)
    cite(claim, commentary, "Trade is small.")
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE
    assert claim.origin_labels == ["vu-xuan-khang"]


def test_a_speaker_is_counted_apart_from_the_article_that_quotes_them():
    outlet = make_actor("Outlet", kind=Actor.Kind.OUTLET, slug="outlet")
    giang = make_actor("Nguyen Khac Giang", slug="giang")
    article = make_article(BODY, publisher=outlet)
    claim = make_claim()
    cite(claim, article, "Trade is small.", speaker=giang)
    cite(claim, article, "Lam visited Pyongyang.")
    assert status_of(claim) == ClaimStatus.CORROBORATED
    assert claim.origin_labels == ["giang", "outlet"]


def test_a_co_authored_piece_is_one_voice():
    first, second = make_actor("A", slug="a"), make_actor("B", slug="b")
    claim = make_claim(citations=[(make_article(BODY, authors=[second, first]), "Trade is small.")])
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE
    assert claim.origin_labels == ["a+b"]


def test_an_article_with_no_author_wire_or_publisher_stands_for_itself():
    article = make_article(BODY, slug="lonely")
    claim = make_claim(citations=[(article, "Trade is small.")])
    status_of(claim)
    assert claim.origin_labels == ["article:lonely"]


# --- Contested, needs review, unsupported ---------------------------------------------


def test_a_disputing_citation_makes_a_claim_contested():
    claim = make_claim(
        citations=[
            (make_article(BODY), "The last visit was in 2007."),
            (make_article(BODY), "Lam visited Pyongyang.", Stance.DISPUTES),
        ]
    )
    assert status_of(claim) == ClaimStatus.CONTESTED
    assert claim in Claim.objects.contested()


def test_a_hedge_that_qualifies_a_claim_never_contests_it():
    claim = make_claim(
        citations=[
            (make_article(BODY), "Trade is small."),
            (make_article(BODY), "Lam visited Pyongyang.", Stance.QUALIFIES),
        ]
    )
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE


def test_competing_claims_that_both_have_support_are_both_contested():
    article = make_article(BODY)
    first = make_claim(citations=[(article, "The last visit was in 2007.")])
    second = make_claim(citations=[(article, "Lam visited Pyongyang.")])
    first.conflicts_with.add(second, through_defaults={"note": "2007 vs 2005"})
    assert set(Claim.objects.contested()) == {first, second}
    assert list(second.conflicts_with.all()) == [first]
    assert ClaimConflict.objects.get(from_claim=second).note == "2007 vs 2005"


def test_a_link_to_an_unsupported_competing_claim_does_not_contest():
    supported = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    unsupported = make_claim(citations=[(make_article(BODY), "Lam visited Pyongyang.", Stance.QUALIFIES)])
    supported.conflicts_with.add(unsupported)
    assert status_of(supported) == ClaimStatus.SINGLE_SOURCE
    assert status_of(unsupported) == ClaimStatus.CONTESTED


def test_a_claim_whose_only_quote_is_lost_needs_review():
    article = make_article(BODY)
    claim = make_claim(citations=[(article, "Trade is small.")])
    article.body = "Lam visited Pyongyang."
    article.save()
    assert status_of(claim) == ClaimStatus.NEEDS_REVIEW
    assert claim.origin_count == 0
    assert claim.status_label == "Needs review"


def test_a_lost_disputing_quote_does_not_contest():
    article = make_article(BODY)
    claim = make_claim(citations=[(make_article(BODY), "Trade is small."), (article, "Lam visited", Stance.DISPUTES)])
    article.body = "Nothing else."
    article.save()
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE


def test_a_claim_without_supporting_citations_is_unsupported():
    claim = make_claim(citations=[(make_article(BODY), "Trade is small.", Stance.QUALIFIES)])
    assert status_of(claim) == ClaimStatus.UNSUPPORTED


def test_status_filters_partition_the_claims():
    article = make_article(BODY, publisher=make_actor(kind="outlet"))
    other = make_article(BODY, publisher=make_actor(kind="outlet"))
    single = make_claim(citations=[(article, "Trade is small.")])
    corroborated = make_claim(citations=[(article, "Trade is small."), (other, "Trade is small.")])
    contested = make_claim(citations=[(article, "Trade is small."), (other, "Trade is small.", Stance.DISPUTES)])
    assert list(Claim.objects.single_source()) == [single]
    assert list(Claim.objects.corroborated()) == [corroborated]
    assert list(Claim.objects.contested()) == [contested]


# --- Every write path refreshes the stored status ---------------------------------------


def test_deleting_a_citation_refreshes_its_claim():
    claim = make_claim(citations=[(make_article(BODY), "Trade is small."), (make_article(BODY), "Trade is small.")])
    assert status_of(claim) == ClaimStatus.CORROBORATED
    claim.citations.first().delete()
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE


def test_giving_two_articles_one_author_merges_their_voices():
    first, second = make_article(BODY), make_article(BODY)
    claim = make_claim(citations=[(first, "Trade is small."), (second, "Trade is small.")])
    assert status_of(claim) == ClaimStatus.CORROBORATED
    author = make_actor("One Author")
    first.authors.add(author)
    second.authors.add(author)
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE


def test_crediting_a_wire_service_refreshes_the_claims_citing_the_article():
    wire = make_actor("Wire", kind=Actor.Kind.OUTLET)
    first, second = make_article(BODY, wire=wire), make_article(BODY)
    claim = make_claim(citations=[(first, "Trade is small."), (second, "Trade is small.")])
    assert status_of(claim) == ClaimStatus.CORROBORATED
    second.wire = wire
    second.save()
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE


def test_renaming_a_speakers_slug_renames_the_counted_origin():
    giang = make_actor("Nguyen Khac Giang", slug="giang")
    claim = make_claim()
    cite(claim, make_article(BODY), "Trade is small.", speaker=giang)
    giang.slug = "nguyen-khac-giang"
    giang.save()
    status_of(claim)
    assert claim.origin_labels == ["nguyen-khac-giang"]


@pytest.mark.parametrize("role", ["wire", "publisher", "author"])
def test_renaming_a_wire_publisher_or_authors_slug_renames_the_counted_origin(role):
    outlet = make_actor("Tuoi Tre", slug="tt", kind=Actor.Kind.OUTLET)
    article = make_article(BODY, authors=[outlet]) if role == "author" else make_article(BODY, **{role: outlet})
    claim = make_claim(citations=[(article, "Trade is small.")])
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE
    assert claim.origin_labels == ["tt"]
    outlet.slug = "tuoi-tre"
    outlet.save()
    status_of(claim)
    assert claim.origin_labels == ["tuoi-tre"]


def test_removing_a_conflict_link_refreshes_both_claims():
    first = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    second = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    first.conflicts_with.add(second)
    assert (status_of(first), status_of(second)) == (ClaimStatus.CONTESTED, ClaimStatus.CONTESTED)
    second.conflicts_with.remove(first)
    assert (status_of(first), status_of(second)) == (ClaimStatus.SINGLE_SOURCE, ClaimStatus.SINGLE_SOURCE)


def test_a_conflict_link_saved_on_its_own_links_both_ways_with_one_note():
    first = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    second = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    link = ClaimConflict.objects.create(from_claim=first, to_claim=second, note="small vs none")
    assert ClaimConflict.objects.get(from_claim=second, to_claim=first).note == "small vs none"
    assert status_of(second) == ClaimStatus.CONTESTED
    link.note = "small vs nothing"
    link.save()
    assert ClaimConflict.objects.get(from_claim=second).note == "small vs nothing"
    link.delete()
    assert not ClaimConflict.objects.exists()
    assert status_of(second) == ClaimStatus.SINGLE_SOURCE


def test_reverting_a_claim_in_history_keeps_its_status_fresh():
    claim = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    # A revision taken while the stored column was stale: a revert must recompute, not copy it back.
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.CORROBORATED)
    first = versioning.record([Claim.objects.get(pk=claim.pk)])
    claim.text = "Changed."
    claim.save()
    versioning.revert_whole(first.version_set.get(object_id=str(claim.pk), content_type__model="claim"))
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE


def test_refresh_status_repairs_a_stale_column():
    claim = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.CORROBORATED, origin_count=7)
    out = io.StringIO()
    call_command("refresh_status", stdout=out)
    assert status_of(claim) == ClaimStatus.SINGLE_SOURCE
    assert claim.origin_count == 1
    assert "Refreshed the status of 1 claim(s): 0 contested, 0 corroborated, 1 single source" in out.getvalue()


def test_refresh_status_repairs_a_stale_event_count():
    from articles.models import Event

    event = make_event()
    make_claim(event=event, citations=[(make_article(BODY), "Trade is small.")])
    Event.objects.filter(pk=event.pk).update(source_count=0, claim_count=9, contested=True)
    out = io.StringIO()
    call_command("refresh_status", stdout=out)
    event.refresh_from_db()
    assert (event.source_count, event.claim_count, event.contested) == (1, 1, False)
    assert "Refreshed the counts of 1 event(s): 0 contested." in out.getvalue()


def test_refreshing_many_claims_runs_a_fixed_number_of_queries(django_assert_num_queries):
    claims = [make_claim(citations=[(make_article(BODY), "Trade is small.")]) for _ in range(6)]
    claims[0].conflicts_with.add(claims[1])
    Claim.objects.update(status=ClaimStatus.UNSUPPORTED)
    Citation.objects.update(origin="")
    # savepoint, claim ids, citations with speakers and articles, article authors,
    # conflict links, supported rivals, the claims' stored columns, one bulk update
    # of claims and one of citations, their events' counts (none here), savepoint release
    with django_assert_num_queries(11):
        claims_refresh_status(Claim.objects.all())
    assert [status_of(claim) for claim in claims[:3]] == ["contested", "contested", "single-source"]


# --- How the claim page words each voice (services.Origin) ------------------------------


def origins_in_words(claim):
    from articles.services import origins_of

    return [(origin.name, origin.appearances) for origin in origins_of(claim.citations.with_voices())]


def test_a_voice_quoted_in_one_article_and_author_of_two_others_is_worded_as_such():
    khang = make_actor("Vu Xuan Khang")
    quoted_in = make_article(BODY)
    written = [make_article(BODY, authors=[khang]), make_article(BODY, authors=[khang])]
    claim = make_claim(citations=[(article, "Trade is small.") for article in written])
    cite(claim, quoted_in, "Trade is small.", speaker=khang)

    assert origins_in_words(claim) == [("Vu Xuan Khang", "quoted in one article, author of two other articles")]


def test_a_voice_quoted_in_two_articles_and_author_of_one_counts_the_one_as_another():
    khang = make_actor("Vu Xuan Khang")
    claim = make_claim(citations=[(make_article(BODY, authors=[khang]), "Trade is small.")])
    for _ in range(2):
        cite(claim, make_article(BODY), "Trade is small.", speaker=khang)

    assert origins_in_words(claim) == [("Vu Xuan Khang", "author of one article, quoted in two other articles")]


def test_a_voice_quoted_in_two_articles_is_worded_without_other():
    khang = make_actor("Vu Xuan Khang")
    claim = make_claim()
    for _ in range(2):
        cite(claim, make_article(BODY), "Trade is small.", speaker=khang)

    assert origins_in_words(claim) == [("Vu Xuan Khang", "quoted in two articles")]


def test_a_voice_quoted_in_one_article_and_author_of_one_other_is_worded_as_another():
    khang = make_actor("Vu Xuan Khang")
    claim = make_claim(citations=[(make_article(BODY, authors=[khang]), "Trade is small.")])
    cite(claim, make_article(BODY), "Trade is small.", speaker=khang)

    assert origins_in_words(claim) == [("Vu Xuan Khang", "author of one article, quoted in another")]


def test_counts_past_ten_are_written_in_figures_and_ten_in_words():
    from articles.services import _number

    assert [_number(n) for n in [*range(12), 250]] == [
        *("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
        *("11", "250"),
    ]


def test_an_article_with_no_one_behind_it_is_named_by_its_title():
    article = make_article(BODY, title="Anonymous report")
    claim = make_claim(citations=[(article, "Trade is small.")])

    assert origins_in_words(claim) == [("“Anonymous report”", "the article itself")]


def test_a_claim_refreshed_alone_sees_a_link_stored_only_from_its_rivals_side():
    from articles.services import fresh_statuses

    claim = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    rival = make_claim(citations=[(make_article(BODY), "The last visit was in 2007.")])
    ClaimConflict.objects.bulk_create([ClaimConflict(from_claim=rival, to_claim=claim)])  # half of a pair

    (status, _, _) = fresh_statuses(Claim.objects.filter(pk=claim.pk))[claim.pk]

    assert status == ClaimStatus.CONTESTED


def test_an_edit_that_flags_many_quotes_of_one_claim_refreshes_it_in_a_fixed_number_of_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_flag(n):
        article = make_article(" ".join(f"Sentence {i} is here." for i in range(n)))
        claim = make_claim(citations=[(article, f"Sentence {i} is here.") for i in range(n)])
        article.body = "Everything was rewritten."
        with CaptureQueriesContext(connection) as queries:
            article.save()
        assert status_of(claim) == ClaimStatus.NEEDS_REVIEW
        return len(queries)

    one, three = queries_to_flag(1), queries_to_flag(3)
    assert three - one == 2 * 2  # each more flagged quote adds its own two writes, and no refresh of the claim


def test_moving_a_claim_to_another_event_refreshes_the_counts_of_both():
    from articles.models import Event

    left, joined = make_event(), make_event()
    claim = make_claim(event=left, citations=[(make_article(BODY), "Trade is small.")])
    claim.event = joined
    claim.save()
    counts = {e.pk: (e.source_count, e.claim_count) for e in Event.objects.filter(pk__in=[left.pk, joined.pk])}
    assert counts == {left.pk: (0, 0), joined.pk: (1, 1)}


def test_refresh_status_repairs_a_stale_source_count_alone():
    claim = make_claim(citations=[(make_article(BODY), "Trade is small.")])
    Claim.objects.filter(pk=claim.pk).update(origin_count=7)
    call_command("refresh_status", stdout=io.StringIO())
    claim.refresh_from_db()
    assert (claim.status, claim.origin_count) == (ClaimStatus.SINGLE_SOURCE, 1)
