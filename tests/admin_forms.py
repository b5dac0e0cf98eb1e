"""Read an admin change form's fields back from its HTML, as a browser would submit them.

Posting a change form needs every field, the inlines' management forms and
any hidden token; reading them from the page keeps tests independent of
which fields and inlines the admin shows.
"""

import html
from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self.in_form = [], False
        self._textarea = self._select = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form") and attrs.get("method", "").lower() == "post":
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image"):
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # Browsers drop one newline right after <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.in_form = False


def change_form_fields(html):
    """[(name, value)] of the admin change form in `html`, as submitting it unchanged would send."""
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def with_changes(fields, **changes):
    """`fields` with some values replaced: a dict for client.post (single-valued fields only)."""
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        data[name] = [value]
    return data


def refused_page(response, status=400):
    """The text of the page a refused post redraws (entities decoded), once its status is `status`."""
    assert response.status_code == status, response.status_code
    return html.unescape(response.content.decode())
