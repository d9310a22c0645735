"""The pictures of one update's HTML: the real picture behind a lazy-loading placeholder, and
its caption and credit.

Lazy-loading pages put a placeholder in `src` (a `data:` URI, a 1×1 GIF, a file named
"blank", "placeholder", "spacer" …) and the real picture in `srcset`, `data-src`,
`data-srcset`, `data-lazy-src` (and other `data-*` spellings), a `<picture><source srcset>`, or
a `<noscript><img>` beside it. The largest candidate of those is taken. A real `src` that is
one of the sizes its own `srcset` lists (a 240 px thumbnail next to 540 and 810 px) gives way
to the largest of them. Tracking pixels (width or height of 1 or 2) are left out.

An author's avatar (an image with, or inside a short element with, a class naming an avatar,
author, contributor or byline) is the writer's face, not a picture of the story: left out.

The caption is the figure's `<figcaption>` (also when the CMS puts it right after the figure),
or an element after the picture whose class names a caption; `credits.py` splits the credit
from it.
"""

from __future__ import annotations

import re
from typing import TypeAlias

import lxml.html

from dateline.ingest.parsers.clean import absolute
from dateline.ingest.parsers.credits import caption_and_credit
from dateline.ingest.parsers.items import ItemImage
from dateline.numbers import small_int

Element: TypeAlias = lxml.html.HtmlElement
LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url",
                "data-hi-res-src", "data-full-src")  # fmt: skip
LAZY_SETS = ("srcset", "data-srcset", "data-lazy-srcset")
CAPTION_CLASS = re.compile(r"caption|bildunterschrift|legend", re.IGNORECASE)
BYLINE_CLASS = re.compile(r"author|byline|avatar|contributor", re.IGNORECASE)
META_CHARS = 80  # longer than this, an element so named wraps the update, not a byline
_PLACEHOLDER = re.compile(
    r"^data:|(?:^|/)(?:blank|placeholder|spacer|pixel|transparent|empty|lazy|1x1|gr[ae]y)"
    r"(?:[-_.]?\w{0,12})?\.(?:gif|png|svg|jpe?g|webp)(?:[?#]|$)",
    re.IGNORECASE,
)
_DESCRIPTOR = re.compile(r"^(\d+(?:\.\d+)?)([wx])$")


def _is_pixel(image: Element) -> bool:
    """A tracking pixel (1×1 GIFs in feed bodies, counters): not a picture of the story."""
    sides = [image.get("width", ""), image.get("height", "")]
    return any(size is not None and size <= 2 for size in map(small_int, map(str.strip, sides)))


def largest_in_set(srcset: str) -> str:
    """The largest candidate of a srcset ("a.jpg 640w, b.jpg 1280w" → "b.jpg")."""
    best, best_size = "", -1.0
    for candidate in srcset.split(","):
        parts = candidate.split()
        if not parts:
            continue
        match = _DESCRIPTOR.match(parts[-1]) if len(parts) > 1 else None
        size = float(match[1]) * (1 if match[2] == "w" else 10_000) if match else 0.0
        if size > best_size:
            best, best_size = parts[0], size
    return best


def _larger_listed(src: str, srcset: str) -> str:
    """The srcset's largest candidate when src is one of its smaller ones (a thumbnail);
    otherwise src: one not listed may well be the original, larger than every size."""
    listed = [candidate.split()[0] for candidate in srcset.split(",") if candidate.split()]
    return largest_in_set(srcset) if src in listed else src


def real_source(image: Element) -> str:
    """The picture's real address; "" when it shows only a placeholder or a pixel."""
    src = (image.get("src") or "").strip()
    if src and not _PLACEHOLDER.search(src) and not _is_pixel(image):
        return _larger_listed(src, image.get("srcset") or "")
    sets = [value for name in LAZY_SETS if (value := image.get(name))]
    holder = image.getparent()
    while holder is not None and holder.tag == "source":  # lxml nests <img> in <source>
        holder = holder.getparent()
    if holder is not None and holder.tag == "picture":
        sets += [s.get("srcset") or s.get("data-srcset") or "" for s in holder.iter("source")]
    for srcset in sets:
        if found := largest_in_set(srcset):
            return found
    for name in LAZY_SOURCES:
        value = (image.get(name) or "").strip()
        if value and not _PLACEHOLDER.search(value):
            return value
    return ""  # a <noscript><img> beside it is read as a picture of its own


def _caption(image: Element) -> Element | None:
    figure = next(image.iterancestors("figure"), None)
    if figure is not None:
        inside = figure.find(".//figcaption")
        if inside is not None:
            return inside
        after = figure.getnext()
        return after if after is not None and after.tag == "figcaption" else None
    holder = image.getparent()
    while holder is not None and holder.tag in ("picture", "noscript", "a", "span"):
        holder = holder.getparent()
    after = holder.getnext() if holder is not None else None
    if after is not None and (
        after.tag == "figcaption" or CAPTION_CLASS.search(after.get("class") or "")
    ):
        return after
    return None


def _is_avatar(image: Element, within: Element) -> bool:
    """The image, or a short element around it inside `within` (the update, whatever its
    class says, is no avatar), is named an avatar or byline."""
    for node in (image, *image.iterancestors()):
        if node is within:
            return False
        classes = node.get("class") or ""
        if BYLINE_CLASS.search(classes) and (
            node is image or len(node.text_content().strip()) <= META_CHARS
        ):
            return True
    return False


def block_images(element: Element, base: str) -> tuple[ItemImage, ...]:
    """The pictures in element, each once, with caption and credit; no avatars."""
    found: dict[str, ItemImage] = {}
    for image in element.iter("img", "amp-img"):
        src = real_source(image)
        if not src or _is_avatar(image, element):
            continue
        full = absolute(base, src)
        if not full.startswith(("http://", "https://")) or full in found:
            continue
        caption, credit = caption_and_credit(_caption(image))
        found[full] = ItemImage(full, caption or (image.get("alt") or "").strip(), credit)
    return tuple(found.values())
