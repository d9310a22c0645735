"""Which story an item belongs to: pure, in memory, deterministic (no database, no clock).

Each item is compared with the stories active within `window` of its OWN publication time
(an undated item: of the newest time seen), so an archive import clusters as following live
does. Three steps, cheapest first:

1. Near-duplicates: the same page (`signals.page_key`: tracking parameters, AMP and mobile
   addresses removed) or the same wording (MinHash over word 3-grams, `datasketch`; its
   LSH bands in `bands.BandIndex`) is the same item, seen by another source: it joins that
   item's story and says whose copy it is.
2. Candidates: the stories in the window whose centroid (mean of their items' multilingual
   embeddings, `embed.py`) is nearest the item's.
3. Score = cosine + shared names and places + shared numbers − a penalty for the hours
   between the item and the story's nearest item. That penalty is what keeps the second
   strike in one city, days later, out of the first strike's story, however alike the words.
   The best story scoring at least `threshold` is joined; otherwise a new story starts.

The database path (`stories.assign`) feeds this same engine, so the bench measures what
production does.
"""

from __future__ import annotations

import bisect
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash

from dateline.stories import signals
from dateline.stories.bands import BandIndex
from dateline.stories.embed import DIMENSIONS, Vectors, embed

HOUR = 3600.0
CANDIDATES = 12  # nearest stories by embedding that are scored in full
NEAR_DUPLICATE = 0.5  # Jaccard similarity of word 3-grams: a copy, perhaps reworded
# LSH bands × rows per band for that threshold and signals.PERMUTATIONS: datasketch's
# MinHashLSH choice (tests/test_stories_bands.py checks they still agree).
BANDS, ROWS = 14, 4


@dataclass(frozen=True)
class ItemIn:
    """What clustering knows of an item."""

    id: int
    source_id: int
    url: str
    title: str
    text: str
    language: str  # "en", "de", ... or "" when unknown
    published_at: datetime | None  # aware UTC


@dataclass(frozen=True)
class Placement:
    """Where an item went: its story, whether that story is new, and the item it copies."""

    story: int
    new: bool
    duplicate_of: int | None = None
    merged: tuple[int, ...] = ()  # stories it showed to be the same event, merged into `story`


@dataclass(frozen=True)
class Weights:
    """How much each signal counts. Chosen on two sets at once (docs/stories.md): the
    labelled set of bench/stories.py, and the template-made stream of bench/stories_speed.py,
    where reports of different events share all their wording but names and numbers."""

    threshold: float = 0.35
    names: float = 0.40  # × share of the item's names prominent in the story (rare ones count more)
    unshared: float = 1.00  # × share of the item's names that are not
    numbers: float = 0.04  # × shared numbers, at most two
    grace_hours: float = 24.0  # no penalty for a gap this short: a day's coverage
    penalty_per_day: float = 0.22
    max_penalty: float = 0.45
    merge: float = 0.90  # another story the item fits this well is the same event: merged


@dataclass(slots=True)
class _Item:
    """What the engine keeps of a placed item. With 100,000 items in the window every byte
    counts a hundred thousand times: the vector is a row of the engine's `_vectors`, names
    and numbers are sorted tuples of interned strings (a frozenset costs 216 bytes even
    when nearly empty), and `teaches` is emptied once learnt."""

    row: int  # of `StoryEngine._vectors`
    names: tuple[str, ...]
    numbers: tuple[str, ...]
    at: float
    story: int
    # The hash of `signals.page_key`, not the key (~100 bytes an item); two pages of one
    # window share a 64-bit hash about once in 10^9 windows of 100,000 items. None: no URL.
    page: int | None
    teaches: frozenset[str]


@dataclass(slots=True)
class _Story:
    slot: int
    names: Counter[str] = field(default_factory=Counter)
    numbers: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)
    items: set[int] = field(default_factory=set)


def item_text(item: ItemIn) -> str:
    """What is embedded: the headline and the start of the text (capped in `embed`)."""
    return f"{item.title}. {item.text[:1000]}" if item.title else item.text[:1000]


class StoryEngine:
    """Stories built one item at a time. Keys of new stories count up from `first_key`;
    the database path renames them to story ids with `rekey`."""

    def __init__(
        self,
        *,
        window: timedelta = timedelta(hours=48),
        weights: Weights | None = None,
        first_key: int = 1,
    ) -> None:
        self.window = window.total_seconds()
        self.weights = weights or Weights()
        self._next_key = first_key
        self._items: dict[int, _Item] = {}
        self._stories: dict[int, _Story] = {}
        self._pages: dict[int, int] = {}  # page hash -> the first item seen at that page
        self._bands = BandIndex(bands=BANDS, rows=ROWS)
        self._name_items: Counter[str] = Counter()  # how many items name each name
        self._proper: set[str] = set()  # words known to be names, not just capitalised
        self._latest = 0.0
        self.kept: set[int] = set()  # stories never merged automatically (editors', live)
        # One row per story slot: the sum of its items' vectors and that sum's length (the
        # centroid, without a second copy), and first/last item time (+inf when free).
        self._sums = np.zeros((64, DIMENSIONS), dtype=np.float32)
        self._lengths = np.ones(64, dtype=np.float32)
        self._first = np.full(64, np.inf)
        self._last = np.full(64, -np.inf)
        self._slot_keys: list[int] = []
        self._free: list[int] = []
        # One row per item: its embedding as float16 (half the memory; only added to and
        # taken from sums), in one matrix rather than an array object per item.
        self._vectors = np.zeros((1024, DIMENSIONS), dtype=np.float16)
        # Its wording's MinHash, in the same row (set when it has one: see `_copy_of`), as
        # the low 32 bits of each 64-bit value: only compared for equality, where two values
        # that differ agree there once in four billion; half the memory.
        self._digests = np.zeros((1024, signals.PERMUTATIONS), dtype=np.uint32)
        self._rows = 0

    # Adding ---------------------------------------------------------------------------------

    def add(self, item: ItemIn) -> int:
        """The key of the story `item` joins (a key not seen before: a new story)."""
        return self.place(item).story

    def add_many(self, items: Sequence[ItemIn]) -> list[int]:
        """`add` for each item in order, embedding them in one batch (faster)."""
        vectors = embed([item_text(item) for item in items])
        return [self.place(item, vector).story for item, vector in zip(items, vectors, strict=True)]

    def place(self, item: ItemIn, vector: Vectors | None = None) -> Placement:
        """Decide and remember where `item` goes; `vector` is its embedding when known."""
        if item.id in self._items:
            return Placement(self._items[item.id].story, new=False)
        if vector is None:
            vector = embed([item_text(item)])[0]
        at = self._time(item)
        record = self._record(item, vector, at)
        original = self._copy_of(item, record)
        if original is not None:
            joined = self._items[original].story
            self._join(item.id, record, joined)
            return Placement(joined, new=False, duplicate_of=original)
        best, alike = self._best_story(record)
        story = self._new_story() if best is None else best
        self._join(item.id, record, story)
        return Placement(story, new=best is None, merged=self._merge(alike, story))

    def restore(self, item: ItemIn, story: int, vector: Vectors) -> None:
        """Put `item` into `story` without deciding: what the database already says (a
        decision made earlier, or an editor's). An item already known is moved there."""
        if item.id in self._items:
            self.move(item.id, story)
            return
        if story not in self._stories:
            self._open(story)
            self._next_key = max(self._next_key, story + 1)
        record = self._record(item, vector, self._time(item))
        self._join(item.id, record, story)
        digest = signals.fingerprint(item.title, item.text)
        if digest is not None:  # later copies of it are found after a restart too
            self._remember_wording(item.id, record, digest)

    # Editors' changes and bookkeeping -------------------------------------------------------

    def move(self, item_id: int, story: int) -> None:
        """Item `item_id` now belongs to `story` (a new key opens a story)."""
        record = self._items[item_id]
        if record.story == story:
            return
        self._leave(item_id, record)
        if story not in self._stories:
            self._open(story)
            self._next_key = max(self._next_key, story + 1)
        record.story = story
        self._enter(item_id, record)

    def rekey(self, old: int, new: int) -> None:
        """Call story `old` `new` from now on (the database gave it that id)."""
        if old == new:
            return
        story = self._stories.pop(old)
        self._stories[new] = story
        self._slot_keys[story.slot] = new
        for item_id in story.items:
            self._items[item_id].story = new
        self._next_key = max(self._next_key, new + 1)

    def story_of(self, item_id: int) -> int | None:
        record = self._items.get(item_id)
        return record.story if record else None

    def __len__(self) -> int:
        return len(self._items)

    def stories(self) -> Iterable[int]:
        return self._stories.keys()

    # Deciding -------------------------------------------------------------------------------

    def _time(self, item: ItemIn) -> float:
        if item.published_at is None:
            return self._latest
        at = item.published_at.timestamp()
        self._latest = max(self._latest, at)
        return at

    def _record(self, item: ItemIn, vector: Vectors, at: float) -> _Item:
        found = signals.names(item.title, item.text[:5000])
        german = item.language.lower().startswith("de")
        if self._rows == len(self._vectors):
            self._vectors = _grown(self._vectors, 0)
            self._digests = _grown(self._digests, 0)
        row, self._rows = self._rows, self._rows + 1
        self._vectors[row] = vector
        return _Item(
            row=row,
            names=_interned(found.every),
            # Words it shows to be names, learnt once it is placed (see `signals.Names`).
            teaches=found.acronyms if german else found.proper,
            numbers=_interned(signals.numbers(item.title, item.text[:5000])),
            at=at,
            story=0,
            page=hash(page) if (page := signals.page_key(item.url)) else None,
        )

    def _copy_of(self, item: ItemIn, record: _Item) -> int | None:
        """The item `item` is a copy of: the same page, or nearly the same wording."""
        digest = signals.fingerprint(item.title, item.text)
        original = None if record.page is None else self._pages.get(record.page)
        if original is None and digest is not None:
            original = self._alike(digest, record)
        if digest is not None:
            self._remember_wording(item.id, record, digest)
        return original

    def _alike(self, digest: MinHash, record: _Item) -> int | None:
        """The item of nearly the same wording and the same names and numbers within the
        window, if any: a formulaic report (the same template, another town, other figures)
        shares most of its wording with other events' reports, and is not a copy."""
        at = record.at
        others = sorted(
            other
            for other in self._bands.query(digest.hashvalues)
            if other in self._items and abs(self._items[other].at - at) <= self.window
        )
        if not others:
            return None
        stacked = self._digests[[self._items[other].row for other in others]]
        similarity = np.mean(stacked == digest.hashvalues.astype(np.uint32), axis=1)
        for index in np.argsort(-similarity, kind="stable"):  # most alike, then oldest id
            if similarity[index] < NEAR_DUPLICATE:
                break
            if self._same_facts(record, self._items[others[index]]):
                return int(others[int(index)])
        return None

    def _same_facts(self, one: _Item, other: _Item) -> bool:
        """Do two items name the same (rare) names and most of the same numbers?"""
        fewer = min(len(one.numbers), len(other.numbers))
        if fewer and len(set(one.numbers).intersection(other.numbers)) * 2 < fewer:
            return False
        names = self._shared(one, other.names.__contains__)
        return names is None or not other.names or names >= 0.5

    def _remember_wording(self, item_id: int, record: _Item, digest: MinHash) -> None:
        self._bands.insert(item_id, digest.hashvalues)
        self._digests[record.row] = digest.hashvalues.astype(np.uint32)  # the low 32 bits

    def _best_story(self, record: _Item) -> tuple[int | None, list[int]]:
        """The story the item fits best (None: no story fits), and the others it fits
        nearly as surely (`Weights.merge`)."""
        live = (self._first[: len(self._slot_keys)] <= record.at + self.window) & (
            self._last[: len(self._slot_keys)] >= record.at - self.window
        )
        slots = np.flatnonzero(live)
        if not len(slots):
            return None, []
        cosines = (self._sums[slots] @ self._vectors[record.row]) / self._lengths[slots]
        top = np.argsort(-cosines, kind="stable")[:CANDIDATES]
        best, best_score, alike = None, self.weights.threshold, []
        for index in top:
            key = self._slot_keys[int(slots[index])]
            score = self._score(float(cosines[index]), record, self._stories[key])
            if score >= self.weights.merge:
                alike.append(key)
            if score >= best_score:
                best, best_score = key, score
        return best, [key for key in alike if key != best]

    def _merge(self, stories: list[int], into: int) -> tuple[int, ...]:
        """Stories an item fits as surely as its own report one event that coverage has
        now bridged (say, reports two days apart, joined by one in between): their items
        move into `into`, unless an editor's decision or a live blog keeps either apart."""
        if into in self.kept:
            return ()
        merged = tuple(key for key in stories if key not in self.kept)
        for key in merged:
            for item_id in sorted(self._stories[key].items):
                self.move(item_id, into)
        return merged

    def _score(self, cosine: float, record: _Item, story: _Story) -> float:
        w = self.weights
        # A name counts when it is prominent in the story (in a fifth of its items), so a
        # big story does not draw everything that shares a word with one of its items.
        prominent = max(1.0, 0.2 * len(story.items))
        names = self._shared(record, lambda name: story.names[name] >= prominent)
        shared_numbers = sum(1 for n in record.numbers if story.numbers[n] >= prominent)
        score = cosine + w.numbers * min(shared_numbers, 2)
        if names is not None:
            score += w.names * names - w.unshared * (1 - names)
        return score - self._penalty(_gap(story.times, record.at) / HOUR)

    def _shared(self, record: _Item, found: Callable[[str], bool]) -> float | None:
        """The share of the item's names found, counting only words earlier items showed to
        be names (so an acronym of another language, ECB for EZB, is not held against it),
        each weighted by how rare it is among the items (a town or a company says more than
        a name every report mentions); None when the item names nothing known."""
        names = frozenset(name for name in record.names if name in self._proper)
        if not names:
            return None
        total = len(self._items) + 1
        weights = {name: math.log(total / (self._name_items[name] + 1)) + 1 for name in names}
        return sum(weight for name, weight in weights.items() if found(name)) / sum(
            weights.values()
        )

    def _penalty(self, hours: float) -> float:
        w = self.weights
        late = max(0.0, hours - w.grace_hours)
        return min(w.max_penalty, w.penalty_per_day * late / 24)

    # Story state ----------------------------------------------------------------------------

    def _new_story(self) -> int:
        key = self._next_key
        self._next_key += 1
        self._open(key)
        return key

    def _open(self, key: int) -> None:
        if self._free:
            slot = self._free.pop()
            self._slot_keys[slot] = key
        else:
            slot = len(self._slot_keys)
            self._slot_keys.append(key)
            if slot >= len(self._first):
                self._sums = _grown(self._sums, 0)
                self._lengths = _grown(self._lengths, 1)
                self._first = _grown(self._first, np.inf)
                self._last = _grown(self._last, -np.inf)
        self._stories[key] = _Story(slot=slot)

    def _join(self, item_id: int, record: _Item, story: int) -> None:
        record.story = story
        self._items[item_id] = record
        self._name_items.update(record.names)
        self._proper.update(record.teaches)
        record.teaches = _NOTHING  # learnt: never read again
        if record.page is not None:
            self._pages.setdefault(record.page, item_id)
        self._enter(item_id, record)

    def _enter(self, item_id: int, record: _Item) -> None:
        story = self._stories[record.story]
        story.items.add(item_id)
        self._sums[story.slot] += self._vectors[record.row]
        story.names.update(record.names)
        story.numbers.update(record.numbers)
        bisect.insort(story.times, record.at)
        self._refresh(story)

    def _leave(self, item_id: int, record: _Item) -> None:
        story = self._stories[record.story]
        story.items.discard(item_id)
        self._sums[story.slot] -= self._vectors[record.row]
        story.names.subtract(record.names)
        story.numbers.subtract(record.numbers)
        story.names, story.numbers = +story.names, +story.numbers  # drop zero counts
        story.times.remove(record.at)
        if story.items:
            self._refresh(story)
            return
        del self._stories[record.story]
        self._first[story.slot], self._last[story.slot] = np.inf, -np.inf
        self._sums[story.slot] = 0
        self._free.append(story.slot)

    def _refresh(self, story: _Story) -> None:
        self._lengths[story.slot] = float(np.linalg.norm(self._sums[story.slot])) or 1.0
        self._first[story.slot], self._last[story.slot] = story.times[0], story.times[-1]


_NOTHING: frozenset[str] = frozenset()


def _interned(words: frozenset[str]) -> tuple[str, ...]:
    """`words` as a sorted tuple of interned strings: one copy of a name however many items
    and stories count it."""
    return tuple(sorted(sys.intern(word) for word in words))


def _grown(rows: np.ndarray, fill: float) -> np.ndarray:
    """`rows` with a quarter as many again after them, set to `fill`: room for more. A
    quarter, not double: at 100,000 items doubling left up to half of ~200 MB unused."""
    size = len(rows) + max(len(rows) // 4, 64)
    grown = np.full((size, *rows.shape[1:]), fill, dtype=rows.dtype)
    grown[: len(rows)] = rows
    return grown


def _gap(times: list[float], at: float) -> float:
    """Seconds from `at` to the nearest of `times` (sorted, not empty)."""
    index = bisect.bisect_left(times, at)
    nearest = [abs(times[i] - at) for i in (index - 1, index) if 0 <= i < len(times)]
    return min(nearest)
