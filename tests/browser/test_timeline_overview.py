"""The timeline's overview stays in view while the list scrolls, on a desktop and on a phone,
and a mark in it brings its event into view below it, not under it; so does the keyboard."""

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


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_a_keyboard_user_tabbing_back_up_the_list_never_has_the_focus_hidden_under_the_overview(
    device, request, live_server, reader_kb
):
    # Tabbing backwards, the browser scrolls each link just into view at the top of the screen: where the overview is.
    page = request.getfixturevalue(device)
    a_long_timeline()
    page.goto(f"{live_server.url}{reverse('articles:timeline')}?year=2024")
    page.locator(".site-footer a").last.focus()
    checked, hidden = 0, []
    for _ in range(45):
        page.keyboard.press("Shift+Tab")
        focus = page.evaluate(
            """() => {
              const link = document.activeElement, box = document.querySelector('.overview-box');
              if (!document.querySelector('#timeline-list').contains(link)) return null;
              return {text: link.textContent.trim(), top: link.getBoundingClientRect().top,
                      overview_bottom: box.getBoundingClientRect().bottom};
            }"""
        )
        if focus:
            checked += 1
            if focus["top"] < focus["overview_bottom"] - 1:
                hidden.append(focus)
    assert checked >= 30  # the walk went up the list, past the screenful the footer started on
    assert hidden == []
