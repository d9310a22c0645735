"""RSS 0.9x/1.0/2.0, Atom and JSON Feed → `ParsedDocument`.

Fast path: fastfeedparser (lxml) reads a 50-item feed in about a millisecond; feedparser takes
ten times that and more. feedparser stays as the fallback for what the fast path cannot read
(it is the most forgiving parser there is): when fastfeedparser raises, or finds no entries in
a document that plainly has some, the feed is parsed again by feedparser and the document
carries a warning saying so. Both give dict-like entries of nearly the same shape; `_item`
reads either.

JSON Feed (1.0 and 1.1) is read with `json` in `jsonfeed.py`.
"""

from __future__ import annotations

import re
from calendar import timegm
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import fastfeedparser
import feedparser
import lxml.html
from lxml import etree

from dateline.ingest.parsers.canonical import canonicalize
from dateline.ingest.parsers.clean import (
    TITLE_CHARS,
    absolute,
    author_name,
    clean_html,
    html_text,
    parse_date,
    shorten,
    to_text,
)
from dateline.ingest.parsers.htmlblocks import block_images
from dateline.ingest.parsers.items import (
    PARSE_PROBLEMS,
    ItemImage,
    ParsedDocument,
    ParsedItem,
    ParseError,
)
from dateline.ingest.parsers.jsonfeed import parse_json_feed

Entry = Mapping[str, Any]
_HAS_ENTRIES = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>/]")
_XHTML_TITLE = re.compile(rb"<(?:\w+:)?title[^>]*type=[\"'](?:xhtml|application/xhtml)")
# Atom 1.0 text sent base64-encoded: a title, content or summary whose type is a media type
# other than text or XML (RFC 4287 section 4.1.3.3). Atom's own elements only: Media RSS's
# <media:content type="image/jpeg"> is a picture, not encoded text.
_BINARY_TEXT = re.compile(
    rb"<(?:atom:)?(?:title|content|summary|subtitle|rights)\s[^>]*\btype\s*=\s*[\"']"
    rb"(?!text/)[\w.+-]+/(?![\w.+-]*xml)"
)
_LANGUAGE = re.compile(rb"<(?:\w+:)?language>\s*([\w-]{2,20})\s*<", re.IGNORECASE)
_XML_LANG = re.compile(rb"<(?:\w+:)?(?:feed|channel|rss)\b[^>]*\bxml:lang=[\"']([\w-]{2,20})")


def parse_feed(data: bytes | str, url: str = "") -> ParsedDocument:
    """Parse an RSS, Atom or JSON feed; ParseError when it is none of them."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if raw.lstrip()[:1] == b"{":
        return parse_json_feed(raw, url)
    warnings: list[str] = []
    parsed = None
    if _feedparser_only(raw):
        warnings.append("read by feedparser: the feed uses xml:base or base64-encoded text")
    else:
        parsed = _fast(raw, warnings)
    if parsed is None:
        parsed = _slow(raw)
    return _document(parsed, raw, url, tuple(warnings))


def _fast(raw: bytes, warnings: list[str]) -> Entry | None:
    """fastfeedparser's result, or None (with a warning) when feedparser should try."""
    try:
        # Bytes, never str: given a str that starts with http, fastfeedparser fetches it.
        parsed: Entry = fastfeedparser.parse(raw)
    except Exception as exc:  # any failure of the fast path means "let feedparser try"
        warnings.append(f"fell back to feedparser: {_why(exc)}")
        return None
    entries = parsed.get("entries") or ()
    if not entries and _HAS_ENTRIES.search(raw):
        warnings.append("fell back to feedparser: the fast parser found no entries")
        return None
    lost_titles = any(not entry.get("title") for entry in entries)
    if lost_titles and _XHTML_TITLE.search(raw):
        warnings.append("fell back to feedparser: the fast parser lost XHTML titles")
        return None
    return parsed


def _feedparser_only(raw: bytes) -> bool:
    """What fastfeedparser does not read, feedparser does: relative links under `xml:base`,
    and base64-encoded text (Atom 0.3's `mode="base64"`, Atom 1.0's binary types). Plain
    substring tests first (one for "base" before the three that contain it): a regex over a
    whole 60 KB feed costs more than parsing it."""
    if b"base" in raw and (
        b"xml:base" in raw or b'mode="base64"' in raw or b"mode='base64'" in raw
    ):
        return True
    return b"/2005/Atom" in raw and _BINARY_TEXT.search(raw) is not None


def _why(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _slow(raw: bytes) -> Entry:
    parsed: Entry = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("entries") and not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        if isinstance(problem, Exception):
            raise ParseError(PARSE_PROBLEMS("not_a_feed_because", detail=_why(problem)))
        raise ParseError(PARSE_PROBLEMS("not_a_feed"))
    return parsed


def _document(parsed: Entry, raw: bytes, url: str, warnings: tuple[str, ...]) -> ParsedDocument:
    feed: Entry = parsed.get("feed", {})
    site = absolute(url, feed.get("link") or "") if url else feed.get("link") or ""
    base = site or url
    language = feed.get("language") or _language(raw)
    items = tuple(_item(entry, base, language) for entry in parsed.get("entries", ()))
    return ParsedDocument(
        kind="feed",
        title=to_text(feed.get("title") or "") or site or url,
        site_url=canonicalize(site, url) if site else "",
        items=items,
        language=language,
        warnings=warnings,
    )


def _language(raw: bytes) -> str:
    head = raw[:4096]
    match = _LANGUAGE.search(head) or _XML_LANG.search(head)
    return match.group(1).decode("ascii") if match else ""


def _item(entry: Entry, base: str, language: str) -> ParsedItem:
    link = _link(entry, base)
    description = entry.get("description") or entry.get("summary") or ""
    content, content_base = _content(entry)
    body_base = content_base or link or base  # feedparser gives the content's xml:base
    html = clean_html(content or description, body_base)
    text = html_text(html)
    # fastfeedparser repeats an RSS description as the content: its text is `text` already.
    summary = shorten(to_text(description) if description not in ("", content) else text)
    title = to_text(entry.get("title") or "") or shorten(text or summary, TITLE_CHARS)
    published = _date(entry, "published") or _date(entry, "updated")
    return ParsedItem(
        url=link,
        canonical_url=canonicalize(link) if link else "",
        title=title,
        author=author_name(_author(entry)),
        published_at=published,
        updated_at=_date(entry, "updated"),
        summary=summary,
        html=html,
        text=text,
        images=_images(entry, link or base) or _inline_images(content or description, body_base),
        external_id=str(entry.get("id") or entry.get("guid") or link),
        language=entry.get("language") or language,
    )


def _link(entry: Entry, base: str) -> str:
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links") or ():
            if candidate.get("href") and candidate.get("rel") in (None, "alternate"):
                link = candidate["href"]
                break
    if not link:
        guid = str(entry.get("id") or "")
        link = guid if guid.startswith(("http://", "https://")) else ""
    return absolute(base, link.strip()) if link else ""


def _content(entry: Entry) -> tuple[str, str]:
    """The first non-empty content, and the base its relative links are written against."""
    for part in entry.get("content") or ():
        value = part.get("value") if isinstance(part, Mapping) else None
        if value:
            return str(value), str(part.get("base") or "")
    return "", ""


def _author(entry: Entry) -> str:
    author = entry.get("author") or ""
    if not author:
        detail = entry.get("author_detail") or {}
        author = detail.get("name") or detail.get("email") or ""
    return str(author)


def _date(entry: Entry, key: str) -> datetime | None:
    """fastfeedparser gives ISO text; feedparser a UTC struct_time in `<key>_parsed`."""
    stamp = entry.get(f"{key}_parsed")
    if stamp:
        return datetime.fromtimestamp(timegm(stamp), UTC)
    return parse_date(entry.get(key))


def _images(entry: Entry, base: str) -> tuple[ItemImage, ...]:
    found: dict[str, ItemImage] = {}
    for media in entry.get("media_content") or ():
        kind = f"{media.get('medium', '')} {media.get('type', '')}"
        if "image" in kind or not kind.strip():
            _add_image(found, media.get("url"), base, media.get("description"), media.get("credit"))
    for enclosure in entry.get("enclosures") or ():
        if str(enclosure.get("type", "")).startswith("image/"):
            _add_image(found, enclosure.get("url") or enclosure.get("href"), base)
    for thumbnail in entry.get("media_thumbnail") or ():
        if not found:
            _add_image(found, thumbnail.get("url"), base)
    return tuple(found.values())


def _inline_images(html: str, base: str) -> tuple[ItemImage, ...]:
    """Pictures inside the body (most blog feeds carry their photo only there), with their
    figcaption or alt text: the body itself keeps no <img> (see dateline.html)."""
    if "<img" not in html:
        return ()
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ()
    return block_images(fragment, base)


def _add_image(
    found: dict[str, ItemImage], url: object, base: str, caption: object = "", credit: object = ""
) -> None:
    if not isinstance(url, str) or not url.strip():
        return
    full = absolute(base, url.strip())
    if full.startswith(("http://", "https://")) and full not in found:
        found[full] = ItemImage(full, to_text(str(caption or "")), to_text(_credit_text(credit)))


def _credit_text(credit: object) -> str:
    if isinstance(credit, Mapping):
        return str(credit.get("content") or credit.get("name") or "")
    return str(credit or "")
