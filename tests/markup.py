"""Reading a page's markup without caring where its templates break their lines.

Templates wrap long lines with plain newlines: between attributes inside a tag, or where
the text already had a space. HTML treats any run of whitespace there as one space, and so
does `squashed`, applied to the page and to the fragment a test expects alike. Everything
else still has to match exactly: tags, attributes and their order, text, and whether there
is any space at all between two elements.

`duplicate_landmarks` reads a page as a screen reader lists its landmarks.
"""

import re
from html.parser import HTMLParser

WHITESPACE = re.compile(r"\s+")


def squashed(html):
    """`html` (a str, or a response whose content is read) with each run of whitespace made one space."""
    if hasattr(html, "content"):
        html = html.content.decode()
    return WHITESPACE.sub(" ", html)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# What a screen reader lists as landmarks: these tags, or any element with one of these roles. A <section> or
# <form> is one only when named; a <header> or <footer> only outside an article or a section.
LANDMARK_TAGS = {"main": "main", "nav": "navigation", "aside": "complementary", "section": "region", "form": "form"}
LANDMARK_ROLES = {"banner", "complementary", "contentinfo", "form", "main", "navigation", "region", "search"}
SECTIONING = {"article", "aside", "main", "nav", "section"}


class Landmarks(HTMLParser):
    """A page's landmarks, each as (role, accessible name), its name read as a screen reader reads it."""

    def __init__(self):
        super().__init__()
        self.open, self.texts, self.found = [], {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        inside = {entry[0] for entry in self.open}
        role = attrs.get("role") or LANDMARK_TAGS.get(tag)
        if tag in ("header", "footer") and not inside & SECTIONING:
            role = "banner" if tag == "header" else "contentinfo"
        if role in LANDMARK_ROLES:
            self.found.append((role, attrs.get("aria-label"), attrs.get("aria-labelledby")))
        if "id" in attrs:
            self.texts[attrs["id"]] = []
        if tag not in VOID:
            hidden = attrs.get("aria-hidden") == "true" or any(entry[2] for entry in self.open)
            self.open.append((tag, attrs.get("id"), hidden))

    def handle_endtag(self, tag):
        if any(entry[0] == tag for entry in self.open):
            while self.open.pop()[0] != tag:
                pass

    def handle_data(self, data):
        if self.open and not self.open[-1][2]:
            for _tag, element_id, _hidden in self.open:
                if element_id:
                    self.texts[element_id].append(data)

    def named(self):
        def name(label, labelledby):
            if labelledby:
                label = " ".join("".join(self.texts.get(i, ["?"])) for i in labelledby.split())
            return " ".join((label or "").split())

        return [(role, name(label, labelledby)) for role, label, labelledby in self.found]


def duplicate_landmarks(html):
    """The landmarks a screen reader cannot tell apart: same role, same name (or none), more than once."""
    landmarks = Landmarks()
    landmarks.feed(html)
    named = [(role, name) for role, name in landmarks.named() if role not in ("region", "form") or name]
    return sorted({landmark for landmark in named if named.count(landmark) > 1})
