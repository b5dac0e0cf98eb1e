"""Production settings: what kb/settings.py makes of a production environment.

Settings are read from the environment once, at import, so each case starts a
fresh Python with that environment (kb.settings, not the test settings) and
reads the result back. Then the headers those settings produce are checked on
real responses in this process.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent

SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_HTTPONLY",
    "X_FRAME_OPTIONS",
]


def production_environment(**overrides):
    """What a production host sets (README, Configuration), on top of a clean environment."""
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for playwright; production must not have it.
    test_only = ("DEBUG", "HTTPS", "SECRET_KEY", "BEHIND_PROXY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in test_only}
    env.update(
        DJANGO_SETTINGS_MODULE="kb.settings",
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="kb.example.org",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run_python(code, env):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def settings_under(env):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = run_python(code, env)
    if result.returncode:
        raise AssertionError(result.stderr)
    return json.loads(result.stdout)


class ProductionSettingsTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One interpreter start for all the assertions on the plain production case.
        cls.production = settings_under(production_environment())

    def test_check_deploy_reports_nothing(self):
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=production_environment(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_it_redirects_to_https_and_marks_cookies_secure(self):
        self.assertFalse(self.production["DEBUG"])
        self.assertTrue(self.production["SECURE_SSL_REDIRECT"])
        self.assertTrue(self.production["SESSION_COOKIE_SECURE"])
        self.assertTrue(self.production["CSRF_COOKIE_SECURE"])
        self.assertTrue(self.production["SESSION_COOKIE_HTTPONLY"])

    def test_it_asks_for_a_year_of_hsts_including_subdomains(self):
        self.assertGreaterEqual(self.production["SECURE_HSTS_SECONDS"], 31_536_000)
        self.assertTrue(self.production["SECURE_HSTS_INCLUDE_SUBDOMAINS"])
        self.assertTrue(self.production["SECURE_HSTS_PRELOAD"])

    def test_it_trusts_no_forwarded_proto_header_unless_told_it_is_behind_a_proxy(self):
        # Trusting X-Forwarded-Proto from the open internet would let anyone claim HTTPS.
        self.assertIsNone(self.production["SECURE_PROXY_SSL_HEADER"])
        behind = settings_under(production_environment(BEHIND_PROXY="true"))
        self.assertEqual(behind["SECURE_PROXY_SSL_HEADER"], ["HTTP_X_FORWARDED_PROTO", "https"])

    def test_it_refuses_to_start_without_a_secret_key(self):
        result = run_python("import kb.settings", production_environment(SECRET_KEY=None))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY environment variable is required", result.stderr)

    def test_it_refuses_a_misspelt_https_switch(self):
        # HTTPS=ture silently meaning "off" would ship cookies without Secure.
        result = run_python("import kb.settings", production_environment(HTTPS="ture"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("HTTPS='ture' is not a boolean", result.stderr)

    def test_it_refuses_a_hsts_duration_that_is_not_a_number(self):
        result = run_python("import kb.settings", production_environment(SECURE_HSTS_SECONDS="a year"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECURE_HSTS_SECONDS='a year' is not a whole number", result.stderr)


# What kb.settings computes with HTTPS=true (checked against the real import above).
HTTPS_ON = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


@override_settings(**HTTPS_ON)
class HttpsResponsesTests(SimpleTestCase):
    def test_the_production_values_are_the_ones_tested_here(self):
        production = settings_under(production_environment())
        self.assertEqual({name: production[name] for name in HTTPS_ON}, HTTPS_ON)

    def test_it_redirects_plain_http_to_https(self):
        response = self.client.get(reverse("admin:login"))
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response.url.startswith("https://"))

    def test_it_sends_hsts_over_https(self):
        response = self.client.get(reverse("admin:login"), secure=True)
        self.assertEqual(response.headers["Strict-Transport-Security"], "max-age=31536000; includeSubDomains; preload")

    def test_it_sends_the_csrf_cookie_only_over_https(self):
        # The admin login form carries a CSRF token, so it sets the cookie.
        response = self.client.get(reverse("admin:login"), secure=True)
        self.assertTrue(response.cookies["csrftoken"]["secure"])
