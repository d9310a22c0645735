"""Finding a site's feeds from one of its pages: `<link rel="alternate" type="…">`.

A newsroom user pastes a home page or an article URL; the page's head names its feeds
(RSS, Atom, JSON Feed). We list them with absolute URLs so the user can pick one.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
from lxml.etree import ParserError

from dateline.ingest.parsers.clean import absolute

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
    "application/rdf+xml": "rss",
    "text/xml": "rss",
    "application/xml": "rss",
}


@dataclass(frozen=True, slots=True)
class FeedLink:
    url: str  # absolute
    title: str
    type: str  # "rss", "atom" or "json"


def discover_feeds(html: str | bytes, page_url: str) -> list[FeedLink]:
    """Feeds a page announces, in page order, without duplicates; [] when none or unreadable."""
    try:
        root = lxml.html.fromstring(html) if html and html.strip() else None
    except (ParserError, ValueError):
        return []
    if root is None:
        return []
    base = _base(root, page_url)
    found: dict[str, FeedLink] = {}
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        href = (link.get("href") or "").strip()
        if "alternate" not in rels or kind is None or not href:
            continue
        url = absolute(base, href)
        if url.startswith(("http://", "https://")) and url not in found:
            found[url] = FeedLink(url, " ".join((link.get("title") or "").split()), kind)
    return list(found.values())


def _base(root: lxml.html.HtmlElement, page_url: str) -> str:
    """The page's <base href> (itself relative to the page), else the page URL."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return absolute(page_url, href)
    return page_url
