"""Every kind of reader page on a phone (390 × 844): nothing scrolls sideways, not even for a word
longer than the screen, and the page's main content starts on the first screen, not below the
navigation and the filters."""

import pytest
from django.urls import reverse

from tests.browser.support import PHONE, open_page, reader_pages

pytestmark = [pytest.mark.browser]


def test_no_page_scrolls_sideways_and_each_starts_its_content_on_the_first_screen(phone_page, live_server, reader_kb):
    problems = []
    for name, path in reader_pages(reader_kb):
        response = phone_page.goto(live_server.url + path)
        assert response.status == 200, path
        overflow = phone_page.evaluate("document.documentElement.scrollWidth")
        if overflow > PHONE["width"]:
            problems.append(f"{name}: {overflow} px wide, scrolls sideways")
        heading = phone_page.locator("main h1").first.bounding_box()
        if heading is None or heading["y"] + heading["height"] > PHONE["height"]:
            problems.append(f"{name}: the page's heading is not on the first screen ({heading})")
    assert problems == []
    assert phone_page.problems == []


def test_a_word_longer_than_the_screen_wraps_instead_of_pushing_the_page_sideways(browser, live_server, reader_kb):
    # Editors paste URLs and hyphenated runs of names; Vietnamese names are long. Narrow screens, and the
    # tablet width where claims and their sides stand in two columns.
    from tests.factories import make_actor, make_article, make_claim

    long_word = "Đảng-Cộng-sản-Việt-Nam-và-Đảng-Lao-động-Triều-Tiên-https://example.org/a/very/long/unbroken/path"
    speaker = make_actor("Nguyễn Thị Thanh Hương-Phạm Đặng Quốc Việt Trường Sa Hoàng Sa", slug="long-name")
    # A title that is a pasted address: its longest unbroken run is wider than a small phone.
    pasted = make_article(
        "Kim Jong Un shook his hand at the airport.",
        title="https://www.example.org/the-interpreter/a-very-long-address",
        slug="pasted-title",
        authors=[speaker],
    )
    claim = make_claim(
        f"Kim Jong Un greeted him as {long_word}.",
        slug="long-word",
        claimant=speaker,
        subjects=[speaker],
        event=reader_kb["visit"],
        citations=[
            (reader_kb["arrival"], "He was greeted at the airport by Kim Jong Un."),
            (pasted, "Kim Jong Un shook his hand at the airport."),
            (reader_kb["articles"][1], "Some observers said the visit would be cut to two days.", "disputes"),
        ],
    )
    pages = [  # each with the long text it must show
        (reverse("articles:home"), long_word),
        (reverse("articles:claims"), long_word),
        (reverse("articles:contested"), long_word),
        (claim.get_absolute_url(), long_word),
        (speaker.get_absolute_url(), long_word),
        (reverse("articles:actors"), speaker.name),
        (f"{reverse('articles:search')}?q=greeted", long_word),
        (pasted.get_absolute_url(), pasted.title),
        (reverse("articles:articles"), pasted.title),
    ]
    problems = []
    for width in (320, PHONE["width"], 600, 800):  # 320: WCAG's reflow width
        page = open_page(browser, {"width": width, "height": 844})
        try:
            for path, text in pages:
                assert page.goto(live_server.url + path).status == 200, path
                assert text in page.locator("main").inner_text(), path
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > width:
                    problems.append(f"{path} at {width} px: {scroll_width} px wide, scrolls sideways")
        finally:
            page.context.close()
    assert problems == []
