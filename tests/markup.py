"""Reading a page's markup without caring where its templates break their lines.

Templates wrap long lines with plain newlines: between attributes inside a tag, or where
the text already had a space. HTML treats any run of whitespace there as one space, and so
does `squashed`, applied to the page and to the fragment a test expects alike. Everything
else still has to match exactly: tags, attributes and their order, text, and whether there
is any space at all between two elements.
"""

import re

WHITESPACE = re.compile(r"\s+")


def squashed(html):
    """`html` (a str, or a response whose content is read) with each run of whitespace made one space."""
    if hasattr(html, "content"):
        html = html.content.decode()
    return WHITESPACE.sub(" ", html)
