"""Small cleaning steps every parser shares: HTML through the one sanitiser, plain text,
short summaries, author names and dates as aware UTC.

Speed matters here (a feed worker cleans ~50 items per poll), so each helper skips work it
can prove unnecessary: text without `<` or `&` needs no sanitiser to become plain text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape, unescape
from urllib.parse import urljoin

from dateline.html import sanitize

SUMMARY_CHARS = 400
TITLE_CHARS = 120
_HREF = re.compile(r'href="(?!https?:|mailto:)([^"]*)"')
_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")
_TAGS = re.compile(r"<[^>]+>")


def clean_html(html: str, base: str = "") -> str:
    """Sanitised HTML with relative links made absolute against base."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return text_to_html(html)
    cleaned = sanitize(html)
    if base and 'href="' in cleaned:
        cleaned = _HREF.sub(lambda m: f'href="{absolute(base, unescape(m.group(1)))}"', cleaned)
    return cleaned


def absolute(base: str, url: str) -> str:
    """urljoin, with shortcuts for the common cases (already absolute, or "/path"): a feed
    has hundreds of links and urljoin costs ~20 µs each."""
    if url.startswith(("https://", "http://")):
        return url
    if url.startswith("/") and not url.startswith("//"):
        scheme_end = base.find("://")
        if scheme_end > 0:
            slash = base.find("/", scheme_end + 3)
            return (base if slash < 0 else base[:slash]) + url
    try:
        return urljoin(base, url)
    except ValueError:  # unparseable ("http://[oops/"): keep it; callers check the scheme
        return url


def html_text(cleaned_html: str) -> str:
    """Plain text of HTML that already went through the sanitiser (no second nh3 pass).

    Same result as `dateline.html.plain_text`, three times faster: str.split beats a
    Unicode `\\s+` regex on long bodies."""
    return " ".join(unescape(_TAGS.sub(" ", cleaned_html)).split())


def text_to_html(text: str) -> str:
    """Plain text as escaped paragraphs (blank lines split them), to show like other HTML."""
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return "".join(f"<p>{escape(part)}</p>" for part in paragraphs)


def to_text(fragment: str) -> str:
    """Plain text of an HTML fragment or of text that may hold entities."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return " ".join((unescape(fragment) if "&" in fragment else fragment).split())
    return html_text(sanitize(fragment))


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """text cut at a word boundary with an ellipsis, when longer than limit."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.-–")
    return cut + "…"


def author_name(value: str) -> str:
    """ "jane@example.org (Jane Doe)" (RSS's author form) → "Jane Doe"."""
    value = to_text(value)
    match = _EMAIL_NAME.match(value)
    return match.group(1).strip() if match else value


def as_utc(moment: datetime | None) -> datetime | None:
    """Aware UTC; a time without zone is taken as UTC (what feeds mean by it, mostly)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(value: object) -> datetime | None:
    """ISO 8601 or RFC 822 text (or a datetime) → aware UTC; None when unreadable."""
    if isinstance(value, datetime):
        return as_utc(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved to UTC
        pass
    try:
        return as_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
