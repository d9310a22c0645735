"""Turn log entries into Server-Sent Event frames, rendered once per event for every reader.

A frame carries the server-rendered HTML of what its event changed, and only that: the
update, its own entry of the key events list (`key_event_html`: the list holding just that
entry, or null when the update is not a key event now), the pinned box when the update is
the pinned one, the recap when it changed. The browser places each piece (static/live.js).
So a frame costs the same to render on a blog with 3 key events as on one with 500, and a
batch of frames costs a fixed number of queries, however long the batch.

Each frame shows the update as it is when rendered, not as it was at the event: a reader
catching up ends at the current state, and the last frame about an update always has it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline import i18n
from dateline.liveblog import queries
from dateline.liveblog.models import Blog, Update
from dateline.liveblog.present import iso
from dateline.realtime.queries import LoggedEvent

ALWAYS_KEY_RELATED = {"update.key_event", "recap.changed", "blog.ended"}
# Frames rendered between two turns of the event loop (~0.4 ms each): a reader far behind
# never holds the others up for long.
RENDER_SLICE = 32


@dataclass(frozen=True)
class Frame:
    seq: int
    data: bytes  # the whole SSE frame, encoded once for every reader
    body_at: int  # where its JSON payload starts in `data` (kept once, not twice)
    key_related: bool  # delivered on ?filter=key-events streams too
    ends: bool  # coverage ended: the stream closes after this frame

    @property
    def json(self) -> bytes:
        """The payload alone, for the polling fallback."""
        return self.data[self.body_at : -2]


def make_frame(seq: int, kind: str, payload: dict[str, Any], key_related: bool) -> Frame:
    head = f"id: {seq}\nevent: {kind}\ndata: ".encode()
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Frame(seq, head + body + b"\n\n", len(head), key_related, ends=kind == "blog.ended")


class FrameRenderer:
    def __init__(self, templates: Environment) -> None:
        self._templates = templates

    def _render(self, name: str, **context: Any) -> str:
        now = datetime.now(UTC)
        return self._templates.get_template(name).render(now=now, editor=False, **context)

    async def frames(
        self, conn: AsyncConnection, blog: Blog, events: list[LoggedEvent]
    ) -> list[Frame]:
        """The events' frames: one query for all their updates, whatever their number."""
        ids = list({e.update_id for e in events if e.update_id is not None})
        found = await queries.updates_by_ids(conn, blog.id, ids)
        rendered: list[Frame] = []
        for start in range(0, len(events), RENDER_SLICE):
            if start:
                await asyncio.sleep(0)  # a long backlog lets other requests run between slices
            # Rendered by the hub's pump, outside any request: in the blog's language.
            with i18n.using(blog.language):
                batch = events[start : start + RENDER_SLICE]
                rendered.extend(self._frame(blog, event, found) for event in batch)
        return rendered

    def _frame(self, blog: Blog, event: LoggedEvent, found: dict[int, Update]) -> Frame:
        payload: dict[str, Any] = {"seq": event.seq, "kind": event.kind, "live": blog.is_live}
        key_related = event.kind in ALWAYS_KEY_RELATED
        update = found.get(event.update_id) if event.update_id is not None else None
        if update is not None:
            payload.update(self._update_payload(blog, update))
            was_key = bool(event.payload.get("was_key_event"))
            key_related = key_related or update.key_event or was_key
        if event.kind == "recap.changed":
            payload["recap_html"] = self._render("_recap.html", blog=blog)
        return make_frame(event.seq, event.kind, payload, key_related)

    def _update_payload(self, blog: Blog, update: Update) -> dict[str, Any]:
        visible = not update.is_deleted or bool(update.correction_note)
        payload: dict[str, Any] = {
            "update_id": update.id,
            "key_event": update.key_event,
            "pinned": update.pinned,
            "published_at": iso(update.published_at),
            "html": self._render("_update.html", u=update, blog=blog) if visible else None,
            "key_event_html": None,
        }
        if update.key_event and not update.is_deleted:
            entry = queries.KeyEvent(update.id, update.published_at, update.short_title)
            payload["key_event_html"] = self._render(
                "_key_events.html", blog=blog, key_events=[entry]
            )
        if update.pinned and not update.is_deleted:
            payload["pinned_html"] = self._render("_pinned_slot.html", blog=blog, pinned=update)
        return payload
