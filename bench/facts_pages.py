"""How fast does a live blog's facts page render with 1,000 updates behind it? Prints figures,
asserts nothing.

Publishes 1,000 updates (casualties in many places over 40 days, exchanges, ceasefire
proposals, and updates with no fact at all) to a throw-away SQLite blog, lets the facts
worker read them, then renders in process through the whole ASGI app (middleware, routing,
queries, templates): the facts page (table, daily chart, map), its CSV and JSON, and as the
baseline /static/dateline.css from the same app in the same run; and the facts page as the
first request after the blog's facts changed (facts/cache.py has nothing kept then). Goal
(issue 16): the facts of a blog with 1,000 updates page in < 50 ms median. Compare ratios to
the baseline between runs, not milliseconds: machines here are small and shared.

    .venv/bin/python bench/facts_pages.py [--updates N] [--requests N]
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

from dateline.accounts.service import create_user
from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.facts import cache
from dateline.facts.worker import FactsExtractor
from dateline.liveblog import service
from dateline.liveblog.models import BlogDraft, UpdateDraft

START = datetime(2025, 5, 1, 6, 0, tzinfo=UTC)
PLACES = ["Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Kherson", "Sumy", "Kramatorsk"]
PLACES += ["Pokrovsk", "Mykolaiv", "Chernihiv", "Poltava", "Kryvyi Rih", "Izium", "Lviv"]
WORDS = ["two", "three", "four", "five", "six", "seven", "nine", "eleven"]


def body(n: int) -> str:
    """Sentences of our own writing in the shapes live blogs use; a third carry no fact."""
    place, count = PLACES[n % len(PLACES)], WORDS[n % len(WORDS)]
    shapes = [
        f"Russian shelling killed {count} people in {place} overnight, the regional governor said.",
        f"A drone attack on {place} injured {n % 13 + 1} people, including two children.",
        f"A missile strike on {place} killed at least {n % 9 + 1} people and injured {n % 17 + 2}.",
        f"The two sides agreed to exchange {(n % 9 + 1) * 100} prisoners of war, officials said.",
        "Moscow proposed a ceasefire of two to three days; Kyiv said it wanted a full truce.",
        f"The mayor of {place} said schools would reopen next week after repairs.",
        "Parliament will debate the budget on Thursday, the speaker said.",
    ]
    return shapes[n % len(shapes)]


async def seed(db: Database, updates: int) -> str:
    editor = await create_user(db, "bench@example.org", "bench-password-1", "editor", "Bench")
    blog = await service.create_blog(
        db, BlogDraft(title="Facts bench – live", slug="facts-bench"), editor, start=START
    )
    for n in range(updates):
        when = START + timedelta(hours=n)  # about 40 days of coverage
        await service.post_update(
            db, blog.slug, UpdateDraft(body=body(n)), editor, published_at=when
        )
    await FactsExtractor(db, clock=lambda: START + timedelta(hours=updates)).run()
    return blog.slug


async def timed(
    client: httpx.AsyncClient, path: str, requests: int, cold: bool = False
) -> list[float]:
    """`cold`: each request as the first after the blog's facts changed (nothing kept)."""
    for _ in range(3):  # warm up: templates compiled, the atlas decoded, caches filled
        (await client.get(path)).raise_for_status()
    times = []
    for _ in range(requests):
        if cold:
            cache.clear()
        started = time.perf_counter()
        (await client.get(path, headers={"Cache-Control": "no-cache"})).raise_for_status()
        times.append(time.perf_counter() - started)
    return times


async def main(updates: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        settings = Settings(database_url=url, data_dir=Path(folder) / "data")
        db = Database(url)
        await upgrade(db)
        seeding = time.perf_counter()
        slug = await seed(db, updates)
        seeded = time.perf_counter() - seeding
        await db.dispose()
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            facts = (await client.get(f"/live/{slug}/facts.json")).json()
            paths = {
                "baseline /static/dateline.css": "/static/dateline.css",
                "facts page (table, chart, map)": f"/live/{slug}/facts",
                "facts CSV": f"/live/{slug}/facts.csv",
                "facts JSON": f"/live/{slug}/facts.json",
            }
            results = {name: await timed(client, path, requests) for name, path in paths.items()}
            first = "facts page, first after a change"
            results[first] = await timed(client, f"/live/{slug}/facts", requests, cold=True)
    found = {key: len(value) for key, value in facts.items() if isinstance(value, list)}
    print(f"Facts pages: {updates} updates published and read in {seeded:.1f} s; facts {found}")
    print(f"  in process, {requests} sequential requests each (median, p90)")
    base = statistics.median(results["baseline /static/dateline.css"])
    for name, times in results.items():
        median = statistics.median(times)
        p90 = sorted(times)[int(len(times) * 0.9) - 1]
        print(
            f"  {name:32s} {median * 1000:7.2f} ms  p90 {p90 * 1000:7.2f} ms"
            f"  ×{median / base:5.1f} of baseline"
        )
    page = statistics.median(results["facts page (table, chart, map)"]) * 1000
    print(f"  goal: facts page < 50 ms median — {'met' if page < 50 else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=40)
    options = parser.parse_args()
    asyncio.run(main(options.updates, options.requests))
