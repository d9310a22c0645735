"""Tickers: live pages whose only structure is a time at the start of a heading or paragraph.

    <h3>12.31 Uhr: Polizei sperrt Innenstadt</h3><p>…</p>      (German, 24 h, "Uhr")
    <p>4:14 p.m.</p><p>The governor said …</p>                  (English, 12 h, bare time)
    <p><strong>16:05</strong> – Der Zug fährt wieder.</p>

Each marker starts an update; the elements after it (its siblings, up to the next marker) are
its body. A heading marker's remaining text is the headline. A bare 24-hour time ("16:05")
counts only when it stands alone, in bold, or before a separator (":", "–", "-"), so that
"16.50 Euro" at the start of a sentence is not a marker. At least two markers make a ticker.

Dates: a time is put on the page's day in the page's zone. Pages listing the oldest first
start on the publication date and move to the next day when the clock goes backwards; pages
listing the newest first start on the last-modified date (else the publication date) and move
to the day before when the clock goes forwards. A newest update whose clock is more than 12
hours ahead of the page's last modification went up the day before (23:50 on a page modified
at 00:05); less than that, the modification time is taken to be stale. A page that states no
date: today.

Zones: the page's own evidence (zones.py): a non-zero offset it states, else its country's
zone. Many sites state their times in UTC only ("…Z", "+00:00") while their tickers say local
times ("4:14 p.m."): when the country leaves a choice (or names none), the zone is the one
(of the country's, else any UTC offset in use) at which the newest update went up soonest
before the page's last modification, since adding an update is what changes a ticker page (a
modification long after the newest update makes this guess wrong). The modification time is
the page's own (dateModified, article:modified_time), else the answer's Last-Modified header;
without either, the country's first zone, else UTC. A pinned update (kept on top, out of
order) plays no part in this.

The last entry ends where the ticker does: at the end of the ticker's container, or at the
first element that is no part of an update (`tickerend.py`: share boxes, teasers, notes).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import TypeAlias

import lxml.html

from dateline.ingest.parsers.clean import TITLE_CHARS, html_text, shorten, to_text
from dateline.ingest.parsers.htmlblocks import markers, parts_html, update_item
from dateline.ingest.parsers.items import ParsedItem
from dateline.ingest.parsers.pictures import block_images
from dateline.ingest.parsers.tickerend import is_filler, is_not_update

Element: TypeAlias = lxml.html.HtmlElement
MARKER_TAGS = ("h2", "h3", "h4", "h5", "p")
HEADINGS = frozenset({"h2", "h3", "h4", "h5"})
_SEP = r"\s*(?:[:–—-]\s*|$)"
_TWELVE = re.compile(
    r"^(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ap>[ap])\.?\s?m\.?(?=\W|$)" + _SEP,
    re.IGNORECASE,
)
_UHR = re.compile(r"^(?P<h>[01]?\d|2[0-3])[.:](?P<m>[0-5]\d)\s*Uhr\b" + _SEP)
_CLOCK = re.compile(r"^(?P<h>[01]?\d|2[0-3])[.:](?P<m>[0-5]\d)(?=\s*(?:[:–—-]|$))" + _SEP)


# The UTC offsets in use (minutes): a guessed zone is one of these.
OFFSETS = sorted(
    {h * 60 for h in range(-12, 15)}
    | {-9 * 60 - 30, -3 * 60 - 30, 3 * 60 + 30, 4 * 60 + 30, 5 * 60 + 30, 5 * 60 + 45}
    | {6 * 60 + 30, 8 * 60 + 45, 9 * 60 + 30, 10 * 60 + 30, 12 * 60 + 45}
)


def inferred_zone(newest: time, last_change: datetime, zones: tuple[tzinfo, ...] = ()) -> tzinfo:
    """The zone (one of `zones`, the page's country's, else any UTC offset in use) in which
    the clock time `newest` falls soonest before the page's last change (never after it)."""
    options: list[tzinfo] = list(zones) or [timezone(timedelta(minutes=m)) for m in OFFSETS]
    offsets = [_offset_minutes(zone, last_change) for zone in options]
    gap = _minutes(newest) - _minutes(last_change.astimezone(UTC))  # the offset, mod a day
    before = [(offset - gap) % 1440 for offset in offsets]  # minutes before the change
    return options[min(range(len(options)), key=lambda index: before[index])]


def _offset_minutes(zone: tzinfo, moment: datetime) -> int:
    offset = moment.astimezone(zone).utcoffset() or timedelta()
    return int(offset.total_seconds() // 60)


def _marker(element: Element) -> tuple[time, str] | None:
    """(clock time, text after it) when element starts with a ticker time."""
    text = " ".join(element.text_content().split())
    match = _TWELVE.match(text) or _UHR.match(text)
    if match is None:
        first = next(iter(element), None)
        bold = first is not None and first.tag in ("strong", "b", "time") and not element.text
        match = _CLOCK.match(text) if bold or element.tag in HEADINGS else None
    if match is None:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if "ap" in match.groupdict():
        hour = hour % 12 + (12 if match["ap"].lower() == "p" else 0)
    return time(hour, minute), text[match.end() :].strip()


@dataclass(frozen=True)
class PageTimes:
    """What a live page says of its own times: publication and modification from its HTML,
    and `served`, the answer's Last-Modified header (often when the server made the file,
    not when the ticker changed: used only to guess the zone, or when the page gives no
    date at all)."""

    published: datetime | None = None
    modified: datetime | None = None
    served: datetime | None = None
    zones: tuple[tzinfo, ...] = ()  # the page's country's zones (zones.py), to choose from

    @property
    def changed(self) -> datetime | None:
        return self.modified or self.served


def ticker_updates(
    root: Element, url: str, zone: tzinfo | None, times: PageTimes
) -> list[ParsedItem]:
    """The ticker's updates; `zone` None when the page states none (see the module's doc)."""
    found = [
        (element, *marked)
        for element in root.iter(*MARKER_TAGS)
        if (marked := _marker(element)) is not None
    ]
    if len(found) < 2:
        return []
    elements = [element for element, _, _ in found]
    bodies = [_body(element, elements) for element in elements]
    flags = [_flags(element, body) for element, body in zip(elements, bodies, strict=True)]
    pinned = [pin for _, pin in flags]
    clocks = [clock for _, clock, _ in found]
    if all(pinned):
        pinned = [False] * len(found)
    regular, zone = dated(
        [clock for clock, pin in zip(clocks, pinned, strict=True) if not pin], zone, times
    )
    newest = max(regular)
    stream = iter(regular)
    moments = [
        _before(newest, clock, zone) if pin else next(stream)
        for clock, pin in zip(clocks, pinned, strict=True)
    ]
    return [
        _item(element, rest, body, moment, url, marked)
        for (element, _, rest), body, moment, marked in zip(
            found, bodies, moments, flags, strict=True
        )
    ]


def _flags(element: Element, body: list[Element]) -> tuple[bool, bool]:
    """(key event, pinned): marked on the time line or anywhere in the entry's body."""
    found = [markers(part) for part in (element, *body)]
    return any(key for key, _ in found), any(pin for _, pin in found)


def _before(newest: datetime, clock: time, zone: tzinfo) -> datetime:
    """A pinned update, kept on top out of its order: its clock on the newest update's day,
    or the day before when that would be later than the newest."""
    moment = datetime.combine(newest.astimezone(zone).date(), clock, zone).astimezone(UTC)
    return moment if moment <= newest else moment - timedelta(days=1)


def dated(
    clocks: list[time], zone: tzinfo | None, times: PageTimes
) -> tuple[list[datetime], tzinfo]:
    """Clock times in page order → aware UTC moments, and the zone they were read in (the
    module's doc says how). Pinned updates, out of their order, are not given here.

    Which way the clocks run: the reading that needs the less time to pass, measured around
    the dial (00:15 after 23:40 is 35 minutes on; 07:40 after 21:30 is 14 hours back), unless
    that reading dates an entry after the page last changed and the other does not."""
    pairs = list(itertools.pairwise(clocks))
    back = sum((_minutes(a) - _minutes(b)) % DAY_MINUTES for a, b in pairs)
    newest_first = back < sum((_minutes(b) - _minutes(a)) % DAY_MINUTES for a, b in pairs)
    moments, zone_read = _run(clocks, newest_first, zone, times)
    if times.modified is not None and max(moments) > times.modified + LATE:
        other, other_zone = _run(clocks, not newest_first, zone, times)
        if max(other) <= times.modified + LATE:
            return other, other_zone
    return moments, zone_read


def _run(
    clocks: list[time], newest_first: bool, zone: tzinfo | None, times: PageTimes
) -> tuple[list[datetime], tzinfo]:
    newest = clocks[0] if newest_first else clocks[-1]
    if zone is None:
        fallback = times.zones[0] if times.zones else UTC
        changed = times.changed
        zone = inferred_zone(newest, changed, times.zones) if changed is not None else fallback
    stated = (times.modified or times.published) if newest_first else times.published
    local = (stated or times.served or datetime.now(UTC)).astimezone(zone)
    day: date = local.date()
    modified = times.modified
    if newest_first and modified is not None and _minutes(newest) - _minutes(local) > 12 * 60:
        day -= timedelta(days=1)  # went up before midnight; the page changed after it
    step = timedelta(days=-1 if newest_first else 1)
    result: list[datetime] = []
    previous: time | None = None
    for clock in clocks:
        if previous is not None and (clock > previous if newest_first else clock < previous):
            day += step
        result.append(datetime.combine(day, clock, zone).astimezone(UTC))
        previous = clock
    return result, zone


LATE = timedelta(hours=1)  # an entry may be stamped a little after the page's stated change
DAY_MINUTES = 24 * 60


def _minutes(moment: time | datetime) -> int:
    return moment.hour * 60 + moment.minute


def _body(element: Element, markers_: list[Element]) -> list[Element]:
    """The marker's following siblings, up to the next marker (or a block holding one), a
    heading after the entry's first words, or the first element that is no part of an
    update (the end of the ticker: `tickerend.py`)."""
    stops = set(markers_)
    body: list[Element] = []
    for sibling in element.itersiblings():
        if sibling in stops or any(node in stops for node in sibling.iter()):
            break
        if sibling.tag in HEADINGS and (element.tag in HEADINGS or body):
            break
        if is_filler(sibling):
            continue
        if is_not_update(sibling):
            break
        body.append(sibling)
    return body


def _item(
    element: Element, rest: str, parts: list[Element], moment: datetime, url: str,
    flags: tuple[bool, bool],
) -> ParsedItem:  # fmt: skip
    heading = element.tag in HEADINGS
    title = rest if heading else ""
    if not heading and not rest and parts and parts[0].tag in HEADINGS:
        title, parts = to_text(parts[0].text_content()), parts[1:]
    lead = "" if heading or not rest else f"<p>{_escape(rest)}</p>"
    html = parts_html(parts, url, lead)
    title = title or shorten(html_text(html).split(". ")[0], TITLE_CHARS)
    return update_item(
        url,
        element.get("id") or _stable_id(moment, title),
        html,
        title=title,
        published_at=moment,
        images=tuple(image for part in parts for image in block_images(part, url)),
        flags=flags,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _stable_id(moment: datetime, title: str) -> str:
    """Same update on the next fetch → same id, even as newer ones are added above it."""
    digest = hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"t{moment:%Y%m%d%H%M}-{digest}"
