"""The two places where metrics reach into another package's objects, kept here as subclasses
so that the hub and the ingest worker know nothing of Prometheus.

- `MeteredHub` counts what the hub writes to readers: its `_deliver` is the one place every
  live frame passes (tests/test_ops_metrics.py holds it to that).
- `MeteredIngestWorker` counts each stored fetch by outcome through the `progress` callback
  that `run_round` already offers.
"""

from __future__ import annotations

from collections.abc import Sequence

from dateline.config import Settings
from dateline.db import Database
from dateline.ingest.store import Outcome, Tally
from dateline.ingest.worker import IngestWorker, Progress
from dateline.ops.metrics import FETCH_OUTCOMES, Metrics
from dateline.realtime.frames import Frame, FrameRenderer
from dateline.realtime.hub import Channel, Hub


class MeteredHub(Hub):
    def __init__(
        self, metrics: Metrics, db: Database, renderer: FrameRenderer, replay_limit: int
    ) -> None:
        super().__init__(db, renderer, replay_limit)
        self._delivered = metrics.delivered
        metrics.hub = self

    def _deliver(self, channel: Channel, frames: list[Frame]) -> None:
        key_frames = sum(1 for frame in frames if frame.key_related)
        sent = len(frames) * len(channel.everyone) + key_frames * len(channel.key_only)
        super()._deliver(channel, frames)
        if sent:
            self._delivered.inc(sent)


class MeteredIngestWorker(IngestWorker):
    def __init__(self, metrics: Metrics, db: Database, settings: Settings) -> None:
        super().__init__(db, settings)
        self._fetches = {outcome: metrics.fetches.labels(outcome) for outcome in FETCH_OUTCOMES}

    async def run_round(
        self, only: Sequence[int] | None = None, progress: Progress | None = None
    ) -> Tally:
        def counted(outcomes: Sequence[Outcome]) -> None:
            for outcome in outcomes:
                self._fetches[fetch_outcome(outcome)].inc()
            if progress is not None:
                progress(outcomes)

        return await super().run_round(only, counted)


def fetch_outcome(outcome: Outcome) -> str:
    if not outcome.ok:
        return "error"
    return "not_modified" if outcome.not_modified else "ok"
