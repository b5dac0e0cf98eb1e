"""Every kind of reader page on a phone (390 × 844): nothing scrolls sideways, and the page's
main content starts on the first screen, not below the navigation and the filters."""

import pytest

from tests.browser.support import PHONE, reader_pages

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
