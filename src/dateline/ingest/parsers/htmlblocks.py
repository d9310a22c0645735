"""Reading one update's HTML block: key-event / pinned markers and captioned images;
`block_update`, the block as an item (HTML blocks, microdata); and `update_item`, the one way
each reading of a live blog (JSON-LD, blocks, tickers, subheads) makes an item of an update.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any, TypeAlias

import lxml.html

from dateline.ingest.parsers.canonical import canonicalize
from dateline.ingest.parsers.clean import (
    TITLE_CHARS,
    absolute,
    clean_html,
    html_text,
    shorten,
    to_text,
)
from dateline.ingest.parsers.items import ItemImage, ParsedItem
from dateline.numbers import small_int

Element: TypeAlias = lxml.html.HtmlElement
KEY_EVENT = re.compile(r"key[-_ ]?event|keyevent|wichtig", re.IGNORECASE)
PINNED = re.compile(r"pinned|angepinnt|sticky", re.IGNORECASE)
KEY_LABELS = ("key event", "wichtig", "key update")
PIN_LABELS = ("pinned", "angepinnt", "pinned post")


def markers(element: Element) -> tuple[bool, bool]:
    """(key event, pinned) from class names, data attributes and visible labels."""
    attrs = " ".join(
        f"{name}={value}" for node in element.iter() for name, value in node.attrib.items()
        if name in ("class", "data-type", "data-key-event", "data-pinned", "aria-label")
    )  # fmt: skip
    labels = " ".join(
        (node.text or "").strip().lower()
        for node in element.iter("mark", "span", "strong", "b", "em", "div", "p", "li")
        if len((node.text or "").strip()) < 20
    )
    key = bool(KEY_EVENT.search(attrs)) or any(label in labels for label in KEY_LABELS)
    pinned = bool(PINNED.search(attrs)) or any(label in labels for label in PIN_LABELS)
    return key, pinned


def _is_pixel(image: Element) -> bool:
    """A tracking pixel (1×1 GIFs in feed bodies, counters): not a picture of the story."""
    sides = [image.get("width", ""), image.get("height", "")]
    return any(size is not None and size <= 2 for size in map(small_int, map(str.strip, sides)))


def block_images(element: Element, base: str) -> tuple[ItemImage, ...]:
    found: dict[str, ItemImage] = {}
    for image in element.iter("img", "amp-img"):
        src = image.get("src") or image.get("data-src") or ""
        if not src or src.startswith("data:") or _is_pixel(image):
            continue
        full = absolute(base, src.strip())
        figure = next((a for a in image.iterancestors("figure")), None)
        caption = figure.find(".//figcaption") if figure is not None else None
        if caption is None:
            caption = image.getparent().getnext() if image.getparent() is not None else None
            if caption is None or caption.tag != "figcaption":
                caption = None
        text = to_text(caption.text_content()) if caption is not None else ""
        if full.startswith(("http://", "https://")) and full not in found:
            found[full] = ItemImage(full, text or image.get("alt", "").strip())
    return tuple(found.values())


# Around an update's words, not part of them: its time, asides, figures (their pictures become
# the item's images), labels such as "Key event", scripts.
CHROME = ("time", "aside", "figure", "figcaption", "mark", "script", "style")


def block_update(
    block: Element, url: str, anchor: str, published_at: datetime | None,
    heading: Element | None, body: Element | None = None,
) -> ParsedItem:  # fmt: skip
    """One update's block → an item: the heading's words as the title; the body (the block,
    or the part of it the page marks as the body) without that heading and the chrome;
    images and key-event / pinned markers from the whole block."""
    source = block if body is None else body
    words = copy.deepcopy(source)
    tree = source.getroottree()
    inside = tree.getpath(source) + "/"
    if heading is not None and (path := tree.getpath(heading)).startswith(inside):
        for copied in words.xpath("./" + path[len(inside) :]):
            copied.drop_tree()  # the headline is the title, not the body's first line
    for node in list(words.iterdescendants(*CHROME)):
        node.drop_tree()
    return update_item(
        url,
        anchor,
        clean_html(lxml.html.tostring(words, encoding="unicode"), url),
        title=to_text(heading.text_content()) if heading is not None else "",
        published_at=published_at,
        images=block_images(block, url),
        flags=markers(block),
    )


def update_item(
    page_url: str,
    anchor: str,
    html: str,
    *,
    title: str = "",
    published_at: datetime | None = None,
    images: tuple[ItemImage, ...] = (),
    flags: tuple[bool, bool] = (False, False),
    link: str = "",
    **more: Any,
) -> ParsedItem:
    """One update of a live-blog page as an item: its link (by default the page plus the
    update's anchor) keeps its fragment through canonicalisation, since the anchor tells one
    update from its siblings; `html` is already sanitised; `flags` is (key event, pinned)."""
    link = link or (f"{page_url.split('#', 1)[0]}#{anchor}" if anchor else page_url)
    text = html_text(html)
    return ParsedItem(
        url=link,
        canonical_url=canonicalize(link, keep_fragment=True),
        title=title or shorten(text, TITLE_CHARS),
        published_at=published_at,
        summary=shorten(text),
        html=html,
        text=text,
        images=images,
        key_event=flags[0],
        pinned=flags[1],
        external_id=anchor,
        **more,
    )
