"""OPML: the subscription list every feed reader imports and exports.

Reading is forgiving (nested folders, `xmlUrl` in any letter case, HTML entities); writing
produces OPML 2.0 that other readers accept. Parsing uses lxml with entity expansion and
network access off, so an OPML file cannot make us read local files or fetch anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree

from dateline.ingest.parsers.items import PARSE_PROBLEMS, ParseError

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, recover=True, huge_tree=False, remove_comments=True
)


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str
    site_url: str = ""


def parse_opml(data: bytes | str) -> list[OpmlFeed]:
    """Every outline with a feed URL, in document order, without duplicates."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(PARSE_PROBLEMS("not_opml", detail=str(exc))) from exc
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise ParseError(PARSE_PROBLEMS("no_opml_root"))
    found: dict[str, OpmlFeed] = {}
    for outline in root.iter("{*}outline"):
        attrs = {name.lower(): value.strip() for name, value in outline.attrib.items()}
        url = attrs.get("xmlurl", "")
        if url.startswith(("http://", "https://")) and url not in found:
            title = attrs.get("title") or attrs.get("text") or url
            found[url] = OpmlFeed(url, " ".join(title.split()), attrs.get("htmlurl", ""))
    return list(found.values())


def write_opml(feeds: list[OpmlFeed] | list[tuple[str, str]], title: str = "Dateline") -> str:
    """OPML 2.0 text for feeds ((url, title) pairs or OpmlFeed)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        item = feed if isinstance(feed, OpmlFeed) else OpmlFeed(feed[0], feed[1])
        outline = etree.SubElement(body, "outline", type="rss", text=item.title)
        outline.set("title", item.title)
        outline.set("xmlUrl", item.url)
        if item.site_url:
            outline.set("htmlUrl", item.site_url)
    text: str = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text
