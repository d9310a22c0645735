"""Scheduling: which sources are due, which worker holds each (leases), and when a source
is fetched next.

- Leases (`claim`, `release`) keep any number of workers off each other's sources: a source
  is fetched by one worker per round. They are how several machines share the work (one
  machine uses its cores through fetch processes, `fetch_processes.py`). A worker that dies
  leaves leases that run out; one that stops gives them back at once.
- After a success a source is due again after its interval ±10 % (`jittered`), after a
  failure after an exponential backoff with jitter (`backoff`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update

from dateline.db import Database, take_leases
from dateline.db.tables import sources
from dateline.db.tables import utcnow as now

MAX_BACKOFF = 6 * 3600.0  # seconds; or the source's own interval when that is longer
_random = random.SystemRandom()  # jitter only; the system source keeps linters quiet


@dataclass(frozen=True, slots=True)
class Claimed:
    """A source this worker holds the lease of, with the state the outcome builds on."""

    id: int
    url: str
    kind: str
    title: str
    etag: str
    last_modified: str
    interval_seconds: int
    consecutive_failures: int
    failing_since: datetime | None
    last_success_at: datetime | None
    lease_until: datetime  # this worker's lease: its writes count only while it still holds it


async def claim(
    db: Database, limit: int, lease_seconds: float, only: Sequence[int] | None = None
) -> list[Claimed]:
    """Lease up to `limit` sources: due ones, or those in `only` whether due or not."""
    wanted = sources.c.id.in_(only) if only is not None else sources.c.next_fetch_at <= now()
    columns = [sources.c[name] for name in Claimed.__slots__]
    async with db.write() as conn:
        rows = await take_leases(
            conn, sources, wanted, [sources.c.next_fetch_at], limit, lease_seconds, columns
        )
    return [_claimed(row) for row in rows]


def _claimed(row: Any) -> Claimed:
    values = row._asdict()
    values["etag"] = values["etag"] or ""
    values["last_modified"] = values["last_modified"] or ""
    return Claimed(**values)


async def release(db: Database, held: Mapping[int, datetime]) -> None:
    """Give leases back unused (shutdown): another worker may fetch these sources at once.
    A lease that ran out and was taken by another worker meanwhile is left alone."""
    if held:
        statement = update(sources).where(
            sources.c.id == bindparam("sid"), sources.c.lease_until == bindparam("held")
        )
        async with db.write() as conn:
            await conn.execute(
                statement.values(lease_until=None),
                [{"sid": sid, "held": lease} for sid, lease in held.items()],
            )


def jittered(seconds: float) -> float:
    """±10 %: sources added together drift apart instead of being fetched in bursts."""
    return seconds * _random.uniform(0.9, 1.1)


def backoff(interval: float, failures: int) -> float:
    """Exponential backoff with jitter: the interval, doubled at each further failure, capped
    at six hours (or the interval when longer), then between 50 % and 100 % of that."""
    ceiling = max(MAX_BACKOFF, interval)
    return float(min(ceiling, interval * 2 ** min(failures - 1, 20)) * _random.uniform(0.5, 1.0))
