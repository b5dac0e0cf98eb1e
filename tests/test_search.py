"""Search: one box across articles, claims, events and actors.

PostgreSQL uses the stored tsvector columns from migration 0003 (ranked, with
ts_headline snippets); SQLite uses the icontains fallback. Both render the
same page, and both pass these tests.
"""

import pytest
from django.db import connection
from django.urls import reverse

from articles.models import Article, Claim, Event
from articles.search import INDEXED_CHARS, normalise_query, snippet, terms_of
from tests.factories import make_article

pytestmark = pytest.mark.django_db
URL = reverse("articles:search")


def search(client, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_claims_events_articles_and_actors(world, client):
    page = search(client, "Pyongyang")
    assert world.interview.get_absolute_url() in page
    assert world.visit.get_absolute_url() in page


def test_it_finds_an_actor_by_name_and_by_alias(world, client):
    assert world.kim.get_absolute_url() in search(client, "Kim Jong Un")
    assert world.vietnam.get_absolute_url() in search(client, "Hanoi")


def test_every_word_must_match(world, client):
    page = search(client, "mediator Washington")
    assert world.interview.get_absolute_url() in page
    assert world.faq.get_absolute_url() not in page


def test_it_highlights_the_matched_words_in_snippets(world, client):
    page = search(client, "sanctions")
    assert "<mark>sanctions</mark>" in page
    assert "<mark>Sanctions</mark>" in page  # the text's own capitals, whatever the query's


def test_it_ranks_title_matches_first(world, client):
    # A body that says "questions" over and over still ranks below the title that says it once.
    chatty = make_article("Questions, questions: more questions about questions.", title="A chatty note")
    page = search(client, "questions")
    titled, chatty_at = page.find(world.faq.get_absolute_url()), page.find(chatty.get_absolute_url())
    assert -1 < titled < chatty_at


def test_no_match_is_a_friendly_page(world, client):
    page = search(client, "zeppelin")
    assert "0 results for “zeppelin”." in page
    assert "Nothing matches." in page


def test_an_empty_search_invites_a_query(world, client):
    for q in ["", "   "]:
        assert "Type a name, a place, a year or a phrase" in search(client, q)


def test_a_very_long_search_is_explained_not_run(world, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = search(client, "visit " * 100)
    assert "please keep it under 200" in page


@pytest.mark.parametrize(
    "q",
    [
        '"state visit"',
        "to lam -kim",
        "visit OR talks",
        "!!!",
        "'); DROP TABLE articles_claim; --",
        "a\x00b",
        "\u202eevil",
        "%_%",
        "the",
        "<script>alert(1)</script>",
        "ti\u1ebfng Vi\u1ec7t Tô Lâm",
        ":*&|",
    ],
)
def test_odd_searches_never_fail(world, client, q):
    page = search(client, q)
    assert "<h1>Search</h1>" in page
    assert "<script>alert(1)" not in page


def test_what_the_reader_typed_is_shown_escaped(world, client):
    page = search(client, "<b>bold</b> visit")
    assert "&lt;b&gt;bold&lt;/b&gt; visit" in page
    assert "<b>bold</b>" not in page


def test_a_snippet_escapes_content_before_marking(world, client):
    make_article("An <img src=x onerror=alert(1)> about zeppelins.", title="Markup zeppelin", slug="markup")
    page = search(client, "zeppelins")
    assert "<img src=x" not in page


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    search(client, "visit")
    # 1 articles, 2 their authors, 3 claims with status, 4 events, 5 actors (each ranked, with
    # snippets on PostgreSQL).
    with django_assert_num_queries(5):
        search(client, "visit")
    # A query with no words runs none.
    with django_assert_num_queries(0):
        search(client, "!!!")


def test_normalising_drops_control_characters_and_collapses_space():
    assert normalise_query("  to\x00 lam\t\n visit \u202e ") == "to lam visit"
    assert terms_of("To Lam, to LAM: visit!") == ["to", "lam", "visit"]


def test_a_fallback_snippet_marks_every_term_and_escapes_the_rest():
    html = snippet("Lam <met> Kim in Pyongyang; Lam smiled.", ["lam", "kim"])
    assert html == "<mark>Lam</mark> &lt;met&gt; <mark>Kim</mark> in Pyongyang; <mark>Lam</mark> smiled."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored search vectors exist on PostgreSQL only")
def test_postgres_keeps_a_stored_search_vector_with_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gin (search_vector)%' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
    assert tables == ["articles_actor", "articles_article", "articles_claim", "articles_event"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="websearch syntax is PostgreSQL's")
def test_postgres_understands_phrases_and_exclusions(world, client):
    assert world.interview.get_absolute_url() not in search(client, "Pyongyang -Washington -greeted")


def vocabulary(size):
    """`size` distinct lower-case words of six letters ("aaaaaa", "aaaaab", …)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = []
    for n in range(size):
        word = ""
        for _ in range(6):
            n, digit = divmod(n, 26)
            word += letters[digit]
        words.append(word)
    return words


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector size limit is PostgreSQL's")
def test_a_two_megabyte_body_with_a_large_vocabulary_saves_and_is_found_by_its_early_words(client):
    # About 300,000 distinct words: indexed whole, this would need over 4 MB of
    # tsvector, four times PostgreSQL's limit.
    body = "Zeppelinfrage opens the text. " + " ".join(vocabulary(300_000)) + " Zeppelinschluss ends it."
    assert len(body.encode()) > 2_000_000
    article = make_article(body, title="A very long article", slug="very-long")
    assert Article.objects.get(pk=article.pk).body == body
    assert article.get_absolute_url() in search(client, "zeppelinfrage")
    assert article.get_absolute_url() not in search(client, "zeppelinschluss")
    # The index stops exactly at INDEXED_CHARS: a word just inside is found, one just outside is not.
    inside = body[:INDEXED_CHARS].split()[-2]  # the last word wholly before the cut
    outside = body[INDEXED_CHARS:].split()[1]  # the first word wholly after it
    assert article.get_absolute_url() in search(client, inside)
    assert article.get_absolute_url() not in search(client, outside)
    # Saving it again (an edit) works too.
    article.title = "A very long article, edited"
    article.save()
    assert "A very long article, edited" in search(client, "zeppelinfrage")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector size limit is PostgreSQL's")
def test_the_densest_text_known_still_fits_the_search_vector(client):
    # Hyphenated pairs of 4-byte characters give three lexemes per four characters,
    # about 10.5 bytes of tsvector per character: the worst case measured.
    def dense(n, offset=0):
        return " ".join(f"{chr(0x20000 + offset + 2 * i)}-{chr(0x20001 + offset + 2 * i)}" for i in range(n))

    article = make_article(dense(20_000), captions=dense(20_000, offset=40_000), title="Dense", slug="dense")
    claim_text = dense(20_000)
    Claim.objects.create(slug="dense-claim", text=claim_text)
    Event.objects.create(slug="dense-event", title="Dense", start="2025-10-09", description=claim_text)
    assert article.get_absolute_url() in search(client, dense(1))
