"""Every kind of reader page is valid HTML, as the Nu HTML Checker (vnu) sees it.

vnu is the W3C's checker, shipped as a jar on npm (package.json pins it;
`make browsers` installs it into .venv/node) and run with the machine's
Java. Pages are fetched with Django's test client and handed to one vnu run
as files: one JVM start for all of them, and no local URLs (vnu refuses to
fetch those).
"""

import json
import shutil
import subprocess

import pytest
from django.urls import reverse

from tests.browser.support import ARTIFACTS, build_reader_kb, reader_pages, require, vnu_jar


@pytest.fixture(scope="module")
def vnu():
    jar, java = vnu_jar(), shutil.which("java")
    require(jar is not None, "The Nu HTML Checker is not installed: run `make browsers`.")
    require(java is not None, "vnu needs Java 17 or later on PATH (apt-get install -y default-jre-headless).")
    return [java, "-Xss4m", "-jar", str(jar)]


def validate(vnu, documents, folder):
    """{name: [vnu error lines]} for each {name: html} document."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, html in documents.items():
        paths[name] = folder / f"{name}.html"
        paths[name].write_text(html, encoding="utf-8")
    result = subprocess.run(
        [*vnu, "--format", "json", "--stdout", "--exit-zero-always", *map(str, paths.values())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stdout)["messages"]
    by_path = {path.as_uri(): name for name, path in paths.items()}
    errors = {name: [] for name in documents}
    for message in messages:
        if message["type"] in ("error", "non-document-error"):
            name = by_path.get(message.get("url", "").replace("file:/", "file:///", 1), "?")
            errors.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']}")
    return {name: lines for name, lines in errors.items() if lines}


# Checked alongside the pages, in the same vnu run, so that a checker that
# checked nothing (a wrong path, an empty report) cannot pass the test.
BROKEN = "<!doctype html><html lang=en><title>x</title><p>hi</div>"


@pytest.mark.django_db
def test_every_reader_page_is_valid_html(client, vnu):
    kb = build_reader_kb()
    pages = reader_pages(kb) + [
        ("404", "/events/no-such-event/"),
        ("400", f"{reverse('articles:timeline')}?from=abc"),
    ]
    documents = {name: client.get(path).content.decode() for name, path in pages}
    # Written to test-artifacts/html/ for a human look when this fails.
    errors = validate(vnu, {**documents, "known-broken": BROKEN}, ARTIFACTS / "html")
    assert "Stray end tag" in " ".join(errors.pop("known-broken", [])), "vnu did not check the pages"
    assert errors == {}
