"""How fast does one ingest worker read feeds? A benchmark that prints figures, asserts nothing.

A separate process (nginx, on a free 127.0.0.1 port) serves N feeds (default 1,000) of 50
RSS items each, about 60 KB apiece, every item unique, as files with ETags. One
`IngestWorker` in this process, on a throw-away SQLite database (or --database-url), once
fetching and parsing in this process and once with --processes fetch processes (default: one
per core; DATELINE_INGEST_PROCESSES), --repeat times each (median and every run printed):

- cold: fetches every feed, parses it, de-duplicates and stores its 50 items (feeds/s);
- 304s: fetches every feed again with its ETag; the server answers 304 and nothing is parsed;
- parsers: the median time to parse one of these feeds with the parser the worker uses
  (`dateline.ingest.parsers.feeds.parse_feed`) and with plain feedparser, on the same documents;
- floors, measured in the same run: what the libraries the worker is built on cost alone for
  the same work: plain httpx GETs of every feed (200s, then 304s) at the same concurrency,
  fastfeedparser's own parse, and SQLite's own executemany of the same rows. Their sum is
  the least a feed can cost in this design, before any of Dateline's own work.

Targets (docs/ingest.md): cold ≥ 300 feeds/s, 304-heavy ≥ 1,000 feeds/s. Machines here are
small and shared: compare runs on the same machine, and read the parser ratio, which moves
least.

    .venv/bin/python bench/ingest.py [--feeds N] [--concurrency N] [--database-url URL]
                                     [--processes N] [--repeat N]

--database-url names an existing, empty database (it is migrated, then filled, then emptied
with TRUNCATE between runs).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

ITEMS = 50
NGINX = "/usr/sbin/nginx"
WORDS = [
    *("storm", "river", "flood", "council", "minister", "rescue", "crews", "bridge"),
    *("harbour", "police", "evacuation", "warning", "rainfall", "closure", "ferry"),
    *("power", "outage", "hospital", "school", "volunteers", "update"),
]


def feed(number: int) -> bytes:
    """Feed `number`: 50 unique items, ~60 KB, the same bytes in both processes."""
    items = []
    for n in range(ITEMS):
        words = " ".join(WORDS[(number * 7 + n * 3 + k) % len(WORDS)] for k in range(60))
        text = f"Feed {number} item {n}: {words}."
        items.append(
            f"<item><title>Feed {number} story {n}</title>"
            f"<link>https://wire{number % 50}.example.org/{number}/story-{n}</link>"
            f"<guid isPermaLink='false'>feed-{number}-item-{n}</guid>"
            f"<pubDate>Sun, 29 Nov 2026 {n % 24:02d}:{n % 60:02d}:00 GMT</pubDate>"
            f"<author>desk@wire.example.org (Wire desk)</author>"
            f"<description>{html.escape(f'<p>{text}</p><p>{text[::-1]}</p>')}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench wire {number}</title><link>https://wire.example.org/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def write_feeds(folder: Path, feeds: int) -> None:
    (folder / "feed").mkdir(parents=True)
    for n in range(feeds):
        (folder / "feed" / str(n)).write_bytes(feed(n))


def nginx_config(folder: Path, port: int) -> str:
    """nginx serves the feed files with its own ETags, and 304 to a matching If-None-Match:
    a server that costs next to nothing, so the figures are the worker's."""
    return f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {folder};
        location /feed/ {{ default_type application/rss+xml; etag on; }}
    }}
}}
"""


def start_server(folder: Path, feeds: int) -> tuple[subprocess.Popen[bytes], str]:
    if not Path(NGINX).exists():
        raise SystemExit("bench/ingest.py needs nginx (make bench installs nginx-light)")
    write_feeds(folder, feeds)
    for readable in (folder.parent, folder, folder / "feed"):
        readable.chmod(0o755)  # nginx's worker may run as nobody
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, port))
    command = [NGINX, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
    return subprocess.Popen(command), f"http://127.0.0.1:{port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit("the feed server did not start")
            try:
                if (await client.get(f"{base}/feed/0")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise SystemExit("the feed server did not answer")


async def seed(database_url: str, base: str, feeds: int) -> tuple[object, object, list[int]]:
    from dateline.config import Settings
    from dateline.db import Database
    from dateline.db.migrate import upgrade
    from dateline.ingest import service
    from dateline.ingest.models import SourceDraft

    settings = Settings(
        database_url=database_url,
        allow_private_sources=True,
        fetch_host_delay_seconds=0,
        fetch_per_host=10_000,  # every feed is on 127.0.0.1: politeness would be the bench
    )
    db = Database(database_url)
    await upgrade(db)
    drafts = [SourceDraft(f"{base}/feed/{n}") for n in range(feeds)]
    report = await service.add_many(db, settings, drafts)
    return db, settings, [source.id for source in report.added]


async def timed_round(
    db: object, settings: object, ids: list[int], concurrency: int, processes: int
) -> float:
    from dateline.ingest.worker import IngestWorker

    tuned = settings.model_copy(  # type: ignore[attr-defined]
        update={"ingest_concurrency": concurrency, "ingest_processes": processes}
    )
    worker = IngestWorker(db, tuned)  # type: ignore[arg-type]
    await worker.warm_up()  # fetch processes start before the clock, as in a running worker
    started = time.perf_counter()
    try:
        tally = await worker.run_round(only=ids)
    finally:
        elapsed = time.perf_counter() - started
        await worker.close()
    if tally.failed:
        print(f"  warning: {len(tally.failed)} fetches failed")
    if sum(tally.updated.values()):
        print(f"  warning: {sum(tally.updated.values())} items updated")
    return elapsed


def parser_medians(samples: int) -> tuple[float, float, float]:
    """Median ms per feed: parse_feed, feedparser, and fastfeedparser alone (parse_feed's
    first step), each on the same documents, interleaved so noise hits all three alike."""
    import fastfeedparser
    import feedparser

    from dateline.ingest.parsers.feeds import parse_feed

    parsers = (
        lambda body: parse_feed(body, "https://wire.example.org/feed"),
        feedparser.parse,
        fastfeedparser.parse,
    )
    timings: list[list[float]] = [[], [], []]
    for body in (feed(n) for n in range(samples)):
        for parse, spent in zip(parsers, timings, strict=True):
            started = time.perf_counter()
            parse(body)
            spent.append(time.perf_counter() - started)
    ours, theirs, fast = (statistics.median(spent) * 1000 for spent in timings)
    return ours, theirs, fast


async def httpx_alone(base: str, feeds: int, concurrency: int) -> tuple[float, float]:
    """Seconds per feed for plain httpx GETs of every feed: 200s, then 304s with ETags.
    No keep-alive, as the SSRF guard's transport (each request connects to the IP it checked)."""
    limits = httpx.Limits(max_keepalive_connections=0, max_connections=concurrency)
    timings = []
    async with httpx.AsyncClient(limits=limits) as client:
        etags: dict[int, str] = {}
        gate = asyncio.Semaphore(concurrency)

        async def get(n: int) -> None:
            headers = {"If-None-Match": etags[n]} if n in etags else {}
            async with gate:
                response = await client.get(f"{base}/feed/{n}", headers=headers)
            etags[n] = response.headers.get("etag", "")

        for _ in ("200", "304"):
            started = time.perf_counter()
            await asyncio.gather(*(get(n) for n in range(feeds)))
            timings.append((time.perf_counter() - started) / feeds)
    return timings[0], timings[1]


def sqlite_alone(samples: int) -> float:
    """Seconds per feed for SQLite's own executemany of a feed's item rows (no SQLAlchemy):
    the same schema, statement and rows (already bound) the worker hands to the driver."""
    import sqlite3

    from sqlalchemy.dialects import sqlite

    from dateline.db import insert_new_for
    from dateline.db.tables import items, utcnow
    from dateline.ingest.parsers.feeds import parse_feed
    from dateline.ingest.store import item_binder, item_rows

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'floor.db'}"
        db, _, ids = asyncio.run(seed(url, "http://127.0.0.1:9", samples))
        binder = item_binder(db)  # type: ignore[arg-type]
        asyncio.run(db.dispose())  # type: ignore[attr-defined]
        moment = utcnow()
        values = [
            row
            for source_id, n in zip(ids, range(samples), strict=True)
            for row in item_rows(binder, source_id, parse_feed(feed(n), "https://x/").items, moment)
        ]
        statement = insert_new_for("sqlite", items).inline()
        insert = str(statement.compile(dialect=sqlite.dialect(), column_keys=list(binder.columns)))
        connection = sqlite3.connect(Path(folder) / "floor.db")
        started = time.perf_counter()
        with connection:
            connection.executemany(insert, values)
        elapsed = time.perf_counter() - started
        connection.close()
    return elapsed / samples


async def rounds(arguments: argparse.Namespace, base: str, server: subprocess.Popen[bytes]) -> None:
    """Cold and 304 rounds, `--repeat` times each on a fresh database, in one process and
    with fetch processes, interleaved so the machine's slow spells hit both alike."""
    await wait_until_up(base, server)
    modes = (0, arguments.processes)
    rates: dict[tuple[int, str], list[float]] = {}
    size = len(feed(0)) / 1000
    for run in range(arguments.repeat):
        for processes in modes:
            with tempfile.TemporaryDirectory() as folder:
                url = arguments.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'b.db'}"
                if arguments.database_url and (run or processes):
                    await empty(url)
                db, settings, ids = await seed(url, base, arguments.feeds)
                if not run and processes == modes[0]:
                    backend = url.split(":")[0]
                    print(f"{len(ids)} feeds of {ITEMS} items (~{size:.0f} KB) on {backend}")
                for kind in ("cold", "304s"):
                    spent = await timed_round(db, settings, ids, arguments.concurrency, processes)
                    rates.setdefault((processes, kind), []).append(len(ids) / spent)
                await db.dispose()  # type: ignore[attr-defined]
    for processes in modes:
        where = f"{processes} fetch processes" if processes else "in one process"
        for kind, target in (("cold", "300"), ("304s", "1,000")):
            runs = rates[(processes, kind)]
            each = ", ".join(f"{rate:.0f}" for rate in runs)
            print(
                f"{kind}, {where}: median {statistics.median(runs):5.0f} feeds/s "
                f"(runs: {each})   target ≥ {target}"
            )
    got, not_modified = await httpx_alone(base, arguments.feeds, arguments.concurrency)
    print(
        f"floor, httpx alone: {got * 1000:.2f} ms a 200 ({1 / got:.0f}/s), "
        f"{not_modified * 1000:.2f} ms a 304 ({1 / not_modified:.0f}/s)"
    )
    FLOORS.update(get=got, not_modified=not_modified)


async def empty(url: str) -> None:
    """Make --database-url empty again for the next cold round."""
    from dateline.db import Database

    db = Database(url)
    async with db.write() as conn:
        await conn.exec_driver_sql("TRUNCATE items, sources CASCADE")
    await db.dispose()


FLOORS: dict[str, float] = {}


def main(arguments: argparse.Namespace) -> None:
    """The feed server (nginx) runs in its own process, so its CPU is not the worker's."""
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(Path(folder) / "www", arguments.feeds)
        try:
            asyncio.run(rounds(arguments, base, server))
        finally:
            server.terminate()
            server.wait(10)
    ours, theirs, fast = parser_medians(arguments.parse_samples)
    print(
        f"parse, median per feed: parse_feed {ours:.2f} ms, feedparser {theirs:.2f} ms "
        f"({theirs / ours:.1f}× slower); fastfeedparser alone {fast:.2f} ms"
    )
    insert = sqlite_alone(arguments.parse_samples) * 1000
    print(f"floor, SQLite's executemany alone: {insert:.2f} ms a feed ({ITEMS} rows)")
    floor = FLOORS["get"] * 1000 + fast + insert
    print(
        f"floor, cold: {floor:.2f} ms a feed ({1000 / floor:.0f} feeds/s) for fetch + "
        f"fastfeedparser + insert, before Dateline's own work; "
        f"304s: {FLOORS['not_modified'] * 1000:.2f} ms ({1 / FLOORS['not_modified']:.0f}/s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--parse-samples", type=int, default=100)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    main(parser.parse_args())
