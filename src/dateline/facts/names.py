"""How a place name is compared: one exact key and one looser key for transliterations.

News writes the same Ukrainian town as Kupiansk, Kupjansk, Kupyansk or Kup'yans'k, and the
same city as Kharkiv (English) or Charkiw (German). The exact key folds case, diacritics,
apostrophes and hyphens; the skeleton key also folds the spellings that English and German
transliteration choose differently (kh/ch/tsch, w/v, j/y/i, z/ts, doubled letters).
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans("", "", "'’ʼʹ`´‘ʻ")
_SEPARATORS = re.compile(r"[\s\-‐‑–—.]+")
# Longest first: each pair maps an English or German spelling to one shared form.
_SKELETON_STEPS = (
    ("tsch", "h"),
    ("sch", "s"),
    ("shch", "s"),
    ("kh", "h"),
    ("ch", "h"),
    ("zh", "s"),
    ("sh", "s"),
    ("ts", "s"),
    ("tz", "s"),
    ("z", "s"),
    ("w", "v"),
    ("j", "i"),
    ("y", "i"),
    ("ck", "k"),
    ("x", "ks"),
    ("ie", "i"),
)
_REPEATS = re.compile(r"(.)\1+")


def exact_key(name: str) -> str:
    """Case, accents, apostrophes and separators folded: "Куп’янськ", "Kup'yans'k" → ..."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.replace("ß", "ss")
    return _SEPARATORS.sub(" ", plain.casefold()).strip()


def skeleton_key(name: str) -> str:
    """The exact key with transliteration differences folded too (the fuzzy fallback)."""
    key = exact_key(name)
    for before, after in _SKELETON_STEPS:
        key = key.replace(before, after)
    return _REPEATS.sub(r"\1", key)


def words(text: str) -> frozenset[str]:
    """A word list written as running text (one place to read, one line per few words)."""
    return frozenset(text.split())
