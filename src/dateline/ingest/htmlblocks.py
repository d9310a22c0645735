"""Reading one update's HTML block: key-event / pinned markers and captioned images.

Shared by the JSON-LD reading (which borrows markers from the matching block) and the HTML
block reading of live blogs.
"""

from __future__ import annotations

import re
from typing import TypeAlias

import lxml.html

from dateline.ingest.clean import absolute, to_text
from dateline.ingest.items import ItemImage

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


def block_images(element: Element, base: str) -> tuple[ItemImage, ...]:
    found: dict[str, ItemImage] = {}
    for image in element.iter("img", "amp-img"):
        src = image.get("src") or image.get("data-src") or ""
        if not src or src.startswith("data:"):
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
