"""In which time zone a live page's clocks ("12.31 Uhr", a `datetime` without offset) run.

Evidence, strongest first:

1. a non-zero UTC offset the page states (its publication or modification time, any
   `<time datetime>`, a meta tag): "+01:00" is written on purpose. `+00:00` is not evidence:
   many CMSs append it to every time whatever the clocks say, like `Z`;
2. the page's country: from its language ("de-AT" → Europe/Vienna, "de" → Europe/Berlin) or,
   when the language names none, its domain (".ie" → Europe/Dublin). A country with several
   zones (en-US) gives them all, to choose from by the page's modification time (ticker.py);
3. nothing: the ticker infers an offset from its newest update and the page's modification.

A named zone (zoneinfo) is returned whenever the evidence allows, so a blog that runs across
a change to or from summer time gets both sides right; an offset matching one of the
country's zones at the stated moment is taken as that zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Most populous zone first: the one taken when nothing else tells them apart.
COUNTRY_ZONES: dict[str, tuple[str, ...]] = {
    "at": ("Europe/Vienna",), "au": ("Australia/Sydney", "Australia/Brisbane",
    "Australia/Adelaide", "Australia/Perth", "Australia/Darwin"), "be": ("Europe/Brussels",),
    "bg": ("Europe/Sofia",), "br": ("America/Sao_Paulo", "America/Manaus"),
    "ca": ("America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
    "America/Halifax", "America/St_Johns"), "ch": ("Europe/Zurich",), "cz": ("Europe/Prague",),
    "de": ("Europe/Berlin",), "dk": ("Europe/Copenhagen",), "ee": ("Europe/Tallinn",),
    "es": ("Europe/Madrid",), "fi": ("Europe/Helsinki",), "fr": ("Europe/Paris",),
    "gb": ("Europe/London",), "gr": ("Europe/Athens",), "hr": ("Europe/Zagreb",),
    "hu": ("Europe/Budapest",), "ie": ("Europe/Dublin",), "il": ("Asia/Jerusalem",),
    "in": ("Asia/Kolkata",), "is": ("Atlantic/Reykjavik",), "it": ("Europe/Rome",),
    "jp": ("Asia/Tokyo",), "kr": ("Asia/Seoul",), "li": ("Europe/Vaduz",),
    "lt": ("Europe/Vilnius",), "lu": ("Europe/Luxembourg",), "lv": ("Europe/Riga",),
    "nl": ("Europe/Amsterdam",), "no": ("Europe/Oslo",), "nz": ("Pacific/Auckland",),
    "pl": ("Europe/Warsaw",), "pt": ("Europe/Lisbon",), "ro": ("Europe/Bucharest",),
    "se": ("Europe/Stockholm",), "si": ("Europe/Ljubljana",), "sk": ("Europe/Bratislava",),
    "tr": ("Europe/Istanbul",), "ua": ("Europe/Kyiv",), "us": ("America/New_York",
    "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu"), "za": ("Africa/Johannesburg",),
}  # fmt: skip
# Languages written in essentially one country (so not en, es, pt, ar, ru …).
LANGUAGE_COUNTRY = {
    "bg": "bg", "cs": "cz", "da": "dk", "de": "de", "el": "gr", "et": "ee", "fi": "fi",
    "fr": "fr", "he": "il", "hr": "hr", "hu": "hu", "is": "is", "it": "it", "ja": "jp",
    "ko": "kr", "lt": "lt", "lv": "lv", "nb": "no", "nl": "nl", "nn": "no", "no": "no",
    "pl": "pl", "ro": "ro", "sk": "sk", "sl": "si", "sv": "se", "tr": "tr", "uk": "ua",
}  # fmt: skip
DOMAIN_COUNTRY = {"uk": "gb"}  # .co.uk
_OFFSET = re.compile(r"[+-]\d\d:?\d\d$")


def stated_offset(value: str) -> timedelta | None:
    """The non-zero UTC offset a timestamp is written with; None for none, "Z" or +00:00."""
    text = value.strip()
    if not _OFFSET.search(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = moment.utcoffset()
    return offset or None


def country_zones(language: str, url: str) -> tuple[tzinfo, ...]:
    """The zones of the page's country (module doc, point 2); () when it names none."""
    parts = language.lower().replace("_", "-").split("-")
    country = parts[1] if len(parts) > 1 and len(parts[1]) == 2 else ""
    if not country:
        country = LANGUAGE_COUNTRY.get(parts[0], "")
    if not country:
        host = (urlsplit(url).hostname or "").rstrip(".")
        top = host.rsplit(".", 1)[-1] if "." in host else ""
        country = DOMAIN_COUNTRY.get(top, top)
    return _zones(country)


@cache
def _zones(country: str) -> tuple[tzinfo, ...]:
    found: list[tzinfo] = []
    for name in COUNTRY_ZONES.get(country, ()):
        try:
            found.append(ZoneInfo(name))
        except ZoneInfoNotFoundError:  # a system without that zone's data: skip it
            continue
    return tuple(found)


def page_zone(stamps: Iterable[str], candidates: tuple[tzinfo, ...]) -> tzinfo | None:
    """The zone of the first stamp with a non-zero offset (one of the candidates when one
    has that offset then), else the only candidate; None when the evidence leaves a choice
    (several candidates) or gives nothing."""
    for stamp in stamps:
        offset = stated_offset(stamp)
        if offset is None:
            continue
        moment = datetime.fromisoformat(stamp.strip())
        same = [zone for zone in candidates if moment.astimezone(zone).utcoffset() == offset]
        return same[0] if same else timezone(offset)
    return candidates[0] if len(candidates) == 1 else None
