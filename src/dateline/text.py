"""What counts as written text: one rule for blank texts and one cleaning per kind of field.

Editors paste from everywhere. A headline of zero-width spaces looks empty on every page, a
category with a line break cannot be addressed by a feed URL, and an unclosed right-to-left
override (U+202E) reverses whatever the page shows after a name or headline. So every text
people write is cleaned here before it is validated and stored:

- `line()` for single-line texts (titles, headlines, names, categories, captions, credits):
  line breaks and other control characters become one space, runs of white space one space,
  the explicit bidi embedding, override and isolate controls go, and so does invisible
  padding at either end.
- `lines()` for Markdown bodies: line breaks stay, the bidi controls and the other control
  characters go (a body's plain text is shown in single-line places such as key events).
- `is_blank()` decides whether a required text was written at all: it must hold at least
  one visible character.
"""

from __future__ import annotations

import re
import unicodedata

# Explicit embeddings and overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI).
# They act on everything after them up to the end of a paragraph, so one left open in a
# name flips the text that follows it. LRM and RLM (U+200E, U+200F) act on one position
# only and stay: right-to-left writers need them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that draw nothing, though their Unicode category says otherwise.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
# Categories that never draw anything: separators (spaces, line and paragraph separators),
# controls and format characters (zero-width space and joiners, word joiner, BOM, soft hyphen,
# bidi controls).
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
_SPACE_RUN = re.compile(r"\s{2,}")
_TAGS = range(0xE0000, 0xE0080)  # invisible, yet they end flag emoji: never trimmed off
_LINE_BREAK = re.compile(r"\r\n?|[\v\f\x1c-\x1e\x85\u2028\u2029]")


def is_invisible(char: str) -> bool:
    return char in _BLANK_GLYPHS or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def is_blank(text: str) -> bool:
    """True when nothing in `text` would show on a page: the one "was it written?" test."""
    return all(is_invisible(char) for char in text)


def line(text: str) -> str:
    """A single-line text as it is stored: one line, no bidi controls, no invisible ends."""
    kept = "".join(_one_line(char) for char in text if char not in BIDI_CONTROLS)
    return _trim(_SPACE_RUN.sub(" ", kept))


def _one_line(char: str) -> str:
    """Tabs, line breaks and separators become a space; other controls go; a no-break space
    stays (French puts one before "?")."""
    if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
        return " " if char.isspace() else ""
    return char


def lines(text: str) -> str:
    """A Markdown body as it is stored: line breaks as "\\n", tabs kept, no other controls
    and no bidi controls; invisible padding at either end goes."""
    text = _LINE_BREAK.sub("\n", text)
    kept = "".join(
        char
        for char in text
        if char not in BIDI_CONTROLS and (char in "\n\t" or unicodedata.category(char) != "Cc")
    )
    return _trim(kept)


def _trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _padding(text[start]):
        start += 1
    while end > start and _padding(text[end - 1]):
        end -= 1
    return text[start:end]


def _padding(char: str) -> bool:
    return is_invisible(char) and ord(char) not in _TAGS
