"""When a story turns out to be two events: its reports form two groups, days apart, each
held together by reports alike one another and neither alike the other (a fire in a town on
Monday and a road accident in the same town on Thursday, joined by the town's name).

Pure, like the engine: reports in, the later group's ids out (or None). Conservative on
purpose: a wrong split scatters one event's coverage, which a reader notices more than two
events shown together, so every test must pass, with a margin, before one is made:

- the groups are apart in time: at least `GAP_HOURS` between the last report of the first
  and the first of the second (same-day events of one kind are the engine's business);
- each group has at least `MIN_REPORTS` reports, every one of them at least `LINKED` alike
  another of its own group (cosine of the multilingual embeddings);
- no report of one group is `APART` or more alike any report of the other.

Reports of one kind of event in one place (two fires in one harbour, a week apart) are about
as alike as two reports of one fire, so such a story is left as it is; an editor splits it.
Copies (near-duplicates) go with their original and are not weighed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from dateline.stories.embed import Vectors

GAP_HOURS = 24.0
MIN_REPORTS = 2
LINKED = 0.70
APART = 0.66  # chosen on written reports: one event's reports 0.67-0.86, two events' 0.50-0.64


@dataclass(frozen=True)
class Report:
    """A placed item of the story, as splitting weighs it."""

    id: int
    at: datetime
    vector: Vectors
    copy_of: int | None = None


def later_event(reports: list[Report]) -> set[int] | None:
    """The ids of the reports (with their copies) of the later of two events the story
    holds; None when it holds one (or the signs are not clear enough)."""
    originals = sorted((r for r in reports if r.copy_of is None), key=lambda r: (r.at, r.id))
    if len(originals) < 2 * MIN_REPORTS:
        return None
    unit = _normalised(np.stack([np.asarray(r.vector, dtype=np.float32) for r in originals]))
    alike = unit @ unit.T
    for cut in range(MIN_REPORTS, len(originals) - MIN_REPORTS + 1):
        gap = originals[cut].at - originals[cut - 1].at
        if gap.total_seconds() < GAP_HOURS * 3600:
            continue
        if _two_groups(alike, cut):
            later = {r.id for r in originals[cut:]}
            return later | {r.id for r in reports if r.copy_of in later}
    return None


def _two_groups(alike: np.ndarray, cut: int) -> bool:
    """Are reports [:cut] and [cut:] each held together, and apart from each other?"""
    if float(alike[:cut, cut:].max()) >= APART:
        return False
    return _linked(alike[:cut, :cut]) and _linked(alike[cut:, cut:])


def _linked(alike: np.ndarray) -> bool:
    """Is every report at least `LINKED` alike another of its group?"""
    others = alike - 2 * np.eye(len(alike), dtype=alike.dtype)  # not itself
    return bool((others.max(axis=1) >= LINKED).all())


def _normalised(vectors: np.ndarray) -> np.ndarray:
    lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(lengths == 0, 1.0, lengths)
