"""Dates known only to some precision: "1950", "October 2025", "c. 2005–2006".

A date is stored as the first day of the period it names, next to its
precision, so that it sorts naturally while the page shows only what the
source actually said.
"""

import datetime

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"
    DECADE = "decade", "decade"


EN_DASH = "\u2013"


def truncate(value, precision):
    """The first day of the period that contains `value` at `precision`."""
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.DECADE:
        # The years 1-9 make the decade the calendar starts with: there is no year 0.
        return value.replace(year=max(value.year - value.year % 10, datetime.MINYEAR), month=1, day=1)
    return value


def parse_partial(text):
    """Read "2025", "2025-10" or "2025-10-09" into (date, precision)."""
    if isinstance(text, datetime.date):
        return text, DatePrecision.DAY
    parts = str(text).strip().split("-")
    try:
        numbers = [int(part) for part in parts]
        if len(numbers) == 1:
            return datetime.date(numbers[0], 1, 1), DatePrecision.YEAR
        if len(numbers) == 2:
            return datetime.date(numbers[0], numbers[1], 1), DatePrecision.MONTH
        if len(numbers) == 3:
            return datetime.date(*numbers), DatePrecision.DAY
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date written as YYYY, YYYY-MM or YYYY-MM-DD.")


def to_partial(value, precision):
    """The inverse of parse_partial: the shortest ISO form that keeps the precision."""
    if value is None:
        return None
    if precision == DatePrecision.DAY:
        return value.isoformat()
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}"


def _single(value, precision):
    if precision == DatePrecision.DAY:
        return f"{value.day} {value:%B %Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%B %Y}"
    if precision == DatePrecision.DECADE:
        return f"{value.year - value.year % 10}s"
    return str(value.year)


def _range(start, end, precision):
    if precision == DatePrecision.DAY:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}{EN_DASH}{end.day} {end:%B %Y}"
        if start.year == end.year:
            return f"{start.day} {start:%B}{EN_DASH}{end.day} {end:%B %Y}"
    if precision == DatePrecision.MONTH and start.year == end.year:
        return f"{start:%B}{EN_DASH}{end:%B %Y}"
    if precision == DatePrecision.YEAR:
        return f"{start.year}{EN_DASH}{end.year}"
    return f"{_single(start, precision)}{EN_DASH}{_single(end, precision)}"


def format_fuzzy(start, precision, *, end=None, approximate=False):
    """Render a date, or a span, at the precision the source gave it.

    >>> format_fuzzy(datetime.date(2025, 10, 9), "day", end=datetime.date(2025, 10, 11))
    '9–11 October 2025'
    """
    if start is None:
        return "Undated"
    precision = DatePrecision(precision)
    if end is None or truncate(end, precision) == truncate(start, precision):
        text = _single(start, precision)
    else:
        text = _range(start, end, precision)
    return f"c. {text}" if approximate else text
