"""Another site's live blog → one `ParsedItem` per update, newest first.

Five readings, tried in order, the first that finds at least one update wins:

1. schema.org `LiveBlogPosting` JSON-LD (`liveBlogUpdate`, also inside `@graph` or lists):
   what publishers declare for search engines, so ids and times are the publisher's own.
   Key-event and pinned markers are not part of schema.org; they are taken from the page's
   HTML block with the same id when there is one.
2. schema.org `LiveBlogPosting` microdata (`liveblog_microdata.py`): `liveBlogUpdate`
   elements, or the children with ids of a bare `LiveBlogPosting` wrapper.
3. HTML blocks: elements with an id (`id`, else the `data-post-id` or `data-entry-id` that
   live-blog platforms such as liveblog.pro give their posts instead) and a time
   (`blocktimes.py`: a `<time datetime>`, a time attribute such as `data-post-time` or
   `data-time`, or a clock in a `<time>`), not nested in one another. An AMP live list keeps
   a deleted update in the page, marked `data-tombstone`, so that readers' copies drop it:
   it is no update. When the block says when it last changed (`data-update-time`, which AMP
   live lists define for that, or `data-last-updated`), that is the item's updated time; when
   it links to its own permalink (`permalinks.py`), that is the item's URL.
4. Tickers (`ticker.py`): headings or paragraphs that start with a time such as "12.31 Uhr:",
   "4:14 p.m." or "16:05", dated by the page.
5. Subheads (`subheads.py`): pages whose only structure is a run of subheads (AP's "Here's
   the latest:"), one update per subhead, all at the page's last change.

Times without an offset are read in the page's time zone: the `tz` argument when given, else
the zone the page's own evidence names (`zones.py`: a non-zero offset it states, its
country); a ticker on a page that leaves a choice is read in the zone its newest update and
the page's modification time (its metadata, else the HTTP Last-Modified header) imply
(`ticker.py`). All times come out as aware UTC.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TypeAlias

import lxml.html

from dateline.ingest.parsers import pagemeta, zones
from dateline.ingest.parsers.blocktimes import TIMES, dated_stamps, raw_stamp, read_stamp
from dateline.ingest.parsers.canonical import canonicalize
from dateline.ingest.parsers.clean import parse_date, to_text
from dateline.ingest.parsers.htmlblocks import block_update
from dateline.ingest.parsers.items import ParsedDocument, ParsedItem
from dateline.ingest.parsers.liveblog_jsonld import jsonld_updates, matching_block_id
from dateline.ingest.parsers.liveblog_microdata import microdata_updates
from dateline.ingest.parsers.permalinks import own_link
from dateline.ingest.parsers.subheads import subhead_updates
from dateline.ingest.parsers.ticker import PageTimes, ticker_updates

Element: TypeAlias = lxml.html.HtmlElement
BLOCK_TAGS = ("article", "div", "li", "section")
BLOCK_IDS = ("id", "data-post-id", "data-entry-id")
# When an update last changed: an AMP live list item's `data-update-time`, CNN's
# `data-last-updated` on its `live-story-post`.
UPDATE_ATTRIBUTES = ("data-update-time", "data-last-updated")


def parse_liveblog(
    html: str | bytes, url: str, *, tz: tzinfo | None = None, last_modified: str = ""
) -> ParsedDocument:
    """Split a live page into updates; an empty item list when it has none we can see."""
    root = pagemeta.parse_html(html)
    objects = pagemeta.json_ld(root)
    candidates = zones.country_zones(pagemeta.language(root), url)
    zone = tz or zones.page_zone(_stamps(root, objects), candidates)
    times = _page_times(root, objects, zone, last_modified, () if zone else candidates)
    declared = any(pagemeta.has_type(obj, "LiveBlogPosting") for obj in objects)
    blocks = html_blocks(root)
    items = _declared_updates(objects, url, blocks, zone, times) if declared else []
    if not items:
        items = microdata_updates(root, url, zone, times)
    if not items:
        items = block_items(blocks, url, zone, times)
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


def _declared_updates(
    objects: list[pagemeta.JsonObj],
    url: str,
    blocks: dict[str, Element],
    zone: tzinfo | None,
    times: PageTimes,
) -> list[ParsedItem]:
    """The JSON-LD's updates, read beside the page's blocks (`liveblog_jsonld.py`), and the
    blocks the JSON-LD leaves out (a pinned post, the newest update the page's JSON-LD has
    not caught up with) when they are of the kind the JSON-LD's own updates are shown in."""
    shown = dict(zip(blocks, block_items(blocks, url, zone, times), strict=True))
    reading = zone or (times.zones[0] if times.zones else UTC)
    items = jsonld_updates(objects, url, shown, reading)
    if not items:
        return []
    listed = {matching_block_id(item.external_id, blocks) for item in items}
    kinds = [_kind(blocks[bid]) for bid in blocks if bid in listed]
    extra = [
        shown[bid]
        for bid in blocks
        if bid not in listed
        and any(_alike(_kind(blocks[bid]), kind, shown[bid].pinned) for kind in kinds)
    ]
    return items + extra


def _kind(block: Element) -> tuple[str, frozenset[str]]:
    return block.tag, frozenset((block.get("class") or "").split())


def _alike(
    one: tuple[str, frozenset[str]], other: tuple[str, frozenset[str]], pinned: bool
) -> bool:
    """Shown the way the JSON-LD's updates are: the same tag, and a class in common (or no
    class at all, like them); a pinned post may differ in its classes. A teaser or a menu
    with an id and a time is another kind of element."""
    (tag, classes), (other_tag, other_classes) = one, other
    return tag == other_tag and (
        pinned or classes == other_classes or bool(classes & other_classes)
    )


def _stamps(root: Element, objects: list[pagemeta.JsonObj]) -> Iterator[str]:
    """The page's timestamps that may state its zone: publication, modification, the first
    `<time datetime>`s."""
    yield pagemeta.published_time(root, objects)
    yield from (str(obj["dateModified"]) for obj in objects if obj.get("dateModified"))
    yield pagemeta.meta(root, *pagemeta.MODIFIED_META)
    yield from itertools.islice((str(e.get("datetime")) for e in root.iter("time")), 20)


def _newest(item: ParsedItem) -> datetime:
    return item.published_at or datetime.min.replace(tzinfo=UTC)


def _page_times(
    root: Element,
    objects: list[pagemeta.JsonObj],
    zone: tzinfo | None,
    last_modified: str,
    candidates: tuple[tzinfo, ...],
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
    return PageTimes(published, pagemeta.modified_at(root, objects), served, candidates)


def _page_title(root: Element, objects: list[pagemeta.JsonObj]) -> str:
    for obj in objects:
        if pagemeta.has_type(obj, "LiveBlogPosting") and isinstance(obj.get("headline"), str):
            return to_text(obj["headline"])
    title = pagemeta.meta(root, "og:title") or (root.findtext(".//title") or "")
    return to_text(title)


def html_blocks(root: Element) -> dict[str, Element]:
    """Outermost-but-smallest elements with an id and a time: one per update, by id; none
    that an AMP live list marks deleted."""
    chosen: set[Element] = set()
    for found in TIMES(root):
        timed = found if isinstance(found, lxml.html.HtmlElement) else found.getparent()
        block = next(
            (e for e in itertools.chain([timed], timed.iterancestors()) if _is_block(e)), None
        )
        if block is not None and block not in chosen and raw_stamp(block):
            chosen.add(block)
    for element in list(chosen):
        for ancestor in element.iterancestors():
            chosen.discard(ancestor)  # keep the innermost id-and-time element
    ordered = [
        element
        for element in root.iter(*BLOCK_TAGS)
        if element in chosen and element.get("data-tombstone") is None  # deleted (module doc)
    ]
    return {block_id(element): element for element in ordered} if len(ordered) > 1 else {}


def block_id(element: Element) -> str:
    """The update's own id (module doc, point 3); "" when it has none."""
    return next((value for name in BLOCK_IDS if (value := element.get(name, "").strip())), "")


def _is_block(element: Element) -> bool:
    return element.tag in BLOCK_TAGS and bool(block_id(element))


def block_items(
    blocks: dict[str, Element], url: str, zone: tzinfo | None, times: PageTimes
) -> list[ParsedItem]:
    """Each HTML block as an update; clocks without a date dated like a ticker's; each at
    its own permalink unless several blocks link to the same address (the page's share
    link, not an update's)."""
    reading = zone or (times.zones[0] if times.zones else UTC)
    stamps = [read_stamp(raw_stamp(block), reading) for block in blocks.values()]
    moments = dated_stamps(stamps, zone, times)
    links = [own_link(block, url, _heading(block)) for block in blocks.values()]
    shared = {link for link, count in Counter(links).items() if count > 1}
    return [
        block_item(block, url, moment, "" if link in shared else link, reading)
        for block, moment, link in zip(blocks.values(), moments, links, strict=True)
    ]


def block_item(
    element: Element, url: str, moment: datetime | None, link: str = "", zone: tzinfo = UTC
) -> ParsedItem:
    """One HTML block → an update: its first heading is the headline; when it last changed
    (module doc, point 3) is its updated time."""
    raw = next((value for name in UPDATE_ATTRIBUTES if (value := element.get(name))), "")
    changed = read_stamp(raw.strip(), zone)
    return block_update(
        element,
        url,
        block_id(element),
        moment,
        _heading(element),
        link=link,
        updated_at=changed if isinstance(changed, datetime) else None,
    )


def _heading(element: Element) -> Element | None:
    return next(element.iter("h2", "h3", "h4"), None)
