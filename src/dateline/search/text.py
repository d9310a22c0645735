"""Words as the index holds them: split, stemmed in the document's language, accents folded.

The same functions turn a document's text into index terms and a searcher's word into the
terms it may match, so both sides always agree. Stemming uses the Snowball algorithms
(snowballstemmer, through PyStemmer's C code when installed); "Verhandlungen" and
"Verhandlung" both become "verhandl". Accents are folded after stemming, because the German
stemmer reads umlauts ("Häuser" → "haus"); "Zürich" and "Zurich" both become "zurich".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import snowballstemmer

# Letters and digits, as FTS5's unicode61 tokenizer splits text (an underscore separates).
WORD = re.compile(r"[^\W_]+")
STEMMED = {"en": "english", "de": "german"}  # languages with a stemmer; others: no stemming
# PostgreSQL text search configurations, by the same language codes.
PG_CONFIGS = {"en": "english", "de": "german"}
SIMPLE = "simple"


def language_of(code: str) -> str:
    """'de-DE', 'DE', 'de' → 'de'; a language without a stemmer → '' (words kept whole)."""
    short = code.strip().lower()[:2]
    return short if short in STEMMED else ""


def pg_config(language: str) -> str:
    return PG_CONFIGS.get(language_of(language), SIMPLE)


def fold(word: str) -> str:
    """Lower case, accents off: 'Zürich' → 'zurich', 'Straße' → 'strasse'."""
    folded = word.casefold()
    if folded.isascii():  # most words: nothing to take off
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def term(word: str, language: str) -> str:
    """The index term of one word in a language ('' for unknown: folded only)."""
    return _term_in(language)(word.casefold())


@lru_cache(maxsize=len(STEMMED) + 1)
def _term_in(language: str) -> Callable[[str], str]:
    """A cached word → term function for one language: a newsroom's vocabulary repeats, so
    most words are stemmed and folded once a process."""
    stem = _stemmer(language).stemWord if language else str

    @lru_cache(maxsize=200_000)
    def of(word: str) -> str:
        return fold(stem(word))

    return of


def words(text: str) -> Iterator[re.Match[str]]:
    return WORD.finditer(text)


def terms(text: str, language: str) -> str:
    """The text as index terms, space-separated, in order (phrases still match)."""
    return " ".join(map(_term_in(language_of(language)), WORD.findall(text.casefold())))


def folded_words(text: str) -> str:
    """The text's words with accents folded (PostgreSQL stems them in its own configuration)."""
    return " ".join(fold(match.group()) for match in words(text))


def variants(word: str, language: str | None) -> list[str]:
    """The terms a searcher's word may match: in one language when the search is limited to
    it; else as a German word, an English word and a word of no known language."""
    languages = [language_of(language)] if language is not None else ["de", "en", ""]
    return list(dict.fromkeys(term(word, lang) for lang in languages))


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(STEMMED[language])
