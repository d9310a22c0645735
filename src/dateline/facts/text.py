"""Language by stop words, and sentences with their offsets (evidence spans point into the
text as it was given)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dateline.facts.names import words

_EN = words(
    """
    the of and to in a is was were that for on with by at from have has said killed people
    it as be an are after this which who their its been dead injured wounded strike attack
    overnight officials
    """
)
_DE = words(
    """
    tote toten verletzte verletzt angriff nacht
    der die das und in den von zu mit ist im sich des auf für nicht ein eine dem bei wurde
    wurden nach sind einer auch am sei seien hat haben menschen getötet
    """
)
_WORD = re.compile(r"[^\W\d_]+")
# A sentence ends at . ! ? followed by space and a capital, digit or quote; not after an
# initial, a common abbreviation or a German ordinal ("am 12. März").
_BOUNDARY = re.compile(
    r"(?<!\b[A-Z])(?<!\bSt)(?<!\bDr)(?<!\bMr)(?<!\bMrs)(?<!\bNr)(?<!\bca)(?<!\bbzw)"
    r"(?<!\bz\.B)(?<!\bu\.a)[.!?][\"”“'’»«]?\s+(?=[\"“„»«'‘(]?[A-ZÄÖÜ0-9])"
    r"|\n\s*\n|\n(?=\s*[-*•])"
)
_ORDINAL_DATE = re.compile(
    r"\d\.\s+(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November"
    r"|Dezember)\b"
)


def detect(text: str) -> str | None:
    """ "en", "de", or None for anything else (including too little text to tell)."""
    english = german = 0
    for index, match in enumerate(_WORD.finditer(text[:4000])):
        word = match.group().casefold()
        english += word in _EN
        german += word in _DE
        if index > 600:
            break
    if max(english, german) < 2 and not (max(english, german) == 1 and min(english, german) == 0):
        return None
    return "en" if english >= german else "de"


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    found: list[Sentence] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if _ORDINAL_DATE.match(text, boundary.start() - 1):
            continue
        _add(found, text, start, boundary.start() + 1)
        start = boundary.end()
    _add(found, text, start, len(text))
    return found


# No sentence of news runs longer; a "sentence" that does (a list, a table, hostile input) is
# read in pieces cut at a space, so the work of every pattern stays bounded by this length.
LONGEST_SENTENCE = 1_000


def _add(found: list[Sentence], text: str, start: int, end: int) -> None:
    while end - start > LONGEST_SENTENCE:
        cut = text.rfind(" ", start + LONGEST_SENTENCE // 2, start + LONGEST_SENTENCE)
        cut = cut if cut > start else start + LONGEST_SENTENCE
        _add_one(found, text, start, cut)
        start = cut
    _add_one(found, text, start, end)


def _add_one(found: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        begin = start + piece.index(stripped[0])
        found.append(Sentence(begin, begin + len(stripped), stripped))
