"""A claim's permalink page: status, who stands behind it, every citation in context, both sides, competing claims."""

import html
import io
import json
import re
from datetime import date

import pytest

from articles.models import Actor, Citation, Stance
from tests.factories import cite, make_actor, make_article, make_claim, make_event
from tests.markup import squashed

pytestmark = pytest.mark.django_db


def page_of(client, claim):
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def badge_of(page):
    """The claim's own status badge (competing claims show theirs further down)."""
    badge = page[page.index('<p class="claim-status">') :]
    return badge[: badge.index("</p>")]


def test_its_permalink_is_claims_slug(world):
    assert world.visit_dates.get_absolute_url() == "/claims/visit-9-11-october/"


def test_it_shows_the_claim_its_kind_and_claimant(world, client):
    page = squashed(page_of(client, world.mediator))
    assert '<h1 class="claim-text">Vietnam can act as a mediator for North Korea.</h1>' in page
    assert "<dt>Kind</dt><dd>opinion</dd>" in page
    assert '<dt>Claimed by</dt><dd><a href="/actors/carl-thayer/">Carl Thayer</a></dd>' in page


def test_a_claim_backed_by_two_independent_sources_is_corroborated(world, client):
    page = page_of(client, world.visit_dates)
    # Three supporting citations, but the wire story and its copy are one source.
    assert "Corroborated by 2 independent sources" in page
    assert "3 supporting quotes, counted by who stands behind each" in page
    assert "2 independent voices:" in page
    assert "<li>Bloomberg (wire service of two articles) — one voice.</li>" in page
    assert "<li>Carl Thayer (author of one article) — one voice.</li>" in page
    assert "The Straits Times, via Bloomberg" in page


def test_a_claim_with_one_source_says_single_source_without_a_tick(world, client):
    badge = badge_of(page_of(client, world.greeted))
    assert "Single source</span>" in badge
    assert "✓" not in badge


def test_a_disputed_claim_is_contested(world, client):
    assert "Contested</span>" in page_of(client, world.last_2007)


def test_each_citation_names_its_source_date_and_stance(world, client):
    page = squashed(page_of(client, world.visit_dates))
    assert "Vietnam leader makes rare visit to North Korea</a>" in page
    assert "Carl Thayer, Tuoi Tre" in page
    assert '<time datetime="2025-10">October 2025</time>' in page
    assert '<time datetime="2025-10-08">c. 8 October 2025</time>' in page
    assert "supports</span>" in page


def test_each_quote_is_highlighted_within_its_sentences(world, client):
    page = page_of(client, world.greeted)
    assert (
        "<p>To Lam arrived in Pyongyang on 9 October 2025 for a visit lasting until 11 October. "
        '<mark class="quote-mark quote-mark--supports">He was greeted at the airport by Kim Jong Un.</mark></p>'
    ) in page


def test_each_quote_links_into_the_article_where_it_is_highlighted(world, client):
    citation = world.greeted.citations.get()
    page = page_of(client, world.greeted)
    assert f'href="/articles/tuoi-tre-interview/#cite-{citation.pk}"' in page
    article = client.get("/articles/tuoi-tre-interview/").content.decode()
    assert f'id="cite-{citation.pk}"' in article


def test_disputing_quotes_sit_beside_the_supporting_ones(world, client):
    page = page_of(client, world.last_2007)
    supporting = page.index('id="supporting-heading"')
    disputing = page.index('id="disputing-heading"')
    assert "The last time a Vietnamese party head visited North Korea was in 2007." in page[supporting:disputing]
    assert "The last visit by a Vietnamese general secretary took place around 2005–2006." in page[disputing:]
    # The FAQ's quote disputes it directly, and supports the competing claim too.
    assert "Disputing (2)" in page


def test_a_qualifying_quote_is_shown_as_qualifying(world, client):
    page = page_of(client, world.mediator)
    assert "Qualifying (1)" in page
    assert "mediating role" in page[page.index('id="qualifying-heading"') :]


def test_competing_claims_are_shown_prominently(world, client):
    page = page_of(client, world.last_2007)
    competing = page.index('id="competing-heading"')
    assert competing < page.index('id="evidence-heading"')
    assert world.last_2005.get_absolute_url() in page[competing:]
    assert "Competing claim</h2>" in page


def test_a_quote_lost_after_an_edit_needs_review_and_is_not_counted(world, client):
    page = page_of(client, world.trade)
    review = page[page.index('id="review-heading"') :]
    assert "Needs review (1)" in review
    assert "Needs review:</strong> the article was edited" in review
    assert "Trade fell to almost nothing." in review
    assert "Trade fell to almost nothing." not in page[: page.index('id="review-heading"')]
    assert "Supporting (1)" in page
    assert "1 independent voice:" in page
    assert f"#cite-{world.lost_citation.pk}" not in page  # nothing to scroll to


def test_a_quote_shared_by_two_claims_links_to_its_own_anchor_in_the_article(world, client):
    disputing = Citation.objects.get(claim=world.last_2007, stance=Stance.DISPUTES)
    supporting = world.last_2005.citations.get()
    assert (disputing.article, disputing.start) == (supporting.article, supporting.start)
    page = page_of(client, world.last_2005)
    assert f'href="/articles/visit-faq/#cite-{supporting.pk}"' in page
    article = client.get("/articles/visit-faq/").content.decode()
    assert f'id="cite-{supporting.pk}"' in article
    assert f'id="cite-{disputing.pk}"' in article


def test_it_lists_related_claims(world, client):
    page = page_of(client, world.visit_dates)
    related = page[page.index('id="related-heading"') :]
    assert world.greeted.get_absolute_url() in related  # same event
    assert world.trade.get_absolute_url() in related  # also about Vietnam


def test_a_related_claim_shows_its_words_and_its_status_as_on_its_own_page(client):
    event = make_event()
    claim = make_claim("The talks began.", event=event)
    neighbour = make_claim("The talks <ended> early.", slug="talks-ended", event=event)
    for _ in range(2):
        cite(neighbour, make_article("The talks <ended> early.", authors=[make_actor()]), "The talks <ended> early.")
    page = page_of(client, claim)
    related = page[page.index('id="related-heading"') : page.index('id="cite-heading"')]
    assert squashed(
        '<li class="related-claim"><a href="/claims/talks-ended/">The talks &lt;ended&gt; early.</a> '
        '<span class="meta"><span class="badge status-corroborated">'
        '<span class="badge__symbol" aria-hidden="true">●●</span> Corroborated by 2 independent sources</span>'
    ) in squashed(related)


def test_it_offers_a_line_to_cite_it_by_its_permalink(world, client):
    page = page_of(client, world.visit_dates)
    assert "Cite this claim" in page
    assert "http://testserver/claims/visit-9-11-october/</a>" in page


def test_an_unknown_claim_is_not_found(world, client):
    response = client.get("/claims/no-such-claim/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_it_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    url = world.last_2007.get_absolute_url()
    client.get(url)  # warm the content-type cache taggit uses
    # 1 the claim with claimant and event, 2 its subjects, 3 its tags, 4 its competing-claim
    # links with the other claims, 5 the citations of it and of its competitors, with
    # speakers, articles, publishers and wires, 6 the articles' authors, 7 the related
    # claims, ranked, with what each shows.
    with django_assert_num_queries(7):
        client.get(url)
    # Without competing claims: the same seven.
    with django_assert_num_queries(7):
        client.get(world.visit_dates.get_absolute_url())


# --- Voices, statuses and competing claims, each on a small knowledge base of its own ---------------


def test_one_person_quoted_in_one_article_and_author_of_another_counts_once(client):
    khang = make_actor("Vu Xuan Khang", slug="vu-xuan-khang")
    interview = make_article(
        "Khang added that Hanoi wants balance.", publisher=make_actor("Tuoi Tre News", kind=Actor.Kind.OUTLET)
    )
    commentary = make_article("Hanoi wants balance in Asia.", authors=[khang])
    claim = make_claim("Hanoi wants balance.", claimant=khang)
    cite(claim, interview, "Hanoi wants balance", speaker=khang)
    cite(claim, commentary, "Hanoi wants balance")
    page = squashed(page_of(client, claim))
    assert "Single source</span>" in page
    assert "Corroborated" not in page
    assert "<li>Vu Xuan Khang (quoted in one article, author of another) — one voice.</li>" in page
    assert '<span class="meta__part">the words of <a href="/actors/vu-xuan-khang/">Vu Xuan Khang</a></span>' in page


def test_a_hedge_that_qualifies_a_claim_does_not_contest_it(client):
    article = make_article("Talks will open trade. The talks may prove futile.")
    claim = make_claim(citations=[(article, "Talks will open trade."), (article, "may prove futile", Stance.QUALIFIES)])
    page = page_of(client, claim)
    assert "Contested</span>" not in page
    assert "Single source</span>" in page
    assert "Qualifying (1)" in page
    assert "Disputing (0)" in page
    assert "No source disputes this claim.</p>" in page


def test_a_link_to_a_competing_claim_without_support_does_not_contest(client):
    article = make_article("One deal was signed. Limited deals were expected.")
    outcome = make_claim("One deal was signed.", citations=[(article, "One deal was signed.")])
    expected = make_claim("Limited deals were expected.", citations=[(article, "Limited deals", Stance.QUALIFIES)])
    outcome.conflicts_with.add(expected, through_defaults={"note": "one deal vs limited deals"})
    page = page_of(client, outcome)
    assert "Single source</span>" in badge_of(page)
    assert "Contested" not in badge_of(page)
    assert "What differs: one deal vs limited deals" in page
    assert "No source disputes this claim, and no competing claim has support of its own.</p>" in page


def test_a_contested_claim_shows_the_competing_claims_quotes_on_its_disputing_side(client):
    first = make_article("The last visit was in 2007.", slug="first")
    second = make_article("It happened around 2005-2006.", slug="second")
    in_2007 = make_claim("The last visit was in 2007.", citations=[(first, "The last visit was in 2007.")])
    around = make_claim("It was around 2005-2006.", citations=[(second, "around 2005-2006")])
    in_2007.conflicts_with.add(around, through_defaults={"note": "2007 vs around 2005–2006"})
    page = squashed(page_of(client, in_2007))
    assert "Contested</span>" in page
    disputing = page[page.index('id="disputing-heading"') :]
    assert "Disputing (1)" in disputing
    assert "for a competing claim</span>" in disputing
    # Marked as what it does here, on this claim's disputing side.
    assert '<mark class="quote-mark quote-mark--disputes">around 2005-2006</mark>' in disputing
    assert (
        f'Supports the competing claim <a href="{around.get_absolute_url()}">“It was around 2005-2006.”</a>'
        in disputing
    )
    assert "</a> — 2007 vs around 2005–2006</p>" in disputing
    assert "No source disputes" not in disputing


def test_a_claim_whose_only_quote_was_lost_shows_needs_review(client):
    article = make_article("Trade fell to almost nothing.")
    claim = make_claim(citations=[(article, "Trade fell to almost nothing.")])
    article.body = "Nothing was said about trade."
    article.save()
    page = page_of(client, claim)
    assert "Needs review</span>" in badge_of(page)
    assert "Single source" not in page
    assert "Supporting (0)" in page
    assert "Needs review (1)" in page


def test_a_quote_from_a_photo_caption_says_so(client):
    article = make_article("The visit began.", captions="Children greet To Lam at Pyongyang airport.")
    claim = make_claim()
    cite(claim, article, "Children greet To Lam", location="captions")
    page = page_of(client, claim)
    assert '<span class="meta__part">in a photo caption</span>' in page
    assert '<mark class="quote-mark quote-mark--supports">Children greet To Lam</mark>' in page


def test_the_query_count_does_not_grow_with_voices_competitors_or_lost_quotes(client, django_assert_num_queries):
    body = "One said yes. Two said yes. Three said yes. Four said yes."
    claim = make_claim("Yes.", claimant=make_actor())
    url = claim.get_absolute_url()
    cite(claim, make_article(body), "One said yes.")
    client.get(url)  # warm the content-type cache taggit uses
    # No competing claims yet, and no related claims either.
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(6):
        article = make_article(body, authors=[make_actor(), make_actor()], wire=make_actor(kind="outlet"))
        cite(claim, article, "Two said yes.", speaker=make_actor())
        cite(claim, article, "Three said yes.", Stance.DISPUTES)
        rival = make_claim(citations=[(article, "Four said yes.")])
        claim.conflicts_with.add(rival, through_defaults={"note": f"note {n}"})
    lost = make_article(body)
    cite(claim, lost, "One said yes.")
    lost.body = "Nothing."
    lost.save()
    # Still seven: more voices, competitors and lost quotes.
    with django_assert_num_queries(7):
        page = page_of(client, claim)
    assert "Needs review (1)" in page
    assert page.count("for a competing claim</span>") == 6


def test_a_competing_claims_note_is_shown_as_text_never_as_markup(client):
    article = make_article("In 2007. Around 2005.")
    first = make_claim(citations=[(article, "In 2007.")])
    second = make_claim(citations=[(article, "Around 2005.")])
    first.conflicts_with.add(second, through_defaults={"note": "<script>alert(1)</script> vs “2005”"})
    page = page_of(client, first)
    assert "<script>alert(1)</script>" not in page
    assert "What differs: &lt;script&gt;alert(1)&lt;/script&gt; vs “2005”" in page


def test_a_claim_stated_by_several_voices_names_no_claimant_and_points_to_them(client):
    giang = make_actor("Nguyen Khac Giang")
    wire = make_article(
        "Giang said Hanoi is more proactive.", wire=make_actor("Bloomberg News", kind=Actor.Kind.OUTLET)
    )
    analysis = make_article("Hanoi is more proactive now.")
    claim = make_claim("Hanoi is more proactive.")
    cite(claim, wire, "Hanoi is more proactive", speaker=giang)
    cite(claim, analysis, "Hanoi is more proactive")
    page = squashed(page_of(client, claim))
    # Not "the sources state it in their own voice": one of them is Giang's words.
    assert (
        '<dt>Claimed by</dt><dd>no claimant named: see <a href="#origins-heading">who stands behind it</a></dd>' in page
    )
    assert "<li>Nguyen Khac Giang (quoted in one article) — one voice.</li>" in page


# --- Related claims: closest first, from a bounded set ------------------------------------------------


def related_slugs(page):
    related = page[page.index('id="related-heading"') : page.index('id="cite-heading"')]
    return re.findall(r'<li class="related-claim"><a href="/claims/([^/]+)/">', related)


def test_related_claims_put_the_same_event_first_then_shared_actors_then_shared_tags(client):
    from tests.factories import make_event

    kim, lam, other = make_actor("Kim"), make_actor("Lam"), make_actor("Someone else")
    visit, other_event = make_event("The visit"), make_event("Something else")
    claim = make_claim("Kim met Lam.", slug="met", subjects=[kim, lam], event=visit, tags=["visit", "talks"])
    make_claim("Tagged once.", slug="a-one-tag", tags=["talks"])
    make_claim("Tagged twice.", slug="b-two-tags", tags=["visit", "talks"])
    make_claim("About Kim.", slug="c-one-actor", subjects=[kim], event=other_event)
    make_claim("About both.", slug="d-two-actors", subjects=[kim, lam])
    make_claim("Said by Lam.", slug="e-claimant", claimant=lam, subjects=[other])
    make_claim("On the visit.", slug="z-same-event", event=visit)
    make_claim("Unrelated.", slug="unrelated", subjects=[other], event=other_event, tags=["other"])
    page = page_of(client, claim)
    assert related_slugs(page) == [
        "z-same-event",
        "d-two-actors",
        "c-one-actor",
        "e-claimant",
        "b-two-tags",
        "a-one-tag",
    ]


def test_related_claims_leave_out_the_claim_itself_and_its_competitors(client):
    kim = make_actor("Kim")
    claim = make_claim("Kim came.", slug="came", subjects=[kim])
    rival = make_claim("Kim stayed away.", slug="stayed-away", subjects=[kim])
    claim.conflicts_with.add(rival, through_defaults={"note": "came vs stayed away"})
    make_claim("Kim spoke.", slug="spoke", subjects=[kim])
    assert related_slugs(page_of(client, claim)) == ["spoke"]


def test_related_claims_are_drawn_from_a_bounded_set_of_candidates(client, monkeypatch):
    from articles import models

    kim = make_actor("Kim")
    claim = make_claim("Kim came.", slug="came", subjects=[kim])
    for n in range(5):
        make_claim(f"Kim said {n}.", slug=f"said-{n}", subjects=[kim])
    defaults = models.ClaimQuerySet.related_to.__kwdefaults__
    monkeypatch.setattr(models.ClaimQuerySet.related_to, "__kwdefaults__", {**defaults, "per_source": 2})
    # Each source (here: claims about Kim) offers at most two candidates, plus the claim itself.
    assert len(related_slugs(page_of(client, claim))) == 1


def test_related_claims_from_a_bounded_set_are_the_same_at_every_rendering(client, monkeypatch):
    # Each source offers its first candidates in its index's order (here: the event's, by slug), not
    # whichever rows a scan meets first: those differed between two renderings of one page at 100k claims.
    from articles import models
    from tests.factories import make_event

    visit = make_event("The visit")
    for slug in ("z-on-the-visit", "y-on-the-visit", "b-on-the-visit", "a-on-the-visit"):
        make_claim(f"Said {slug}.", slug=slug, event=visit)
    claim = make_claim("Kim came.", slug="m-came", event=visit)
    defaults = models.ClaimQuerySet.related_to.__kwdefaults__
    monkeypatch.setattr(models.ClaimQuerySet.related_to, "__kwdefaults__", {**defaults, "per_source": 2})
    assert related_slugs(page_of(client, claim)) == ["a-on-the-visit", "b-on-the-visit"]


def test_a_claim_with_nothing_in_common_with_others_says_so(client):
    make_claim("Something else.", slug="else")
    page = page_of(client, make_claim("Alone.", slug="alone"))
    assert related_slugs(page) == []
    assert "No other claim concerns the same event or actors." in page


# --- Editorial titles, and citing the claim --------------------------------------------------------


def test_an_editors_title_is_marked_where_a_quote_names_its_article(world, client):
    page = squashed(page_of(client, world.last_2005))  # quoted from the FAQ, whose title our editors wrote
    assert (
        f'<a href="{world.faq.get_absolute_url()}">{world.faq.title}</a> '
        '<span class="note-inline title-note">(title by our editors)</span>'
    ) in page
    own_headline = page_of(client, world.greeted)
    assert "(title by our editors)" not in own_headline


def cite_block(page):
    return page[page.index('id="cite-heading"') : page.index("</section>", page.index('id="cite-heading"'))]


def code_block(block, summary):
    """The unescaped text of the <pre> under the <details> whose summary starts with `summary`."""
    start = block.index(f"<summary>{summary}")
    code = block[block.index("<code>", start) + len("<code>") : block.index("</code>", start)]
    return html.unescape(code)


def test_cite_this_gives_one_line_with_the_permalink_once_and_todays_access_date(world, client):
    block = cite_block(page_of(client, world.visit_dates))
    line = block[block.index('<p class="cite-line">') : block.index("</p>", block.index('<p class="cite-line">'))]
    today = date.today()
    assert f"(accessed {today.day} {today:%B} {today.year})." in line
    assert "Corroborated by 2 independent sources." in line
    assert re.sub(r"<[^>]+>", "", line).count("http://testserver/claims/visit-9-11-october/") == 1  # as it reads
    assert '<a href="http://testserver/claims/visit-9-11-october/">' in line


def test_cite_this_offers_bibtex_that_parses(world, client):
    from pybtex.database import parse_string

    bibtex = code_block(cite_block(page_of(client, world.visit_dates)), "BibTeX")
    entry = parse_string(bibtex, "bibtex").entries["visit-9-11-october"]
    assert entry.type == "misc"
    assert entry.fields["title"] == "{" + world.visit_dates.text + "}"
    assert entry.fields["url"] == "http://testserver/claims/visit-9-11-october/"
    assert entry.fields["urldate"] == date.today().isoformat()


def test_bibtex_escapes_what_bibtex_reads_as_markup(client):
    from pybtex.database import parse_string

    claim = make_claim("Trade rose 50% & costs fell {sharply} for #1_firms.", slug="escaped")
    bibtex = code_block(cite_block(page_of(client, claim)), "BibTeX")
    title = parse_string(bibtex, "bibtex").entries["escaped"].fields["title"]
    assert title == r"{Trade rose 50\% \& costs fell \{sharply\} for \#1\_firms.}"


def test_cite_this_offers_csl_json_for_reference_managers(world, client):
    csl = json.loads(code_block(cite_block(page_of(client, world.visit_dates)), "CSL-JSON"))
    assert len(csl) == 1
    item = csl[0]
    assert item["id"] == "visit-9-11-october"
    assert item["type"] == "webpage"
    assert item["title"] == world.visit_dates.text
    assert item["URL"] == "http://testserver/claims/visit-9-11-october/"
    today = date.today()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    assert item["container-title"] == "To Lam in Pyongyang"


# --- Stored quote context ---------------------------------------------------------------------------


def test_a_quotes_context_is_stored_with_it_and_follows_edits_of_the_article(client):
    article = make_article("First sentence. The quoted words are here. Last sentence.\n\nAnother paragraph.")
    claim = make_claim(citations=[(article, "quoted words")])
    citation = claim.citations.get()
    assert (citation.context_before, citation.context_after) == ("First sentence. The ", " are here. Last sentence.")
    article.body = "A new opening. The quoted words remain. A new ending."
    article.save()
    citation.refresh_from_db()
    assert (citation.context_before, citation.context_after) == ("A new opening. The ", " remain. A new ending.")
    assert "A new opening. The <mark" in page_of(client, claim)


def test_a_quote_without_stored_context_is_shown_in_context_all_the_same(client):
    article = make_article("Before it. The quoted words. After it.")
    claim = make_claim(citations=[(article, "The quoted words.")])
    claim.citations.update(context_before=None, context_after=None)  # as a bulk insert leaves it
    assert (
        '<p>Before it. <mark class="quote-mark quote-mark--supports">The quoted words.</mark> After it.</p>'
        in page_of(client, claim)
    )


def test_refresh_quote_context_fills_what_a_bulk_insert_left_out(client):
    from django.core.management import call_command

    article = make_article("Before it. The quoted words. After it.")
    claim = make_claim(citations=[(article, "The quoted words.")])
    claim.citations.update(context_before=None, context_after=None)
    out = io.StringIO()
    call_command("refresh_quote_context", stdout=out)
    assert "Refreshed the quote context of 1 citation(s)." in out.getvalue()
    assert Citation.objects.filter(claim=claim, context_before="Before it. ", context_after=" After it.").exists()
