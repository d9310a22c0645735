"""How fast do the aggregator's reader pages render? Prints figures, asserts nothing.

Seeds a throw-away SQLite database with 300 outlets and one story of 500 reports (each with
a headline, a lead and an "also carried by" copy elsewhere) plus 200 smaller stories, then
renders, in process through the whole ASGI app (middleware, routing, queries, templates):

- the story page of the 500-report story (its first page of reports), goal ≤ 50 ms median;
- the front page (live blogs and the 30 most recent story cards);
- a topic page and the story's Atom feed;
- the baseline: /static/dateline.css from the same app in the same run (routing, middleware
  and nothing else). Compare ratios to it between runs, not milliseconds: machines here are
  small and shared.

    .venv/bin/python bench/story_pages.py [--reports N] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.db.tables import item_sightings, items, sources, stories, story_items

START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
OUTLETS = 300
SMALL_STORIES = 200
TOPIC = "medtop:03000000"  # disaster, accident and emergency incident


async def seed(db: Database, reports: int) -> int:
    """The big story's id. Rows are written directly: this measures reading, not ingest."""
    now = START + timedelta(days=2)
    async with db.write() as conn:
        await conn.execute(
            sources.insert(),
            [
                {
                    "id": n + 1,
                    "url": f"https://outlet{n}.example/feed.xml",
                    "canonical_url": f"https://outlet{n}.example/feed.xml",
                    "kind": "feed",
                    "title": f"Outlet {n}",
                    "site_url": f"https://outlet{n}.example/",
                    "next_fetch_at": now,
                    "created_at": START,
                }
                for n in range(OUTLETS)
            ],
        )
        story_rows = [
            {
                "id": n + 1,
                "title": f"Story {n}",
                "language": "en",
                "category_code": TOPIC,
                "first_seen_at": START,
                "last_seen_at": START + timedelta(minutes=n),
                "items_count": reports if n == 0 else 2,
                "sources_count": min(reports, OUTLETS) if n == 0 else 2,
                "created_at": START,
            }
            for n in range(SMALL_STORIES + 1)
        ]
        await conn.execute(stories.insert(), story_rows)
        item_rows, placed = [], []
        members = [(1, k) for k in range(reports)]
        members += [(s + 1, k) for s in range(1, SMALL_STORIES + 1) for k in range(2)]
        for n, (story_id, k) in enumerate(members):
            when = START + timedelta(minutes=n)
            lead = (
                f"Report {k} on story {story_id}: rescue teams worked through the night as "
                "water levels fell slowly; officials said roads would stay closed for days. "
            ) * 3
            item_rows.append(
                {
                    "id": n + 1,
                    "source_id": n % OUTLETS + 1,
                    "url": f"https://outlet{n % OUTLETS}.example/news/{n}",
                    "canonical_url": f"https://outlet{n % OUTLETS}.example/news/{n}",
                    "content_hash": f"{n:064d}",
                    "title": f"Flood report {k}: water levels fall slowly in the valley",
                    "published_at": when,
                    "summary": "",
                    "text": lead,
                    "language": "en",
                    "first_seen_at": when,
                    "listed_at": when,
                }
            )
            placed.append(
                {
                    "item_id": n + 1,
                    "story_id": story_id,
                    "vector": b"",
                    "placed_at": when,
                }
            )
        await conn.execute(items.insert(), item_rows)
        await conn.execute(story_items.insert(), placed)
        sightings = [
            {
                "item_id": k + 1,
                "source_id": (k + 7) % OUTLETS + 1,
                "url": f"https://outlet{(k + 7) % OUTLETS}.example/copy/{k}",
            }
            for k in range(reports)
        ]
        await conn.execute(item_sightings.insert(), sightings)
    return 1


async def timed(client: httpx.AsyncClient, path: str, requests: int) -> list[float]:
    for _ in range(5):  # warm up: templates compiled, caches filled
        (await client.get(path)).raise_for_status()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        (await client.get(path)).raise_for_status()
        times.append(time.perf_counter() - started)
    return times


async def main(reports: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        settings = Settings(database_url=url, data_dir=Path(folder) / "data")
        db = Database(url)
        await upgrade(db)
        story_id = await seed(db, reports)
        await db.dispose()
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            paths = {
                "baseline /static/dateline.css": "/static/dateline.css",
                f"story page ({reports} reports)": f"/stories/{story_id}",
                "front page (30 cards)": "/",
                "topic page (50 cards)": f"/topics/{TOPIC}",
                "story feed (Atom, 50 entries)": f"/stories/{story_id}/feed.atom",
            }
            results = {name: await timed(client, path, requests) for name, path in paths.items()}
    base = statistics.median(results["baseline /static/dateline.css"])
    print(f"Story pages, in process, {requests} sequential requests each (median, p90)")
    for name, times in results.items():
        median = statistics.median(times)
        p90 = sorted(times)[int(len(times) * 0.9) - 1]
        print(
            f"  {name:34s} {median * 1000:7.2f} ms  p90 {p90 * 1000:7.2f} ms"
            f"  ×{median / base:5.1f} of baseline"
        )
    story = statistics.median(results[f"story page ({reports} reports)"]) * 1000
    print(f"  goal: story page ≤ 50 ms median — {'met' if story <= 50 else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--requests", type=int, default=60)
    options = parser.parse_args()
    asyncio.run(main(options.reports, options.requests))
