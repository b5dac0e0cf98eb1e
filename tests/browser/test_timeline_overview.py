"""The timeline's overview stays in view while the list scrolls, on a desktop and on a phone,
and a mark in it brings its event into view below it, not under it."""

import datetime

import pytest
from django.urls import reverse

from tests.browser.support import screenshot

pytestmark = [pytest.mark.browser]


def a_long_timeline():
    from tests.factories import make_event

    for n in range(30):
        make_event(
            f"Meeting {n:02d}", slug=f"meeting-{n:02d}", start=datetime.date(2024, 1, 1) + datetime.timedelta(9 * n)
        )


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_the_overview_stays_in_view_and_its_marks_lead_to_their_events(device, request, live_server, reader_kb):
    page = request.getfixturevalue(device)
    a_long_timeline()
    page.goto(f"{live_server.url}{reverse('articles:timeline')}?year=2024")
    box = page.locator(".overview-box")
    assert box.bounding_box()["y"] > 0  # under the header and the filters at first
    page.mouse.wheel(0, 4000)
    page.wait_for_timeout(200)
    stuck = box.bounding_box()
    assert stuck["y"] == 0  # still on screen, at its top, after the list has scrolled
    assert stuck["height"] < 260  # a strip, not a screenful
    screenshot(page, f"timeline-overview-{device}")
    page.locator('.overview a[href="#event-meeting-12"]').click()
    page.wait_for_timeout(300)
    item = page.locator("#event-meeting-12").bounding_box()
    assert item["y"] >= box.bounding_box()["y"] + box.bounding_box()["height"] - 1
    assert item["y"] < page.viewport_size["height"]
