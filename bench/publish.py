"""What does SQLite's `synchronous=FULL` cost a publish? A benchmark that prints figures.

Each mode gets a fresh SQLite file next to where the server keeps its own (`var/` by
default, so the same disk), one editor and one live blog; then `--updates` updates are
published one after another through the real service (`liveblog.service.post_update`:
one write transaction with the log append, as the editor's form and the API do). Printed
per mode: median and p90 milliseconds a publish, and publishes per second. The two modes
alternate in `--rounds` rounds, so a busy spell of the machine hits both alike.

    .venv/bin/python bench/publish.py [--updates N] [--rounds N] [--dir PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from dateline.accounts.service import create_user
from dateline.db import Database
from dateline.db.engine import SYNCHRONOUS
from dateline.db.migrate import upgrade
from dateline.liveblog import service
from dateline.liveblog.models import BlogDraft, UpdateDraft


async def publish_times(folder: Path, mode: str, count: int) -> list[float]:
    """Seconds each of `count` sequential publishes took on a fresh database in `mode`."""
    path = folder / f"publish-{mode.lower()}.sqlite3"
    path.unlink(missing_ok=True)
    db = Database(f"sqlite+aiosqlite:///{path}", sqlite_synchronous=mode)
    try:
        await upgrade(db)
        user = await create_user(db, "bench@example.org", "bench password", "editor", "Bench")
        draft = BlogDraft(title="Durability", slug="durability", time_zone="UTC")
        await service.create_blog(db, draft, user)
        times = []
        for index in range(count):
            update = UpdateDraft(body=f"Update {index}: the **river** is still rising.")
            started = time.perf_counter()
            await service.post_update(db, "durability", update, user)
            times.append(time.perf_counter() - started)
        return times
    finally:
        await db.dispose()


async def main(updates: int, rounds: int, folder: Path) -> None:
    found: dict[str, list[float]] = {mode: [] for mode in SYNCHRONOUS}
    for _ in range(rounds):
        for mode in SYNCHRONOUS:
            found[mode] += await publish_times(folder, mode, updates)
    print(f"{updates} sequential publishes × {rounds} rounds, SQLite in {folder}")
    for mode, times in found.items():
        ms = sorted(t * 1000 for t in times)
        p90 = ms[int(len(ms) * 0.9)]
        rate = len(ms) / (sum(ms) / 1000)
        print(f"  synchronous={mode:<6} median {statistics.median(ms):6.2f} ms"
              f"  p90 {p90:6.2f} ms  {rate:6.0f} publishes/s")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("var"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        asyncio.run(main(args.updates, args.rounds, Path(scratch)))
