"""What people type into a search box, read the way they expect, never refused.

Words, "phrases", prefix* and -exclusion mean what they mean on every search engine. Anything
else (a stray quote, brackets, NEAR, AND, `*` alone, SQL) is read as plain words: the parser
keeps only letters and digits of it, so no backend ever sees query syntax it did not build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dateline.search.text import WORD, fold

MAX_CLAUSES = 32  # words and phrases a query may hold; the rest is ignored
MAX_PHRASE = 12  # words a phrase may hold
MIN_PREFIX = 2  # letters before a `*`: a shorter prefix would match half the index
# A "phrase" (closed quote), or a run of characters without spaces and quotes.
_PIECE = re.compile(r'(-?)"([^"]*)"|(\S+?)(?=\s|"|$)')


@dataclass(frozen=True)
class Clause:
    """One word (`prefix`: it ends in `*`) or phrase of a query; `excluded`: it starts with -."""

    words: tuple[str, ...]
    prefix: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]

    @property
    def wanted(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if not clause.excluded)

    @property
    def unwanted(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if clause.excluded)

    @property
    def empty(self) -> bool:
        return not self.wanted


def parse(typed: str) -> Query:
    """The query in `typed`. Exclusions alone find nothing, so then they count as words."""
    clauses: list[Clause] = []
    for match in _PIECE.finditer(typed):
        minus, phrase, loose = match.groups()
        if phrase is not None:
            found = [m.group() for m in WORD.finditer(phrase)][:MAX_PHRASE]
            if found:
                clauses.append(Clause(tuple(found), excluded=bool(minus)))
        elif loose:
            clauses.extend(_loose(loose))
    clauses = clauses[:MAX_CLAUSES]
    if clauses and all(clause.excluded for clause in clauses):
        clauses = [Clause(clause.words, clause.prefix) for clause in clauses]
    return Query(tuple(clauses))


def _loose(piece: str) -> list[Clause]:
    """A piece outside quotes: `-word`, `word*`, or anything else as the words in it."""
    core = piece.lstrip("-").rstrip("*")
    if WORD.fullmatch(core):
        prefix = piece.endswith("*") and len(fold(core)) >= MIN_PREFIX
        return [Clause((core,), prefix=prefix, excluded=piece.startswith("-"))]
    return [Clause((word,)) for word in WORD.findall(piece)]
