"""No input a visitor can type makes a public page fail with a 5xx.

Hypothesis throws arbitrary query strings, path segments and form values at
every public URL. A 4xx is fine (a bad slug is a 404, a bad filter may be a
400); a 500 is a bug. NUL characters are in the alphabet on purpose:
PostgreSQL refuses them in a query, so a view that filters on raw GET values
fails there and not on SQLite. CI runs this file on both.

Examples are kept moderate (the whole suite must stay fast); under CI the run
is derandomised so that a red build is reproducible.
"""

import os
from urllib.parse import quote, urlencode

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from articles.pages import BY_NAME, READER_PAGES
from tests.factories import make_actor, make_article, make_claim, make_event

FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)

# Every reader page, from the registry (articles/pages.py).
LIST_PAGES = [page.name for page in READER_PAGES if not page.is_detail]
DETAIL_PAGES = [page.name for page in READER_PAGES if page.is_detail]
# Parameters the reader pages read (search, filters, paging), plus whatever else a visitor invents.
KNOWN_PARAMETERS = sorted({name for page in READER_PAGES for name in page.params} | {"sort", "order", "cb"})

# Printable text plus the characters that break naive code: NUL and other
# controls, surrogate-free astral characters, quotes, percent signs.
nasty_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]),
    max_size=60,
) | st.sampled_from(["\x00", "%00", "'", '"', "%", "../..", "-1", "0", "99999999999999999999", "1e309", "NaN", " "])

query_strings = st.lists(
    st.tuples(st.sampled_from(KNOWN_PARAMETERS) | st.text(max_size=12), nasty_text),
    max_size=6,
)


def path_segment():
    return st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=80)


class FuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        lam = make_actor("To Lam", slug="to-lam", aliases=["Tô Lâm"])
        kim = make_actor("Kim Jong Un", slug="kim-jong-un")
        article = make_article(
            "To Lam arrived in Pyongyang on Thursday. Talks lasted two days.",
            slug="arrival",
            authors=[lam],
            tags=["diplomacy"],
        )
        event = make_event("Visit to Pyongyang", slug="visit", participants=[(lam, "visitor"), (kim, "host")])
        make_claim(
            "Talks lasted two days.",
            slug="two-days",
            claimant=lam,
            event=event,
            tags=["diplomacy"],
            citations=[(article, "Talks lasted two days.")],
        )
        # By the model a detail page is about, so a new detail page is fuzzed without an edit here.
        cls.slugs = {
            "articles.Event": "visit",
            "articles.Claim": "two-days",
            "articles.Article": "arrival",
            "articles.Actor": "to-lam",
            "taggit.Tag": "diplomacy",
        }

    def setUp(self):
        # A 500 must come back as a response to assert on, not as an exception.
        self.client = Client(raise_request_exception=False)

    def assertNoServerError(self, response, what):
        self.assertLess(response.status_code, 500, f"{what} -> {response.status_code}")

    @FUZZ
    @given(name=st.sampled_from(LIST_PAGES), params=query_strings)
    def test_list_pages_survive_any_query_string(self, name, params):
        url = f"{reverse(f'articles:{name}')}?{urlencode(params)}"
        self.assertNoServerError(self.client.get(url), url)

    @FUZZ
    @given(name=st.sampled_from(DETAIL_PAGES), params=query_strings)
    def test_detail_pages_survive_any_query_string(self, name, params):
        url = f"{reverse(f'articles:{name}', args=[self.slugs[BY_NAME[name].slug_model]])}?{urlencode(params)}"
        self.assertNoServerError(self.client.get(url), url)

    @FUZZ
    @given(name=st.sampled_from(DETAIL_PAGES), segment=path_segment())
    def test_detail_pages_survive_any_slug(self, name, segment):
        prefix = reverse(f"articles:{name}", args=["x"]).removesuffix("x/")
        url = f"{prefix}{quote(segment, safe='')}/"
        self.assertNoServerError(self.client.get(url), url)

    @FUZZ
    @given(segments=st.lists(path_segment(), min_size=1, max_size=4))
    def test_any_path_is_answered_without_a_server_error(self, segments):
        url = "/" + "/".join(quote(segment, safe="") for segment in segments)
        self.assertNoServerError(self.client.get(url), url)

    @FUZZ
    @given(q=nasty_text, actor=nasty_text, page=nasty_text)
    def test_search_and_filters_survive_any_values(self, q, actor, page):
        # The forms the reader sees: search box, timeline's actor filter, paging.
        for name, data in [("search", {"q": q, "page": page}), ("timeline", {"actor": actor, "page": page})]:
            url = reverse(f"articles:{name}")
            self.assertNoServerError(self.client.get(url, data), f"{url} {data!r}")

    @FUZZ
    @given(name=st.sampled_from(LIST_PAGES), data=st.dictionaries(st.sampled_from(KNOWN_PARAMETERS), nasty_text))
    def test_posting_to_a_reader_page_is_not_a_server_error(self, name, data):
        url = reverse(f"articles:{name}")
        self.assertNoServerError(self.client.post(url, data), url)

    @FUZZ
    @given(username=nasty_text, password=nasty_text, next_url=nasty_text)
    def test_the_admin_login_survives_any_credentials(self, username, password, next_url):
        url = f"{reverse('admin:login')}?{urlencode({'next': next_url})}"
        response = self.client.post(url, {"username": username, "password": password})
        self.assertNoServerError(response, url)
