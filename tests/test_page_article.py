"""An article's page: honest metadata, the body with every cited quote highlighted, and its claims."""

import pytest

from tests.evidence_html import marked_text, read, target_text
from tests.markup import squashed

pytestmark = pytest.mark.django_db


def page_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_publisher_author_wire_date_and_kind(world, client):
    page = squashed(page_of(client, world.interview))
    assert '<dt>Publisher</dt><dd><a href="/actors/tuoi-tre/">Tuoi Tre</a></dd>' in page
    assert '<dt>Author</dt><dd><a href="/actors/carl-thayer/">Carl Thayer</a></dd>' in page
    assert "<dt>Wire service or original publisher</dt><dd>none credited</dd>" in page
    assert '<time datetime="2025-10">October 2025</time>' in page
    assert "<dt>Kind</dt><dd>news report</dd>" in page
    assert "<dt>Title</dt><dd>the source’s own headline</dd>" in page


def test_what_the_source_does_not_state_is_said_to_be_not_stated(world, client):
    page = squashed(page_of(client, world.faq))
    assert "<dt>Publisher</dt><dd>not stated</dd>" in page
    assert "<dt>Authors</dt><dd>not stated</dd>" in page
    assert '<dd>not stated<span class="date-note">Undated; written before the visit.</span></dd>' in page


def test_it_says_when_the_title_is_the_editors(world, client):
    page = page_of(client, world.faq)
    assert "This title was written by the knowledge base’s editors" in page
    assert "<dt>Title</dt><dd>written by our editors</dd>" in page


def test_it_shows_an_approximate_date_and_its_note(world, client):
    page = squashed(page_of(client, world.wire_story))
    assert '<time datetime="2025-10-08">c. 8 October 2025</time> (approximate)' in page
    assert "Written the day before the visit." in page


def test_it_shows_captions_apart_from_the_body_labelled_as_captions(world, client):
    page = page_of(client, world.wire_story)
    captions = page.index('<h2 id="captions-heading">Captions</h2>')
    assert "To Lam greeted by children. - AP" in page[captions:]
    body = page[page.index('class="article-body prose"') : captions]
    assert "greeted by children" not in body


def test_it_renders_the_markdown_body(world, client):
    page = page_of(client, world.interview)
    assert "<h2>The visit</h2>" in page
    assert "<li>" in page


def body_of(page):
    """The article's text as rendered, parsed strictly."""
    start = page.index('<div class="article-body prose">') + len('<div class="article-body prose">')
    return read(page[start : page.index("</div>\n    </section>", start)])


def test_every_cited_quote_is_marked_and_its_cite_link_lands_on_its_words(world, client):
    page = page_of(client, world.interview)
    body = body_of(page)
    for citation in world.interview.citations.filter(anchored=True):
        assert citation.quote in target_text(body, citation.anchor_id)
        assert marked_text(body, citation.anchor_id) == citation.quote


def test_each_passage_is_followed_by_numbered_markers_leading_to_its_claims(world, client):
    citation = world.greeted.citations.get()
    page = page_of(client, world.interview)
    assert (
        f'<a class="evidence-ref stance-supports" href="#note-{citation.pk}" '
        'aria-label="Evidence 2: Supports: Kim Jong Un greeted To Lam at the airport.">2</a>'
    ) in page
    note = page[page.index(f'<li id="note-{citation.pk}" value="2"') :]
    note = note[: note.index("</li>")]
    assert f'href="#{citation.anchor_id}"' in note  # back to the passage
    assert "Supports</span>" in note
    assert '<a href="/claims/kim-greeted-lam/">Kim Jong Un greeted To Lam at the airport.</a>' in note
    assert "He was greeted at the airport by Kim Jong Un." in note


def test_the_text_reads_as_text_only_the_markers_are_links(world, client):
    body = page_of(client, world.interview)
    body = body[body.index('<div class="article-body prose">') : body.index('id="evidence-heading"')]
    assert "<mark" in body
    assert "<mark><a" not in body and '<a href="/claims/' not in body


def test_overlapping_quotes_each_land_on_their_quote_and_the_passage_leads_to_every_claim(world, client):
    page = page_of(client, world.faq)
    body = body_of(page)
    quote = "The last visit by a Vietnamese general secretary took place around 2005–2006."
    overlapping = list(world.faq.citations.filter(quote=quote).select_related("claim"))
    assert len(overlapping) == 2
    group = page[page.index('<sup class="evidence-refs">') :]
    group = group[: group.index("</sup>")]
    for citation in overlapping:
        assert quote in target_text(body, citation.anchor_id)
        assert f'href="#note-{citation.pk}"' in group
    assert 'class="evidence-ref stance-disputes"' in group and 'class="evidence-ref stance-supports"' in group
    notes = page[page.index('id="evidence-heading"') :]
    assert "/claims/previous-visit-2007/" in notes and "/claims/previous-visit-2005-2006/" in notes
    assert "Disputes</span>" in notes


def test_it_lists_the_claims_it_supports_disputes_or_qualifies(world, client):
    page = page_of(client, world.wire_story)
    claims = page[page.index('id="claims-heading"') :]
    supports = claims.index("It supports")
    qualifies = claims.index("It qualifies")
    assert world.visit_dates.get_absolute_url() in claims[supports:qualifies]
    assert world.mediator.get_absolute_url() in claims[qualifies:]


def test_a_quote_lost_after_an_edit_is_listed_not_highlighted(world, client):
    page = page_of(client, world.edited)
    assert "Quotes no longer found" in page
    assert "<q>Trade fell to almost nothing.</q>" in page
    assert f'id="cite-{world.lost_citation.pk}"' not in page


def test_an_unknown_article_is_not_found(world, client):
    assert client.get("/articles/no-such-article/").status_code == 404


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = world.wire_story.get_absolute_url()
    client.get(url)  # warm the content-type cache taggit uses
    # 1 the article with publisher and wire, 2 its authors, 3 its tags, 4 its citations,
    # 5 the cited claims' addresses and words, 6 the claims listed under it, with claimant and event.
    with django_assert_num_queries(6):
        client.get(url)


def test_a_pathological_body_saved_without_validation_still_serves_quickly_as_text(client):
    # Timed in this process's CPU time: what else runs on the machine cannot fail it, a blow-up in the work can.
    import time

    from tests.factories import make_article

    body = "[" * 13_500 + "x](" + "(" * 13_500 + "\n\nLam arrived in Pyongyang."
    article = make_article(body, slug="pathological")
    started = time.process_time()
    page = page_of(client, article)
    assert time.process_time() - started < 1.0
    assert "Lam arrived in Pyongyang." in page


def captions_of(page):
    start = page.index('<div class="prose article-captions">')
    return read(page[start : page.index("</div>", start) + len("</div>")])


@pytest.mark.usefixtures("shipped_kb")
def test_every_cite_link_on_every_shipped_article_lands_on_its_quote(client):
    from articles.models import Article

    checked = {"body": 0, "captions": 0}
    for article in Article.objects.all():
        page = page_of(client, article)
        texts = {"body": body_of(page), "captions": captions_of(page) if article.captions else None}
        for citation in article.citations.filter(anchored=True):
            text = texts[citation.location]
            assert citation.anchor_id in text.ids, citation
            words = " ".join(citation.quote.split())
            if text.id_class[citation.anchor_id] == "quote-target":
                assert words in target_text(text, citation.anchor_id), citation
            else:
                # A quote across paragraphs: it lands on its first words, and every word of it is marked.
                assert words.startswith(target_text(text, citation.anchor_id)), citation
            assert marked_text(text, citation.anchor_id) == words, citation
            assert f'href="#note-{citation.pk}"' in page
            checked[citation.location] += 1
    assert checked["body"] > 100  # captions citations, once the data cites captions, are checked the same way


def test_a_quote_from_the_captions_is_marked_in_the_captions_and_noted_as_in_a_photo_caption(client):
    from articles.models import Location
    from tests.factories import cite, make_article, make_claim

    article = make_article(
        "Lam landed in Pyongyang.", slug="with-captions", captions="To Lam greeted by children.\n- AP"
    )
    claim = make_claim("Children greeted To Lam at the airport.", slug="children-greeted")
    citation = cite(claim, article, "greeted by children", location=Location.CAPTIONS)
    page = page_of(client, article)
    captions = page[page.index('<div class="prose article-captions">') :]
    captions = read(captions[: captions.index("</div>") + len("</div>")])
    assert target_text(captions, citation.anchor_id) == "greeted by children"
    # The caption's words, its marker ("1") after the quote, and its line break kept.
    assert "".join(captions.text) == "To Lam greeted by children\u20601.- AP"
    assert "children</mark></span><sup" in page
    assert citation.anchor_id not in body_of(page).ids
    note = page[page.index(f'<li id="note-{citation.pk}" value="1">') :]
    note = note[: note.index("</li>")]
    assert "(in a photo caption)" in note
    assert '<a href="/claims/children-greeted/">Children greeted To Lam at the airport.</a>' in note


# --- A busy article: hundreds of quotes stay readable and bounded -------------------------------------


@pytest.fixture
def busy_article(monkeypatch):
    """An article quoted five times for five claims (three supported, two disputed), with the page's caps at 2."""
    from articles import views
    from articles.models import Stance
    from tests.factories import make_article, make_claim

    monkeypatch.setattr(views, "NOTES_SHOWN", 2)
    monkeypatch.setattr(views, "CLAIMS_PER_STANCE", 2)
    sentences = [f"Sentence number {n} is quoted." for n in range(1, 6)]
    article = make_article(" ".join(sentences), slug="busy")
    stances = [Stance.SUPPORTS, Stance.SUPPORTS, Stance.DISPUTES, Stance.SUPPORTS, Stance.DISPUTES]
    claims = [
        make_claim(f"Claim {n}.", slug=f"claim-{n}", citations=[(article, sentence, stance)])
        for n, (sentence, stance) in enumerate(zip(sentences, stances, strict=True), start=1)
    ]
    return article, claims


def test_a_busy_article_numbers_and_notes_only_its_first_quotes_but_marks_them_all(busy_article, client):
    article, claims = busy_article
    page = page_of(client, article)
    body = body_of(page)
    for claim in claims:
        assert claim.citations.get().anchor_id in body.ids  # every claim page's link still lands on its quote
    notes = page[page.index('class="evidence-notes"') : page.index('id="claims-heading"')]
    assert notes.count('<li id="note-') == 2
    assert page.count('<a class="evidence-ref ') == 2  # the numbered markers after the quotes
    assert "The first 2 of 5 marked passages. The other 3 are" in page


def test_a_busy_article_lists_its_first_claims_per_stance_and_links_to_them_all(busy_article, client):
    article, claims = busy_article
    page = squashed(page_of(client, article))
    listed = page[page.index('id="claims-heading"') :]
    assert "It supports (3)</h3>" in listed
    assert "It disputes (2)</h3>" in listed
    assert "The first 2 of 3, by name." in listed
    assert claims[3].get_absolute_url() not in listed  # claim-4: the third supported, by name
    assert claims[0].get_absolute_url() in listed
    assert '<a href="/claims/?article=busy">All 5 claims citing this article</a>' in listed


def test_a_busy_article_runs_the_same_queries(busy_article, client, django_assert_num_queries):
    article, claims = busy_article
    client.get(article.get_absolute_url())
    with django_assert_num_queries(6):
        client.get(article.get_absolute_url())


def test_an_editors_title_is_marked_in_the_heading(world, client):
    page = squashed(page_of(client, world.faq))
    assert f'<h1>{world.faq.title} <span class="note-inline title-note">(title by our editors)</span></h1>' in page
    assert f"<title>{world.faq.title} (title by our editors) · " in page
