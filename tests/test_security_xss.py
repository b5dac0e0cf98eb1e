"""Nothing an editor types becomes markup a browser would run.

Every editable text field gets a standard XSS payload: article body, title,
captions and date note; claim text; actor names, descriptions and aliases;
tags; quotes; event titles and descriptions. Then every public page, a search
for each payload and the admin's lists are parsed, and must contain no
executable form of any of them: no <script>, no on*= handler, no
javascript:/vbscript:/data: link, no <style> or style= from content, no frames.

Each payload carries a marker naming its field ("xss-3-claim-text"), so a
failure says which field leaked onto which page.
"""

from html.parser import HTMLParser

from django.test import TestCase
from django.urls import reverse

from articles.models import Article, Claim, Event
from articles.rendering import Highlight, render_highlighted, render_markdown
from tests.factories import cite, make_actor, make_admin, make_article, make_claim, make_event

# {m} becomes the marker. Classic vectors, filter-evasion spellings, and the
# Markdown ways of writing a link or an image.
PAYLOADS = [
    "<script>alert('{m}')</script>",
    "<img src=x onerror=alert('{m}')>",
    "\"><svg onload=alert('{m}')>",
    "'><body onload=alert('{m}')>",
    "[click me](javascript:alert('{m}'))",
    "[click me](JaVaScRiPt:alert('{m}'))",
    "[click me](java&#x09;script:alert('{m}'))",
    "<a href=\"&#106;avascript:alert('{m}')\">{m}</a>",
    "![{m}](javascript:alert('{m}'))",
    "[{m}](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[{m}](vbscript:msgbox('{m}'))",
    "<style>body{{background:url('javascript:alert(\"{m}\")')}}</style>",
    "<p style=\"background:url(javascript:alert('{m}'))\">{m}</p>",
    "<iframe src=\"javascript:alert('{m}')\"></iframe>",
    "<object data=\"data:text/html,<script>alert('{m}')</script>\"></object>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{m}')>",
    "<scr<script>ipt>alert('{m}')</scr</script>ipt>",
    '<div title="{m}" onmouseover="alert(\'{m}\')">{m}</div>',
    "<base href=\"javascript:alert('{m}')//\">",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'{m}\')">',
    "</textarea><script>alert('{m}')</script>",
    "</title><script>alert('{m}')</script>",
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset"}
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "base", "applet"}


class _Inspector(HTMLParser):
    """Collects everything in a page that a browser could execute or that restyles it from content."""

    def __init__(self, marker):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.problems = []
        self._raw_text_element = None  # "script" or "style" while inside one
        self._data_island = False  # inside <script type="application/json"> or "application/ld+json"

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        attributes = dict(attrs)
        if tag == "style" or (tag == "script" and "src" not in attributes):
            self._raw_text_element = tag
            # The CSP allows no inline script or style, so no page of ours has
            # any; JSON data islands are inert and allowed.
            self._data_island = tag == "script" and attributes.get("type") in (
                "application/json",
                "application/ld+json",
            )
            if not self._data_island:
                self.problems.append(f"inline <{tag}> element")

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == self._raw_text_element:
            self._raw_text_element = None
            self._data_island = False

    def handle_data(self, data):
        if self._data_island:
            # Content may ride in a data island (the JSON-LD quotes the claim), escaped so
            # that no "<" is left to close the element or open a comment.
            if "<" in data:
                self.problems.append(f"unescaped '<' in a data island: {data.strip()[:80]!r}")
            return
        if self._raw_text_element and self.marker in data:
            self.problems.append(f"<{self._raw_text_element}> holding content: {data.strip()[:80]!r}")

    def _check(self, tag, attrs):
        shown = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)}>"[:160]
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"forbidden element {shown}")
        if tag == "script" and any(self.marker in (value or "") for _, value in attrs):
            self.problems.append(f"script from content {shown}")
        # A description or og:title quoting content is fine, escaped; an
        # http-equiv (refresh, set-cookie) built from content is not.
        if tag == "meta" and "http-equiv" in dict(attrs) and any(self.marker in (v or "") for _, v in attrs):
            self.problems.append(f"meta http-equiv from content {shown}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                # CSP forbids inline handlers, so no page of ours has any.
                self.problems.append(f"event handler {name}= in {shown}")
            if name == "style" and self.marker in value:
                self.problems.append(f"style attribute from content in {shown}")
            if name in URL_ATTRIBUTES:
                # Browsers ignore whitespace and control characters inside a scheme.
                squeezed = "".join(ch for ch in value if ch > " ").lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:text", "data:application")):
                    self.problems.append(f"executable URL in {name}= of {shown}")


def executable_forms(html, marker="xss"):
    inspector = _Inspector(marker)
    inspector.feed(html)
    inspector.close()
    return inspector.problems


class InspectorTests(TestCase):
    """The checker itself must catch what the page tests rely on it to catch."""

    def test_it_catches_each_payload_left_raw(self):
        for payload in PAYLOADS:
            raw = payload.format(m="xss")
            if raw.startswith(("[", "!", "<scr<")):
                # Markdown is harmless until rendered; "<scr<script>ipt>" only
                # turns into a script once a naive filter strips the inner tag.
                continue
            with self.subTest(payload=raw):
                self.assertTrue(executable_forms(f"<p>{raw}</p>"), raw)

    def test_it_passes_each_payload_escaped(self):
        from django.utils.html import escape

        for payload in PAYLOADS:
            escaped = escape(payload.format(m="xss"))
            with self.subTest(payload=payload):
                self.assertEqual(executable_forms(f'<p title="{escaped}">{escaped}</p>'), [])


class RenderingTests(TestCase):
    def test_it_renders_no_payload_as_markup(self):
        for payload in PAYLOADS:
            text = payload.format(m="xss")
            with self.subTest(payload=text):
                self.assertEqual(executable_forms(render_markdown(text)), [])

    def test_it_renders_no_quoted_payload_as_markup(self):
        # A citation quotes the payload itself, as on the article page.
        for payload in PAYLOADS:
            quote = payload.format(m="xss")
            text = f"Before the quote.\n\n{quote}\n\nAfter the quote."
            start = text.index(quote)
            # The label is a claim's text, which editors write too.
            highlight = Highlight(start, start + len(quote), "cite-1", "/claims/c/", label=quote)
            with self.subTest(payload=quote):
                html = render_highlighted(text, [highlight])
                self.assertEqual(executable_forms(html), [])
                # The quote is marked as the text it is, whole, under its own id.
                self.assertIn('<span class="quote-target" id="cite-1"><mark class="quote" data-cites="cite-1">', html)

    def test_it_renders_no_payload_cut_by_a_highlight_as_markup(self):
        # A highlight whose edges fall inside the payload's markup must not
        # stitch a tag back together around the highlight's own markers.
        for payload in PAYLOADS:
            text = f"Before the quote. {payload.format(m='xss')} After the quote."
            for start in range(18, 18 + len(payload), 7):
                highlight = Highlight(start, start + 9, "cite-1", "/claims/c/", label="a claim")
                with self.subTest(payload=text, start=start):
                    self.assertEqual(executable_forms(render_highlighted(text, [highlight])), [])

    def test_it_keeps_plain_links_and_adds_rel(self):
        html = render_markdown("[a source](https://example.org/x)")
        self.assertIn('href="https://example.org/x"', html)
        self.assertIn("noopener", html)

    def test_it_shows_style_elements_as_the_text_typed_never_as_markup(self):
        # Raw HTML in a body is not interpreted: no element can restyle the page or swallow the text.
        html = render_markdown("<style>body{display:none}</style>\n\nText.")
        self.assertNotIn("<style", html)
        self.assertIn("<p>&lt;style&gt;body{display:none}&lt;/style&gt;</p>", html)


class PagesTests(TestCase):
    """Every payload in every field, on every page that could show it."""

    @classmethod
    def setUpTestData(cls):
        cls.alice = make_admin()
        cls.pages = [
            reverse("articles:home"),
            reverse("articles:timeline"),
            reverse("articles:claims"),
            reverse("articles:contested"),
            reverse("articles:grid"),
            reverse("articles:articles"),
            reverse("articles:actors"),
        ]
        cls.queries = []
        for i, template in enumerate(PAYLOADS):

            def payload(field, template=template, i=i):
                return template.format(m=f"xss-{i}-{field}")

            actor = make_actor(
                payload("actor-name"),
                slug=f"xss-actor-{i}",
                description=payload("actor-description")[:300],
                aliases=[payload("actor-alias")],
            )
            outlet = make_actor(payload("outlet-name"), slug=f"xss-outlet-{i}", kind="outlet")
            quote = payload("quote")
            body = f"An opening sentence.\n\n{payload('article-body')}\n\n{quote}\n\nA closing sentence."
            article = make_article(
                body,
                title=payload("article-title"),
                slug=f"xss-article-{i}",
                publisher=outlet,
                authors=[actor],
                captions=payload("article-captions"),
                date_note=payload("article-date-note")[:500],
                tags=[payload("article-tag")[:100]],
            )
            event = make_event(
                payload("event-title"),
                slug=f"xss-event-{i}",
                description=payload("event-description"),
                participants=[(actor, payload("role")[:100])],
                tags=[payload("event-tag")[:100]],
            )
            claim = make_claim(
                payload("claim-text"),
                slug=f"xss-claim-{i}",
                claimant=actor,
                subjects=[actor],
                event=event,
                tags=[payload("claim-tag")[:100]],
            )
            cite(claim, article, quote)
            cls.pages += [
                actor.get_absolute_url(),
                outlet.get_absolute_url(),
                article.get_absolute_url(),
                event.get_absolute_url(),
                claim.get_absolute_url(),
                f"{reverse('articles:timeline')}?actor={actor.slug}",
            ]
            cls.queries.append(payload("search"))
        cls.pages += [reverse("articles:tag", args=[tag.slug]) for tag in Article.tags.all()]
        cls.pages += [reverse("articles:tag", args=[tag.slug]) for tag in Event.tags.all()]
        cls.pages += [reverse("articles:tag", args=[tag.slug]) for tag in Claim.tags.all()]

    def assertNothingExecutable(self, url, response):
        self.assertLess(response.status_code, 500, url)
        problems = executable_forms(response.content.decode())
        self.assertEqual(problems, [], f"{url} emits executable content")

    def test_no_public_page_emits_a_payload_as_markup(self):
        for url in self.pages:
            with self.subTest(url=url):
                self.assertNothingExecutable(url, self.client.get(url))

    def test_search_does_not_reflect_a_payload_as_markup(self):
        for q in self.queries:
            url = reverse("articles:search")
            with self.subTest(q=q):
                self.assertNothingExecutable(url, self.client.get(url, {"q": q}))

    def test_filters_do_not_reflect_a_payload_as_markup(self):
        # Unknown filter values are echoed back by careless pages ("no actor called …").
        for i, template in enumerate(PAYLOADS):
            value = template.format(m=f"xss-{i}-filter")
            for url in [reverse("articles:timeline"), reverse("articles:claims"), reverse("articles:articles")]:
                with self.subTest(url=url, value=value):
                    response = self.client.get(url, {"actor": value, "tag": value, "status": value})
                    self.assertNothingExecutable(url, response)

    def test_the_admin_lists_show_no_payload_as_markup(self):
        self.client.force_login(self.alice)
        for model in ["article", "claim", "actor", "event", "citation"]:
            url = reverse(f"admin:articles_{model}_changelist")
            with self.subTest(url=url):
                self.assertNothingExecutable(url, self.client.get(url))

    def test_the_admin_change_pages_show_no_payload_as_markup(self):
        self.client.force_login(self.alice)
        claim = Claim.objects.get(slug="xss-claim-1")
        citation = claim.citations.get()
        urls = [
            reverse("admin:articles_article_change", args=[citation.article_id]),
            reverse("admin:articles_claim_change", args=[claim.pk]),
            reverse("admin:articles_event_change", args=[claim.event_id]),
            reverse("admin:articles_actor_change", args=[claim.claimant_id]),
            reverse("admin:articles_citation_change", args=[citation.pk]),
            reverse("admin:articles_article_history", args=[citation.article_id]),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertNothingExecutable(url, self.client.get(url))
