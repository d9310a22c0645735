"""Turning fetched bytes into text: which charset a document is really in.

Order, as browsers and feed readers do it: a byte-order mark; the charset of the HTTP
Content-Type header; the document's own declaration (`<?xml encoding=…?>`, `<meta charset>`,
`<meta http-equiv=Content-Type>`); then a guess by charset-normalizer; finally UTF-8 with
replacement characters. A declared charset that fails to decode the bytes (servers often say
UTF-8 and send Latin-1) is skipped, not trusted, so the reader never sees mojibake errors.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_DOC_CHARSET = re.compile(
    rb"""<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']"""
    rb"""|<meta[^>]+?charset\s*=\s*["']?([\w.:-]+)""",
    re.IGNORECASE,
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_BYTES = 4096


def decode_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, charset used). Never raises: the last resort replaces undecodable bytes."""
    for candidate in _declared(body, content_type):
        text = _try(body, candidate)
        if text is not None:
            return text, candidate
    guess = from_bytes(body[:200_000]).best()
    if guess is not None and guess.encoding:
        text = _try(body, guess.encoding)
        if text is not None:
            return text, guess.encoding
    return body.decode("utf-8", "replace"), "utf-8"


def _declared(body: bytes, content_type: str) -> list[str]:
    """Charsets the bytes, the header and the document claim, strongest first."""
    found: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            found.append(name)
    header = _HEADER_CHARSET.search(content_type)
    if header:
        found.append(header.group(1))
    match = _DOC_CHARSET.search(body[:SNIFF_BYTES])
    if match:
        found.append((match.group(1) or match.group(2)).decode("ascii"))
    elif _looks_utf8_xml(body):
        found.append("utf-8")  # XML without a declaration is UTF-8 by definition
    return found


def _looks_utf8_xml(body: bytes) -> bool:
    return body.lstrip()[:5] in (b"<?xml", b"<rss ", b"<feed") or body.lstrip()[:4] == b"<rss"


def _try(body: bytes, charset: str) -> str | None:
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        return None
    if codec == "utf-16-le" or codec == "utf-16-be":
        codec = "utf-16"  # a BOM decides the byte order
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, ValueError):
        return None
