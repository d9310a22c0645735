"""Live pages whose only structure is subheads: each subhead starts an update.

AP's "Here's the latest:" stories (National Post, others) add a subhead and a few paragraphs
for each development and give no times. The subheads are found as the largest group of
`<h2>`/`<h3>` with the same tag and the same parent class (at least three), outside links,
navigation and asides: related-story cards and menus use headings too, but are not in that
group. The page is then read in document order from their common ancestor: the paragraphs,
lists and quotes after a subhead, up to the next one, are its body, however deeply the CMS
wraps each of them, as long as they sit in the same kind of wrapper as most of the story's
paragraphs (share buttons and comments after the last subhead do not). What comes before the
first subhead is the story's lead, not an update.

The page gives no times, so every update takes the page's last change (else its publication
time): the inbox keeps the page's order, and a subhead added later arrives as a new item.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import TypeAlias

import lxml.html

from dateline.ingest.parsers.clean import to_text
from dateline.ingest.parsers.htmlblocks import markers, parts_html, update_item
from dateline.ingest.parsers.items import ParsedItem
from dateline.ingest.parsers.pictures import block_images
from dateline.ingest.parsers.tickerend import is_not_update

Element: TypeAlias = lxml.html.HtmlElement
MIN_SUBHEADS = 3
BODY_TAGS = frozenset({"p", "ul", "ol", "blockquote", "figure"})
OUTSIDE = frozenset({"a", "nav", "aside", "footer", "header", "form", "figcaption", "button"})
_SLUG = re.compile(r"[\W_]+")  # Unicode-aware: Cyrillic, Greek, CJK subheads keep their words


def subhead_updates(root: Element, url: str, moment: datetime | None) -> list[ParsedItem]:
    """One update per subhead of the page's main run of subheads; [] with fewer than three."""
    subheads = _subheads(root)
    if len(subheads) < MIN_SUBHEADS:
        return []
    starts = set(subheads)
    sections: list[tuple[Element, list[Element]]] = []
    ended = False  # the section met what follows a story (`tickerend.py`): the rest is not it
    for element in _common_ancestor(subheads).iter():
        if element in starts:
            sections.append((element, []))
            ended = False
        elif sections and not ended and _is_body(element, starts):
            ended = is_not_update(element)
            if not ended:
                sections[-1][1].append(element)
    kept = _story_wrappers([part for _, body in sections for part in body])
    anchors: Counter[str] = Counter()
    items = []
    for heading, body in sections:
        parts = [part for part in body if _wrapper(part) in kept]
        if parts:
            anchor = _anchor(heading)
            anchors[anchor] += 1  # two subheads with the same words: "-2" for the second
            items.append(_item(heading, parts, url, moment, anchor, anchors[anchor]))
    return items


def _anchor(heading: Element) -> str:
    """The subhead's id, else a slug of its words in any script, else a digest of them: the
    same subhead gets the same anchor at every fetch, and no two subheads share one."""
    words = to_text(heading.text_content())
    slug = _SLUG.sub("-", words.lower()).strip("-")[:80]
    digest = hashlib.sha1(words.encode(), usedforsecurity=False).hexdigest()[:10]
    return heading.get("id") or slug or f"s-{digest}"


def _wrapper(element: Element) -> tuple[str, str]:
    parent = element.getparent()
    return ("", "") if parent is None else (parent.tag, parent.get("class", ""))


def _story_wrappers(parts: list[Element]) -> set[tuple[str, str]]:
    """The wrapper (parent tag and class) most of the story's paragraphs sit in: share
    buttons, newsletter boxes and comments after the last subhead sit in others."""
    counts = Counter(_wrapper(part) for part in parts if part.tag == "p")
    return {counts.most_common(1)[0][0]} if counts else set()


def _subheads(root: Element) -> list[Element]:
    groups: defaultdict[tuple[str, str], list[Element]] = defaultdict(list)
    for heading in root.iter("h2", "h3"):
        parent = heading.getparent()
        if parent is None or _outside(heading) or not heading.text_content().strip():
            continue
        groups[(heading.tag, parent.get("class", ""))].append(heading)
    return max(groups.values(), key=len, default=[])


def _outside(element: Element) -> bool:
    return any(ancestor.tag in OUTSIDE for ancestor in element.iterancestors())


def _common_ancestor(elements: list[Element]) -> Element:
    common = list(elements[0].iterancestors())
    for element in elements[1:]:
        ancestors = set(element.iterancestors())
        common = [ancestor for ancestor in common if ancestor in ancestors]
    return common[0]


def _is_body(element: Element, starts: set[Element]) -> bool:
    """A paragraph-like block, not inside another one, a link, an aside or a subhead."""
    if element.tag not in BODY_TAGS or not element.text_content().strip():
        return False
    return not any(
        ancestor.tag in BODY_TAGS or ancestor.tag in OUTSIDE or ancestor in starts
        for ancestor in element.iterancestors()
    )


def _item(
    heading: Element, body: list[Element], url: str, moment: datetime | None, anchor: str,
    seen: int,
) -> ParsedItem:  # fmt: skip
    title = to_text(heading.text_content())
    return update_item(
        url,
        anchor if seen == 1 else f"{anchor}-{seen}",
        parts_html(body, url),
        title=title,
        published_at=moment,
        images=tuple(image for part in body for image in block_images(part, url)),
        flags=markers(heading),
    )
