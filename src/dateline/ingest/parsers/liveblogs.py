"""Another site's live blog → one `ParsedItem` per update, newest first.

Three readings, tried in order, the first that finds at least one update wins:

1. schema.org `LiveBlogPosting` JSON-LD (`liveBlogUpdate`, also inside `@graph` or lists):
   what publishers declare for search engines, so ids and times are the publisher's own.
   Key-event and pinned markers are not part of schema.org; they are taken from the page's
   HTML block with the same id when there is one.
2. HTML blocks: elements with an `id` that hold a `<time datetime>` (or `data-post-time`,
   epoch milliseconds), not nested in one another.
3. schema.org `LiveBlogPosting` microdata (`liveblog_microdata.py`): `liveBlogUpdate`
   elements, or the children with ids of a bare `LiveBlogPosting` wrapper.
4. Tickers (`ticker.py`): headings or paragraphs that start with a time such as "12.31 Uhr:",
   "4:14 p.m." or "16:05", dated by the page.
5. Subheads (`subheads.py`): pages whose only structure is a run of subheads (AP's "Here's
   the latest:"), one update per subhead, all at the page's last change.

Times without an offset are read in the page's time zone: the `tz` argument when given,
else the UTC offset of the page's own publication time (`datePublished`,
`article:published_time`), else UTC; a ticker on a page that states its times in UTC only is
read in the zone its newest update and the page's modification time (its metadata, else the
HTTP Last-Modified header) imply (`ticker.py`).
All times come out as aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TypeAlias

import lxml.html

from dateline.ingest.parsers import pagemeta
from dateline.ingest.parsers.canonical import canonicalize
from dateline.ingest.parsers.clean import parse_date, to_text
from dateline.ingest.parsers.htmlblocks import block_update
from dateline.ingest.parsers.items import ParsedDocument, ParsedItem
from dateline.ingest.parsers.liveblog_jsonld import jsonld_updates
from dateline.ingest.parsers.liveblog_microdata import microdata_updates
from dateline.ingest.parsers.subheads import subhead_updates
from dateline.ingest.parsers.ticker import PageTimes, page_zone, ticker_updates
from dateline.numbers import small_int

Element: TypeAlias = lxml.html.HtmlElement
BLOCK_TAGS = ("article", "div", "li", "section")


def parse_liveblog(
    html: str | bytes, url: str, *, tz: tzinfo | None = None, last_modified: str = ""
) -> ParsedDocument:
    """Split a live page into updates; an empty item list when it has none we can see."""
    root = pagemeta.parse_html(html)
    objects = pagemeta.json_ld(root)
    zone = tz or page_zone(pagemeta.published_time(root, objects))
    blocks = html_blocks(root)
    items = jsonld_updates(objects, url, blocks)
    if not items:
        items = [block_item(block, url, zone or UTC) for block in blocks.values()]
    times = _page_times(root, objects, zone, last_modified)
    if not items:
        items = microdata_updates(root, url, zone, times)
    if not items:
        items = ticker_updates(root, url, zone, times)
    if not items:
        items = subhead_updates(root, url, times.modified or times.published or times.served)
    # Newest first; updates with the same time keep the page's order (a stable sort).
    items = sorted(items, key=_newest, reverse=True)
    return ParsedDocument(
        kind="liveblog",
        title=_page_title(root, objects),
        site_url=canonicalize("/", url),
        items=tuple(items),
        language=pagemeta.language(root),
    )


def _newest(item: ParsedItem) -> datetime:
    return item.published_at or datetime.min.replace(tzinfo=UTC)


def _page_times(
    root: Element, objects: list[pagemeta.JsonObj], zone: tzinfo | None, last_modified: str
) -> PageTimes:
    """The page's times: a page whose metadata gives no date but whose title does
    ("… 28.09.2020") is taken as published at noon that day; the Last-Modified header counts
    only when it is plausible (not before the publication, not in the future, not 1970)."""
    published = pagemeta.published_at(root, objects)
    if published is None:
        day = pagemeta.title_date(root)
        if day is not None:
            published = datetime.combine(day, time(12), zone or UTC)
    served = parse_date(last_modified)
    if served is not None and (
        served.year < 2000
        or served > datetime.now(UTC) + timedelta(hours=1)
        or (published is not None and served < published)
    ):
        served = None
    return PageTimes(published, pagemeta.modified_at(root, objects), served)


def _page_title(root: Element, objects: list[pagemeta.JsonObj]) -> str:
    for obj in objects:
        if pagemeta.has_type(obj, "LiveBlogPosting") and isinstance(obj.get("headline"), str):
            return to_text(obj["headline"])
    title = pagemeta.meta(root, "og:title") or (root.findtext(".//title") or "")
    return to_text(title)


def _block_time(element: Element) -> str | None:
    stamp = str(element.get("data-post-time", ""))
    if small_int(stamp) is not None:
        return stamp
    found = element.find(".//time[@datetime]")
    return str(found.get("datetime")) if found is not None else None


def html_blocks(root: Element) -> dict[str, Element]:
    """Outermost-but-smallest elements with an id and a time: one per update, by id."""
    candidates = [
        element
        for tag in BLOCK_TAGS
        for element in root.iter(tag)
        if element.get("id") and _block_time(element) is not None
    ]
    chosen = set(candidates)
    for element in candidates:
        for ancestor in element.iterancestors():
            chosen.discard(ancestor)  # keep the innermost id-and-time element
    ordered = [element for element in root.iter() if element in chosen]
    return {element.get("id", ""): element for element in ordered} if len(ordered) > 1 else {}


def block_time(element: Element, zone: tzinfo) -> datetime | None:
    value = _block_time(element)
    if value is None:
        return None
    milliseconds = small_int(value)
    if milliseconds is not None:
        try:
            return datetime.fromtimestamp(milliseconds / 1000, UTC)
        except (OverflowError, OSError, ValueError):  # past the calendar
            return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def block_item(element: Element, url: str, zone: tzinfo) -> ParsedItem:
    """One HTML block → an update: its first heading is the headline."""
    heading = next(element.iter("h2", "h3", "h4"), None)
    return block_update(element, url, element.get("id", ""), block_time(element, zone), heading)
