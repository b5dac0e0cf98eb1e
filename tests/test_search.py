"""Search: one box across claims, events, articles and actors.

PostgreSQL uses the stored, accent-folded tsvector columns (migrations 0003,
0009, 0018: ranked, with ts_headline snippets); SQLite uses the fallback that
parses the same syntax. Both render the same page, and both pass every test
here that is not marked for one database; the CI runs this file on each.
"""

import html
import re

import pytest
from django.db import connection
from django.urls import reverse

from articles import search as search_module
from articles.models import Article, Claim, Event
from articles.search import INDEXED_CHARS, Term, fold, normalise_query, parse_query, snippet, terms_of
from tests.factories import make_article, make_claim
from tests.markup import squashed

pytestmark = pytest.mark.django_db
URL = reverse("articles:search")


def search(client, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return squashed(response)


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


def test_a_claim_result_has_the_meta_line_of_every_claim_list(world, client):
    # Status, kind, claimant and a link to the event: the same line as the claims list's.
    thayer = f'<a href="{world.thayer.get_absolute_url()}">{world.thayer.name}</a>'
    assert f'<span class="meta__part">claimed by {thayer}</span>' in search(client, "mediator")
    visit = f'<a href="{world.visit.get_absolute_url()}">{html.escape(world.visit.title)}</a>'
    assert f'<span class="meta__part">on {visit}</span>' in search(client, "greeted airport")


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
    # 1 claims with claimant and event, 2 events, 3 articles with publisher and wire, 4 their
    # authors, 5 actors (each ranked among its candidates, with snippets for the rows shown).
    with django_assert_num_queries(5):
        search(client, "visit")
    # One kind: 1 claims. Articles: 1 articles, 2 their authors.
    with django_assert_num_queries(1):
        client.get(URL, {"q": "visit", "kind": "claims"})
    with django_assert_num_queries(2):
        client.get(URL, {"q": "visit", "kind": "articles"})
    # A query with no words runs none.
    with django_assert_num_queries(0):
        search(client, "!!!")


def test_normalising_drops_control_characters_and_collapses_space():
    assert normalise_query("  to\x00 lam\t\n visit \u202e ") == "to lam visit"
    assert terms_of("To Lam, to LAM: visit!") == ["to", "lam", "visit"]
    assert terms_of("Tô Lâm OR Đổi Mới") == ["to", "lam", "doi", "moi"]


def test_folding_drops_case_and_accents_as_unaccent_does():
    assert fold("Đổi Mới") == "doi moi"
    assert fold("TÔ LÂM") == "to lam"
    assert fold("Øresund Łódź Straße") == "oresund lodz strasse"


def test_the_query_language_has_words_phrases_exclusions_and_or():
    assert parse_query('Trump -Kim "state visit" talks OR summit -"Kim Jong"') == [
        [Term(("trump",))],
        [Term(("kim",), excluded=True)],
        [Term(("state", "visit"))],
        [Term(("talks",)), Term(("summit",))],
        [Term(("kim", "jong"), excluded=True)],
    ]
    # A dangling OR, an empty phrase and lone punctuation are ignored, never an error.
    assert parse_query('OR visit OR "" - !!') == [[Term(("visit",))]]


def test_a_fallback_snippet_marks_whole_words_and_escapes_the_rest():
    patterns = [re.compile(Term((word,)).pattern) for word in ("lam", "kim", "un")]
    html = snippet("Lam <met> Kim in Pyongyang; Lam smiled at the countries of the UN.", patterns)
    assert html == (
        "<mark>Lam</mark> &lt;met&gt; <mark>Kim</mark> in Pyongyang; <mark>Lam</mark> smiled at the countries of the "
        "<mark>UN</mark>."
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored search vectors exist on PostgreSQL only")
def test_postgres_keeps_a_stored_search_vector_with_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gin (search_vector)%' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
    assert tables == ["articles_actor", "articles_article", "articles_claim", "articles_event"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the text search configuration is PostgreSQL's")
def test_postgres_indexes_with_the_accent_folding_configuration():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT to_tsvector('kb_english', 'Tô Lâm, Đổi Mới')::text")
        assert cursor.fetchone() == ("'doi':3 'lam':2 'moi':4",)
        cursor.execute(
            "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef "
            "JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum "
            "WHERE attname = 'search_vector' AND adrelid = 'articles_claim'::regclass"
        )
        assert "'kb_english'::regconfig" in cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the fallback's SQL function exists on SQLite only")
def test_sqlite_connections_fold_text_in_sql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT kb_fold('ĐỔI MỚI, Tô Lâm')")
        assert cursor.fetchone() == ("doi moi, to lam",)


# --- The query language, the same on both databases ----------------------------------


def urls_in(page):
    """The results' links (the claims, events, articles and actors found)."""
    results = page[page.index('<ul class="results">') :] if '<ul class="results">' in page else ""
    results = results[: results.find("</main>")]
    return set(re.findall(r'<a href="(/(?:claims|events|articles|actors)/[^"/]+/)">', results))


def test_a_minus_sign_excludes_a_word(world, client):
    with_kim = make_claim("Trump met Kim at the border.", slug="trump-met-kim")
    without = make_claim("Trump praised the visit.", slug="trump-praised")
    page = search(client, "Trump -Kim")
    assert without.get_absolute_url() in page
    assert with_kim.get_absolute_url() not in page
    # Excluding a word the text has removes it, in any field.
    page = search(client, "Pyongyang -Washington")
    assert world.visit.get_absolute_url() in page
    assert world.interview.get_absolute_url() not in page


def test_a_search_that_only_leaves_words_out_asks_for_a_word(world, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = search(client, '-Kim -"state visit"')
    assert "That search only leaves words out (-word). Add a word to look for" in page
    assert not urls_in(page)


def test_a_phrase_in_quotes_must_occur_as_written(world, client):
    assert world.greeted.get_absolute_url() in search(client, '"greeted To Lam"')
    assert world.greeted.get_absolute_url() not in search(client, '"Lam greeted"')
    # And an excluded phrase removes only the texts that have it.
    page = search(client, 'Kim -"at the airport"')
    assert world.greeted.get_absolute_url() not in page
    assert world.kim.get_absolute_url() in page


def test_or_finds_either_word(world, client):
    page = search(client, "zeppelin OR mediator")
    assert world.mediator.get_absolute_url() in page
    assert world.mediator.get_absolute_url() not in search(client, "zeppelin mediator")


def test_accents_are_folded_both_ways(world, client):
    reforms = make_claim("Đổi Mới opened Vietnam’s economy in 1986.", slug="doi-moi-reforms")
    # A query without accents finds the accented text, and marks it.
    page = search(client, "Doi Moi")
    assert reforms.get_absolute_url() in page
    assert "<mark>Đổi</mark> <mark>Mới</mark>" in page
    assert reforms.get_absolute_url() in search(client, "ĐỔI MỚI")
    # An accented query finds the text written without them.
    page = search(client, "Tô Lâm")
    assert world.visit_dates.get_absolute_url() in page
    assert "<mark>Lam</mark>" in page


def test_highlights_mark_whole_words_only(world, client):
    make_claim("Sanctions hurt both countries, the UN said.", slug="un-sanctions")
    page = search(client, "un")
    assert "Sanctions hurt both countries, the <mark>UN</mark> said." in page
    assert "co<mark>un</mark>tries" not in page


def test_a_short_claim_is_shown_whole(world, client):
    text = "At the airport, To Lam was welcomed by a guard of honour, a band, children with flowers and a long speech."
    claim = make_claim(text, slug="welcomed-whole")
    page = search(client, "guard honour")
    start = page.index(f'<a href="{claim.get_absolute_url()}">')
    shown = html.unescape(re.sub(r"<[^>]+>", "", page[start : page.index("</a>", start)]))
    assert shown == text


def test_a_long_text_is_cut_at_word_boundaries_around_the_match(world, client):
    sentences = [f"Sentence {n} talks about ordinary diplomatic business in Hanoi." for n in range(40)]
    sentences[20] = "Here the zeppelinfund was announced by the ministry."
    body = " ".join(sentences)
    article = make_article(body, title="A long report", slug="long-report")
    page = search(client, "zeppelinfund")
    start = page.index(f'<a href="{article.get_absolute_url()}">')
    at = page.index('<p class="snippet">', start)
    shown = page[at : page.index("</p>", at)]
    assert "<mark>zeppelinfund</mark>" in shown
    for piece in html.unescape(re.sub(r"<[^>]+>", "", shown)).split("…"):
        piece = piece.strip()
        if not piece:
            continue
        at = body.index(piece)
        # Each piece starts and ends on a word boundary of the text.
        assert at == 0 or not body[at - 1].isalnum(), piece
        end = at + len(piece)
        assert end == len(body) or not body[end].isalnum(), piece


# --- The page ----------------------------------------------------------------------------


def test_the_search_page_has_one_search_box(world, client):
    page = search(client, "visit")
    assert page.count('role="search"') == 1
    assert 'class="search-form"' in page
    # Every other page keeps the header's box.
    assert squashed(client.get(reverse("articles:home"))).count('role="search"') == 1


def make_matching_claims(count):
    return [make_claim(f"Zeppelin sighting number {n:02d}.", slug=f"zeppelin-{n:02d}") for n in range(count)]


def test_it_shows_a_few_of_each_kind_and_links_to_more(world, client):
    make_matching_claims(7)
    page = search(client, "zeppelin")
    assert len(re.findall(r'href="/claims/zeppelin-\d\d/"', page)) == search_module.OVERVIEW_PER_KIND == 5
    assert '<a href="?q=zeppelin&amp;kind=claims">More claims matching “zeppelin” →</a>' in page


def test_one_kind_is_paged(world, client):
    make_matching_claims(25)
    first = squashed(client.get(URL, {"q": "zeppelin", "kind": "claims"}))
    assert "Claims 1–20 matching “zeppelin”." in first
    assert len(re.findall(r'href="/claims/zeppelin-\d\d/"', first)) == 20
    assert 'href="?q=zeppelin&amp;kind=claims&amp;page=2" rel="next"' in first
    second = squashed(client.get(URL, {"q": "zeppelin", "kind": "claims", "page": "2"}))
    assert "Claims 21–25 matching “zeppelin”." in second
    assert len(re.findall(r'href="/claims/zeppelin-\d\d/"', second)) == 5
    assert 'rel="next"' not in second
    assert 'href="?q=zeppelin&amp;kind=claims&amp;page=1" rel="prev"' in second
    assert "<title>Search: zeppelin (claims, page 2)" in second
    assert not urls_in(first) & urls_in(second)


@pytest.mark.parametrize(
    "params, named",
    [
        ({"kind": "claims", "page": "3"}, "“page=3”: there is no page 3 of these results."),
        ({"kind": "zeppelins"}, "“kind=zeppelins”: search one of claims, events, articles, actors"),
        ({"page": "2"}, "“page=2”: pages are for one kind of result"),
        ({"kind": "claims", "page": "0"}, "“page=0”: pages are numbered from 1."),
        ({"kind": "claims", "page": "11"}, "“page=11”: only the best 200 results are shown"),
    ],
)
def test_a_page_or_kind_that_does_not_exist_is_a_bad_request(world, client, params, named):
    make_matching_claims(25)
    response = client.get(URL, {"q": "zeppelin", **params})
    assert response.status_code == 400
    assert named in squashed(response)


def test_only_the_newest_matches_are_ranked(world, client, monkeypatch):
    # The bound that keeps a search cheap at any size: older matches are never looked at.
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    claims = make_matching_claims(5)
    page = squashed(client.get(URL, {"q": "zeppelin", "kind": "claims"}))
    assert {c.get_absolute_url() for c in claims[2:]} == urls_in(page)
    assert "Only the 3 newest matches of each kind are ranked." in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stop words are PostgreSQL's")
def test_postgres_finds_nothing_for_stop_words_and_exclusions_without_scanning(world, client):
    # websearch_to_tsquery("the -kim") is !'kim': it would match every text without "kim".
    page = search(client, "the -kim")
    assert "0 results for “the -kim”." in page
    with connection.cursor() as cursor:
        cursor.execute("SELECT querytree(websearch_to_tsquery('kb_english', 'the -kim'))")
        assert cursor.fetchone() == ("T",)


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


def test_marker_characters_in_a_claims_text_never_become_highlight_markup(client):
    # Snippets carry their highlights as two private-use characters until they are escaped; an editor's
    # text holding them made unbalanced <mark> elements on PostgreSQL.
    Claim.objects.create(slug="markers", text="\ue010Visit\ue011 and \ue010 an unclosed visit.")
    response = client.get(URL, {"q": "unclosed", "kind": "claims"})
    page = response.content.decode()
    assert "<mark>unclosed</mark>" in page
    assert page.count("<mark>") == page.count("</mark>") == 1


def test_on_either_database_a_long_text_is_searched_in_its_first_indexed_characters_only(client):
    # Bodies and claims saved past the editors' limits (by a script, before the limits) must not make
    # every search fold megabytes: on SQLite such bodies held a worker past gunicorn's timeout.
    filler = "Filler words run on here. " * (INDEXED_CHARS // 26 + 1)
    article = make_article(f"Earlyword opens it. {filler} Lateword ends it.", title="Long", slug="long")
    claim = Claim.objects.create(slug="long-claim", text=f"Earlyclaim opens it. {filler} Lateclaim ends it.")

    assert article.get_absolute_url() in search(client, "earlyword")
    assert article.get_absolute_url() not in search(client, "lateword")
    assert claim.get_absolute_url() in search(client, "earlyclaim")
    assert claim.get_absolute_url() not in search(client, "lateclaim")
    # A claim is shown whole, but no further than that: "Lateclaim" is past the cut.
    response = client.get(URL, {"q": "earlyclaim", "kind": "claims"})
    assert "Lateclaim" not in response.content.decode()
    assert "<mark>Earlyclaim</mark> opens it." in response.content.decode()


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
