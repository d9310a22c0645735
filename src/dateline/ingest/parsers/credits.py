"""A picture's caption and its credit told apart, in the ways publishers write them.

    <figcaption>Firefighters at work. Photograph: Jane Doe/AFP/Getty Images</figcaption>
    <figcaption><span class="caption">Crowds</span><span class="credit">(Image: Getty)</span>
    <figcaption>Die gesperrte Brücke. Foto: dpa</figcaption>   "Bild: Keystone", "© Reuters"
    <figcaption>Voters queue in Ohio. (AP Photo/John Doe)</figcaption>
    <figcaption>Smoke over the harbour AP</figcaption>          "Jane Doe / Reuters"

An element whose class names a credit, copyright or photo byline is the credit; otherwise the
credit is read off the end of the text: a labelled credit ("Photo:", "Foto:", "Bild:",
"Image:", "Photograph:", "Credit:", "Quelle:", "©"), a parenthesised one, or a known picture
agency at the very end (alone, or after "Name /").
"""

from __future__ import annotations

import copy
import re
from typing import TypeAlias

import lxml.html

from dateline.ingest.parsers.clean import to_text

Element: TypeAlias = lxml.html.HtmlElement
CREDIT_CLASS = re.compile(r"credit|copyright|byline[-_]?photo|photographer|bildnachweis", re.I)
_LABEL = (
    r"(?:Photograph|Photo|Pic(?:ture)?|Image|Foto|Fotos|Bild|Bilder|Credit|Quelle|Bildquelle"
    r"|Source|Crédit|Crédits)"
)
_LABELLED = re.compile(
    rf"(?:^|(?<=[\s.,;|–—(\[-]))[(\[]?\s*(?:{_LABEL}\s*:\s*(?:©\s*)?|©\s*)(?P<credit>[^()\[\]]+?)"
    r"\s*[)\]]?\s*$",
    re.IGNORECASE,
)
_AGENCY = (
    r"(?i:AP|AFP|Reuters|dpa|EPA|EPA-EFE|EFE|PA(?: Wire| Images)?|ANP|APA|ANSA|Keystone"
    r"|Getty Images|Getty|Shutterstock|Alamy|SWNS|Xinhua|Imago|picture alliance|Bloomberg"
    r"|Sipa|NurPhoto|Anadolu|Zuma|AAP|KNA|epd|TASS|Kyodo|Yonhap)"
)
_NAME = r"(?:[A-ZÀ-Þ](?:\.|[\w'’-]*) ?){0,4}"  # "Jane Doe ", "J. Doe"
_AGENCY_END = re.compile(
    rf"(?:^|(?<=[\s.,;|–—-]))(?P<credit>{_NAME}\s*/\s*[\w /.'’-]*?{_AGENCY}"
    rf"|{_AGENCY}(?:\s*/\s*[\w .'’-]+)?)\s*$"
)
_PARENS_END = re.compile(rf"\((?P<credit>[^()]*(?:Photo|Foto|{_AGENCY})[^()]*)\)\s*$")
_TRIM = " \t\n,;|–—-"
_SEPARATOR_END = re.compile(r"\s+[/|·–—-]\s*$")  # what stood between caption and credit
_LABEL_END = re.compile(rf"[\s,;|–—-]*\b{_LABEL}\s*:\s*$", re.IGNORECASE)  # a label left alone


def split_credit(text: str) -> tuple[str, str]:
    """(caption, credit) of a caption's text; credit "" when it names none."""
    text = " ".join(text.split())
    for pattern in (_LABELLED, _PARENS_END, _AGENCY_END):
        match = pattern.search(text)
        if match is not None:
            caption = text[: match.start()].rstrip(_TRIM + "(")
            return caption, _bare(match["credit"])
    return text, ""


def _bare(credit: str) -> str:
    """ "Image: Anadolu via Getty Images)" → "Anadolu via Getty Images"."""
    credit = credit.strip(_TRIM + "()[]/")
    label = re.match(rf"{_LABEL}\s*(?::|\bby\b)\s*|©\s*", credit, re.IGNORECASE)
    return credit[label.end() :].strip(_TRIM + "()[]/") if label else credit


def caption_and_credit(caption: Element | None) -> tuple[str, str]:
    """A caption element's own words and its credit (module doc). A credit element takes
    what follows it in the caption along ("Photo by Jane Doe" / "AFP via Getty Images"); a
    label printed before it ("Foto:", "credit:") is no part of the caption."""
    if caption is None:
        return "", ""
    words = copy.deepcopy(caption)
    words.tail = None
    credited = next((node for node in words.iterdescendants() if _is_credit(node)), None)
    if credited is None:
        return split_credit(to_text(words.text_content()))
    parts = [credited, *credited.itersiblings()]
    credit = " ".join(
        to_text(part.text_content() + (part.tail or ""))
        for part in parts
        if isinstance(part.tag, str)
    )
    for part in parts:
        part.drop_tree()
    own, inline = split_credit(to_text(words.text_content()))
    own = _LABEL_END.sub("", own)  # "Wahlparty <span>Foto:</span> <span class=credit>dpa"
    own = _SEPARATOR_END.sub("", own)  # "… on May 7, 2025. / <span class=credit>AFP"
    return own, _bare(credit) or inline


def _is_credit(node: Element) -> bool:
    return isinstance(node.tag, str) and bool(CREDIT_CLASS.search(node.get("class") or ""))
