"""Which remembered items share an LSH band with a MinHash: the near-duplicate index, compact.

LSH cuts a MinHash's values into `bands` bands of `rows` values; two items are candidates
when all values of any one band are equal. datasketch's `MinHashLSH` answers the same
question with a dict of sets per band and a dict from each item to its band keys: about
2.7 KB per item, 270 MB of the 600 MB issue 15 allows with 100,000 items in the window.

Here each (band, item) pair costs 16 bytes. A band's values are mixed into one 64-bit hash
(the band's number mixed in too, so band 3 never matches band 5); the pairs sit in two numpy
arrays sorted by that hash, found with `searchsorted`. New pairs wait in a small dict until
`buffer` items have arrived, then are merged in (a linear merge, so filling the index costs
little more than appending). Nothing is removed: the engine forgets its window by being
built anew.

Two different bands hashing alike (odds 2⁻⁶⁴ per pair) only add a candidate, which the
caller compares in full anyway: the same trade datasketch made here with an 8-byte band key.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

HashValues = npt.NDArray[np.uint64]


class BandIndex:
    """Items by the hashes of their MinHash bands. Keys are ints (item ids), each inserted
    once; the index keeps no per-item record of its bands (that record is most of
    datasketch's cost)."""

    def __init__(self, *, bands: int, rows: int, buffer: int = 1024) -> None:
        self.bands, self.rows = bands, rows
        self._buffer = buffer * bands  # pairs waiting before a merge
        self._seeds = _mix(np.arange(1, bands + 1, dtype=np.uint64))
        self._hashes = np.zeros(0, dtype=np.uint64)  # sorted
        self._keys = np.zeros(0, dtype=np.int64)  # the item of each hash
        self._waiting: dict[int, list[int]] = {}  # band hash → keys, not merged yet
        self._waiting_pairs = 0

    def band_hashes(self, values: HashValues) -> HashValues:
        """One 64-bit hash per band of a MinHash's `values` (the first bands × rows)."""
        used = self.bands * self.rows
        if len(values) < used:
            raise ValueError(f"{len(values)} hash values; the index needs {used}")
        table = np.asarray(values[:used], dtype=np.uint64).reshape(self.bands, self.rows)
        mixed = self._seeds
        for column in table.T:
            mixed = _mix(mixed ^ column)
        return mixed

    def insert(self, key: int, values: HashValues) -> None:
        for band in self.band_hashes(values).tolist():
            self._waiting.setdefault(band, []).append(key)
        self._waiting_pairs += self.bands
        if self._waiting_pairs >= self._buffer:
            self._merge()

    def query(self, values: HashValues) -> set[int]:
        """The keys sharing at least one band with `values`."""
        wanted = self.band_hashes(values)
        found: set[int] = set()
        starts = np.searchsorted(self._hashes, wanted, side="left")
        ends = np.searchsorted(self._hashes, wanted, side="right")
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            if start < end:
                found.update(self._keys[start:end].tolist())
        for band in wanted.tolist():
            found.update(self._waiting.get(band, ()))
        return found

    def __len__(self) -> int:
        """How many items the index holds."""
        return (len(self._keys) + self._waiting_pairs) // self.bands

    def _merge(self) -> None:
        """The waiting pairs into the sorted arrays: one linear pass."""
        hashes, keys = self._hashes, self._keys
        new_hashes = np.fromiter(
            (band for band, waiting in self._waiting.items() for _ in waiting),
            dtype=np.uint64,
            count=self._waiting_pairs,
        )
        new_keys = np.fromiter(
            (key for waiting in self._waiting.values() for key in waiting),
            dtype=np.int64,
            count=self._waiting_pairs,
        )
        order = np.argsort(new_hashes, kind="stable")
        new_hashes, new_keys = new_hashes[order], new_keys[order]
        at = np.searchsorted(hashes, new_hashes, side="right")
        self._hashes = np.insert(hashes, at, new_hashes)
        self._keys = np.insert(keys, at, new_keys)
        self._waiting, self._waiting_pairs = {}, 0


def _mix(values: HashValues) -> HashValues:
    """SplitMix64's finaliser: every input bit moves every output bit (a bijection, so
    distinct inputs never collide here; only the fold of a band's values can)."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))
