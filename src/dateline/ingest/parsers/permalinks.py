"""An update's own address, when its HTML block links to one.

Live-blog platforms give each update a permalink and print it in the update: its headline
links to it, a "link to this post" / "copy link" anchor or button holds it, or its share tools
carry it (`<amp-social-share data-param-url>` in WordPress Liveblog's AMP entries, whose
`?liveblog_id=` stays the same when the entry is edited while the entry's `id="post…"` is
its last change time; `data-url` on CNN's "copy link to clipboard" button). That address is
the one readers share and the one that stays when the update is edited, so it is the item's
URL; without one the item's URL stays the page plus the block's anchor.

Only a link to this page's own update counts: same host, and either this page with a query
or fragment of its own (`?liveblog_id=123`, `?post=asset:…`, `#block-9`) or an address
below the page's (`…/live-news/storm/index.html` → `…/live-news/storm/h_9f2c`), or any
address on the site that both the update's headline and its shown time link to (Times of
Israel's `/liveblog_entry/<slug>/`: the time of an update links to the update itself). A headline
linking to another story, a share link to a social network, a pagination link or the page
itself is no permalink. `liveblogs.py` also drops a link that several blocks share: the
page's own share link, not one update's.
"""

from __future__ import annotations

import re
from typing import TypeAlias
from urllib.parse import parse_qsl, urlsplit

import lxml.etree
import lxml.html

from dateline.ingest.parsers.blocktimes import TIME_ATTRIBUTES
from dateline.ingest.parsers.canonical import canonicalize, is_tracking
from dateline.ingest.parsers.clean import absolute

Element: TypeAlias = lxml.html.HtmlElement
# Attributes where share tools keep the address they share.
SHARE_ATTRIBUTES = ("data-param-url", "data-url", "data-share-url", "data-permalink",
                    "data-clipboard-text")  # fmt: skip
# An anchor or button that says it is the update's link (its class, rel, title or label).
_SAYS_PERMALINK = re.compile(
    r"permalink|perma-link|link to (?:this|the) (?:post|entry|update)|copy[-_ ]?link"
    r"|link kopieren|link zu diesem",
    re.IGNORECASE,
)
_SAYING = ("class", "rel", "title", "aria-label")
# A link that shows the update's time: a <time> or a time attribute inside it.
_TIMED = lxml.etree.XPath(
    "boolean(descendant::time | " + " | ".join(f"descendant::*/@{n}" for n in TIME_ATTRIBUTES) + ")"
)
_INDEX_PAGE = re.compile(r"/(?:index\.html?)?$")
# "?page=2" turns the page; "?page=with:block-…" (the Guardian's) names one update.
_PAGINATION = re.compile(r"(?:^|&)(?:page|liveblog_page|p|seite)=\d+(?:&|$)", re.IGNORECASE)


def own_link(block: Element, page_url: str, heading: Element | None = None) -> str:
    """The update's permalink (module doc), absolute; "" when the block links to none."""
    agreed = _headline_and_time_link(block, heading, page_url)
    if agreed:
        return agreed
    for candidate in _candidates(block, heading):
        link = absolute(page_url, candidate.strip())
        if is_update_link(link, page_url):
            return link
    return ""


def _headline_and_time_link(block: Element, heading: Element | None, page_url: str) -> str:
    """The address both the headline and the shown time link to, on this site (module doc):
    Times of Israel's `/liveblog_entry/<slug>/`, another path than the live page's."""
    if heading is None:
        return ""
    link = next((a.get("href", "").strip() for a in heading.iter("a")), "")
    if not link:
        return ""
    full = absolute(page_url, link)
    timed = any(a.get("href", "").strip() == link and _TIMED(a) for a in block.iter("a"))
    same_site = urlsplit(full).hostname == urlsplit(page_url).hostname
    itself = canonicalize(full, keep_fragment=True) == canonicalize(page_url, keep_fragment=True)
    web = full.startswith(("http://", "https://"))
    return full if timed and same_site and web and not itself else ""


def _candidates(block: Element, heading: Element | None) -> list[str]:
    """Links in the order they are trusted: the headline's, one that says it is the
    update's link, then the share tools' addresses."""
    found: list[str] = []
    if heading is not None:
        found += [a.get("href", "") for a in heading.iter("a")][:1]
    for node in block.iter("a", "button", "link"):
        said = " ".join(node.get(name, "") for name in _SAYING) + " " + node.text_content()
        if node.get("href") and _SAYS_PERMALINK.search(said):
            found.append(node.get("href", ""))
    for name in SHARE_ATTRIBUTES:
        found += [str(value) for value in block.xpath(f"descendant-or-self::*/@{name}")]
    return [link for link in found if link.strip()]


def is_update_link(link: str, page_url: str) -> bool:
    """A link to one update of this page (module doc)."""
    try:
        own, page = urlsplit(link), urlsplit(page_url)
    except ValueError:
        return False
    if own.scheme not in ("http", "https") or own.hostname != page.hostname:
        return False
    if canonicalize(link, keep_fragment=True) == canonicalize(page_url, keep_fragment=True):
        return False
    if own.path == page.path:  # this page: with a parameter of the update's own, or an anchor
        added = set(parse_qsl(own.query)) - set(parse_qsl(page.query))
        named = any(not is_tracking(name) for name, _ in added)
        return (named and not _PAGINATION.search(own.query)) or bool(own.fragment)
    base = _INDEX_PAGE.sub("", page.path)
    return bool(base) and own.path.startswith(base + "/")
