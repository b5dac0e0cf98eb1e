"""Printing a claim page: one sheet where it fits, the permalink once, no related claims."""

import re

from tests.browser.support import screenshot


def printed_pages(pdf):
    """How many pages a PDF has: its page objects (not the /Pages tree node)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_a_claim_with_a_few_sources_prints_on_one_page(page, live_server, reader_kb):
    page.goto(f"{live_server.url}/claims/three-days/")
    assert printed_pages(page.pdf(format="A4")) == 1


def test_in_print_related_claims_and_the_cite_formats_are_left_out(page, live_server, reader_kb):
    page.goto(f"{live_server.url}/claims/three-days/")
    page.emulate_media(media="print")
    assert page.locator("#related-heading").is_hidden()
    assert page.get_by_text("BibTeX").is_hidden()
    assert page.locator(".cite-line").is_visible()
    screenshot(page, "claim-print")


def test_in_print_the_permalink_is_printed_once(page, live_server, reader_kb):
    page.goto(f"{live_server.url}/claims/three-days/")
    page.emulate_media(media="print")
    line = page.locator(".cite-line")
    assert line.inner_text().count(f"{live_server.url}/claims/three-days/") == 1
    # Nothing adds the link's address after it in print: its text is the address already.
    after = line.locator("a").evaluate("link => getComputedStyle(link, '::after').content")
    assert after in ("none", "normal")
