"""Every kind of reader page, at desktop and phone widths: no WCAG 2.1 A/AA violations.

axe-core (bundled by axe-playwright-python) checks each page as Chromium
rendered it, with the site's CSS, so contrast and reflow count. A full-page
screenshot of each goes to test-artifacts/ for a human look. One test visits
them all, so the browser opens each page once per width.
"""

import pytest
from django.urls import reverse

from tests.browser.support import VIEWPORTS, axe_violations, open_page, reader_pages, screenshot

pytestmark = [pytest.mark.browser]


# axe's WCAG 2.1 rules barely depend on the width, and axe is most of this
# test's time; at phone width it checks the pages whose layout changes most
# (the navigation collapses, the grid scrolls), and every page gets a screenshot.
AXE_AT_PHONE_WIDTH = {"home", "timeline-filtered", "grid", "claim", "article"}


def test_every_page_meets_wcag_21_aa_at_desktop_and_phone_widths(browser, live_server, reader_kb):
    violations, problems = [], []
    for width, viewport in VIEWPORTS.items():
        page = open_page(browser, viewport)
        try:
            for name, path in reader_pages(reader_kb):
                response = page.goto(live_server.url + path)
                if response.status != 200:
                    problems.append(f"{path} answered {response.status}")
                    continue
                screenshot(page, f"page-{name}-{width}")
                if width == "desktop" or name in AXE_AT_PHONE_WIDTH:
                    violations += [f"{name} ({width}, {path}): {v}" for v in axe_violations(page)]
            problems += page.problems
        finally:
            page.context.close()
    assert violations == [], "\n".join(violations)
    assert problems == [], "\n".join(problems)


def test_the_error_pages_meet_wcag_21_aa(page, live_server, reader_kb):
    # Error pages are pages too: a reader who mistypes a slug or a filter lands here.
    for name, path in [("404", "/events/no-such-event/"), ("400", f"{reverse('articles:timeline')}?from=abc")]:
        page.goto(live_server.url + path)
        screenshot(page, f"page-{name}-desktop")
        assert axe_violations(page) == [], name


def test_axe_runs_under_the_sites_policy_and_catches_a_real_violation(page, live_server, reader_kb):
    # Guards the tests above against passing because axe never ran: the CSP
    # could block its injection, or the tags could match no rule.
    page.goto(live_server.url + reverse("articles:home"))
    page.evaluate("document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/x'}))")
    assert any(line.startswith("image-alt") for line in axe_violations(page))
