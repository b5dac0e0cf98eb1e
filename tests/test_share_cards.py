"""Share cards: what a social network shows beside a shared link.

Every page names a card (og:image with its alt text, twitter:card); a claim's
page names its own, a PNG of its text, status and number of independent
sources, drawn once per content version and served with validators.
"""

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from articles import cards
from articles.caching import bump_content_version
from articles.models import Claim
from tests.factories import make_claim

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


class Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            self.meta[attrs.get("property") or attrs.get("name")] = attrs.get("content")


def meta_of(client, url):
    parser = Meta()
    parser.feed(client.get(url).content.decode())
    return parser.meta


def card_of(client, claim):
    return client.get(reverse("linked:claim-card", args=[claim.slug]))


def image(response):
    return Image.open(io.BytesIO(response.content))


# --- The page names its card ---------------------------------------------------------


def test_a_claim_page_names_its_own_card_with_words_for_it(world, client):
    claim = Claim.objects.get(pk=world.visit_dates.pk)
    meta = meta_of(client, claim.get_absolute_url())
    assert meta["og:image"] == f"http://testserver/cards/claims/{claim.slug}.png"
    assert meta["og:image:alt"] == f"Corroborated by 2 independent sources: “{claim.text}”"
    mediator = meta_of(client, world.mediator.get_absolute_url())
    assert mediator["og:image:alt"] == f"Contested, 1 independent source: “{world.mediator.text}”"
    assert meta["og:image:width"] == "1200"
    assert meta["og:image:height"] == "630"
    assert meta["twitter:card"] == "summary_large_image"


def test_other_pages_name_the_sites_card(world, client):
    for url in (reverse("articles:home"), world.interview.get_absolute_url(), world.to_lam.get_absolute_url()):
        meta = meta_of(client, url)
        assert meta["og:image"] == "http://testserver/static/img/share-card.png", url
        assert meta["og:image:alt"] == cards.SITE_CARD_ALT
        assert meta["twitter:card"] == "summary_large_image"
    site_card = Image.open(ROOT / "static/img/share-card.png")
    assert (site_card.format, site_card.size) == ("PNG", (1200, 630))


# --- The claim's card ----------------------------------------------------------------


def test_a_claims_card_is_a_png_served_with_validators(world, client):
    response = card_of(client, world.visit_dates)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"]
    assert response["Cache-Control"].startswith("public")
    assert (image(response).format, image(response).size) == ("PNG", (1200, 630))
    again = client.get(reverse("linked:claim-card", args=[world.visit_dates.slug]), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_card_is_drawn_once_per_content_version(world, client, django_assert_num_queries):
    first = card_of(client, world.mediator)
    with django_assert_num_queries(0):
        assert card_of(client, world.mediator).content == first.content
    claim = Claim.objects.get(pk=world.mediator.pk)
    claim.text = "Vietnam could mediate between North Korea and the United States."
    claim.save()
    bump_content_version()  # the test's transaction never commits, so bump as a commit would
    with django_assert_num_queries(1):  # the claim, to draw it again
        redrawn = card_of(client, claim)
    assert redrawn.content != first.content


def test_a_renamed_claims_old_card_address_redirects_to_the_new(world, client):
    claim = Claim.objects.get(pk=world.trade.pk)
    claim.slug = "trade-all-but-stopped"
    claim.save()
    response = client.get("/cards/claims/trade-dwindled.png")
    assert (response.status_code, response["Location"]) == (301, "/cards/claims/trade-all-but-stopped.png")
    assert client.get(response["Location"])["Content-Type"] == "image/png"


def test_a_card_for_an_unknown_claim_is_not_found(world, client):
    assert client.get(reverse("linked:claim-card", args=["no-such-claim"])).status_code == 404


def test_cards_differ_by_status_and_number_of_sources(world, client):
    corroborated, contested = card_of(client, world.visit_dates), card_of(client, world.mediator)
    assert corroborated.content != contested.content


# --- Drawing -------------------------------------------------------------------------


def glyph(character, typeface):
    mask = typeface.getmask(character)
    return mask.size, bytes(mask)


def test_the_bundled_font_has_every_vietnamese_letter_and_status_symbol():
    typeface = cards.font(40)
    missing = glyph("\U000e0fff", typeface)  # an unassigned code point: the font's "no glyph" box
    letters = "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
    symbols = "⚠●○!“”…"
    for character in letters + letters.upper() + symbols:
        assert glyph(character, typeface) != missing, f"no glyph for {character!r}"


def test_a_vietnamese_claim_draws_with_its_diacritics(world, client):
    claim = make_claim("Tổng Bí thư Tô Lâm thăm chính thức Triều Tiên từ ngày 9 đến 11 tháng 10.", slug="vietnamese")
    response = card_of(client, claim)
    assert response.status_code == 200
    assert image(response).size == (1200, 630)
    # Decomposed input (a letter then a combining mark) is composed before drawing.
    assert cards.card_text("To\u0302 La\u0302m") == "Tô Lâm"


def test_a_huge_claim_is_cut_at_a_word_boundary_and_still_fits():
    words = [f"word{number}" for number in range(5000)]
    typeface, lines = cards.fit_text(f"“{cards.card_text(' '.join(words))}”")
    assert typeface.size == min(cards.TEXT_SIZES)
    assert len(lines) * int(typeface.size * 1.3) <= cards.TEXT_BOTTOM - cards.TEXT_TOP
    assert lines[-1].endswith("…")
    shown = " ".join(lines).removeprefix("“").removesuffix("…").split()
    assert shown == words[: len(shown)], "only whole words, in order"
    for line in lines:
        assert typeface.getlength(line) <= cards.WIDTH - 2 * cards.MARGIN


def test_a_long_claim_is_cut_before_layout_at_a_word_boundary():
    words = ["Tổng", "Bí", "thư", "Tô", "Lâm", "thăm", "chính", "thức", "Triều", "Tiên"] * 60
    text = cards.card_text(" ".join(words))
    assert len(text) <= cards.MAX_CHARACTERS + 1
    assert text.endswith("…")
    shown = text.removesuffix("…").split()
    assert shown == words[: len(shown)], "only whole words, in order"


def test_a_word_wider_than_the_card_is_broken_to_fit():
    typeface = cards.font(56)
    lines = cards.wrap("x" * 400, typeface, 1000)
    assert "".join(lines) == "x" * 400
    assert all(typeface.getlength(line) <= 1000 for line in lines)


def test_a_huge_claim_still_draws_a_card(world, client):
    claim = make_claim(" ".join(["Lorem ipsum dolor sit amet."] * 4000), slug="huge-claim")
    response = card_of(client, claim)
    assert response.status_code == 200
    assert image(response).size == (1200, 630)
