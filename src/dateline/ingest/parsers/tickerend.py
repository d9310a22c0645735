"""Where a ticker ends: what follows its last entry on the page is no part of that entry.

A ticker written as a run of paragraphs in the article body is followed, in the same
container, by what the page puts after any story: an agency note ("(dpa/AFP)", "With reporting
by …"), share and newsletter boxes, "related articles" teasers with their dates and bylines.
An element is no part of an update when it is
- navigation, a form, a footer, an aside or a header;
- named for one of those things by its class or id (share, related, teaser, newsletter …);
- a list of links (most of its words are link text, and it holds two links or a date);
- a short note naming news agencies or the sources of the text.

Advertisements, scripts and comments between the paragraphs of an entry are skipped
(`is_filler`): they do not end it.
"""

from __future__ import annotations

import re
from typing import TypeAlias

import lxml.html

Element: TypeAlias = lxml.html.HtmlElement
OUTSIDE_TAGS = frozenset({"nav", "form", "footer", "aside", "header", "button"})
_NAMED = re.compile(
    r"share|social|related|teaser|newsletter|recommend|promo|sponsor|comment|paywall"
    r"|subscribe|author[-_]?(?:box|info|bio)|outbrain|taboola"
    r"|more[-_]?(?:articles|stories|news)|read[-_]?more|weitere|mehr[-_]?zum|also[-_]?read",
    re.IGNORECASE,
)
_AD = re.compile(r"advert|anzeige|(?:^|[\s_-])ads?(?:$|[\s_-])", re.IGNORECASE)
FILLER_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "ins", "br"})
_AGENCIES = r"(?:dpa|AFP|AP|Reuters|KNA|epd|APA|sda|SDA|EFE|ANSA|PA|Bloomberg|Agenturen)"
_NOTE = re.compile(
    rf"^\(?\s*(?:{_AGENCIES}(?:\s*[/,]\s*{_AGENCIES})*(?:\s*/\s*\w{{1,5}})?\s*\)?"
    r"|(?:mit material|with (?:additional )?reporting|additional reporting|material from"
    r"|(?:quelle|quellen|source|sources)\s*:).*)\s*\.?$",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./](?:19|20)?\d\d\b|\b20\d\d-\d\d-\d\d\b")
NOTE_CHARS = 200


def is_filler(element: Element) -> bool:
    """An advertisement, a script, a comment: between an entry's paragraphs, not in them."""
    if not isinstance(element.tag, str) or element.tag in FILLER_TAGS:
        return True
    return bool(_AD.search(f"{element.get('class') or ''} {element.get('id') or ''}"))


def is_not_update(element: Element) -> bool:
    """True when element is page furniture or an agency note (module doc)."""
    if element.tag in OUTSIDE_TAGS:
        return True
    named = f"{element.get('class') or ''} {element.get('id') or ''}"
    if named.strip() and _NAMED.search(named):
        return True
    text = " ".join(element.text_content().split())
    if len(text) <= NOTE_CHARS and _NOTE.match(text):
        return True
    return _is_link_list(element, text)


def _is_link_list(element: Element, text: str) -> bool:
    links = list(element.iter("a"))
    if not links or not text:
        return False
    linked = sum(len(" ".join(link.text_content().split())) for link in links)
    dated = element.find(".//time") is not None or _DATE.search(text) is not None
    return linked >= 0.6 * len(text) and (len(links) >= 2 or dated)
