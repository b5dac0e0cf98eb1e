"""The XSS payloads, rendered by a real browser: nothing runs, and the CSP never has to step in.

tests/test_security_xss.py parses the HTML; this asks Chromium. An alert()
that fires means a payload ran. A CSP violation in the console means markup
got through the escaping and only the policy stopped it: a bug all the same.
"""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.browser.support import open_page
from tests.factories import cite, make_actor, make_article, make_claim, make_event
from tests.test_security_xss import PAYLOADS

pytestmark = [pytest.mark.browser]


def test_no_payload_runs_or_trips_the_policy_on_the_pages_that_show_it(browser, live_server, transactional_db):
    text = "\n\n".join(payload.format(m=f"xss-{i}") for i, payload in enumerate(PAYLOADS))
    one_line = " ".join(payload.format(m="xss") for payload in PAYLOADS[:6])
    actor = make_actor(one_line[:200], slug="xss-actor", aliases=[PAYLOADS[1].format(m="alias")])
    article = make_article(f"Opening.\n\n{text}\n\nClosing.", title=one_line[:300], slug="xss-article", authors=[actor])
    event = make_event(one_line[:300], slug="xss-event", description=text, participants=[(actor, "role")])
    claim = make_claim(text, slug="xss-claim", claimant=actor, event=event, tags=[one_line[:100]])
    # Quotes are highlighted in the article and shown on the claim and event pages.
    for i in range(4):
        cite(claim, article, PAYLOADS[i].format(m=f"xss-{i}"))

    page = open_page(browser)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        for obj in [article, claim, event, actor]:
            page.goto(live_server.url + obj.get_absolute_url())
        page.goto(f"{live_server.url}{reverse('articles:search')}?{urlencode({'q': PAYLOADS[0].format(m='q')})}")
    finally:
        page.context.close()
    assert dialogs == [], "a payload ran"
    assert page.problems == [], "markup got past the escaping and only the CSP stopped it"
