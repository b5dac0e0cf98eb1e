"""Reading rendered article HTML as a browser would: strictly, and by what a reader can reach."""

import re
from html.parser import HTMLParser

VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "base", "col", "embed", "track"}


class Malformed(AssertionError):
    pass


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.ids = {}  # id -> index into self.texts where its element starts
        self.open_ids = []  # (id, depth) of elements whose text is being collected
        self.id_text = {}
        self.id_tag = {}
        self.id_class = {}
        self.mark_text = {}  # cite id -> text of every mark that lists it, in order
        self.marks = []  # [cites] of each open mark
        self.text = []
        self.attribute_values = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.attribute_values.extend(value or "" for _, value in attrs)
        if tag in VOID:
            return
        self.stack.append(tag)
        if "id" in attributes:
            if attributes["id"] in self.ids:
                raise Malformed(f"duplicate id {attributes['id']}")
            self.ids[attributes["id"]] = True
            self.id_text[attributes["id"]] = []
            self.id_tag[attributes["id"]] = tag
            self.id_class[attributes["id"]] = attributes.get("class") or ""
            self.open_ids.append((attributes["id"], len(self.stack)))
        if tag == "mark":
            if self.marks:
                raise Malformed("a mark inside a mark")
            self.marks.append((attributes.get("data-cites") or "").split())

    def handle_startendtag(self, tag, attrs):
        self.attribute_values.extend(value or "" for _, value in attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            raise Malformed(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        self.open_ids = [(i, depth) for i, depth in self.open_ids if depth < len(self.stack)]
        self.stack.pop()
        if tag == "mark":
            self.marks.pop()

    def handle_data(self, data):
        self.text.append(data)
        for element_id, _ in self.open_ids:
            self.id_text[element_id].append(data)
        for cites in self.marks:
            for cite in cites:
                self.mark_text.setdefault(cite, []).append(data)


def read(html):
    """Parse strictly: every tag closed in order, no mark in a mark, no duplicate id."""
    reader = _Reader()
    reader.feed(str(html))
    reader.close()
    if reader.stack:
        raise Malformed(f"unclosed {reader.stack}")
    return reader


def squeeze(text):
    return re.sub(r"\s+", " ", text).strip()


def target_text(reader, element_id):
    """What the element a #fragment lands on holds."""
    return squeeze("".join(reader.id_text[element_id]))


def marked_text(reader, cite):
    """Every marked word that belongs to quote `cite`, in reading order."""
    return squeeze("".join(reader.mark_text.get(cite, [])))
