"""Categories: a story's IPTC Media Topic (top level) or house section, with a confidence.

Cheap on purpose (thousands of headlines a second on one core): the title and lead are cut
into words, each word is stemmed (Snowball, English or German) and looked up in a keyword
lexicon per category; German compounds match by their head or their first part
(`Bundestagswahl` → `~wahl`). House sections an installation configures score with triple
weight, so their keywords win. Editors' corrections (`Example`) vote for their category in
proportion to how many content words a new item shares with them, so the next similar item
follows the editor. Given a sentence encoder, the nearest labelled headlines by meaning vote
too: the shipped seed headlines (`seed_examples`, written for this project in both
languages) and the editors' corrections, which count double. Keywords and neighbours add up,
so a headline with no keyword still finds its topic, across languages. A blog's or source's
stated category is not this module's business: the caller uses it instead of asking here
(docs/categories.md).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import numpy as np
import snowballstemmer

TITLE_WEIGHT = 2.0
HOUSE_WEIGHT = 3.0
EXAMPLE_WEIGHT = 8.0
MIN_EXAMPLE_SIMILARITY = 0.3
NEIGHBOURS = 5
KEYWORD_SHARE = 0.1  # keyword score's weight beside the neighbours' votes (which sum to 1);
# chosen by 5-fold cross-validation on the seed headlines, never on the held-out set
# (bench/categories.py)
CORRECTION_WEIGHT = 2.0  # an editor's correction outvotes a shipped seed headline
MIN_NEIGHBOUR_SIMILARITY = 0.25  # what unrelated headlines reach is up to ~0.3 …
MIN_NEIGHBOUR_SIMILARITY_ALONE = 0.4  # … so with no keyword at all, ask for a close one
MAX_SEEN_WORDS = 100_000
MAX_TEXT_CHARS = 1_000  # the lead decides the category; a 1 MB body only costs time
CONFIDENCE_SCALE = 3.0  # evidence at which a clear winner reaches ~63 % of full confidence
LANGUAGES = ("en", "de")
WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)?")  # `Handball-EM` is two words


@dataclass(frozen=True)
class Category:
    """A top-level IPTC Media Topic: its code and its names by language."""

    code: str
    names: dict[str, str]


@dataclass(frozen=True)
class Assignment:
    """The category chosen for an item and how sure the classifier is (0..1)."""

    code: str
    confidence: float


@dataclass(frozen=True)
class HouseSection:
    """A section an installation adds (e.g. "infrastruktur"), found by its keywords."""

    code: str
    names: dict[str, str]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    """An editor's correction: this item belongs to `code`."""

    title: str
    text: str
    language: str
    code: str


@cache
def seed_examples() -> tuple[Example, ...]:
    """The labelled headlines shipped with Dateline (our own writing, English and German, all
    17 topics): the neighbours a new installation votes with before any editor corrects."""
    path = resources.files("dateline.stories") / "data" / "category_examples.jsonl"
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return tuple(Example(r["title"], r["text"], r["lang"], r["code"]) for r in rows)


Embed = Callable[[Sequence[str]], Any]
"""Texts → unit sentence vectors, one row per text (e.g. `dateline.stories.embed.embed`)."""


@dataclass(frozen=True)
class _Lexicon:
    """Keyword evidence for one language: stems, stem phrases and compound parts."""

    words: dict[str, list[tuple[str, float]]]
    phrases: dict[tuple[str, ...], list[tuple[str, float]]]
    heads: list[tuple[str, str, float]]  # (ending, code, weight)
    starts: list[tuple[str, str, float]]  # (beginning, code, weight)
    seen: dict[str, list[tuple[str, float]]]  # word → hits, bounded by MAX_SEEN_WORDS


@cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer("german" if language == "de" else "english")


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str) -> str:
    """Stems are cached: headlines repeat words, and the Snowball port is pure Python."""
    return str(_stemmer(language).stemWord(word))


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _languages(language: str) -> tuple[str, ...]:
    """`de-AT` reads as German; an unknown language is tried in both."""
    primary = language.lower().split("-")[0].split("_")[0]
    return (primary,) if primary in LANGUAGES else LANGUAGES


def _add_keyword(lexicon: _Lexicon, keyword: str, code: str, language: str, base: float) -> None:
    weight = base * (2.0 if keyword.startswith("+") else 1.0)
    keyword = keyword.lstrip("+").lower()
    if keyword.startswith("~") and keyword.endswith("~") and len(keyword) > 2:
        part = _stem(keyword.strip("~"), language)
        lexicon.heads.append((part, code, weight))
        lexicon.starts.append((part, code, weight))
    elif keyword.startswith("~"):
        lexicon.heads.append((_stem(keyword[1:], language), code, weight))
    elif keyword.endswith("~"):
        lexicon.starts.append((keyword[:-1], code, weight))
    else:
        stems = tuple(_stem(word, language) for word in _words(keyword))
        if len(stems) == 1:
            lexicon.words.setdefault(stems[0], []).append((code, weight))
        elif stems:
            lexicon.phrases.setdefault(stems, []).append((code, weight))


def _build_lexicon(entries: Iterable[tuple[str, str, float]], language: str) -> _Lexicon:
    lexicon = _Lexicon({}, {}, [], [], {})
    for code, keyword, weight in entries:
        _add_keyword(lexicon, keyword, code, language, weight)
    return lexicon


@cache
def _vocabulary() -> dict[str, Any]:
    path = resources.files("dateline.stories") / "data" / "iptc_mediatopics.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


TOP_LEVEL: tuple[Category, ...] = tuple(
    Category(topic["code"], dict(topic["names"])) for topic in _vocabulary()["topics"]
)


def house_sections_from_setting(raw: Sequence[Mapping[str, Any]]) -> tuple[HouseSection, ...]:
    """`DATELINE_HOUSE_SECTIONS` (a JSON list) as sections; ValueError says what is wrong."""
    sections = []
    for index, entry in enumerate(raw):
        code, names, keywords = entry.get("code"), entry.get("names"), entry.get("keywords")
        if not isinstance(code, str) or not code.strip() or code.startswith("medtop:"):
            raise ValueError(f"house section {index}: `code` must be a text, not an IPTC code")
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise ValueError(f"house section {code}: `names` must map languages to names")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise ValueError(f"house section {code}: `keywords` must be a list of texts")
        sections.append(HouseSection(code.strip(), dict(names), tuple(keywords)))
    return tuple(sections)


class Classifier:
    """Assigns one category to an item; build once, then call `classify` from any thread.

    With `embed`, the nearest `seeds` and corrections by sentence vector vote beside the
    keywords, which carries an editor's choice to headlines that share no word with it,
    across languages.
    """

    def __init__(
        self,
        house_sections: Sequence[HouseSection] = (),
        examples: Sequence[Example] = (),
        embed: Embed | None = None,
        seeds: Sequence[Example] = (),
    ) -> None:
        self._names = {c.code: c.names for c in TOP_LEVEL}
        self._names.update({s.code: s.names for s in house_sections})
        self._lexicons = {
            language: _build_lexicon(self._entries(language, house_sections), language)
            for language in LANGUAGES
        }
        self._examples: list[tuple[frozenset[str], str]] = []
        self._example_index: dict[str, list[int]] = defaultdict(list)
        self._neighbours = _Neighbours(embed) if embed else None
        if self._neighbours and seeds:
            self._neighbours.add_batch([_joined(s) for s in seeds], [s.code for s in seeds], 1.0)
        for example in examples:
            self.learn(example)

    @staticmethod
    def _entries(
        language: str, house_sections: Sequence[HouseSection]
    ) -> Iterable[tuple[str, str, float]]:
        for topic in _vocabulary()["topics"]:
            for keyword in topic["keywords"].get(language, ()):
                yield topic["code"], keyword, 1.0
        for section in house_sections:
            for keyword in section.keywords:
                yield section.code, keyword, HOUSE_WEIGHT

    def learn(self, example: Example) -> None:
        """Remember an editor's correction, so similar items follow it from now on."""
        words = _content_stems(f"{example.title} {example.text[:MAX_TEXT_CHARS]}", example.language)
        if not words:
            return
        if self._neighbours:
            self._neighbours.add_batch([_joined(example)], [example.code], CORRECTION_WEIGHT)
        self._examples.append((words, example.code))
        for word in words:
            self._example_index[word].append(len(self._examples) - 1)

    def classify(
        self, title: str, text: str, language: str, vector: Any = None
    ) -> Assignment | None:
        """The best category with a confidence, or None when nothing points anywhere.

        `vector` is the item's sentence vector when the caller has one already (the story
        engine does); without it, an unsure item is embedded here, if at all.
        """
        text = text[:MAX_TEXT_CHARS]
        scores = self._keyword_scores(title, text, language)
        if self._neighbours is None or not _words(f"{title} {text}"):
            return _by_keywords(scores)
        floor = MIN_NEIGHBOUR_SIMILARITY if scores else MIN_NEIGHBOUR_SIMILARITY_ALONE
        votes = self._neighbours.votes(f"{title}. {text}", vector, floor)
        if votes is None:
            return _by_keywords(scores)
        shares, nearest = votes
        combined = {
            code: shares.get(code, 0.0) + KEYWORD_SHARE * scores.get(code, 0.0)
            for code in shares.keys() | scores.keys()
        }
        code = max(combined, key=lambda c: combined[c])
        share = combined[code] / sum(combined.values())
        strength = max(nearest, 1.0 - math.exp(-scores.get(code, 0.0) / CONFIDENCE_SCALE))
        return Assignment(code, round(share * strength, 3))

    def _keyword_scores(self, title: str, text: str, language: str) -> dict[str, float]:
        scores: dict[str, float] = defaultdict(float)
        for lang in _languages(language):
            lexicon = self._lexicons[lang]
            self._score(lexicon, title, lang, TITLE_WEIGHT, scores)
            self._score(lexicon, text, lang, 1.0, scores)
        self._vote_examples(f"{title} {text}", language, scores)
        return scores

    def name(self, code: str, language: str) -> str:
        """The category's name in `language` (English when missing; the code when unknown).

        IPTC writes its English names in lower case ("sport"); a label starts with a capital.
        """
        names = self._names.get(code, {})
        primary = language.lower().split("-")[0]
        name = names.get(primary) or names.get("en") or next(iter(names.values()), code)
        return name[:1].upper() + name[1:]

    def _score(
        self,
        lexicon: _Lexicon,
        text: str,
        language: str,
        factor: float,
        scores: dict[str, float],
    ) -> None:
        """A word or phrase counts once per field and category, however often it is repeated.

        A phrase speaks for its words ("heavy rain" is weather, not also "rain"): words inside
        a matched phrase add nothing on their own.
        """
        words = _words(text)
        stems = [_stem(word, language) for word in words]
        hits: dict[tuple[str, str], float] = {}
        covered: set[int] = set()
        for size in (3, 2):
            for start in range(len(stems) - size + 1):
                phrase = tuple(stems[start : start + size])
                for code, weight in lexicon.phrases.get(phrase, ()):
                    hits[(" ".join(phrase), code)] = weight
                    covered.update(range(start, start + size))
        for position, (word, stem) in enumerate(zip(words, stems, strict=True)):
            if position in covered:
                continue
            for code, weight in _word_hits(lexicon, word, stem):
                hits[(stem, code)] = max(weight, hits.get((stem, code), 0.0))
        for (_, code), weight in hits.items():
            scores[code] += weight * factor

    def _vote_examples(self, text: str, language: str, scores: dict[str, float]) -> None:
        """Corrections sharing enough content words vote for their category."""
        words = _content_stems(text, language)
        shared: dict[int, int] = defaultdict(int)
        for word in words:
            for index in self._example_index.get(word, ()):
                shared[index] += 1
        for index, count in shared.items():
            example_words, code = self._examples[index]
            similarity = count / len(words | example_words)
            if similarity >= MIN_EXAMPLE_SIMILARITY:
                scores[code] += EXAMPLE_WEIGHT * similarity


def _by_keywords(scores: Mapping[str, float]) -> Assignment | None:
    if not scores:
        return None
    code = max(scores, key=lambda c: scores[c])
    share = scores[code] / sum(scores.values())
    strength = 1.0 - math.exp(-scores[code] / CONFIDENCE_SCALE)
    return Assignment(code, round(share * strength, 3))


def _joined(example: Example) -> str:
    return f"{example.title}. {example.text[:MAX_TEXT_CHARS]}"


class _Neighbours:
    """Labelled headlines as sentence vectors, embedded in batches when first needed."""

    def __init__(self, embed: Embed) -> None:
        self._embed = embed
        self._codes: list[str] = []
        self._weights: list[float] = []
        self._waiting: list[tuple[str, ...]] = []  # batches of texts not embedded yet
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._lock = threading.Lock()  # rows and codes must stay in step across threads

    def add_batch(self, texts: Sequence[str], codes: Sequence[str], weight: float) -> None:
        with self._lock:
            self._codes.extend(codes)
            self._weights.extend([weight] * len(codes))
            self._waiting.append(tuple(texts))

    def votes(self, text: str, vector: Any, floor: float) -> tuple[dict[str, float], float] | None:
        """Each category's share of the nearest neighbours' votes (summing to 1) and the
        nearest one's similarity; None when none is at least `floor` alike."""
        with self._lock:
            if self._waiting:
                rows = [_embedded(self._embed, batch) for batch in self._waiting]
                self._matrix = np.vstack([self._matrix, *rows] if len(self._matrix) else rows)
                self._waiting = []
            matrix, codes, weights = self._matrix, list(self._codes), list(self._weights)
        if not codes:
            return None
        query = np.asarray(self._embed([text])[0] if vector is None else vector)
        similarities = matrix @ query.astype(np.float32)
        nearest = np.argsort(-similarities)[:NEIGHBOURS]
        if similarities[nearest[0]] < floor:
            return None
        votes: dict[str, float] = defaultdict(float)
        for index in nearest:
            votes[codes[index]] += max(float(similarities[index]), 0.0) * weights[index]
        total = sum(votes.values()) or 1.0
        return {code: vote / total for code, vote in votes.items()}, float(similarities[nearest[0]])


@lru_cache(maxsize=64)
def _embedded(embed: Embed, texts: tuple[str, ...]) -> Any:
    """A batch's vectors, kept: the seed headlines are embedded once per process, however
    many classifiers (one per worker pass, one per house-section setting) are built."""
    matrix = np.asarray(embed(list(texts)), dtype=np.float32)
    matrix.setflags(write=False)
    return matrix


def _word_hits(lexicon: _Lexicon, word: str, stem: str) -> list[tuple[str, float]]:
    """(code, weight) of the entries one word matches: its stem, a compound's head or start."""
    hits = lexicon.seen.get(word)
    if hits is None:
        hits = list(lexicon.words.get(stem, ()))
        if len(word) > 3:  # the scan is slow, but runs once per distinct word
            hits += [(code, w) for part, code, w in lexicon.heads if stem.endswith(part)]
            hits += [(code, w) for part, code, w in lexicon.starts if word.startswith(part)]
        if len(lexicon.seen) >= MAX_SEEN_WORDS:
            lexicon.seen.clear()
        lexicon.seen[word] = hits
    return hits


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(word for words in _vocabulary()["stop_words"].values() for word in words)


def _content_stems(text: str, language: str) -> frozenset[str]:
    """The words that make an item like another: no stop words, no one- or two-letter words."""
    lang = _languages(language)[0]
    stop = _stop_words()
    return frozenset(
        _stem(word, lang) for word in _words(text) if len(word) > 2 and word not in stop
    )
