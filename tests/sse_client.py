"""A small Server-Sent Events reader for tests: the frames a browser's EventSource would see."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Event:
    id: int | None
    kind: str
    data: dict[str, Any]


class EventReader:
    """Parse an open `text/event-stream` response one event at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()
        self.comments: list[str] = []

    async def next(self, within: float = 30.0) -> Event:
        """The next event; `within` is patience for a busy machine, not an expected speed."""
        return await asyncio.wait_for(self._next(), within)

    async def take(self, count: int, within: float = 30.0) -> list[Event]:
        return [await self.next(within) for _ in range(count)]

    async def _next(self) -> Event:
        fields: dict[str, str] = {}
        async for line in self.lines:
            if line == "":
                if "data" in fields:
                    return Event(
                        int(fields["id"]) if "id" in fields else None,
                        fields.get("event", "message"),
                        json.loads(fields["data"]),
                    )
                fields = {}
            elif line.startswith(":"):
                self.comments.append(line[1:].strip())
            else:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
        raise EOFError("the server closed the stream")
