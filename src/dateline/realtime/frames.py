"""Turn log entries into Server-Sent Event frames, rendered once per event for every reader.

A frame carries the server-rendered HTML of what its event changed, and only that: the
update, its own entry of the key events list (`key_event_html`: the list holding just that
entry, or null when the update is not a key event now), the pinned box when the update is
the pinned one, the recap when it changed, and the filter bar's counts ("38 updates", "5 key
events") as they stand. The browser places each piece (static/live.js).
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
from dateline.comments import queries as comment_queries
from dateline.comments.models import Comment
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
    def __init__(
        self,
        templates: Environment,
        page: dict[str, Any] | None = None,
        language: str | None = None,
    ) -> None:
        """`page`: what the page the frames are placed in renders with, and `language` what
        it speaks. The hub's frames go to every reader: no extras, the blog's language. The
        editor's page asks for its own, with the controls its user may use, in the editor's
        language (see editor_changes.py)."""
        self._templates = templates
        self._page = {"editor": False, **(page or {})}
        self._language = language

    def _render(self, name: str, **context: Any) -> str:
        now = datetime.now(UTC)
        return self._templates.get_template(name).render(now=now, **self._page, **context)

    async def frames(
        self, conn: AsyncConnection, blog: Blog, events: list[LoggedEvent]
    ) -> list[Frame]:
        """The events' frames: one query for all their updates, whatever their number."""
        ids = list({u for e in events if (u := _update_of(e)) is not None})
        found = await queries.updates_by_ids(conn, blog.id, ids)
        totals = await queries.stream_counts(conn, blog.id)  # as the frames' updates: now
        shown = await comment_queries.comments_by_ids(conn, blog.id, _comment_ids(events))
        rendered: list[Frame] = []
        for start in range(0, len(events), RENDER_SLICE):
            if start:
                await asyncio.sleep(0)  # a long backlog lets other requests run between slices
            # Rendered by the hub's pump, outside any request: in the blog's language.
            with i18n.using(self._language or blog.language):
                batch = events[start : start + RENDER_SLICE]
                counts = self._counts(totals)
                rendered.extend(self._frame(blog, event, found, counts, shown) for event in batch)
        return rendered

    def _counts(self, totals: queries.StreamCounts) -> dict[str, str]:
        """The filter bar's "38 updates" and "5 key events", so it follows the stream."""
        return {
            "updates": self._render(
                "_stream_count.html", key_events_only=False, total=totals.updates
            ),
            "key_events": self._render(
                "_stream_count.html", key_events_only=True, total=totals.key_events
            ),
        }

    def _frame(
        self,
        blog: Blog,
        event: LoggedEvent,
        found: dict[int, Update],
        counts: dict[str, str],
        shown: dict[int, Comment],
    ) -> Frame:
        payload: dict[str, Any] = {"seq": event.seq, "kind": event.kind, "live": blog.is_live}
        payload["counts"] = counts
        key_related = event.kind in ALWAYS_KEY_RELATED
        update_id = _update_of(event)
        update = found.get(update_id) if update_id is not None else None
        if update is not None:
            payload.update(self._update_payload(blog, update))
            was_key = bool(event.payload.get("was_key_event"))
            key_related = key_related or update.key_event or was_key
        if event.kind == "recap.changed":
            payload["recap_html"] = self._render("_recap.html", blog=blog)
        if event.kind.startswith("comment."):
            payload.update(self._comment_payload(blog, event, shown))
        return make_frame(event.seq, event.kind, payload, key_related)

    def _comment_payload(
        self, blog: Blog, event: LoggedEvent, shown: dict[int, Comment]
    ) -> dict[str, Any]:
        """A comment's id, and its HTML once approved: the stream never carries the words
        of a comment that waits, was rejected or was deleted (whatever the event said when
        it was logged, the comment is rendered as it is now)."""
        comment = shown.get(int(event.payload.get("comment_id", 0)))
        public = comment is not None and comment.is_public and event.kind == "comment.approved"
        html = self._render("comments/_comment.html", c=comment, blog=blog) if public else None
        return {"comment_id": event.payload.get("comment_id"), "comment_html": html}

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


def _update_of(event: LoggedEvent) -> int | None:
    """The update an event is about. An event that tells of an update without changing it
    (`update.facts`: its facts were read, a suggested key event came or went) names it in
    its payload, so that "who changed this update last" never names the facts worker."""
    if event.update_id is not None:
        return event.update_id
    about = event.payload.get("about_update")
    return about if isinstance(about, int) else None


def _comment_ids(events: list[LoggedEvent]) -> list[int]:
    """The comments the events are about (one query for a whole batch)."""
    return list({int(e.payload["comment_id"]) for e in events if "comment_id" in e.payload})
