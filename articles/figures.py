"""Figures, dates and counts in a sentence, and where two texts disagree on them.

`quantities(text, year)` reads years ("in 2007", "1950–2025"), dates ("9
October", "Oct 9"), durations ("18 years", "two decades", "three-day"),
anniversaries ("the 80th anniversary"), ordinals ("the third visit"), sums of
money ("US$16 million"), percentages and counts ("14 pilots"), each with
whether it is hedged ("almost 20 years", "about 100").

Given the year a text was written, a duration and a year stand for the same
point in time: "the first visit in 18 years", written in 2025, agrees with
"the previous visit was in 2007". Such derived values only ever make two
texts agree; a disagreement is always about something a text states.

`compare(sentence, other)` lists the stated values of the sentence that the
other text contradicts, on a kind of value both texts give.
"""

import re
from dataclasses import dataclass

from articles.anchoring import TYPOGRAPHIC_FOLDS


def _words(text):
    return text.split()


NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
}
ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "seventy-fifth": 75,
    "eightieth": 80,
    "hundredth": 100,
}
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
SCALES = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
WORD_NUM = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
ORD = r"\d+(?:st|nd|rd|th)|" + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
YEAR = r"1[89]\d\d|20\d\d"
HEDGE = (
    r"(?P<hedge>almost|nearly|about|around|roughly|approximately|some|over|more than|less than|fewer than|under|"
    r"just under|just over|close to|at least|up to|c\.|circa)\s+"
)

PATTERNS = [
    # (kind, regex); earlier patterns claim their span first.
    ("money", rf"(?:{HEDGE})?(?:US\$|\$|USD ?)(?P<n>{NUM})(?: ?(?P<scale>million|billion|trillion|thousand|bn|m)\b)?"),
    ("percent", rf"(?:{HEDGE})?(?P<n>{NUM})(?:-(?P<n2>{NUM}))? ?(?:%|per ?cent\b)"),
    ("range", rf"\b(?P<y1>{YEAR})\s?-\s?(?P<y2>{YEAR})\b"),
    (
        "dates",
        rf"\b(?P<d>\d{{1,2}})(?:\s?-\s?| to )(?P<e>\d{{1,2}}) (?P<m>{MONTH})\b\.?"
        rf"|\b(?P<m2>{MONTH})\.? (?P<d2>\d{{1,2}})(?:\s?-\s?| to )(?P<e2>\d{{1,2}})\b",
    ),
    (
        "date",
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<m>{MONTH})\b\.?"
        rf"|\b(?P<m2>{MONTH})\.? (?P<d2>\d{{1,2}})\b(?!,\d)",
    ),
    ("anniversary", rf"\b(?P<o>{ORD})[ -]anniversary\b"),
    (
        "duration",
        rf"(?:{HEDGE})?\b(?P<n>{NUM}|{WORD_NUM})[ -](?P<unit>year|decade|month|week|day)s?\b",
    ),
    ("year", rf"(?<![\$\d.,])\b(?P<y>{YEAR})(?:s\b)?(?![\d%]|,\d)"),
    ("ordinal", rf"\b(?P<o>{ORD}) (?P<noun>[a-z][a-z-]+)"),
    ("count", rf"(?:{HEDGE})?\b(?P<n>{NUM}|{WORD_NUM}) (?:[A-Z][\w-]* ){{0,3}}(?P<noun>[a-z][a-z-]+)"),
]
COMPILED = [(kind, re.compile(pattern, re.IGNORECASE if kind != "count" else 0)) for kind, pattern in PATTERNS]
# Words after a number that do not name what is counted ("one of", "two or three").
NOT_COUNTED = set(_words("of or and to in the a an more less than per times other such as by for on at"))
# Durations and counts of this little are turns of phrase ("a year after", "one day"), not figures.
NOT_FIGURES = {"a", "an", "one"}


@dataclass(frozen=True)
class Quantity:
    """One value a text gives: its kind ("year", "years", "date", "US$", "count:pilot", …), the value and the words."""

    kind: str
    value: float | tuple
    text: str
    hedged: bool = False
    derived: bool = False  # worked out from another value, never itself a disagreement

    @property
    def family(self):
        """How a difference on it is reported: a date, a figure or a count."""
        if self.kind in ("year", "date"):
            return "date"
        if self.kind in ("US$", "%"):
            return "figure"
        return "count"


def _number(text):
    text = text.lower()
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    return float(text.replace(",", ""))


def _ordinal(text):
    text = text.lower()
    return ORDINAL_WORDS[text] if text in ORDINAL_WORDS else int(re.match(r"\d+", text).group())


def _stem(noun):
    noun = noun.lower()
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith("s") and not noun.endswith(("ss", "us", "is")) and len(noun) > 3:
        return noun[:-1]
    return noun


def quantities(text, year=None):
    """The values `text` gives, stated ones first, then those derived with the reference `year`."""
    text = text.translate(TYPOGRAPHIC_FOLDS)
    taken = [False] * len(text)
    found = []
    for kind, pattern in COMPILED:
        for match in pattern.finditer(text):
            if any(taken[match.start() : match.end()]):
                continue
            values = _read(kind, match)
            if values is None:
                continue
            for i in range(match.start(), match.end()):
                taken[i] = True
            found.extend(values)
    if year:
        found += _derived(found, year)
    return found


def _read(kind, match):
    words = match.group(0).strip()
    group = match.groupdict()
    hedged = bool(group.get("hedge"))
    if kind == "money":
        value = _number(group["n"]) * SCALES.get((group["scale"] or "").lower(), 1)
        return [Quantity("US$", value, words, hedged)]
    if kind == "percent":
        return [Quantity("%", _number(group["n"]), words, hedged)]
    if kind == "range":
        first, last = int(group["y1"]), int(group["y2"])
        return [
            Quantity("year", first, group["y1"]),
            Quantity("year", last, group["y2"]),
            Quantity("years", last - first, words, derived=True),
        ]
    if kind == "dates":
        first, last, month = (
            (group["d"], group["e"], group["m"]) if group["d"] else (group["d2"], group["e2"], group["m2"])
        )
        month = MONTHS[month.lower().rstrip(".")]
        if not 1 <= int(first) <= int(last) <= 31:
            return None
        return [Quantity("date", (month, int(first)), words), Quantity("date", (month, int(last)), words)]
    if kind == "date":
        day, month = (group["d"], group["m"]) if group["d"] else (group["d2"], group["m2"])
        if not 1 <= int(day) <= 31:
            return None
        return [Quantity("date", (MONTHS[month.lower().rstrip(".")], int(day)), words)]
    if kind == "anniversary":
        return [Quantity("years", _ordinal(group["o"]), words)]
    if kind == "duration":
        if group["n"].lower() in NOT_FIGURES:
            return None
        unit = group["unit"].lower()
        value = _number(group["n"]) * (10 if unit == "decade" else 1)
        return [Quantity("years" if unit in ("year", "decade") else f"{unit}s", value, words, hedged)]
    if kind == "year":
        return [Quantity("year", int(group["y"]), words, hedged=words.endswith("s"))]
    if kind == "ordinal":
        noun = _stem(group["noun"])
        if noun in NOT_COUNTED or noun == "time":
            return None
        return [Quantity(f"ordinal:{noun}", _ordinal(group["o"]), words)]
    if kind == "count":
        noun = _stem(group["noun"])
        if noun in NOT_COUNTED or group["n"].lower() in NOT_FIGURES:
            return None
        return [Quantity(f"count:{noun}", _number(group["n"]), words, hedged)]
    return None


def _derived(found, year):
    """A year stands for a duration up to `year`, and a duration in years for the year it started."""
    extra = []
    for quantity in found:
        if quantity.kind == "year" and quantity.value < year:
            extra.append(Quantity("years", year - quantity.value, quantity.text, quantity.hedged, derived=True))
        elif quantity.kind == "years" and not quantity.derived:
            extra.append(Quantity("year", year - quantity.value, quantity.text, quantity.hedged, derived=True))
    return extra


@dataclass(frozen=True)
class Difference:
    """A value the sentence states that the other text contradicts."""

    family: str  # "date", "figure", "count" or "name"
    sentence: str
    other: str
    approximate: bool  # within what a hedge allows ("almost 20 years" against "18 years")
    kind: str = ""  # the Quantity kind compared ("year", "count:pilot", …)

    def as_dict(self):
        return {"kind": self.family, "sentence": self.sentence, "claim": self.other, "approximate": self.approximate}

    def __str__(self):
        return f"“{self.sentence}” vs “{self.other}”" + (" (approximately)" if self.approximate else "")


def _close(a, b):
    """Within what a hedge allows: 2 units, or a tenth."""
    if isinstance(a.value, tuple) or isinstance(b.value, tuple):
        return False
    return abs(a.value - b.value) <= max(2, 0.1 * max(abs(a.value), abs(b.value)))


def compare(sentence, other):
    """(agreements, differences) between the values of a sentence and those of another text (Quantity lists).

    Returns how many values of the sentence the other text confirms, and a
    Difference for each stated value it contradicts: a kind of value both
    give, and no value of that kind equal.
    """
    by_kind = {}
    for quantity in other:
        by_kind.setdefault(quantity.kind, []).append(quantity)
    agreeing = [q for q in sentence if any(theirs.value == q.value for theirs in by_kind.get(q.kind, []))]
    # Only a stated value settles its kind: a derived one may agree by accident ("1950–2025" is 75 years).
    agreed_kinds = {q.kind for q in agreeing if not q.derived}
    agreements = len(agreeing)
    differences, seen = [], set()
    for quantity in sentence:
        # One agreeing value of a kind settles it: "in 2005, not in 2007" agrees with "2005–2006".
        if quantity.derived or quantity.kind in agreed_kinds or quantity.text in seen:
            continue
        stated = [q for q in by_kind.get(quantity.kind, []) if not q.derived]
        if not stated:
            continue
        seen.add(quantity.text)
        close = [q for q in stated if _close(q, quantity)]
        approximate = bool(close) and (quantity.hedged or any(q.hedged for q in close) or quantity.kind == "years")
        shown = close[0] if close else stated[0]
        differences.append(Difference(quantity.family, quantity.text, shown.text, approximate, quantity.kind))
    return agreements, differences
