"""Bidi controls: the invisible characters that make a reader see text in another order than it is stored.

They are Unicode's explicit directional formatting characters (UAX #9): the
embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069. An
override typed into an actor's name can make it display as another name, into
a claim make it read reversed ("Trojan Source"), and a quote copied with one
no longer matches its source. Every text an editor types or imports is
refused with them, source texts included (README, "Bidi controls"): the
implicit marks LRM, RLM and ALM (U+200E, U+200F, U+061C) reorder nothing of
their own, are enough to mark the direction of Arabic or Hebrew words, and
stay allowed.

A leaf module: models, tagging (which models imports), the admin's forms and
the import all check with the one definition here.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models

BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
# How many places a message lists; the rest are counted.
SHOWN = 3


def bidi_control_problem(value):
    """What is wrong with `value`, naming each bidi control and where it is ("contains …"); None when it has none.

    A place is a character number, counted from 1 as an editor counts, with its
    line when the text has several ("line 3, character 12").
    """
    found = list(BIDI_CONTROL.finditer(value or ""))
    if not found:
        return None
    multiline = "\n" in value
    places = []
    for match in found[:SHOWN]:
        start = match.start()
        where = f"character {start + 1}"
        if multiline:
            line_start = value.rfind("\n", 0, start) + 1
            where = f"line {value.count(chr(10), 0, start) + 1}, character {start - line_start + 1}"
        places.append(f"{_named(match.group())} at {where}")
    if len(found) > SHOWN:
        places.append(f"{len(found) - SHOWN:,} more")
    what, them = (
        ("invisible control characters that make", "them")
        if len(found) > 1
        else (
            "an invisible control character that makes",
            "it",
        )
    )
    return (
        f"contains {_listed(places)}: {what} readers see the text in another order than it is stored. "
        f"Remove {them} (to mark the direction of right-to-left words, U+200F RIGHT-TO-LEFT MARK is enough)."
    )


def typed_text_fields(model):
    """The fields of `model` that hold text an editor types or imports, and so may hold no bidi control."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and field.editable
    ]


def validate_no_bidi_controls(value):
    """A field validator: refuses a text with bidi controls, saying which and where."""
    problem = bidi_control_problem(value)
    if problem:
        raise ValidationError(f"This text {problem}", code="bidi_control")


def without_bidi_controls(value):
    """`value` with its bidi controls removed: for quoting a refused value back in a message."""
    return BIDI_CONTROL.sub("", value)


def _named(char):
    return f"U+{ord(char):04X} {unicodedata.name(char)}"


def _listed(items):
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
