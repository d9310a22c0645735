"""How times and numbers read on the page: stored in UTC, shown in the blog's zone, worded by
Babel in the language being spoken (`i18n.current()`), with a relative age."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal

from dateline.i18n import current, gettext

# The "last updated" line: "Sun 29 Nov 2026 14:05 EET" / "Mo., 7. Dez. 2026, 01:06 MEZ". Its
# clock reads like every other time on the page (one format per page, "14:05").
FULL = {"en": "EEE d MMM y HH:mm", "de": "EEE, d. MMM y, HH:mm"}
# An update of an earlier day: "6 Dec 23:48" / "6. Dez. 23:48", and of an earlier year
# "6 Dec 2025 23:48" / "6. Dez. 2025 23:48".
DATED = {"en": "d MMM HH:mm", "de": "d. MMM HH:mm"}
DATED_YEAR = {"en": "d MMM y HH:mm", "de": "d. MMM y HH:mm"}
# A day without a time, as the "last updated" line writes it: "Mon 7 Dec 2026" /
# "Mo., 7. Dez. 2026"; and short, for a chart's axis: "7 Dec" / "7. Dez.".
DAY = {"en": "EEE d MMM y", "de": "EEE, d. MMM y"}
SHORT_DAY = {"en": "d MMM", "de": "d. MMM"}


def is_time_zone(name: str) -> bool:
    return name in _zones()


@cache
def _zones() -> frozenset[str]:
    """IANA names, read once on first use: scanning the tz database is slow."""
    return frozenset(available_timezones())


@cache
def zone_choices() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The IANA zones for a picker, grouped by region ("Europe": Europe/Berlin, ...), sorted;
    names without a region (UTC, ...) come first under the region ""."""
    regions: dict[str, list[str]] = {}
    for name in sorted(_zones()):
        region = name.split("/")[0] if "/" in name else ""
        regions.setdefault(region, []).append(name)
    return tuple((region, tuple(names)) for region, names in sorted(regions.items()))


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def clock(moment: datetime, zone: str, now: datetime | None = None) -> str:
    """'14:05', the time of an update in the blog's zone (the same in English and German);
    with `now`, a moment of another day than now's (in that zone) carries its date, so
    yesterday's 23:48 never reads as today's: '6 Dec 23:48' / '6. Dez. 23:48'."""
    at = local(moment, zone)
    today = local(now, zone).date() if now is not None else at.date()
    if at.date() == today:
        return at.strftime("%H:%M")
    language = current()
    pattern = DATED if at.year == today.year else DATED_YEAR
    return format_datetime(at, pattern[language], locale=language)


def full(moment: datetime, zone: str) -> str:
    """'Sun 29 Nov 2026 14.05 EET' / 'Mo., 7. Dez. 2026, 01:06 MEZ', the "last updated" line."""
    at = local(moment, zone)
    language = current()
    return f"{format_datetime(at, FULL[language], locale=language)} {_zone_name(at, language)}"


def day(value: date) -> str:
    """'Mon 7 Dec 2026' / 'Mo., 7. Dez. 2026': a date without a time (facts, tables)."""
    language = current()
    return format_date(value, DAY[language], locale=language)


def short_day(value: date) -> str:
    """'7 Dec' / '7. Dez.': a day on a chart's axis."""
    language = current()
    return format_date(value, SHORT_DAY[language], locale=language)


def _zone_name(at: datetime, language: str) -> str:
    """The zone's short name in `language` (MEZ, OEZ) where CLDR has one, else the tz
    database's abbreviation (GMT, EST, JST): never a bare offset like +0000."""
    if language != "en":
        name = format_datetime(at, "z", locale=language)
        if not name.startswith(("+", "-")):
            return name
    return at.tzname() or "UTC"


def relative(moment: datetime, now: datetime) -> str:
    """'just now', '5 minutes ago', '1 day ago' / 'gerade eben', 'vor 5 Minuten', 'vor 1 Tag'."""
    seconds = (now - moment).total_seconds()
    if abs(seconds) < 45:
        return gettext("just now")
    return format_timedelta(moment - now, add_direction=True, locale=current(), threshold=0.9)


def number(value: int | float) -> str:
    """'12,345' / '12.345': a count as the language writes it."""
    return format_decimal(value, locale=current())
