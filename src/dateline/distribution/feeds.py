"""Atom 1.0, RSS 2.0 and JSON Feed 1.1, written with the standard library.

One `Feed` (what to say) is rendered three ways (how to say it). Its entries are neutral
(`Entry`): live blog updates (`update_entry`) and the items of a story (dateline.stories) are
written by the same code, and so are a blog's approved readers' comments (`comments_feed`).
A blog's feed names its comments feed and how many approved comments it has (Atom
threading's `replies` link with `thr:count`, in RSS through the Atom namespace, and
`_dateline.comments` in JSON Feed). An update's entry id is its permalink, which never changes and
resolves to the right page of the blog; its body is the sanitised HTML stored at write time,
with the update's images appended as <figure>s, so a feed reader shows what the page shows.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # only ever writes XML here, never parses it
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import quote

from dateline.comments.models import Comment
from dateline.config import Settings
from dateline.errors import NotFound
from dateline.i18n import current
from dateline.i18n import gettext as _
from dateline.liveblog.models import Blog, Image, Update, short_title
from dateline.liveblog.queries import BlogSet
from dateline.media.service import variant_path

FEED_SIZE = 50
ATOM_NS = "http://www.w3.org/2005/Atom"
THREAD_NS = "http://purl.org/syndication/thread/1.0"  # RFC 4685
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
IMAGE_TYPE = "image/webp"
KEY_EVENTS_QUERY = "?filter=key-events"
# Characters XML 1.0 cannot carry at all, even escaped; a stray one makes the whole feed invalid.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Origin:
    """Where an entry of a feed spanning several blogs or stories comes from (Atom <source>)."""

    feed_url: str
    title: str
    updated: datetime
    page_url: str


@dataclass(frozen=True)
class Enclosure:
    src: str  # absolute
    length: int  # bytes; 0 when not known here


@dataclass(frozen=True)
class Entry:
    """One entry, whatever it was made from. Addresses are absolute: feeds are read elsewhere."""

    id: str  # never changes
    url: str  # the page a reader opens
    title: str
    published: datetime
    updated: datetime
    html: str  # sanitised
    author: str = ""
    tags: tuple[tuple[str, str], ...] = ()  # (term, label)
    image: Enclosure | None = None
    origin: Origin | None = None


@dataclass(frozen=True)
class Feed:
    """What a feed says, whatever its format. Paths are relative to settings.base_url."""

    path: str  # "/live/storm/feed": each format adds its extension, then `query`
    query: str
    title: str
    description: str
    page_path: str  # the HTML page the feed follows
    updated: datetime
    entries: list[Entry]
    language: str  # what its words speak: the blog's language, or the visitor's for several
    comments: Replies | None = None  # a blog's approved readers' comments


@dataclass(frozen=True)
class Replies:
    """How many approved comments a blog has, and the path of their feed (no extension)."""

    count: int
    path: str


def update_entry(settings: Settings, blog: Blog, update: Update, *, across: bool) -> Entry:
    """A live blog update as a feed entry; `across`: the feed spans blogs, so it names its own."""
    url = permalink(settings, blog, update)
    image = None
    if update.images:
        first = update.images[0]
        image = Enclosure(_src(settings, first), _length(settings, first))
    origin = None
    if across:
        origin = Origin(
            f"{settings.base_url}/live/{blog.slug}/feed",
            blog.title,
            blog.updated_at,
            _blog_url(settings, blog),
        )
    return Entry(
        id=url,
        url=url,
        title=update.short_title,
        published=update.published_at,
        updated=update.edited_at or update.published_at,
        html=content_html(update, settings.base_url),
        author=update.author_name,
        tags=(("key-event", _("Key event")),) if update.key_event else (),
        image=image,
        origin=origin,
    )


def blog_feed(
    settings: Settings, blog: Blog, found: list[Update], key_events_only: bool, comments: int
) -> Feed:
    query = KEY_EVENTS_QUERY if key_events_only else ""
    return Feed(
        path=f"/live/{blog.slug}/feed",
        query=query,
        title=_("%(title)s – key events") % {"title": blog.title}
        if key_events_only
        else blog.title,
        description=blog.standfirst,
        page_path=f"/live/{blog.slug}{query}",
        updated=blog.updated_at,
        entries=[update_entry(settings, blog, update, across=False) for update in found],
        language=current(),
        comments=Replies(comments, f"/live/{blog.slug}/comments/feed"),
    )


def comment_entry(settings: Settings, blog: Blog, comment: Comment) -> Entry:
    """An approved comment: plain text, escaped, its line breaks kept."""
    url = f"{settings.base_url}/live/{blog.slug}/comments/{comment.id}"
    who = comment.name or _("A reader")
    lines = "<br>".join(escape(row) for row in comment.body.splitlines())
    return Entry(
        id=url,
        url=url,
        title=f"{who}: {short_title('', comment.body)}",
        published=comment.created_at,
        updated=comment.created_at,
        html=f"<p>{lines}</p>",
        author=who,
    )


def comments_feed(settings: Settings, blog: Blog, found: list[Comment], total: int) -> Feed:
    """A blog's approved readers' comments, newest first."""
    path = f"/live/{blog.slug}/comments/feed"
    return Feed(
        path=path,
        query="",
        title=_("Readers’ comments: %(title)s") % {"title": blog.title},
        description=blog.standfirst,
        page_path=f"/live/{blog.slug}/comments",
        updated=found[0].created_at if found else blog.updated_at,
        entries=[comment_entry(settings, blog, comment) for comment in found],
        language=current(),
        comments=Replies(total, path),
    )


def blogs_feed(spanned: BlogSet, entries: list[Entry], site_name: str) -> Feed:
    """A category's feed when the set has a name, else the whole site's."""
    if spanned.name:
        path = f"/category/{quote(spanned.name, safe='')}/feed"
        title = f"{spanned.name} · {site_name}"
        description = _("Live coverage: %(category)s") % {"category": spanned.name}
    else:
        path, description = "/feed", _("All live coverage")
        title = _("%(site)s · live coverage") % {"site": site_name}
    return Feed(
        path=path,
        query="",
        title=title,
        description=description,
        page_path="/",
        updated=spanned.updated_at or EPOCH,
        entries=entries,
        language=current(),
    )


def permalink(settings: Settings, blog: Blog, update: Update) -> str:
    return f"{settings.base_url}/live/{blog.slug}/updates/{update.id}"


# Atom 1.0 (RFC 4287) -------------------------------------------------------------------------


def atom(feed: Feed, settings: Settings) -> bytes:
    base = settings.base_url
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": feed.language})
    if feed.comments:
        root.set("xmlns:thr", THREAD_NS)
    _text(root, "id", base + feed.path + feed.query)
    _text(root, "title", feed.title)
    if feed.description:
        _text(root, "subtitle", feed.description)
    _text(root, "updated", _rfc3339(feed.updated))
    _node(root, "link", rel="self", type=FORMATS["atom"].mime, href=_self_url(feed, base, "atom"))
    _node(root, "link", rel="alternate", type="text/html", href=base + feed.page_path)
    if feed.comments:
        _replies(root, "link", feed.comments, base, "atom")
    _text(_node(root, "author"), "name", settings.site_name)
    _text(root, "generator", "Dateline")
    for entry in feed.entries:
        _atom_entry(_node(root, "entry"), entry)
    return _xml(root)


def _atom_entry(node: ET.Element, entry: Entry) -> None:
    _text(node, "id", entry.id)
    _text(node, "title", entry.title)
    _text(node, "published", _rfc3339(entry.published))
    _text(node, "updated", _rfc3339(entry.updated))
    _node(node, "link", rel="alternate", type="text/html", href=entry.url)
    if entry.author:
        _text(_node(node, "author"), "name", entry.author)
    for term, label in entry.tags:
        _node(node, "category", term=term, label=label)
    _text(node, "content", entry.html, type="html")
    if entry.image:
        extra = {"length": str(entry.image.length)} if entry.image.length else {}
        _node(node, "link", rel="enclosure", type=IMAGE_TYPE, href=entry.image.src, **extra)
    if entry.origin:
        source, origin = _node(node, "source"), entry.origin
        _text(source, "id", origin.feed_url)
        _text(source, "title", origin.title)
        _text(source, "updated", _rfc3339(origin.updated))
        _node(source, "link", rel="alternate", type="text/html", href=origin.page_url)


# RSS 2.0 -----------------------------------------------------------------------------------


def rss(feed: Feed, settings: Settings) -> bytes:
    base = settings.base_url
    root = ET.Element(
        "rss",
        {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": "http://purl.org/dc/elements/1.1/"},
    )
    channel = _node(root, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", base + feed.page_path)
    # Readers take every RSS <description> as HTML (the item's is), so the channel's plain
    # text is escaped once more: "<script>" in a standfirst is shown, never parsed.
    _text(channel, "description", escape(feed.description or feed.title))
    _text(channel, "language", feed.language)
    _text(channel, "lastBuildDate", _rfc822(feed.updated))
    _text(channel, "generator", "Dateline")
    self_url = _self_url(feed, base, "rss")
    _node(channel, "atom:link", rel="self", type=FORMATS["rss"].mime, href=self_url)
    if feed.comments:
        root.set("xmlns:thr", THREAD_NS)
        _replies(channel, "atom:link", feed.comments, base, "rss")
    for entry in feed.entries:
        _rss_item(_node(channel, "item"), entry)
    return _rss_references(_xml(root))


def _rss_item(node: ET.Element, entry: Entry) -> None:
    _text(node, "title", entry.title)
    _text(node, "link", entry.url)
    _text(node, "guid", entry.id, isPermaLink="true" if entry.id == entry.url else "false")
    _text(node, "pubDate", _rfc822(entry.published))
    if entry.author:  # RSS <author> must be an e-mail address; Dublin Core takes a name
        _text(node, "dc:creator", entry.author)
    for _term, label in entry.tags:
        _text(node, "category", label)
    _text(node, "description", entry.html)
    if entry.image:
        length = str(entry.image.length)
        _node(node, "enclosure", url=entry.image.src, length=length, type=IMAGE_TYPE)
    if entry.origin:
        _text(node, "source", entry.origin.title, url=entry.origin.feed_url + ".rss")


# JSON Feed 1.1 -----------------------------------------------------------------------------


def json_feed(feed: Feed, settings: Settings) -> bytes:
    base = settings.base_url
    data: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": base + feed.page_path,
        "feed_url": _self_url(feed, base, "json"),
        "description": feed.description,
        "authors": [{"name": settings.site_name}],
        "language": feed.language,
        "items": [_json_item(entry) for entry in feed.entries],
    }
    if feed.comments:  # JSON Feed's extensions are keys starting with "_"
        data["_dateline"] = {
            "comments": feed.comments.count,
            "comments_feed_url": f"{base}{feed.comments.path}.json",
        }
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def _json_item(entry: Entry) -> dict[str, object]:
    item: dict[str, object] = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry.html,
        "date_published": _rfc3339(entry.published),
    }
    if entry.updated != entry.published:
        item["date_modified"] = _rfc3339(entry.updated)
    if entry.author:
        item["authors"] = [{"name": entry.author}]
    if entry.image:
        item["image"] = entry.image.src
    if entry.tags:
        item["tags"] = [label for _term, label in entry.tags]
    return item


# Formats -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    name: str
    mime: str
    render: Callable[[Feed, Settings], bytes]

    @property
    def media_type(self) -> str:
        return f"{self.mime}; charset=utf-8"


FORMATS = {
    "atom": Format("Atom", "application/atom+xml", atom),
    "rss": Format("RSS", "application/rss+xml", rss),
    "json": Format("JSON Feed", "application/feed+json", json_feed),
}


def format_of(extension: str) -> Format:
    found = FORMATS.get(extension)
    if found is None:
        raise NotFound(_("Feeds come as .atom, .rss or .json."))
    return found


# Shared pieces -----------------------------------------------------------------------------


def content_html(update: Update, base_url: str) -> str:
    """The stored body plus the images, with absolute addresses (feeds are read elsewhere)."""
    figures = []
    for image in update.images:
        caption = f"<figcaption>{escape(image.caption_line)}</figcaption>"
        figures.append(
            f'<figure><img src="{escape(base_url + image.src)}" alt="{escape(image.alt)}"'
            f' width="{image.width}" height="{image.height}">'
            f"{caption if image.caption_line else ''}</figure>"
        )
    return update.body_html + "".join(figures)


def _replies(parent: ET.Element, tag: str, replies: Replies, base_url: str, ext: str) -> None:
    """The comments feed, with the count of approved comments (RFC 4685's `thr:count`)."""
    href = f"{base_url}{replies.path}.{ext}"
    kind = FORMATS[ext].mime
    _node(parent, tag, rel="replies", type=kind, href=href, **{"thr:count": str(replies.count)})


def _blog_url(settings: Settings, blog: Blog) -> str:
    return f"{settings.base_url}/live/{blog.slug}"


def _self_url(feed: Feed, base_url: str, extension: str) -> str:
    return f"{base_url}{feed.path}.{extension}{feed.query}"


def _src(settings: Settings, image: Image) -> str:
    return settings.base_url + image.src


def _length(settings: Settings, image: Image) -> int:
    """Bytes of the enclosed file (RSS requires it); 0 when the file is not on this node."""
    path = variant_path(settings.media_dir, image.hash, image.widths[-1])
    return path.stat().st_size if path.is_file() else 0


def _node(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    clean = {name: _NOT_XML.sub("", value) for name, value in attributes.items()}
    return ET.SubElement(parent, tag, clean)


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    node = _node(parent, tag, **attributes)
    node.text = _NOT_XML.sub("", text)
    return node


def _xml(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _rss_references(xml: bytes) -> bytes:
    """RSS never said which elements may hold HTML, and aggregators guess. The RSS Advisory
    Board's profile: encode "&", "<" and ">" as hexadecimal character references, the one
    form the widest range of aggregators reads as plain characters. Same XML for a parser:
    ElementTree writes these three entities only where it escaped a character."""
    for entity, reference in ((b"&amp;", b"&#x26;"), (b"&lt;", b"&#x3C;"), (b"&gt;", b"&#x3E;")):
        xml = xml.replace(entity, reference)
    return xml


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)
