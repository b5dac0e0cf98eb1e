"""A real Chromium against pytest-django's live server.

One browser for the whole session (starting Chromium costs a second or two);
each test gets a fresh context, so no cookie or storage leaks between tests.

The browser is Debian's /usr/bin/chromium (`make browsers` installs it):
`playwright install` cannot download browsers here. Without it the browser
tests skip on a laptop, but under CI=true they fail: a CI run that silently
skipped them would report green for pages no browser ever opened.
"""

import os

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, PHONE, build_reader_kb, open_page, require

# Playwright's sync API runs an asyncio loop in this thread, and Django then
# refuses database calls from it ("You cannot call this from an async
# context"). The test code is plain synchronous code, so the guard is moot here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: run `make browsers` (apt-get install -y chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    page = open_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def phone_page(browser):
    page = open_page(browser, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def reader_kb(transactional_db):
    """The knowledge base of support.build_reader_kb(), visible to the live server.

    Built per test, not once: the live server sees only committed rows, so
    these tests use transactional_db, which empties the tables after each.
    """
    return build_reader_kb()


@pytest.fixture
def bob(transactional_db):
    """Bob the editor; transactional_db empties every table after each test, the Editors group included."""
    from tests.factories import make_editor, rebuild_editors_group

    rebuild_editors_group()
    return make_editor()
