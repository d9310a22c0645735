"""schema.org `LiveBlogPosting.liveBlogUpdate` → updates.

The JSON-LD often lists the whole blog (hundreds of updates) while the HTML shows the latest
page, so JSON-LD says which updates there are. For an update the page also shows (the HTML
block whose id matches the update's anchor), the block is the fuller reading: publishers give
JSON-LD a plain-text body, often cut short (at 1,000 characters, or before an embed), without
its lists and paragraphs. So the block's body is taken unless it is clearly shorter, and its
key-event and pinned flags (not part of schema.org) and images always.

Some publishers copy the page's own values onto every update: its headline, its time, its
authors. Such a value says nothing about the update, so the block's heading, time and byline
take its place when the page shows the update.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from html import unescape

from dateline.ingest.parsers import pagemeta
from dateline.ingest.parsers.blocktimes import read_stamp
from dateline.ingest.parsers.clean import (
    absolute,
    author_name,
    clean_html,
    html_text,
    parse_date,
    text_to_html,
    to_text,
)
from dateline.ingest.parsers.htmlblocks import update_item
from dateline.ingest.parsers.items import ItemImage, ParsedItem

# The block's body replaces the JSON-LD's unless it holds clearly less text (a block the page
# shows collapsed, say): a tenth less is whitespace and furniture, not a shorter update.
FULLER = 0.9


def jsonld_updates(
    objects: list[pagemeta.JsonObj], url: str, shown: dict[str, ParsedItem], zone: tzinfo = UTC
) -> list[ParsedItem]:
    """Every liveBlogUpdate of every LiveBlogPosting on the page, de-duplicated by id (an
    update without one by what it says); `shown` holds the page's HTML blocks read
    as updates, by block id; times without an offset are read in `zone`, the page's."""
    found: dict[str, ParsedItem] = {}
    for obj in objects:
        if not pagemeta.has_type(obj, "LiveBlogPosting"):
            continue
        listed = obj.get("liveBlogUpdate") or []
        updates = [
            u for u in (listed if isinstance(listed, list) else [listed]) if isinstance(u, dict)
        ]
        copied = _page_values(obj, updates)
        for update in updates:
            item = _update(update, url, shown, zone, copied)
            found.setdefault(item.external_id, item)
    return _without_page_images(list(found.values()))


def _page_values(page: pagemeta.JsonObj, updates: list[pagemeta.JsonObj]) -> set[str]:
    """Values that are the page's, not an update's: the posting's own headline and times,
    and a headline, time or author most of three or more updates share."""
    fields = [_headline(u) for u in updates] + [_raw_time(u) for u in updates]
    fields += [_author(u.get("author")) for u in updates]
    counts = Counter(value for value in fields if value)
    copied = {value for value, n in counts.items() if len(updates) >= 3 and n > len(updates) / 2}
    copied.update(
        v for v in (_headline(page), _raw_time(page), str(page.get("dateModified") or "")) if v
    )
    return copied


def _headline(obj: pagemeta.JsonObj) -> str:
    return to_text(str(obj.get("headline") or obj.get("name") or ""))


def _raw_time(obj: pagemeta.JsonObj) -> str:
    return str(obj.get("datePublished") or "").strip()


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
    update: pagemeta.JsonObj,
    url: str,
    shown: dict[str, ParsedItem],
    zone: tzinfo,
    copied: set[str],
) -> ParsedItem:
    anchor, link = _anchor(update, url)
    body = update.get("articleBody") or update.get("text") or ""
    if not anchor:
        # No id of its own: one made of what it says, so that updates stay apart in the
        # inbox (each needs its own address) and the same update keeps its id next fetch.
        said = f"{_raw_time(update)}|{_headline(update)}|{body}"
        anchor = "ld-" + hashlib.sha1(said.encode(), usedforsecurity=False).hexdigest()[:12]
        link = f"{url.split('#', 1)[0]}#{anchor}"
    block = _matching_block(anchor, shown)
    html = clean_html(body if "<" in str(body) else text_to_html(unescape(str(body))), url)
    title, author = _headline(update), _author(update.get("author"))
    published_at = _moment(update.get("datePublished"), zone)
    if block is not None:
        if len(block.text) >= FULLER * len(html_text(html)):
            html = block.html
        if not title or title in copied:
            title = block.title
        if _raw_time(update) in copied or published_at is None:
            published_at = block.published_at or published_at
        if author in copied and block.author:
            author = block.author
    return update_item(
        url,
        anchor,
        html,
        link=link,
        title="" if title in copied else title,
        published_at=published_at,
        images=(block.images if block is not None else ()) or _images(update.get("image"), url),
        flags=(block.key_event, block.pinned) if block is not None else (False, False),
        author=author,
        updated_at=_moment(update.get("dateModified"), zone),
    )


def _moment(value: object, zone: tzinfo) -> datetime | None:
    if isinstance(value, str):
        found = read_stamp(value.strip(), zone)
        if isinstance(found, datetime):
            return found
    return parse_date(value)


def _matching_block(anchor: str, blocks: dict[str, ParsedItem]) -> ParsedItem | None:
    found = matching_block_id(anchor, blocks)
    return blocks[found] if found else None


def matching_block_id(anchor: str, ids: Iterable[str]) -> str:
    """The id of the page's block that shows the update `anchor` names: the same id, or the
    one id that adds a prefix to it ("post-12" for "12", never "post-112"); "" when none or
    several do."""
    if not anchor:
        return ""
    ids = list(ids)
    if anchor in ids:
        return anchor
    found = [bid for bid in ids if _ends_with(bid, anchor) or _ends_with(anchor, bid)]
    return found[0] if len(found) == 1 else ""


def _ends_with(longer: str, part: str) -> bool:
    return (
        len(longer) > len(part) and longer.endswith(part) and not longer[-len(part) - 1].isalnum()
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
