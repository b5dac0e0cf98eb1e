import datetime

import pytest

from articles.dates import format_fuzzy, parse_partial, to_partial

D = datetime.date


@pytest.mark.parametrize(
    "start, precision, end, approximate, shown",
    [
        (D(1950, 1, 1), "year", None, False, "1950"),
        (D(2025, 10, 1), "month", None, False, "October 2025"),
        (D(2025, 10, 9), "day", D(2025, 10, 11), False, "9–11 October 2025"),
        (D(2005, 1, 1), "year", D(2006, 1, 1), True, "c. 2005–2006"),
        (D(2025, 10, 8), "day", None, True, "c. 8 October 2025"),
        (D(2024, 9, 1), "month", D(2024, 10, 1), False, "September–October 2024"),
        (D(2023, 9, 1), "month", D(2024, 6, 1), False, "September 2023–June 2024"),
        (D(1950, 1, 1), "decade", None, False, "1950s"),
        (D(1965, 1, 1), "year", D(1969, 1, 1), False, "1965–1969"),
        (D(2025, 9, 28), "day", D(2025, 10, 2), False, "28 September–2 October 2025"),
        (None, "day", None, False, "Undated"),
    ],
)
def test_dates_show_the_precision_the_source_gave(start, precision, end, approximate, shown):
    assert format_fuzzy(start, precision, end=end, approximate=approximate) == shown


def test_an_end_within_the_same_period_is_not_shown_as_a_range():
    assert format_fuzzy(D(2025, 10, 1), "month", end=D(2025, 10, 1)) == "October 2025"


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("2007", (D(2007, 1, 1), "year")),
        ("2025-10", (D(2025, 10, 1), "month")),
        ("2025-10-09", (D(2025, 10, 9), "day")),
    ],
)
def test_partial_iso_dates_read_with_their_precision(text, parsed):
    assert parse_partial(text) == parsed
    assert to_partial(*parsed) == text


@pytest.mark.parametrize("text", ["20xx", "2025-13", "2025-02-30", "October"])
def test_malformed_partial_dates_are_refused(text):
    with pytest.raises(ValueError, match="is not a date written as YYYY"):
        parse_partial(text)


@pytest.mark.parametrize(
    "start, precision, end, shown",
    [
        (D(1950, 1, 1), "decade", D(1960, 1, 1), "1950s–1960s"),
        (D(1951, 1, 1), "decade", D(1959, 1, 1), "1950s"),
        (D(2025, 1, 1), "year", D(2025, 11, 1), "2025"),
        (D(2025, 10, 1), "month", D(2025, 10, 20), "October 2025"),
        (D(2024, 12, 28), "day", D(2025, 1, 2), "28 December 2024–2 January 2025"),
        (D(2024, 11, 1), "month", D(2025, 2, 1), "November 2024–February 2025"),
    ],
)
def test_a_span_names_each_end_once_and_only_at_the_precision_given(start, precision, end, shown):
    assert format_fuzzy(start, precision, end=end) == shown


def test_a_full_date_and_padded_text_read_as_the_same_partial_dates():
    assert parse_partial(D(2025, 10, 9)) == (D(2025, 10, 9), "day")
    assert parse_partial(" 2025-10 ") == (D(2025, 10, 1), "month")
    assert to_partial(None, "day") is None
    assert to_partial(D(850, 1, 1), "year") == "0850"
