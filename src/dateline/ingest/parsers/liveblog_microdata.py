"""schema.org `LiveBlogPosting` written as microdata (itemscope / itemtype / itemprop) → updates.

Some sites mark their live page up in the HTML itself instead of JSON-LD. Two shapes:

- proper microdata: each update is an element with `itemprop="liveBlogUpdate"`, with its own
  `headline`, `articleBody` and `datePublished` (a `content` or `datetime` attribute);
- a wrapper only: the `LiveBlogPosting` element holds the updates as children with ids and
  nothing more (sportowefakty.wp.pl): each child with an id and text is an update, timed by
  its `<time datetime>` or by a clock time in a `<time>` ("19:30") on the page's day.

An update without any time (a composite result box, "Koniec." at the end of a match) is timed
by its neighbours (`blocktimes.dated_stamps`). A headline is `itemprop="headline"`, a
heading, or an element whose class names it a title.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, tzinfo
from typing import TypeAlias

import lxml.html

from dateline.ingest.parsers.blocktimes import Stamp, dated_stamps
from dateline.ingest.parsers.clean import parse_date
from dateline.ingest.parsers.htmlblocks import block_update
from dateline.ingest.parsers.items import ParsedItem
from dateline.ingest.parsers.ticker import PageTimes

Element: TypeAlias = lxml.html.HtmlElement
_POSTING = re.compile(r"^https?://schema\.org/LiveBlogPosting/?$")
_CLOCK = re.compile(r"^(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)$")
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_TITLE_CLASS = re.compile(r"(?:^|[\s_-])(?:title|headline)(?:$|[\s_-])", re.IGNORECASE)
_HEADINGS = ("h2", "h3", "h4", "h5")
NOT_UPDATES = frozenset({"script", "style", "template", "noscript", "aside", "figure", "time"})


def microdata_updates(
    root: Element, url: str, zone: tzinfo | None, times: PageTimes
) -> list[ParsedItem]:
    """The updates of the page's microdata LiveBlogPosting; [] when it has none."""
    typed = root.xpath("descendant-or-self::*[@itemtype]")
    posting = next((e for e in typed if _is_posting(e.get("itemtype", ""))), None)
    if posting is None:
        return []
    updates = _props(posting, "liveBlogUpdate") or [
        child for child in posting
        if isinstance(child.tag, str) and child.tag not in NOT_UPDATES
        and child.get("id") and child.text_content().strip()
    ]  # fmt: skip
    moments = dated_stamps([_stamp(update, zone) for update in updates], zone, times)
    return [_item(update, url, moment) for update, moment in zip(updates, moments, strict=True)]


def _is_posting(itemtype: str) -> bool:
    """itemtype may list several types ("…/LiveBlogPosting …/NewsArticle")."""
    return any(_POSTING.match(name) for name in itemtype.split())


def _props(element: Element, name: str) -> list[Element]:
    return [e for e in element.iterfind(".//*[@itemprop]") if name in e.get("itemprop").split()]


def _prop(element: Element, name: str) -> Element | None:
    return next(iter(_props(element, name)), None)


def _stamp(update: Element, zone: tzinfo | None) -> Stamp:
    """The update's own time: a full timestamp, or a clock time to put on the page's day."""
    stated = _prop(update, "datePublished")
    if stated is None:
        stated = update.find(".//time[@datetime]")
    if stated is not None:
        value = (stated.get("content") or stated.get("datetime") or "").strip()
        moment = parse_date(value) if "T" in value else None
        if moment is not None:
            if zone is not None and not _OFFSET.search(value):
                moment = moment.replace(tzinfo=zone).astimezone(UTC)  # local time, no offset
            return moment
    clock = update.find(".//time")
    match = _CLOCK.match(clock.text_content().strip()) if clock is not None else None
    return time(int(match["h"]), int(match["m"])) if match else None


def _heading(update: Element) -> Element | None:
    found = _prop(update, "headline")
    if found is None:
        found = next(update.iter(*_HEADINGS), None)
    if found is None:
        titled = update.iterfind(".//*[@class]")
        found = next((e for e in titled if _TITLE_CLASS.search(e.get("class"))), None)
    return found


def _item(update: Element, url: str, moment: datetime | None) -> ParsedItem:
    anchor = update.get("id") or update.get("itemid") or ""
    return block_update(
        update,
        url,
        anchor.rsplit("#", 1)[-1],
        moment,
        _heading(update),
        body=_prop(update, "articleBody"),
    )
