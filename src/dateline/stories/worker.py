"""The stories loop: places new items in stories continuously, a pass every few seconds.

Runs beside the ingest worker (started where it starts). Embedding runs in a thread, so
the event loop that serves readers is not held; any number of loops may run against one
database (placement is serialised, `assign.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.exc import DBAPIError

from dateline.config import Settings
from dateline.db import Database
from dateline.stories.assign import Assigner

log = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0  # between passes that found nothing to place


class StoriesWorker:
    def __init__(self, db: Database, settings: Settings, pause: float = PAUSE_SECONDS) -> None:
        self.assigner = Assigner(db, settings)
        self.pause = pause
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="stories-worker")

    async def stop(self) -> None:
        """Stop now; a pass cut short placed nothing (its transaction is rolled back)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                placed = await self.assigner.run_once()
            except DBAPIError:
                log.exception("placing items in stories failed; trying again")
                placed = 0
            if not placed:
                await asyncio.sleep(self.pause)
