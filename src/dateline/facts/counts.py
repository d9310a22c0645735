"""Counts as news writes them, in English and German: digits and words, with their qualifier.

"1,200" and "1.200" are both twelve hundred (a separator followed by three digits groups
thousands in either language). Vague words follow ACLED's conservative coding: "dozens" is
12 and "hundreds" 100, both "at least"; "several", "many", "mehrere" give no count.
A count above MAX_COUNT is not believed (nothing invented from a run of digits).
"""

from __future__ import annotations

import re

MAX_COUNT = 10_000_000

_EN_UNITS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
    "a dozen": 12, "a couple of": 2, "a pair of": 2, "both": 2, "ein dutzend": 12,
    "einem dutzend": 12,
}  # fmt: skip
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_DE_UNITS = {
    "ein": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1,
    "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13,
    "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18,
    "neunzehn": 19, "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50,
    "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90, "beiden": 2, "beide": 2,
    "dutzend": 12,
}  # fmt: skip
_VAGUE = {"dozens": 12, "dutzende": 12, "hundreds": 100, "hunderte": 100}

_DE_WORD = (
    r"(?:(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)?(?:hundert|tausend)"
    r"|(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)und(?:zwanzig|dreißig|vierzig|"
    r"fünfzig|sechzig|siebzig|achtzig|neunzig)|" + "|".join(sorted(_DE_UNITS, key=len)[::-1]) + ")+"
)
_EN_ATOM = (
    r"(?:"
    + "|".join(sorted((w for w in _EN_UNITS if " " not in w), key=len)[::-1])
    + r"|hundred|thousand|million)"
)
_EN_WORD = rf"{_EN_ATOM}(?:(?:[\s-]+|(?<=hundred)\s+and\s+|(?<=thousand)\s+and\s+){_EN_ATOM})*"
DIGITS = r"(?<![\d.,])(?:\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+|\d{1,9})(?!\d|[,.]\d)"
NUMBER = (
    rf"(?:{DIGITS}|a\s+dozen|ein(?:em)?\s+Dutzend|a\s+couple\s+of|dozens|hundreds|dutzende|hunderte"
    rf"|{_EN_WORD}|{_DE_WORD})"
)

QUALIFIERS = {
    "at least": "at least", "mindestens": "at least", "wenigstens": "at least",
    "no fewer than": "at least", "more than": "more than", "over": "more than",
    "über": "more than", "mehr als": "more than", "upwards of": "more than",
    "about": "about", "around": "about", "some": "about", "roughly": "about",
    "approximately": "about", "nearly": "about", "almost": "about", "rund": "about",
    "etwa": "about", "ungefähr": "about", "circa": "about", "ca.": "about", "fast": "about",
    "knapp": "about", "an estimated": "about", "schätzungsweise": "about",
    "up to": "up to", "bis zu": "up to", "as many as": "up to",
}  # fmt: skip
QUALIFIER = r"(?:" + "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len)[::-1]) + r")"


def _de_value(word: str) -> int | None:
    if word in _DE_UNITS:
        return _DE_UNITS[word]
    for scale, size in (("tausend", 1000), ("hundert", 100)):
        head, found, tail = word.partition(scale)
        if found:
            left = _de_value(head) if head else 1
            right = _de_value(tail) if tail else 0
            return None if left is None or right is None else left * size + right
    head, found, tail = word.partition("und")
    if found and head in _DE_UNITS and tail in _DE_UNITS:
        return _DE_UNITS[head] + _DE_UNITS[tail]
    return None


def _en_value(words: list[str]) -> int | None:
    if len(words) > 1 and words[0] in ("a", "an") and words[1] not in _EN_SCALES:
        words = words[1:]  # "a one-day truce", "a three-day ceasefire"
    total = current = 0
    for word in words:
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _EN_SCALES:
            total += max(current, 1) * _EN_SCALES[word]
            current = 0
        elif word != "and":
            return None
    return total + current


def parse(text: str) -> tuple[int, bool] | None:
    """The value of one NUMBER match and whether it is vague ("dozens" → (12, True))."""
    word = " ".join(text.casefold().split())
    if word in _VAGUE:
        return _VAGUE[word], True
    if word[0].isdigit():
        digits = re.sub(r"\D", "", word)
        value = int(digits) if len(digits) <= 12 else MAX_COUNT + 1
    elif word in _EN_UNITS:
        value = _EN_UNITS[word]
    elif (de := _de_value(word.replace(" ", ""))) is not None and " " not in word:
        value = de
    else:
        en = _en_value(re.split(r"[\s-]+", word))
        if en is None:
            return None
        value = en
    return (value, False) if value <= MAX_COUNT else None
