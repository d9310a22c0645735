"""How times read on the page: stored in UTC, shown in the blog's zone with a relative age."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_timedelta


def is_time_zone(name: str) -> bool:
    return name in _zones()


@cache
def _zones() -> frozenset[str]:
    """IANA names, read once on first use: scanning the tz database is slow."""
    return frozenset(available_timezones())


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def clock(moment: datetime, zone: str) -> str:
    """'14:05', the time of an update in the blog's zone."""
    return local(moment, zone).strftime("%H:%M")


def full(moment: datetime, zone: str) -> str:
    """'Sun 29 Nov 2026 14.05 EET', the "last updated" line."""
    at = local(moment, zone)
    return f"{at:%a} {at.day} {at:%b %Y %H.%M} {at.tzname()}"


def relative(moment: datetime, now: datetime) -> str:
    """'just now', '5 minutes ago', '1 day ago'."""
    seconds = (now - moment).total_seconds()
    if abs(seconds) < 45:
        return "just now"
    return format_timedelta(moment - now, add_direction=True, locale="en", threshold=0.9)
