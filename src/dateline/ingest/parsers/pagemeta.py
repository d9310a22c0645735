"""What a web page says about itself: JSON-LD objects, meta tags, language, publication time.

Shared by article extraction and live-blog splitting. Pages are parsed once with lxml.html;
every helper takes the parsed root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import lxml.html
from lxml.etree import ParserError

from dateline.ingest.parsers.clean import parse_date
from dateline.ingest.parsers.items import PARSE_PROBLEMS, ParseError

JsonObj = dict[str, Any]
PUBLISHED_META = ("article:published_time", "og:article:published_time", "datePublished",
                  "pubdate", "publishdate", "date", "dc.date", "dcterms.created")  # fmt: skip
MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified")


def parse_html(data: str | bytes) -> lxml.html.HtmlElement:
    """The page's root element; ParseError when there is nothing HTML-like in it."""
    if not data or not data.strip():
        raise ParseError(PARSE_PROBLEMS("empty_page"))
    if isinstance(data, str) and data.lstrip().startswith("<?xml"):
        data = data.encode("utf-8")  # lxml refuses str with an encoding declaration
    try:
        return lxml.html.fromstring(data)
    except (ParserError, ValueError) as exc:
        raise ParseError(PARSE_PROBLEMS("not_html", detail=str(exc))) from exc


def json_ld(root: lxml.html.HtmlElement) -> list[JsonObj]:
    """Every JSON-LD object on the page, with @graph and lists flattened; bad blocks skipped."""
    found: list[JsonObj] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text_content() or "null", strict=False)
        except ValueError:
            continue  # publishers ship broken JSON-LD; the rest of the page still counts
        found.extend(_flatten(data))
    return found


def _flatten(data: object) -> Iterator[JsonObj]:
    if isinstance(data, list):
        for value in data:
            yield from _flatten(value)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"])


def has_type(obj: JsonObj, *names: str) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.split("/")[-1] in names for k in kinds)


def meta(root: lxml.html.HtmlElement, *names: str) -> str:
    """content of the first <meta name|property|itemprop=…> among names (case-insensitive)."""
    wanted = {name.lower() for name in names}
    for tag in root.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        if key in wanted and (tag.get("content") or "").strip():
            return (tag.get("content") or "").strip()
    return ""


def language(root: lxml.html.HtmlElement) -> str:
    """<html lang>, else og:locale / content-language, as a short tag like "en" or "de-DE"."""
    value = root.get("lang") or meta(root, "og:locale", "content-language", "language")
    return value.replace("_", "-").strip()[:20]


def published_time(root: lxml.html.HtmlElement, objects: list[JsonObj]) -> str:
    """The page's own publication timestamp text (with its offset, when it gives one)."""
    for obj in objects:
        value = obj.get("datePublished")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return meta(root, *PUBLISHED_META)


def published_at(root: lxml.html.HtmlElement, objects: list[JsonObj]) -> datetime | None:
    return parse_date(published_time(root, objects))


_TITLE_DATE = re.compile(
    r"\b(?:(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>20\d\d)"
    r"|(?P<y2>20\d\d)-(?P<m2>[01]\d)-(?P<d2>[0-3]\d))\b"
)


def title_date(root: lxml.html.HtmlElement) -> date | None:
    """A date the page's title or description states ("28.09.2020", "2020-09-28"): the day
    of a live page that gives no publication time in its metadata (many sports tickers)."""
    for text in (root.findtext(".//title") or "", meta(root, "description", "og:description")):
        match = _TITLE_DATE.search(text)
        if match is None:
            continue
        year, month, day = (
            (match["y"], match["m"], match["d"]) if match["y"] else
            (match["y2"], match["m2"], match["d2"])
        )  # fmt: skip
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


def modified_at(root: lxml.html.HtmlElement, objects: list[JsonObj]) -> datetime | None:
    """When the page says it last changed (dateModified, article:modified_time)."""
    for obj in objects:
        value = parse_date(obj.get("dateModified"))
        if value is not None:
            return value
    return parse_date(meta(root, *MODIFIED_META))
