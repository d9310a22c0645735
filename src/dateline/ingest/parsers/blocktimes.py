"""When one update's HTML block says it went up, in whichever way its CMS writes it.

In order: a time attribute on the block itself (`data-post-time`, `data-time`,
`data-js-timestamp` (the Live Blog platform's, liveblog.pro),
`data-sort-time`, `data-timestamp`, … holding epoch seconds, epoch milliseconds, ISO 8601, or
a 14-digit "20241106021500": the YYYYMMDDhhmmss that AMP live lists (WordPress Liveblog's AMP
pages among them) write as `data-sort-time`, local time, not 600 years of milliseconds),
a `<time datetime>` inside it, such an attribute on an element inside it, and last the text
of a `<time>` ("19:20", "12.31 Uhr", "4:14 p.m.", "14.03.2025, 12:31", "5:52 p.m. ET,
November 5, 2024", "5. November 2024, 12.31 Uhr"). A clock without a date is returned as a
`time`, to be dated like a ticker's (`dated_stamps`); a date with a clock is read in the zone
its words name ("ET", "CEST"), else in the page's.

An update without any time takes the time of the update before it in publishing order, which
it cannot precede; the first ones, with none before them, the time of the update after them.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, time, tzinfo
from typing import TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.etree
import lxml.html

from dateline.calendar_words import MONTHS
from dateline.ingest.parsers.ticker import PageTimes, dated
from dateline.numbers import small_int

Element: TypeAlias = lxml.html.HtmlElement
Stamp: TypeAlias = datetime | time | None
TIME_ATTRIBUTES = ("data-post-time", "data-time", "data-sort-time", "data-timestamp",
                   "data-published", "data-publish-time", "data-date", "data-datetime",
                   "data-js-timestamp")  # fmt: skip
# The page's <time>s and time attributes (their values, whose getparent() is the element):
# plain paths, as predicates testing each element for eight attributes are slow.
TIMES = lxml.etree.XPath("//time | " + " | ".join(f"//@{name}" for name in TIME_ATTRIBUTES))
_INNER_TIMES = lxml.etree.XPath(" | ".join(f".//@{name}" for name in TIME_ATTRIBUTES))
_CLOCK = re.compile(
    r"(?:^|\D)(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)(?:\s*(?P<ap>[ap])\.?\s?m\b\.?|\s*Uhr\b"
    r"|\s*h\b)?(?!\d|[.:]\d)",
    re.IGNORECASE,
)
_DAY = re.compile(
    r"\b(?P<d>[0-3]?\d)\.\s?(?P<m>[01]?\d)\.\s?(?P<y>20\d\d)\b|\b(?P<iso>20\d\d-\d\d-\d\d)\b"
)
# A day written with its month's name: "November 5, 2024", "Nov. 5, 2024" (CNN's "5:52 p.m.
# ET, November 5, 2024"), "5 November 2024", "5. November 2024".
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_NAMED_DAY = re.compile(
    rf"\b(?:(?P<mon>{_MONTH})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?"
    rf"|(?P<d2>[0-3]?\d)(?:\.|st|nd|rd|th)?\s+(?P<mon2>{_MONTH})\.?,?)\s+(?P<y>20\d\d)\b",
    re.IGNORECASE,
)
# A zone written after the clock ("5:52 p.m. ET"), in capitals: it says which clocks these
# are, whatever the page's country (a US network's page read from anywhere).
ZONE_NAMES = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "GMT": "UTC", "UTC": "UTC", "BST": "Europe/London", "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin", "MEZ": "Europe/Berlin", "MESZ": "Europe/Berlin",
}  # fmt: skip
_ZONE = re.compile(rf"\b(?P<zone>{'|'.join(sorted(ZONE_NAMES, key=len, reverse=True))})\b")
_EPOCH_MS = 10**11  # larger numbers are milliseconds (from March 1973 on)
_DIGITS_TIME = re.compile(r"^(?:19|20)\d{12}$")  # YYYYMMDDhhmmss (epoch ms has 13 digits)
_EPOCH_MIN = 10**8  # smaller numbers are no timestamps (1973 in seconds): a year, an id


def attribute_time(element: Element) -> str:
    """The first time attribute's value on the element itself; "" when it has none."""
    for name in TIME_ATTRIBUTES:
        value = (element.get(name) or "").strip()
        if any(char.isdigit() for char in value):
            return value
    return ""


def raw_stamp(element: Element) -> str:
    """The block's own time as written (attribute value, or a <time>'s datetime or text)."""
    stated = attribute_time(element)
    if stated:
        return stated
    found = element.find(".//time[@datetime]")
    if found is not None and (found.get("datetime") or "").strip():
        return str(found.get("datetime")).strip()
    for value in _INNER_TIMES(element):
        if stated := attribute_time(value.getparent()):
            return stated
    clock = element.find(".//time")
    if clock is not None:
        text = " ".join(clock.text_content().split())
        return text if _CLOCK.search(text) else ""
    return ""


def read_stamp(value: str, zone: tzinfo) -> Stamp:
    """A raw stamp → aware UTC moment, or a clock time to date; None when unreadable."""
    if not value:
        return None
    if _DIGITS_TIME.match(value):
        try:
            return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=zone).astimezone(UTC)
        except ValueError:  # not a calendar date after all: an id
            return None
    number = small_int(value)
    if number is not None:
        if number < _EPOCH_MIN:
            return None
        try:
            return datetime.fromtimestamp(number / (1000 if number >= _EPOCH_MS else 1), UTC)
        except (OverflowError, OSError, ValueError):  # past the calendar
            return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _clock_text(value, zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _clock_text(text: str, zone: tzinfo) -> Stamp:
    """A clock in words ("4:14 p.m.", "12.31 Uhr"); with a day it names (`_DAY`,
    `_NAMED_DAY`), a moment, in the zone the words name ("ET") or else `zone`."""
    clock = _CLOCK.search(text)
    if clock is None:
        return None
    hour, minute = int(clock["h"]), int(clock["m"])
    if clock["ap"]:
        hour = hour % 12 + (12 if clock["ap"].lower() == "p" else 0)
    moment = time(hour, minute)
    found = _day(text)
    if found is None:
        return moment
    named = _ZONE.search(text)
    if named is not None:
        with contextlib.suppress(ZoneInfoNotFoundError):  # no such zone data: the page's
            zone = ZoneInfo(ZONE_NAMES[named["zone"]])
    return datetime.combine(found, moment, zone).astimezone(UTC)


def _day(text: str) -> date | None:
    """The day a time's words name, in figures or with the month's name; None for none."""
    try:
        if day := _DAY.search(text):
            return (
                date.fromisoformat(day["iso"]) if day["iso"]
                else date(int(day["y"]), int(day["m"]), int(day["d"]))
            )  # fmt: skip
        if day := _NAMED_DAY.search(text):
            month = MONTHS[(day["mon"] or day["mon2"]).lower()]
            return date(int(day["y"]), month, int(day["d"] or day["d2"]))
    except ValueError:  # "31.02.2024": no day
        return None
    return None


def dated_stamps(
    stamps: list[Stamp], zone: tzinfo | None, times: PageTimes
) -> list[datetime | None]:
    """Clock times dated like a ticker's; the updates without a time filled in (module doc)."""
    clocks = [stamp for stamp in stamps if isinstance(stamp, time)]
    resolved = iter(dated(clocks, zone, times)[0] if clocks else [])
    moments = [next(resolved) if isinstance(stamp, time) else stamp for stamp in stamps]
    known = [moment for moment in moments if moment is not None]
    newest_first = len(known) > 1 and known[0] > known[-1]
    order = list(range(len(moments) - 1, -1, -1) if newest_first else range(len(moments)))
    for indexes in (order, order[::-1]):  # oldest to newest, then back for the first ones
        nearest: datetime | None = None
        for index in indexes:
            moments[index] = moments[index] or nearest
            nearest = moments[index]
    return moments
