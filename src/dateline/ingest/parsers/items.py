"""What a parsed source yields: the contract between the parsers and the store.

Parsers (feeds, articles, other sites' live blogs) turn one fetched document into a
`ParsedDocument`; the ingest service de-duplicates its items and stores them. Everything here
is already clean: HTML is sanitised by `dateline.html`, text is plain, URLs are absolute.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from dateline.errors import PhrasedError
from dateline.i18n import N_, Phrasebook

SourceKind = Literal["feed", "article", "liveblog"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("feed", "article", "liveblog")


@dataclass(frozen=True, slots=True)
class ItemImage:
    url: str
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One feed entry, one article, or one update of another site's live blog."""

    url: str  # absolute link as published (for a live-blog update: page URL + its anchor)
    canonical_url: str  # see ingest.canonical.canonicalize
    title: str
    author: str = ""
    published_at: datetime | None = None  # aware UTC, or None when the source gives none
    updated_at: datetime | None = None
    summary: str = ""  # plain text, short
    html: str = ""  # sanitised body HTML
    text: str = ""  # plain text of the body
    images: tuple[ItemImage, ...] = ()
    key_event: bool = False
    pinned: bool = False
    external_id: str = ""  # feed guid / id, or the update's id on a live-blog page
    language: str = ""

    @property
    def content_hash(self) -> str:
        """Same words under another URL or in another feed: the same item (exact duplicate)."""
        basis = " ".join((self.title + " " + (self.text or self.summary)).split()).casefold()
        return hashlib.sha256(basis.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A fetched document turned into items, with what it says about itself."""

    kind: SourceKind
    title: str  # the feed's or page's title: the source's display name
    site_url: str = ""  # the site's home page, when the document says
    items: tuple[ParsedItem, ...] = ()
    language: str = ""
    warnings: tuple[str, ...] = field(default=())  # e.g. "fell back to feedparser: ..."


# Why a document could not be read, by code (a source keeps the code of its last error).
PARSE_PROBLEMS = Phrasebook(
    unreadable=N_("The %(kind)s could not be read (%(detail)s)."),
    unknown_kind=N_("Unknown source kind %(kind)s."),
    not_a_feed=N_("This is not an RSS or Atom feed."),
    not_a_feed_because=N_("This is not an RSS or Atom feed (%(detail)s)."),
    not_json=N_("This is not valid JSON (%(detail)s)."),
    not_a_json_feed=N_("This JSON is not a JSON Feed: it has no list of items."),
    not_opml=N_("This is not an OPML file (%(detail)s)."),
    no_opml_root=N_("This is not an OPML file: it does not start with <opml>."),
    no_article=N_("No article text was found on this page."),
    article_unreadable=N_("The article could not be extracted (%(detail)s)."),
    empty_page=N_("The page is empty."),
    not_html=N_("The page could not be read as HTML (%(detail)s)."),
    document_unreadable=N_("Could not read this document (%(detail)s)."),
)


class ParseError(PhrasedError):
    """The document could not be read as the kind asked for; `phrase` says why in plain
    words. Parsers raise only this (never lxml's, json's or feedparser's own errors)."""

    status = 422
