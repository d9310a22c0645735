"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org) → `ParsedDocument`, read with `json`.

Version 1.1 moved `author` to an `authors` list and added `language`; both forms are read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeGuard
from urllib.parse import urljoin

from dateline.ingest.parsers.canonical import canonicalize
from dateline.ingest.parsers.clean import (
    TITLE_CHARS,
    clean_html,
    html_text,
    parse_date,
    shorten,
    text_to_html,
    to_text,
)
from dateline.ingest.parsers.items import (
    PARSE_PROBLEMS,
    ItemImage,
    ParsedDocument,
    ParsedItem,
    ParseError,
)

Obj = Mapping[str, Any]


def parse_json_feed(raw: bytes | str, url: str = "") -> ParsedDocument:
    """ParseError when raw is not JSON or not a JSON Feed."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(PARSE_PROBLEMS("not_json", detail=str(exc))) from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError(PARSE_PROBLEMS("not_a_json_feed"))
    warnings: tuple[str, ...] = ()
    if "jsonfeed.org/version" not in str(data.get("version", "")):
        warnings = ("the JSON has items but does not say it is a JSON Feed",)
    site = _text(data.get("home_page_url"))
    base = site or url
    language = _text(data.get("language"))
    items = tuple(
        _item(entry, base, language, _author(data)) for entry in data["items"] if _is_obj(entry)
    )
    return ParsedDocument(
        kind="feed",
        title=to_text(_text(data.get("title"))) or site or url,
        site_url=canonicalize(site, url) if site else "",
        items=items,
        language=language,
        warnings=warnings,
    )


def _is_obj(value: object) -> TypeGuard[Obj]:
    return isinstance(value, Mapping)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _author(obj: Obj) -> str:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [_text(a.get("name")) for a in authors if _is_obj(a)]
        return ", ".join(name for name in names if name)
    author = obj.get("author")
    return _text(author.get("name")) if _is_obj(author) else ""


def _item(entry: Obj, base: str, language: str, feed_author: str) -> ParsedItem:
    link = _text(entry.get("url")) or _text(entry.get("external_url"))
    link = urljoin(base, link) if link else ""
    content = _text(entry.get("content_html")) or text_to_html(_text(entry.get("content_text")))
    html = clean_html(content, link or base)
    text = html_text(html)
    summary = shorten(to_text(_text(entry.get("summary"))) or text)
    published = parse_date(entry.get("date_published"))
    updated = parse_date(entry.get("date_modified"))
    return ParsedItem(
        url=link,
        canonical_url=canonicalize(link) if link else "",
        title=to_text(_text(entry.get("title"))) or shorten(summary, TITLE_CHARS),
        author=_author(entry) or feed_author,
        published_at=published or updated,
        updated_at=updated,
        summary=summary,
        html=html,
        text=text,
        images=_images(entry, link or base),
        external_id=str(entry.get("id") or link),
        language=_text(entry.get("language")) or language,
    )


def _images(entry: Obj, base: str) -> tuple[ItemImage, ...]:
    urls = [_text(entry.get("image")), _text(entry.get("banner_image"))]
    attachments = entry.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else ():
        if _is_obj(attachment) and _text(attachment.get("mime_type")).startswith("image/"):
            urls.append(_text(attachment.get("url")))
    absolute = dict.fromkeys(urljoin(base, u) for u in urls if u)
    return tuple(ItemImage(u) for u in absolute if u.startswith(("http://", "https://")))
