"""How to cite a claim page: a plain line, BibTeX and CSL-JSON, all from one Reference.

The claim page shows each in a <details> block (no JavaScript needed), to copy
into a paper or a reference manager (Zotero imports CSL-JSON and BibTeX).
Every format carries the permalink and the date the reader accessed it: the
page states what the knowledge base said on that day, and a claim's status
can change as sources are added.
"""

import json
import re
from dataclasses import dataclass
from datetime import date

from django.utils.dateformat import format as format_date
from django.utils.html import format_html

# BibTeX's special characters, escaped so that a claim's words come through as typed.
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_PATTERN = re.compile("|".join(re.escape(char) for char in _BIBTEX_SPECIAL))


def bibtex_escape(text):
    return _BIBTEX_PATTERN.sub(lambda match: _BIBTEX_SPECIAL[match.group()], " ".join(text.split()))


def _date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]}


@dataclass(frozen=True)
class Reference:
    """A claim as a reference: what it says, where it lives, and when it was read and last changed."""

    key: str  # a citation key: the claim's slug
    title: str  # the claim's words
    url: str  # its permalink
    site: str  # the knowledge base's name
    status: str  # its status label on the day it was read
    updated: date  # when the claim last changed
    accessed: date  # when the reader read it

    @classmethod
    def for_claim(cls, claim, url, site, accessed):
        return cls(
            key=claim.slug,
            title=claim.text,
            url=url,
            site=site,
            status=claim.status_label,
            updated=claim.updated.date(),
            accessed=accessed,
        )

    @property
    def accessed_display(self):
        return format_date(self.accessed, "j F Y")

    _PLAIN = "“{title}” {site}, claim {key}. {status}. {url} (accessed {accessed})."

    def plain(self):
        """One line, the way a style guide cites a web page."""
        return self._PLAIN.format(**self._plain_parts(self.url))

    def plain_html(self):
        """The same line for the page, its permalink a link (printed once: the link's text is the URL)."""
        link = format_html('<a href="{}">{}</a>', self.url, self.url)
        return format_html(self._PLAIN, **self._plain_parts(link))

    def _plain_parts(self, url):
        return {
            "title": self.title,
            "site": self.site,
            "key": self.key,
            "status": self.status,
            "url": url,
            "accessed": self.accessed_display,
        }

    def bibtex(self):
        fields = [
            ("title", f"{{{bibtex_escape(self.title)}}}"),  # double braces: keep its capitals as written
            ("howpublished", bibtex_escape(self.site)),
            ("year", str(self.updated.year)),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("note", f"{bibtex_escape(self.status)}. Accessed {self.accessed_display}"),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{self.key},\n{body}\n}}\n"

    def csl(self):
        """The CSL-JSON item (a dict); csl_json() is the document reference managers import."""
        return {
            "id": self.key,
            "type": "webpage",
            "title": self.title,
            "container-title": self.site,
            "URL": self.url,
            "issued": _date_parts(self.updated),
            "accessed": _date_parts(self.accessed),
            "note": self.status,
        }

    def csl_json(self):
        # A list of one item, as reference managers import it; one line per field, to read and copy.
        item = self.csl()
        fields = (f"  {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}" for name, value in item.items())
        return "[{\n" + ",\n".join(fields) + "\n}]\n"
