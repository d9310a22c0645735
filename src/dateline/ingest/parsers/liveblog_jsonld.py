"""schema.org `LiveBlogPosting.liveBlogUpdate` → updates.

The JSON-LD often lists the whole blog (hundreds of updates) while the HTML shows the latest
page, so JSON-LD is the fuller source. It has no key-event or pinned flags: those come from
the HTML block whose id matches the update's anchor, when the page shows it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from html import unescape
from typing import TypeAlias

import lxml.html

from dateline.ingest.parsers import pagemeta
from dateline.ingest.parsers.blocktimes import read_stamp
from dateline.ingest.parsers.clean import (
    absolute,
    author_name,
    clean_html,
    parse_date,
    text_to_html,
    to_text,
)
from dateline.ingest.parsers.htmlblocks import markers, update_item
from dateline.ingest.parsers.items import ItemImage, ParsedItem
from dateline.ingest.parsers.pictures import block_images

Element: TypeAlias = lxml.html.HtmlElement


def jsonld_updates(
    objects: list[pagemeta.JsonObj], url: str, blocks: dict[str, Element], zone: tzinfo = UTC
) -> list[ParsedItem]:
    """Every liveBlogUpdate of every LiveBlogPosting on the page, de-duplicated by id; times
    without an offset are read in `zone`, the page's."""
    found: dict[str, ParsedItem] = {}
    for obj in objects:
        if not pagemeta.has_type(obj, "LiveBlogPosting"):
            continue
        updates = obj.get("liveBlogUpdate") or []
        for update in updates if isinstance(updates, list) else [updates]:
            if isinstance(update, dict):
                item = _update(update, url, blocks, zone)
                found.setdefault(item.external_id or item.url, item)
    return _without_page_images(list(found.values()))


def _without_page_images(items: list[ParsedItem]) -> list[ParsedItem]:
    """Drop an image most updates share: it is the page's picture, not the update's."""
    counts = Counter(image.url for item in items for image in item.images)
    shared = {url for url, count in counts.items() if len(items) >= 3 and count > len(items) / 2}
    if not shared:
        return items
    return [
        replace(item, images=tuple(i for i in item.images if i.url not in shared)) for item in items
    ]


def _anchor(update: pagemeta.JsonObj, url: str) -> tuple[str, str]:
    """(external id, absolute link) from the update's url / @id / id."""
    for key in ("url", "@id", "mainEntityOfPage", "id"):
        value = update.get(key)
        if isinstance(value, str) and value.strip():
            link = absolute(url, value.strip())
            anchor = link.split("#", 1)[1] if "#" in link else value.strip()
            if "#" not in link:
                link = f"{url.split('#', 1)[0]}#{anchor}"
            return anchor, link
    return "", url


def _update(
    update: pagemeta.JsonObj, url: str, blocks: dict[str, Element], zone: tzinfo
) -> ParsedItem:
    anchor, link = _anchor(update, url)
    block = _matching_block(anchor, blocks)
    body = update.get("articleBody") or update.get("text") or ""
    html = clean_html(body if "<" in str(body) else text_to_html(unescape(str(body))), url)
    images = block_images(block, url) if block is not None else ()
    return update_item(
        url,
        anchor,
        html,
        link=link,
        title=to_text(str(update.get("headline") or update.get("name") or "")),
        published_at=_moment(update.get("datePublished"), zone),
        images=images or _images(update.get("image"), url),
        flags=markers(block) if block is not None else (False, False),
        author=_author(update.get("author")),
        updated_at=_moment(update.get("dateModified"), zone),
    )


def _moment(value: object, zone: tzinfo) -> datetime | None:
    if isinstance(value, str):
        found = read_stamp(value.strip(), zone)
        if isinstance(found, datetime):
            return found
    return parse_date(value)


def _matching_block(anchor: str, blocks: dict[str, Element]) -> Element | None:
    if not anchor:
        return None
    if anchor in blocks:
        return blocks[anchor]
    return next(
        (el for bid, el in blocks.items() if bid.endswith(anchor) or anchor.endswith(bid)), None
    )


def _author(value: object) -> str:
    values = value if isinstance(value, list) else [value]
    names = [str(v.get("name") or "") if isinstance(v, dict) else str(v or "") for v in values]
    return ", ".join(author_name(name) for name in names if name.strip())


def _images(value: object, base: str) -> tuple[ItemImage, ...]:
    values = value if isinstance(value, list) else [value]
    found: dict[str, ItemImage] = {}
    for image in values:
        if isinstance(image, str):
            src, caption, credit = image, "", ""
        elif isinstance(image, dict):
            src = str(image.get("url") or image.get("contentUrl") or "")
            caption = to_text(str(image.get("caption") or image.get("description") or ""))
            credit = to_text(str(image.get("creditText") or image.get("copyrightHolder") or ""))
        else:
            continue
        full = absolute(base, src.strip()) if src.strip() else ""
        if full.startswith(("http://", "https://")) and full not in found:
            found[full] = ItemImage(full, caption, credit)
    return tuple(found.values())
