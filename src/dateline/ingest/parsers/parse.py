"""One entry point for the worker: which kind a fetched document is, and parse it.

`parse_document` promises that only `ParseError` escapes: a parser bug or a library's own
exception on a strange page becomes a ParseError with a plain message (and the original
chained), so one bad source can never take a worker down.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from dateline.ingest.parsers.article import parse_article
from dateline.ingest.parsers.feeds import parse_feed
from dateline.ingest.parsers.items import PARSE_PROBLEMS, ParsedDocument, ParseError, SourceKind
from dateline.ingest.parsers.liveblogs import parse_liveblog

FEED_TYPES = ("rss", "atom", "rdf", "feed+json", "/xml", "+xml")
_FEED_ROOT = re.compile(rb"<(?:\w+:)?(?:rss|feed|RDF)[\s>]")
# LiveBlogPosting as a type (JSON-LD, also escaped inside a script; microdata), not the word
# anywhere: an article's scripts may name it (a list of types, a tracking payload).
_LIVE_BLOG = re.compile(
    rb'\\?"@type\\?"\s*:\s*(?:\[[^\]]{0,200}?)?\\?"(?:https?://schema\.org/)?LiveBlogPosting\\?"'
    rb"|itemtype\s*=\s*[\"']?https?://schema\.org/LiveBlogPosting"
)
_TICKER = re.compile(
    rb">\s*(?:\d{1,2}[.:]\d{2}\s*Uhr|(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\s*[ap]\.\s?m\.)", re.I
)


def guess_kind(content_type: str, body: bytes | str) -> SourceKind:
    """feed (XML or JSON feed), liveblog (LiveBlogPosting or ≥2 ticker times), else article."""
    raw = body.encode("utf-8", "replace") if isinstance(body, str) else body
    head = raw[:2048].lstrip()
    media = content_type.split(";", 1)[0].strip().lower()
    if head.startswith(b"{") and (b'"items"' in raw or "json" in media):
        return "feed"
    is_html_page = head[:15].lower().startswith((b"<!doctype html", b"<html"))
    if not is_html_page and (_FEED_ROOT.search(head) or any(m in media for m in FEED_TYPES)):
        return "feed"
    if _LIVE_BLOG.search(raw) or len(_TICKER.findall(raw)) >= 2:
        return "liveblog"
    return "article"


def parse_document(
    kind: SourceKind,
    data: bytes | str,
    url: str,
    content_type: str = "",
    *,
    tz: tzinfo | None = None,
    last_modified: str = "",
) -> ParsedDocument:
    """Parse a fetched document as kind; ParseError (plain message) on any failure.

    Pass bytes (FetchResult.body) for feeds, so the XML's own encoding declaration is
    honoured; text (FetchResult.text) or bytes for pages. `tz` is the time zone for
    live-blog times that carry none (see liveblogs.py for the default rule); `last_modified`
    is the answer's Last-Modified header, the page's last change when its HTML gives none.
    """
    try:
        if kind == "feed":
            return parse_feed(data, url)
        if kind == "liveblog":
            return parse_liveblog(data, url, tz=tz, last_modified=last_modified)
        if kind == "article":
            return parse_article(data, url)
    except ParseError:
        raise
    except Exception as exc:  # anything else is our bug or a library's: still a plain message
        detail = f"{type(exc).__name__}: {exc}"
        raise ParseError(PARSE_PROBLEMS("unreadable", kind=kind, detail=detail)) from exc
    raise ParseError(PARSE_PROBLEMS("unknown_kind", kind=repr(kind)))
