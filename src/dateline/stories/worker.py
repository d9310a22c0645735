"""The stories loop: places new items in stories continuously, a pass every few seconds.

Runs beside the ingest worker (started where it starts). Embedding runs in a thread, so
the event loop that serves readers is not held; any number of loops may run against one
database (placement is serialised, `assign.py`).
"""

from __future__ import annotations

from dateline.background import Passes
from dateline.config import Settings
from dateline.db import Database
from dateline.stories.assign import Assigner

PAUSE_SECONDS = 5.0  # between passes that found nothing to place


class StoriesWorker(Passes):
    def __init__(self, db: Database, settings: Settings, pause: float = PAUSE_SECONDS) -> None:
        self.assigner = Assigner(db, settings)
        failed = "placing items in stories failed"
        super().__init__("stories-worker", self.assigner.run_once, pause, failed)
