"""Turn log entries into Server-Sent Event frames, rendered once per event for every reader.

A frame carries the server-rendered HTML of whatever the event changed (the update, and the
key events list, pinned box or recap when they change), so the browser never renders.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.liveblog import queries
from dateline.liveblog.models import Blog
from dateline.liveblog.present import iso
from dateline.realtime.queries import LoggedEvent

SIDEBAR_KINDS = {"update.edited", "update.deleted", "update.key_event", "update.pinned"}
ALWAYS_KEY_RELATED = {"update.key_event", "recap.changed", "blog.ended"}


@dataclass(frozen=True)
class Frame:
    seq: int
    data: bytes  # the whole SSE frame, encoded once for every reader
    json: bytes  # the same payload for the polling fallback
    key_related: bool  # delivered on ?filter=key-events streams too
    ends: bool  # coverage ended: the stream closes after this frame


def make_frame(seq: int, kind: str, payload: dict[str, Any], key_related: bool) -> Frame:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    sse = f"id: {seq}\nevent: {kind}\ndata: {body}\n\n".encode()
    return Frame(seq, sse, body.encode(), key_related, ends=kind == "blog.ended")


class FrameRenderer:
    def __init__(self, templates: Environment) -> None:
        self._templates = templates

    def _render(self, name: str, **context: Any) -> str:
        now = datetime.now(UTC)
        return self._templates.get_template(name).render(now=now, editor=False, **context)

    async def frames(
        self, conn: AsyncConnection, blog: Blog, events: list[LoggedEvent]
    ) -> list[Frame]:
        return [await self._frame(conn, blog, event) for event in events]

    async def _frame(self, conn: AsyncConnection, blog: Blog, event: LoggedEvent) -> Frame:
        payload: dict[str, Any] = {"seq": event.seq, "kind": event.kind, "live": blog.is_live}
        key_related = event.kind in ALWAYS_KEY_RELATED
        if event.update_id is not None:
            update = await queries.update_by_id(conn, blog.id, event.update_id)
            visible = not update.is_deleted or bool(update.correction_note)
            payload.update(
                update_id=update.id,
                key_event=update.key_event,
                pinned=update.pinned,
                published_at=iso(update.published_at),
                html=self._render("_update.html", u=update, blog=blog) if visible else None,
            )
            was_key = bool(event.payload.get("was_key_event"))
            key_related = key_related or update.key_event or was_key
            if event.kind in SIDEBAR_KINDS or update.key_event or update.pinned:
                payload["key_events_html"] = self._render(
                    "_key_events.html",
                    blog=blog,
                    key_events=await queries.key_events(conn, blog.id),
                )
                payload["pinned_html"] = self._render(
                    "_pinned_slot.html",
                    blog=blog,
                    pinned=await queries.pinned_update(conn, blog.id),
                )
        if event.kind == "recap.changed":
            payload["recap_html"] = self._render("_recap.html", blog=blog)
        return make_frame(event.seq, event.kind, payload, key_related)
