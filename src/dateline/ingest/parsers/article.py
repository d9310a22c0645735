"""One article page → a `ParsedDocument` with one item: full text and metadata.

trafilatura finds the article body and most metadata. Two things we read ourselves because
trafilatura gives less: the publication *time* (trafilatura returns a date only; the page's
`datePublished` / `article:published_time` carries time and offset) and the language
(`<html lang>`; trafilatura only fills it when asked to filter by language).
"""

from __future__ import annotations

import lxml.html
from trafilatura import bare_extraction
from trafilatura.htmlprocessing import build_html_output
from trafilatura.settings import Document

from dateline.ingest.parsers import pagemeta
from dateline.ingest.parsers.canonical import canonical_from_html, canonicalize
from dateline.ingest.parsers.clean import (
    absolute,
    author_name,
    clean_html,
    html_text,
    parse_date,
    shorten,
    to_text,
)
from dateline.ingest.parsers.items import (
    PARSE_PROBLEMS,
    ItemImage,
    ParsedDocument,
    ParsedItem,
    ParseError,
)


def parse_article(html: str | bytes, url: str) -> ParsedDocument:
    """Extract the article; ParseError when the page has no readable article text."""
    root = pagemeta.parse_html(html)
    # Read what we need from the page before trafilatura, which prunes the tree it is given.
    objects = pagemeta.json_ld(root)
    head = root.find("head")
    canonical = canonical_from_html(
        lxml.html.tostring(head if head is not None else root, encoding="unicode"), url
    )
    published, language = pagemeta.published_at(root, objects), pagemeta.language(root)
    document = _extract(root, url)
    body = clean_html(build_html_output(document), url)
    text = html_text(body)
    if not text:
        raise ParseError(PARSE_PROBLEMS("no_article"))
    item = ParsedItem(
        url=url,
        canonical_url=canonical,
        title=to_text(document.title or "") or shorten(text, 120),
        author=author_name(document.author or ""),
        published_at=published or parse_date(document.date),
        summary=shorten(to_text(document.description or "") or text),
        html=body,
        text=text,
        images=_lead_image(document, url),
        external_id=canonical,
        language=language,
    )
    return ParsedDocument(
        kind="article",
        title=to_text(document.sitename or "") or item.title,
        site_url=canonicalize("/", url),
        items=(item,),
        language=item.language,
    )


def _extract(root: lxml.html.HtmlElement, url: str) -> Document:
    """trafilatura's Document (body + metadata); ParseError when it finds nothing."""
    try:
        document = bare_extraction(
            root, url=url, with_metadata=True, include_links=True, include_images=True
        )
    except (ValueError, TypeError) as exc:  # trafilatura's own failures on odd trees
        raise ParseError(PARSE_PROBLEMS("article_unreadable", detail=str(exc))) from exc
    if not isinstance(document, Document) or document.body is None:
        raise ParseError(PARSE_PROBLEMS("no_article"))
    return document


def _lead_image(document: Document, url: str) -> tuple[ItemImage, ...]:
    if not document.image:
        return ()
    image = absolute(url, document.image.strip())  # not canonicalized: CDNs sign the query
    return (ItemImage(image),) if image.startswith(("http://", "https://")) else ()
