"""The site map: every route of the app as (method, path, name), and its table in
docs/architecture.md, which `make sitemap` regenerates and a test compares with the app.

Names follow one convention, `<kind>.<handler>`: `reader.*` for public pages, feeds and
streams, `admin.*` for the newsroom's pages (log in and out included), `api.*` for /api/,
`web.*` for what the web layer serves itself (static files, the language switch).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.routing import iter_route_contexts
from starlette.applications import Starlette

START = "<!-- site-map: generated from the app by `make sitemap`; do not edit by hand -->"
END = "<!-- /site-map -->"
KINDS = ("reader", "admin", "api", "web")


@dataclass(frozen=True, order=True)
class Entry:
    path: str
    method: str
    name: str


def entries(app: Starlette) -> list[Entry]:
    """Every method of every route, sorted by path (HEAD, which GET implies, left out).

    Routers are walked through FastAPI's `iter_route_contexts`, which sees the routes of
    included routers with their prefixes (`app.routes` holds the routers themselves)."""
    found = [
        Entry(route.path or "", method, route.name or "")
        for route in iter_route_contexts(app.routes)
        for method in sorted((route.methods or {"GET"}) - {"HEAD"})
    ]
    return sorted(found)


def table(app: Starlette) -> str:
    lines = ["| Method | Path | Name |", "| --- | --- | --- |"]
    lines += [f"| {e.method} | `{e.path}` | `{e.name}` |" for e in entries(app)]
    return "\n".join(lines)


def with_table(document: str, app: Starlette) -> str:
    """The document with the text between the markers replaced by the current table."""
    head, start, rest = document.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the markers {START!r} and {END!r} are missing")
    return f"{head}{START}\n{table(app)}\n{END}{tail}"


def write(app: Starlette, document: Path) -> None:
    document.write_text(with_table(document.read_text(), app))
