"""Which strptime format reads a column of timestamps: the fix an unreadable-timestamp message proposes.

Exports write dates in many orders. ``29/2/2016 01:23`` can only be day-first; ``2/29/2016`` only month-first;
``4/5/2016`` is either. ``suggestion`` tries common formats on a sample of the column's values (the failing ones
first) and names the ones that read every value, saying which order the data shows and why.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

_DATES = {
    "day-first": ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y"),
    "month-first": ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"),
    "year-first": ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"),
}
_TIMES = (" %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", "T%H:%M:%S", "T%H:%M", " %H:%M:%S.%f", "")


def readable_formats(values: list[str]) -> dict[str, list[str]]:
    """Date order -> the formats among the common ones that parse every value (Python's strptime).

    Examples
    --------
    >>> readable_formats(["29/2/2016 01:23", "1/3/2016 10:05"])["day-first"]
    ['%d/%m/%Y %H:%M']
    >>> readable_formats(["29/2/2016 01:23"])["month-first"]
    []
    """
    sample = [v.strip() for v in values if v and v.strip()][:5000]
    found: dict[str, list[str]] = {order: [] for order in _DATES}
    for order, dates in _DATES.items():
        for date, time in itertools.product(dates, _TIMES):
            fmt = date + time
            if sample and all(_parses(v, fmt) for v in sample):
                found[order].append(fmt)
    return found


def _parses(value: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def suggestion(failing: list[str], values: list[str], current: str | None) -> str:
    """The fix for an unreadable timestamp: a ``timestamp_format`` that reads every sampled value, if one does
    (else one that reads the failing values: the column then mixes formats)."""
    found = readable_formats([*failing, *values])
    if not any(found.values()):
        found = readable_formats(failing)
    day, month, year = found["day-first"], found["month-first"], found["year-first"]
    if day and not month:
        return (
            f"set timestamp_format: '{day[0]}' in the baseline section: the values are day-first (some have a "
            f"day above 12, e.g. '{_example(failing, values, 0)}')"
        )
    if month and not day:
        return (
            f"set timestamp_format: '{month[0]}' in the baseline section: the values are month-first (some "
            f"have a second number above 12, e.g. '{_example(failing, values, 1)}')"
        )
    if day and month:
        return (
            f"set timestamp_format in the baseline section: '{day[0]}' (day-first) or '{month[0]}' "
            "(month-first) both read every value, since no day is above 12; check one date you know"
        )
    if year:
        return f"set timestamp_format: '{year[0]}' in the baseline section"
    if current:
        return (
            f"check timestamp_format '{current}' against this value (strptime codes: %d day, %m month, "
            "%Y year, %H:%M hour and minute), or export timestamps as ISO 8601"
        )
    return (
        "export timestamps as ISO 8601 (year-month-day), or state their format with timestamp_format "
        "(strptime, e.g. '%d/%m/%Y %H:%M')"
    )


def _example(failing: list[str], values: list[str], position: int) -> str:
    """A value whose number at ``position`` (0: first, 1: second) is above 12: what shows the date order."""
    for value in [*failing, *values]:
        numbers = re.findall(r"\d+", value or "")
        if len(numbers) > position and 12 < int(numbers[position]) <= 31:
            return value
    return failing[0] if failing else ""
