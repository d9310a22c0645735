"""Whole numbers from text that anyone may have written (headers, query strings, pages)."""

from __future__ import annotations


def small_int(text: str | None, digits: int = 18) -> int | None:
    """`text` as a whole number when it is 1 to `digits` ASCII digits, else None.

    Not `str.isdigit()` then `int()`: "²" is a digit to isdigit and int() refuses it, and
    int() of a 5,000-digit string raises too; either would be a crash, not a clear answer."""
    if text and len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None
