"""Highlighted snippets: the passage of a document where the searched words are densest,
each found word in <mark>, everything else escaped.

Found words are recognised the way the index matched them (the same stemming and folding,
in the document's language), so "Verhandlung" marks "Verhandlungen" in the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from dateline.search.query import Query
from dateline.search.text import term, variants, words

WINDOW = 30  # words a snippet shows
SCANNED = 20_000  # characters of a long text looked at


@dataclass(frozen=True)
class Marker:
    """The terms a query's wanted words match (in any language), worked out once a search."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, query: Query) -> Marker:
        exact: set[str] = set()
        prefixes: set[str] = set()
        for clause in query.wanted:
            for word in clause.words:
                (prefixes if clause.prefix else exact).update(variants(word, None))
        return cls(frozenset(exact), tuple(sorted(prefixes)))

    def matches(self, word: str, language: str) -> bool:
        indexed = term(word, language)
        return indexed in self.exact or indexed.startswith(self.prefixes)

    def snippet(self, text: str, language: str) -> Markup:
        """About WINDOW words of `text` around the best cluster of matches, marked up."""
        found = list(words(text[:SCANNED]))
        if not found:
            return Markup()
        hits = {i for i, match in enumerate(found) if self.matches(match.group(), language)}
        first = _best_start(sorted(hits), len(found))
        last = min(first + WINDOW, len(found)) - 1
        before = "…" if first > 0 else ""
        after = "…" if found[last].end() < len(text.rstrip()) else ""
        marked = _marked(text, found[first : last + 1], hits, first)
        return escape(before) + marked + escape(after)

    def highlight(self, text: str, language: str) -> Markup:
        """All of a short text (a title) with its matching words marked."""
        found = list(words(text))
        hits = {i for i, match in enumerate(found) if self.matches(match.group(), language)}
        rest = text[found[-1].end() :] if found else text
        return _marked(text, found, hits, 0) + escape(rest)


def _marked(text: str, found: list[re.Match[str]], hits: set[int], first: int) -> Markup:
    """The words `found` with what lies between them, hits in <mark>; all of it escaped."""
    parts: list[Markup] = []
    cursor = found[0].start() if found and first > 0 else 0
    for i, match in enumerate(found, start=first):
        if i in hits:
            parts.append(escape(text[cursor : match.start()]))
            parts.append(Markup("<mark>{}</mark>").format(match.group()))
            cursor = match.end()
    end = found[-1].end() if found else cursor
    parts.append(escape(text[cursor:end]))
    return Markup().join(parts)


def _best_start(hits: list[int], total: int) -> int:
    """Where a window of WINDOW words holds the most hits (a few words of context before)."""
    if not hits:
        return 0
    best, best_count, right = hits[0], 0, 0
    for left, hit in enumerate(hits):
        while right < len(hits) and hits[right] < hit + WINDOW:
            right += 1
        if right - left > best_count:
            best, best_count = hit, right - left
    return max(0, min(best - 3, total - WINDOW))
