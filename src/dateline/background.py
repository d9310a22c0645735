"""Work that runs beside the pages while the app (or `dateline worker`) runs: pass after pass.

The stories loop (placing items) and the facts loop (reading updates and items) are the same
shape: a pass that returns how much it did; the next pass at once when it did something, after
a pause when it found nothing; a database error logged and tried again. One class for both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)


class Passes:
    """Runs `work` pass after pass in a task of its own until `stop`."""

    def __init__(
        self, name: str, work: Callable[[], Awaitable[int]], pause: float, failed: str
    ) -> None:
        self.name, self.work, self.pause, self.failed = name, work, pause, failed
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Stop now; a pass cut short wrote nothing (its transaction is rolled back)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                done = await self.work()
            except DBAPIError:
                log.exception("%s; trying again", self.failed)
                done = 0
            if not done:
                await asyncio.sleep(self.pause)
