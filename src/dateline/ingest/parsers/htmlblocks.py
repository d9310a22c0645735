"""Reading one update's HTML block: key-event / pinned markers, its words without chrome;
`block_update`, the block as an item (HTML blocks, microdata); and `update_item`, the one way
each reading of a live blog (JSON-LD, blocks, tickers, subheads) makes an item of an update.

Markers are read from values, never from attribute names alone: a kind attribute names the
kind (`class="post key-event"`, `data-type="key-event"`), a data attribute named for a flag
holds a value (`data-key-event="true"`, "1", "yes", or present without one; "false", "0" and
"no" say it is not), or a short element says it ("KEY EVENT", "Wichtiges Ereignis",
"Pinned", "Angepinnt:"). Such a label is left out of the update's words.

An update's own meta line is no part of its words either: short elements whose class names a
byline, a contributor or an avatar ("liveblog-author-name", "live-blog--author",
"lx-stream-post__contributor-name", "byline"), share tools ("lx-share-tools", "lb-sharing"),
a shown time ("liveblog-meta-time", "date", "time" holding "September 9, 2024 18:20" or "5
minutes ago") or when it was changed ("post-updated": "Updated 16:05"). CMSs print them
around every update; left in, every update would start "Jane Doe September 9, 202418:20".
The first byline's words become the item's author. Inside a quote, a "quote-author" is what
the update quotes, and stays.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from html import escape
from typing import Any, TypeAlias

import lxml.etree
import lxml.html

from dateline.ingest.parsers.canonical import canonicalize
from dateline.ingest.parsers.clean import (
    TITLE_CHARS,
    clean_html,
    html_text,
    shorten,
    to_text,
)
from dateline.ingest.parsers.credits import CREDIT_CLASS
from dateline.ingest.parsers.items import ItemImage, ParsedItem
from dateline.ingest.parsers.pictures import BYLINE_CLASS, CAPTION_CLASS, META_CHARS
from dateline.ingest.parsers.pictures import block_images as block_images  # feeds.py's too

Element: TypeAlias = lxml.html.HtmlElement
AttributeValue = lxml.etree._ElementUnicodeResult  # what XPath gives for an attribute
# "type-key": WordPress VIP Liveblog's class for a key event (its alerts are "type-alert");
# "post--highlighted": liveblog.pro's, whose readers filter "Highlights" (a modifier only: a
# plain "highlighted" may be a marker pen on a phrase of the text).
KEY_EVENT = re.compile(r"key[-_ ]?event|keyevent|wichtig|\btype-key\b|--highlighted\b", re.I)
PINNED = re.compile(r"pinned|angepinnt|sticky", re.IGNORECASE)
_EITHER = re.compile(f"{KEY_EVENT.pattern}|{PINNED.pattern}", re.IGNORECASE)
# Attributes whose value names the kind of update ("key-event", "pinned").
KIND_ATTRIBUTES = ("class", "data-type", "data-post-type", "data-kind", "aria-label")
TRUE_VALUES = frozenset({"", "true", "1", "yes", "on"})
# Visible labels that mark an update (compared without case and a trailing colon).
KEY_LABELS = frozenset({"key event", "wichtig", "wichtiges ereignis", "key update"})
PIN_LABELS = frozenset({"pinned", "angepinnt", "pinned post", "angeheftet"})
ALL_LABELS = KEY_LABELS | PIN_LABELS
LABEL_TAGS = frozenset({"mark", "span", "strong", "b", "em", "div", "p", "li", "small", "label"})
# Around an update's words, not part of them: its time, asides, figures (their pictures become
# the item's images), captions and credits, scripts, its footer (share tools, tags). (A form
# stays: a poll in an update is part of what it says.)
CHROME = ("time", "aside", "figure", "figcaption", "mark", "script", "style", "noscript",
          "footer", "nav")  # fmt: skip
_NOT_WORDS = re.compile(rf"{CREDIT_CLASS.pattern}|{CAPTION_CLASS.pattern}", re.IGNORECASE)
# The update's meta line (module doc): a byline, share tools or a time shown as text.
_TIME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:time|date|timestamp|datetime|updated|modified)(?:$|[\s_-])", re.I
)
# A clock ("18:20", "9.05"), a year ("September 9, 2024") or an age ("5 minutes ago"); not a
# duration ("65.06 sek." in a race result whose class says time).
_TIME_WORDS = re.compile(
    r"(?<![\d.])(?:[01]?\d|2[0-3])[:.][0-5]\d(?![\d.])|\b(?:19|20)\d\d\b|\bago\b", re.I
)
# What a byline says before the name: "By", "Von", and the "From CNN's" of CNN's live posts
# (`live-story-post__byline`; scrapers of those pages drop its first two words).
_BY = re.compile(r"^(?:(?:posted |written )?by|von|from)\s+(?:[\w.&-]+['’]s?\s+)?", re.I)
QUOTE_TAGS = frozenset({"blockquote", "q"})
_SHARE_CLASS = re.compile(r"(?:^|[\s_-])(?:share(?!d)|sharing|social)", re.IGNORECASE)
_META_CLASS = re.compile(
    rf"{BYLINE_CLASS.pattern}|{_TIME_CLASS.pattern}|{_SHARE_CLASS.pattern}", re.IGNORECASE
)


def _any_of(names: tuple[str, ...], test: str) -> str:
    return " or ".join(test.format(name) for name in names)


# XPath (in C) finds the few flag attributes, labels and chrome among an update's hundreds of
# nodes faster than a walk in Python: as unions of plain paths (predicates are slow), on the
# page's own tree (on a copy, a new document each time, it is slow to start).
_CLASSES = "descendant-or-self::*/@class"
_FLAG_ATTRIBUTES = (
    " | ".join(f"descendant-or-self::*/@{name}" for name in KIND_ATTRIBUTES if name != "class")
    + " | descendant-or-self::*/@*["
    + _any_of(("key", "pin", "stick", "wichtig"), "contains(name(), '{}')") + "]"
)  # fmt: skip
_LETTERS = "".join(sorted({char for label in ALL_LABELS for char in label if char.isalpha()}))
_WORDS = f"translate(normalize-space(), '{_LETTERS.upper()}', '{_LETTERS}')"
_SAID = "|".join(f"{label}|{label}:" for label in sorted(ALL_LABELS))
_IS_LABEL = f"contains('|{_SAID}|', concat('|', {_WORDS}, '|'))"  # one of the labels
_LABELS = " | ".join(
    f"descendant-or-self::{tag}[normalize-space(text())][string-length(text()) < 25]"
    f"[not(*[3])][{_IS_LABEL}]"
    for tag in sorted(LABEL_TAGS)
)
_CHROME_TAGS = " | ".join(f"descendant::{tag}" for tag in CHROME)
_MARKS = lxml.etree.XPath(f"{_CLASSES} | {_FLAG_ATTRIBUTES} | {_LABELS}")
_CHROME = lxml.etree.XPath(f"{_CHROME_TAGS} | {_CLASSES} | {_LABELS}")
_CLASS_VALUES = lxml.etree.XPath(_CLASSES)


def _label(node: Element) -> str:
    """The node's words as a label ("Key event:" → "key event")."""
    return " ".join(node.text_content().split()).rstrip(":").lower()


def _flag(name: str, value: str, pattern: re.Pattern[str]) -> bool:
    """A flag from one attribute: the value of a kind attribute names it, or a data attribute
    named for it holds a true value (data-key-event="false" is no key event)."""
    if name in KIND_ATTRIBUTES:
        return bool(pattern.search(value))
    if pattern.search(name):
        value = value.strip().lower()
        return value in TRUE_VALUES or value == name
    return False


def markers(element: Element) -> tuple[bool, bool]:
    """(key event, pinned) from attribute values and visible labels (module doc)."""
    key = pinned = False
    for found in _MARKS(element):
        if isinstance(found, AttributeValue):
            if found.attrname == "class" and not _EITHER.search(found):
                continue  # most classes: the quick no
            key = key or _flag(found.attrname, found, KEY_EVENT)
            pinned = pinned or _flag(found.attrname, found, PINNED)
        else:  # a label
            label = _label(found)
            key = key or label in KEY_LABELS
            pinned = pinned or label in PIN_LABELS
    return key, pinned


def _is_chrome(node: Element) -> bool:
    """Chrome by its tag, class or words (for the element the XPath cannot test: the root)."""
    label = node.tag in LABEL_TAGS and len(node) < 3 and _label(node) in ALL_LABELS
    return bool(node.tag in CHROME or _NOT_WORDS.search(node.get("class") or "") or label)


def _is_meta(node: Element) -> bool:
    """A byline, an avatar, share tools or a time shown as text (module doc): short, named
    so by its class. A long element so named is a wrapper of the update, not its meta line."""
    classes = node.get("class") or ""
    if not _META_CLASS.search(classes) or node.tag == "cite":
        return False
    if any(ancestor.tag in QUOTE_TAGS for ancestor in node.iterancestors()):
        return False  # a quote's "quote-author" is what the update quotes, not who wrote it
    words = " ".join(node.text_content().split())
    if len(words) > META_CHARS:
        return False
    named = BYLINE_CLASS.search(classes) or _SHARE_CLASS.search(classes)
    return bool(named) or bool(_TIME_WORDS.search(words))


def byline(element: Element) -> str:
    """The words of the update's first byline ("By Jane Doe", "From CNN's Jane Doe" → "Jane
    Doe"); "" without one."""
    for found in _CLASS_VALUES(element):
        holder = found.getparent()
        if BYLINE_CLASS.search(found) and "avatar" not in found.lower() and _is_meta(holder):
            words = " ".join(holder.text_content().split())
            if words:
                return _BY.sub("", words)
    return ""


def own_words(source: Element, without: Element | None = None) -> Element | None:
    """A copy of source without its chrome (its time, figures, captions, credits and the
    labels that mark it, "KEY EVENT", "Angepinnt") and without `without` (the headline), or
    source itself when it has none (not to be changed); None when source is all chrome.
    Found on the page's tree (fast XPath), dropped from the copy by their positions."""
    if _is_chrome(source):
        return None
    doomed = [
        found if not isinstance(found, AttributeValue) else found.getparent()
        for found in _CHROME(source)  # chrome tags, labels, and every class to test here
        if not isinstance(found, AttributeValue)
        or _NOT_WORDS.search(found)
        or (_META_CLASS.search(found) and _is_meta(found.getparent()))
    ]
    if without is not None:
        doomed.append(without)
    places = [_place(source, node) for node in dict.fromkeys(doomed) if node is not source]
    if not places:
        return source  # nothing to leave out: no copy needed (callers only serialise it)
    words = copy.deepcopy(source)
    words.tail = source.tail  # the text after it belongs to the update too
    for node in [_follow(words, place) for place in places if place is not None]:
        node.drop_tree()
    return words


def _place(root: Element, node: Element) -> list[int] | None:
    """The child indexes that lead from root to node; None when node is not inside root."""
    place: list[int] = []
    while node is not root:
        parent = node.getparent()
        if parent is None:
            return None
        place.append(parent.index(node))
        node = parent
    return place[::-1]


def _follow(root: Element, place: list[int]) -> Element:
    for index in place:
        root = root[index]
    return root


def parts_html(parts: list[Element], url: str, lead: str = "") -> str:
    """Sanitised HTML of an update made of several elements (a ticker entry, a subhead's
    section), without their chrome (a label's or a figure's following text stays); `lead`
    (HTML) goes first."""
    html = [lead]
    for part in parts:
        own = own_words(part)
        html.append(
            escape(part.tail or "") if own is None else lxml.html.tostring(own, encoding="unicode")
        )
    return clean_html("".join(html), url)


def block_update(
    block: Element, url: str, anchor: str, published_at: datetime | None,
    heading: Element | None, body: Element | None = None, *, link: str = "",
    updated_at: datetime | None = None,
) -> ParsedItem:  # fmt: skip
    """One update's block → an item: the heading's words as the title; the body (the block,
    or the part of it the page marks as the body) without that heading and the chrome;
    images and key-event / pinned markers from the whole block; `link` its own permalink
    (`permalinks.py`), else the page plus the anchor."""
    words = own_words(block if body is None else body, heading)
    html = "" if words is None else lxml.html.tostring(words, encoding="unicode", with_tail=False)
    return update_item(
        url,
        anchor,
        clean_html(html, url),
        title=to_text(heading.text_content()) if heading is not None else "",
        published_at=published_at,
        images=block_images(block, url),
        flags=markers(block),
        author=byline(block),
        link=link,
        updated_at=updated_at,
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
    html = without_furniture(html)
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


# A paragraph that only points to another story: "Read more: <a>…</a>", "READ MORE here",
# "Lesen Sie auch: …", "Mehr dazu: …". Newspapers put one under many updates; it is no part
# of the update, and an inbox or a story card showing it reads as an advertisement.
_POINTER = (
    r"read more|more on this|for the full story|related|see also|lesen sie (?:auch|mehr)"
    r"|mehr (?:dazu|zum thema)|auch interessant|weiterlesen"
)
_READ_MORE = re.compile(rf"^\W*(?:{_POINTER})\b", re.I)  # opening a paragraph
_ANY_POINTER = re.compile(rf"\b(?:{_POINTER})\b", re.I)  # anywhere: nothing to do without one


_TRAILING_READ_MORE = re.compile(
    # Where a sentence may start: a paragraph, a full stop, or a capital after a space.
    r"(?:(?<=<p>)|(?<=[.!?\"”])|(?<=\s)(?=(?-i:[A-Z<])))\s*(?:<(?:b|strong)>\s*)?"
    r"(?:read more(?: here)?|lesen sie (?:auch|mehr)|mehr (?:dazu|zum thema))\b:?\s*"
    r"(?:</?(?:b|strong)>\s*)*<a\b[^>]*>[^<]*</a>\s*(?:</(?:b|strong)>\s*)*(?=(?:</p>\s*)?$)",
    re.I,
)


# A paragraph that is only a rule between entries: AP's "___", "* * *", "—————".
_RULE = re.compile(r"<p>\s*(?:[_*=~·•–—-]\s*){3,}</p>")


def without_furniture(html: str) -> str:
    """`html` (sanitised) without its rules and its paragraphs that only point to another
    story."""
    html = _RULE.sub("", html)
    if "<a" not in html or not _ANY_POINTER.search(html):
        return html
    html = _TRAILING_READ_MORE.sub("", html)  # run into the last paragraph: JSON-LD bodies
    html = re.sub(r"<p>\s*</p>", "", html)
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    doomed = [p for p in fragment.iter("p") if _points_elsewhere(p)]
    if not doomed:
        return html
    for p in doomed:
        p.drop_tree()  # (its tail, if any, is kept by drop_tree)
    inner = (fragment.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment
    )
    return inner


def _points_elsewhere(paragraph: Element) -> bool:
    """Opens with a read-more label and is mostly its link ("Read more about the storm in
    our explainer, and stay safe" is a sentence of the update)."""
    words = " ".join(paragraph.text_content().split())
    label = _READ_MORE.match(words)
    if label is None:
        return False
    linked = sum(len(" ".join(a.text_content().split())) for a in paragraph.iter("a"))
    return linked * 2 >= len(words) - label.end()
