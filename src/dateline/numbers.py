"""Whole numbers from text that anyone may have written (URLs, headers, query strings, pages).

Two doors, one rule each: route parameters are declared with the bounded aliases below (FastAPI
refuses anything else with a 422 under /api, an error page elsewhere), and text read by hand
goes through `small_int`. Either way no integer from outside reaches a query unbounded: SQLite
fails on one past 64 bits and PostgreSQL's `integer` columns on one past 32, each with a 500.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

# Ids and sequence numbers are 32-bit integers in the database.
MAX_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]  # an id in a path: /updates/{update_id}
Cursor = Annotated[int | None, Query(ge=1, le=MAX_ID)]  # ?before=<an id>
Seq = Annotated[int, Query(ge=0, le=MAX_ID)]  # ?since=<a blog's event seq>, 0 for "from the start"


def small_int(text: str | None, digits: int = 18) -> int | None:
    """`text` as a whole number when it is 1 to `digits` ASCII digits, else None.

    Not `str.isdigit()` then `int()`: "²" is a digit to isdigit and int() refuses it, and
    int() of a 5,000-digit string raises too; either would be a crash, not a clear answer."""
    if text and len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None
