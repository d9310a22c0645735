"""The near-duplicate band index finds exactly the items that share an LSH band with a
MinHash, as a band-by-band comparison (and datasketch's MinHashLSH) would."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from dateline.stories import signals
from dateline.stories.bands import BandIndex
from dateline.stories.engine import BANDS, NEAR_DUPLICATE, ROWS

VOCABULARY = [f"word{number}" for number in range(300)]


def rewrites(count: int, seed: int = 15) -> list[MinHash]:
    """MinHashes of `count` texts: light rewrites of thirty originals (a few words swapped),
    so many pairs share bands and many do not."""
    rng = random.Random(seed)
    originals = [[rng.choice(VOCABULARY) for _ in range(40)] for _ in range(30)]
    digests = []
    for _ in range(count):
        words = list(rng.choice(originals))
        for _ in range(rng.randint(0, 12)):
            words[rng.randrange(len(words))] = rng.choice(VOCABULARY)
        digest = signals.fingerprint("", " ".join(words))
        assert digest is not None
        digests.append(digest)
    return digests


def sharing_a_band(digest: MinHash, held: dict[int, MinHash]) -> set[int]:
    """The brute-force answer: every held item with all values of some band equal."""
    keys = list(held)
    if not keys:
        return set()
    used = BANDS * ROWS
    table = np.stack([held[key].hashvalues[:used] for key in keys]).reshape(-1, BANDS, ROWS)
    band_equal = (table == digest.hashvalues[:used].reshape(BANDS, ROWS)).all(axis=2)
    return {key for key, shares in zip(keys, band_equal.any(axis=1), strict=True) if shares}


def assert_same_candidates(index: BandIndex, held: dict[int, MinHash], probes: list[MinHash]):
    for digest in probes:
        assert index.query(digest.hashvalues) == sharing_a_band(digest, held)


@pytest.fixture(scope="module")
def digests() -> list[MinHash]:
    return rewrites(400)


def test_the_engine_bands_minhashes_as_datasketch_would_for_its_threshold() -> None:
    chosen = MinHashLSH(threshold=NEAR_DUPLICATE, num_perm=signals.PERMUTATIONS)
    assert (chosen.b, chosen.r) == (BANDS, ROWS)


@pytest.mark.parametrize("buffer", [1, 7, 1024])  # merged at once, now and then, never
def test_candidates_are_the_items_sharing_a_band(digests: list[MinHash], buffer: int) -> None:
    index = BandIndex(bands=BANDS, rows=ROWS, buffer=buffer)
    held = dict(enumerate(digests))
    for key, digest in held.items():
        index.insert(key, digest.hashvalues)
    assert len(index) == len(held)
    assert_same_candidates(index, held, digests)
    assert sum(len(sharing_a_band(d, held)) for d in digests) > 2 * len(digests)  # real pairs


def test_the_index_answers_as_datasketch_minhashlsh_does(digests: list[MinHash]) -> None:
    index = BandIndex(bands=BANDS, rows=ROWS, buffer=16)
    lsh = MinHashLSH(threshold=NEAR_DUPLICATE, num_perm=signals.PERMUTATIONS)
    for key, digest in enumerate(digests):
        index.insert(key, digest.hashvalues)
        lsh.insert(key, digest)
    for digest in digests:
        assert index.query(digest.hashvalues) == set(lsh.query(digest))
