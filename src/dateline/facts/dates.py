"""When it happened: "on Monday", "am Montag", "yesterday", "gestern", "overnight", "in der
Nacht", "12 March", "12. März", "March 12", resolved against the time the text was published.

Without a publication time only a full date (with its year) is known.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from dateline.calendar_words import MONTHS

WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4,
    "samstag": 5, "sonnabend": 5, "sonntag": 6,
}  # fmt: skip
_MONTH = "|".join(name.capitalize() for name in sorted(MONTHS, key=len)[::-1])
_RELATIVE = {
    "today": 0, "heute": 0, "overnight": 0, "in der nacht": 0, "this morning": 0,
    "heute morgen": 0, "tonight": 0, "earlier today": 0, "yesterday": -1, "gestern": -1,
    "last night": -1, "gestern abend": -1, "vergangene nacht": 0, "letzte nacht": 0,
    "vorgestern": -2, "the day before yesterday": -2,
}  # fmt: skip
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|\.)?\s+({_MONTH})\.?(?:,?\s+(\d{{4}}))?\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)
_RELATIVE_WORD = re.compile(
    r"\b(" + "|".join(sorted(_RELATIVE, key=len)[::-1]).replace(" ", r"\s+") + r")\b", re.I
)


def resolve(sentence: str, published: datetime | None, near: int = 0) -> date | None:
    """The date the sentence names closest to position `near` ("said on Wednesday that ...
    killed three on Monday": Monday for the killing), or None."""
    found = mentions(sentence, published)
    if not found:
        return None
    return min(found, key=lambda item: abs(item[0] - near))[1]


def mentions(sentence: str, published: datetime | None) -> list[tuple[int, date]]:
    """Every date the sentence names, with its position."""
    found = _explicit(sentence, published)
    if published is None:
        return found
    today = published.date()
    for match in _WEEKDAY.finditer(sentence):
        back = (today.weekday() - WEEKDAYS[match.group(1).casefold()]) % 7
        found.append((match.start(), today - timedelta(days=back)))
    for match in _RELATIVE_WORD.finditer(sentence):
        shift = _RELATIVE[" ".join(match.group(1).casefold().split())]
        found.append((match.start(), today + timedelta(days=shift)))
    return found


def _explicit(sentence: str, published: datetime | None) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    for match in _ISO.finditer(sentence):
        if iso := _date(int(match.group(1)), int(match.group(2)), int(match.group(3))):
            found.append((match.start(), iso))
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        for match in pattern.finditer(sentence):
            month = MONTHS[match.group(month_group).casefold()]
            day = int(match.group(day_group))
            if match.group(3):
                when = _date(int(match.group(3)), month, day)
            elif published is not None:
                when = _date(published.year, month, day)
                # "on 30 December" read on 2 January is last year's.
                if when and when > published.date() + timedelta(days=7):
                    when = _date(published.year - 1, month, day)
            else:
                when = None
            if when:
                found.append((match.start(), when))
    return found


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def day_range(sentence: str, published: datetime | None) -> tuple[date | None, date | None]:
    """ "between 20 and 30 June", "vom 20. bis 30. Juni", "20-30 June" → both ends."""
    match = re.search(
        rf"\b(\d{{1,2}})\.?\s*(?:and|und|bis|to|-|–)\s*(\d{{1,2}})\.?\s+({_MONTH})\b(?:\s+(\d{{4}}))?",
        sentence,
    )
    if match is None:
        single = resolve(sentence, published)
        return single, single
    year = int(match.group(4)) if match.group(4) else (published.year if published else None)
    if year is None:
        return None, None
    month = MONTHS[match.group(3).casefold()]
    return _date(year, month, int(match.group(1))), _date(year, month, int(match.group(2)))
