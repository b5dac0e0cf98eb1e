"""Every response carries the security headers, pages and admin and errors alike.

The Content-Security-Policy is what makes an escaping slip harmless: with
script-src limited to our own files and no 'unsafe-inline', injected markup
cannot run. So the header itself is tested, on real responses, not the setting.
"""

from django.test import TestCase
from django.urls import reverse

from tests.factories import PASSWORD, make_admin, make_article


def parse_csp(header):
    """{"script-src": ["'self'"], ...} from a Content-Security-Policy header."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


class SecurityHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = make_admin()
        cls.article = make_article(slug="headers")

    def responses(self):
        """One response of each kind a visitor can get."""
        yield "home", self.client.get(reverse("articles:home"))
        yield "article", self.client.get(self.article.get_absolute_url())
        yield "not found", self.client.get("/no-such-page/")
        yield "admin login", self.client.get(reverse("admin:login"))

    def test_it_sends_a_content_security_policy_everywhere(self):
        for name, response in self.responses():
            with self.subTest(name):
                self.assertIn("Content-Security-Policy", response.headers)

    def test_its_policy_allows_no_inline_or_eval_script(self):
        for name, response in self.responses():
            with self.subTest(name):
                csp = parse_csp(response.headers["Content-Security-Policy"])
                script_src = csp.get("script-src", csp.get("default-src"))
                self.assertEqual(script_src, ["'self'"])
                self.assertNotIn("'unsafe-inline'", script_src)
                self.assertNotIn("'unsafe-eval'", script_src)

    def test_its_policy_forbids_plugins_framing_and_foreign_bases(self):
        csp = parse_csp(self.client.get(reverse("articles:home")).headers["Content-Security-Policy"])
        self.assertEqual(csp["object-src"], ["'none'"])
        self.assertEqual(csp["frame-ancestors"], ["'none'"])
        self.assertEqual(csp["base-uri"], ["'self'"])
        self.assertEqual(csp["form-action"], ["'self'"])
        self.assertNotIn("'unsafe-inline'", csp["style-src"])

    def test_it_covers_the_admin_for_a_signed_in_editor(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))
        csp = parse_csp(response.headers["Content-Security-Policy"])
        self.assertEqual(csp["script-src"], ["'self'"])

    def test_it_forbids_content_sniffing(self):
        for name, response in self.responses():
            with self.subTest(name):
                self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")

    def test_it_sends_a_referrer_policy(self):
        for name, response in self.responses():
            with self.subTest(name):
                self.assertEqual(response.headers["Referrer-Policy"], "same-origin")

    def test_it_forbids_framing(self):
        for name, response in self.responses():
            with self.subTest(name):
                self.assertEqual(response.headers["X-Frame-Options"], "DENY")

    def test_it_isolates_the_browsing_context(self):
        response = self.client.get(reverse("articles:home"))
        self.assertEqual(response.headers["Cross-Origin-Opener-Policy"], "same-origin")

    def test_it_keeps_the_session_cookie_away_from_scripts(self):
        response = self.client.post(reverse("admin:login"), {"username": "alice", "password": PASSWORD})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.cookies["sessionid"]["httponly"])
        self.assertEqual(response.cookies["sessionid"]["samesite"], "Lax")

    def test_it_sends_no_hsts_or_redirect_over_plain_http_on_a_laptop(self):
        # HTTPS is off in the test settings, as on `make run`: loopback must work without TLS.
        response = self.client.get(reverse("articles:home"))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Strict-Transport-Security", response.headers)
