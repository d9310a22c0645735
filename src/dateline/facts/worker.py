"""Reading facts from published updates and stored items, in the background.

A pass takes a batch of texts that are new or changed, reads them in a thread (the CPU
part, so the event loop serving readers and editors is never held), then saves the batch in
one short transaction. Publishing and ingest never wait for it: they only write the texts.
`dateline facts update` runs passes until nothing is left; the app runs `FactsWorker`.

Facts read from updates can make or unmake a "Suggested key event" on the editor's page
(suggestions.py) after the update's own event went out. So the pass compares each blog's
suggestions before and after it stores facts, and appends an `update.facts` event for each
update whose mark came, went or changed: an editor's open page asks for that update again
(realtime/editor_changes.py) and shows it with its mark. Readers' pages see no mark; the
event only names the update (payload `about_update`) and changes nothing readers see.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dateline.background import Passes
from dateline.db import Database
from dateline.db.log import append_event
from dateline.db.tables import utcnow
from dateline.facts import store, suggestions
from dateline.facts.extract import extract
from dateline.facts.records import fact_rows
from dateline.facts.store import Text

log = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0  # between passes that found nothing to read


class FactsExtractor:
    def __init__(
        self, db: Database, batch: int = store.BATCH, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.batch = batch
        self.clock = clock

    async def run(self) -> int:
        """Read every new or changed text; how many texts were read or forgotten."""
        total = 0
        while done := await self.run_once():
            total += done
        return total

    async def run_once(self) -> int:
        """One batch: 0 when nothing was left to do."""
        async with self.db.read() as conn:
            gone = await store.deleted_updates(conn, self.batch)
            texts = await store.pending_updates(conn, self.batch)
            texts += await store.pending_items(conn, self.batch)
            blogs = sorted({text.blog_id for text in texts if text.blog_id is not None})
            before = {blog_id: await suggestions.marks(conn, blog_id) for blog_id in blogs}
        if not gone and not texts:
            return 0
        read = await asyncio.to_thread(_read_all, texts)
        now = self.clock()
        async with self.db.write() as conn:
            await store.forget_updates(conn, gone)
            for text, rows in read:
                await store.save(conn, text, rows, now)
        await self._tell_editors(before)
        return len(gone) + len(texts)

    async def _tell_editors(self, before: dict[int, suggestions.Marks]) -> None:
        """An `update.facts` event for each update whose suggested key event came, went or
        changed. The marks are read after the facts' commit, outside the write: reading a big
        blog's facts must not hold up a publishing editor (SQLite has one writer)."""
        changed: dict[int, list[int]] = {}
        async with self.db.read() as conn:
            for blog_id, marks in before.items():
                after = await suggestions.marks(conn, blog_id)
                ids = sorted(marks.keys() | after.keys())
                changed[blog_id] = [i for i in ids if marks.get(i) != after.get(i)]
        if not any(changed.values()):
            return
        async with self.db.write() as conn:
            for blog_id, update_ids in changed.items():
                for update_id in update_ids:
                    about = {"about_update": update_id}
                    await append_event(
                        conn, blog_id, "update.facts", None, payload=about, touch=False
                    )


def _read_all(texts: list[Text]) -> list[tuple[Text, list[dict[str, Any]]]]:
    return [(text, _read(text)) for text in texts]


def _read(text: Text) -> list[dict[str, Any]]:
    """The facts of one text. A text the extractor fails on is logged and stored as read
    with no facts, so one bad text never stalls every text after it."""
    try:
        found = extract(text.text, text.lang, text.published_at)
    except Exception:
        log.exception("reading facts failed", extra={"source": text.kind, "source_id": text.id})
        return []
    published = text.published_at.date() if text.published_at else None
    return fact_rows(found, published)


class FactsWorker(Passes):
    """Passes of `FactsExtractor` every few seconds while the app runs."""

    def __init__(self, db: Database, pause: float = PAUSE_SECONDS) -> None:
        self.extractor = FactsExtractor(db)
        super().__init__("facts-worker", self.extractor.run_once, pause, "reading facts failed")
