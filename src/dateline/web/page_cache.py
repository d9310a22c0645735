"""A per-process cache of rendered public pages, keyed by their version tag."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RenderCache:
    """Rendered public pages by version tag, each kept for `ttl` seconds.

    The tag carries the blog's sequence number, so a hit never shows stale content; the time
    limit only bounds how old the relative ages on it ("5 minutes ago") can get. A busy live
    blog is read far more often than it changes: most readers get a copy, not a render.
    """

    def __init__(
        self, ttl: float = 30.0, size: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock  # seconds; tests move it
        self._pages: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, tag: str) -> bytes | None:
        found = self._pages.get(tag)
        if found is None or self.clock() - found[0] > self.ttl:
            return None
        self._pages.move_to_end(tag)
        return found[1]

    def put(self, tag: str, body: bytes) -> None:
        self._pages[tag] = (self.clock(), body)
        self._pages.move_to_end(tag)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)
