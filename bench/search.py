"""Search at scale: two-word queries over 200,000 documents, what indexing costs a publish,
and how large the index is. A benchmark that prints figures.

A fresh database gets `--docs` documents, half live-blog updates and half followed items,
half of each German: made-up sentences over a small newsroom vocabulary (Zipf-weighted, so
some words are everywhere and some rare, as in news). `dateline search reindex`'s code
indexes them (the rate is printed). Then:

- `--queries` two-word queries through the real search service (an admin's, who sees
  every kind; snippets included): median and p99 milliseconds;
- `--publishes` publishes through the real service with the index kept in the transaction,
  alternating with the same number without it: median of each and their ratio;
- the index's size: SQLite's FTS5 table and search_docs (dbstat), PostgreSQL's search_docs
  with its GIN index (pg_total_relation_size).

SQLite always; PostgreSQL too when DATELINE_TEST_DATABASE_URL is set (a scratch database
is created on that server and dropped afterwards).

    .venv/bin/python bench/search.py [--docs N] [--queries N] [--publishes N] [--dir PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import insert, text

from dateline.accounts.service import User, create_user
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.db.tables import blogs, items, sources, updates
from dateline.liveblog import service
from dateline.liveblog.models import UpdateDraft
from dateline.search import index
from dateline.search.service import Search, search

# Words of our own choosing, the commonest first.
ENGLISH_TEXT = (
    "the of and to in a on for with at by from is was said has have after over more police "
    "city government minister talks ceasefire election vote votes results counting rain flood "
    "floods river bridge road closed rescue crews hospital injured killed army troops border "
    "border crossing aid convoy port harbour fire storm wind warning schools shut power "
    "outage council mayor president parliament court judge trial verdict strike union workers "
    "train trains station airport flights delayed cancelled evacuation residents shelter "
    "water supply prices fuel market protest march crowd square statement spokesman "
    "negotiators delegation agreement deal sanctions drone missile attack sirens damage "
    "repairs engineers inspection report investigation witnesses footage arrested released"
)
GERMAN_TEXT = (
    "der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch es "
    "an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über "
    "regierung minister verhandlungen verhandlung waffenruhe wahl stimmen ergebnisse regen "
    "hochwasser fluss brücke straße gesperrt rettung einsatzkräfte krankenhaus verletzte "
    "armee truppen grenze hilfe konvoi hafen feuer sturm warnung schulen geschlossen strom "
    "stromausfall stadtrat bürgermeister präsident parlament gericht richter prozess urteil "
    "streik gewerkschaft züge bahnhof flughafen flüge verspätet evakuierung bewohner "
    "notunterkunft wasserversorgung preise treibstoff markt protest demonstration menge platz "
    "erklärung sprecher delegation abkommen sanktionen drohne rakete angriff sirenen schäden "
    "reparaturen ingenieure prüfung bericht ermittlungen zeugen aufnahmen festgenommen"
)
PLACES_TEXT = "Ashford Brookfield Sallowmere Zürich Genf Kiew Odesa Harwick Lindau Marlow"
SYLLABLES_TEXT = "ka lo mer tin sa vor bel dun ri gan tho wes al ber cor fa nil or pe stra hum"
SYLLABLES = SYLLABLES_TEXT.split()
ENDINGS = {"en": ("", "s", "ed", "ing", "er"), "de": ("", "en", "ung", "ungen", "er", "e")}


def made_up_words(language: str, count: int, seed: int) -> list[str]:
    """`count` distinct invented words with the language's endings (stemming has work)."""
    rng, found = random.Random(seed), dict[str, None]()
    while len(found) < count:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        found[stem + rng.choice(ENDINGS[language])] = None
    return list(found)


# A newsroom's vocabulary is large: the real words above are its commonest, invented ones
# the long tail (Zipf-weighted below), so a query's words occur in few documents, as in news.
ENGLISH = ENGLISH_TEXT.split() + made_up_words("en", 20_000, 1)
GERMAN = GERMAN_TEXT.split() + made_up_words("de", 20_000, 2)
PLACES = PLACES_TEXT.split() + [word.capitalize() for word in made_up_words("en", 500, 3)]
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def sentence_maker(seed: int) -> Callable[[list[str], int], str]:
    """Made-up text: `n` words drawn Zipf-like from a vocabulary, and a place (Zipf-like too)."""
    rng = random.Random(seed)
    weights: dict[int, list[float]] = {}

    def zipf(vocabulary: list[str], k: int) -> list[str]:
        cumulative = weights.get(id(vocabulary))
        if cumulative is None:
            cumulative = list(accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
            weights[id(vocabulary)] = cumulative
        return rng.choices(vocabulary, cum_weights=cumulative, k=k)

    def make(vocabulary: list[str], n: int) -> str:
        chosen = zipf(vocabulary, n)
        chosen[rng.randrange(n)] = zipf(PLACES, 1)[0]
        return " ".join(chosen).capitalize() + "."

    return make


async def load(db: Database, docs: int, seed: int = 7) -> User:
    """`docs` documents: half updates over 40 blogs, half items of one source; half German."""
    admin = await create_user(db, "bench@example.org", "bench password", "admin", "Bench")
    make, rng = sentence_maker(seed), random.Random(seed)
    async with db.write() as conn:
        for n in range(40):
            language = "de" if n % 2 else "en"
            await conn.execute(insert(blogs).values(**_blog(n, language)))
        await conn.execute(insert(sources).values(**_source()))
    half = docs // 2
    for start in range(0, half, 5000):
        rows_u, rows_i = [], []
        for n in range(start, min(start + 5000, half)):
            german = n % 2 == 1
            vocabulary = GERMAN if german else ENGLISH
            at = NOW - timedelta(minutes=rng.randrange(365 * 24 * 60))
            body = " ".join(make(vocabulary, rng.randint(8, 20)) for _ in range(3))
            rows_u.append(
                _update(n, 2 * (n % 20) + (1 if german else 2), at, body, make, vocabulary)
            )
            rows_i.append(_item(n, "de" if german else "en", at, body[::-1], make, vocabulary))
        async with db.write() as conn:
            await conn.execute(insert(updates), rows_u)
            await conn.execute(insert(items), rows_i)
    return admin


def _blog(n: int, language: str) -> dict[str, Any]:
    return {
        "slug": f"blog-{n}",
        "title": f"Blog {n}",
        "standfirst": "",
        "category": "World",
        "time_zone": "UTC",
        "language": language,
        "status": "live",
        "coverage_start": NOW - timedelta(days=400),
        "created_at": NOW - timedelta(days=400),
        "updated_at": NOW,
        "recap_items": [],
        "last_seq": 0,
    }


def _source() -> dict[str, Any]:
    url = "https://wire.example.org/feed.rss"
    return {
        "url": url,
        "canonical_url": url,
        "kind": "feed",
        "next_fetch_at": NOW,
        "created_at": NOW,
    }


def _update(
    n: int, blog_id: int, at: datetime, body: str, make: Any, vocabulary: list[str]
) -> dict[str, Any]:
    return {
        "blog_id": blog_id,
        "author_name": "Bench",
        "published_at": at,
        "headline": make(vocabulary, 5).rstrip("."),
        "body": body,
        "body_html": f"<p>{body}</p>",
        "body_text": body,
    }


def _item(
    n: int, language: str, at: datetime, scrambled: str, make: Any, vocabulary: list[str]
) -> dict[str, Any]:
    text_ = " ".join(make(vocabulary, 15) for _ in range(6))
    url = f"https://wire.example.org/story-{n}"
    return {
        "source_id": 1,
        "url": url,
        "canonical_url": url,
        "content_hash": hashlib.sha256(url.encode()).hexdigest(),
        "title": make(vocabulary, 7).rstrip("."),
        "summary": "",
        "text": text_,
        "language": language,
        "published_at": at,
        "first_seen_at": at,
        "listed_at": at,
    }


def queries(count: int, seed: int = 11) -> list[str]:
    """Two-word queries: a word of a vocabulary's middle (ranks 100 to 3,000) and a place or
    another such word, as people search news ("Waffenruhe Kiew")."""
    rng = random.Random(seed)
    found = []
    for n in range(count):
        middle = (GERMAN if n % 2 else ENGLISH)[100:3000]
        found.append(f"{rng.choice(middle)} {rng.choice(PLACES[:100] + middle)}")
    return found


async def query_times(db: Database, admin: User, count: int) -> list[float]:
    times = []
    for typed in queries(count):
        started = time.perf_counter()
        await search(db, Search(q=typed), admin, now=NOW)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def publish_times(db: Database, admin: User, count: int) -> tuple[list[float], list[float]]:
    """Milliseconds of publishes with the index kept, and without (alternating)."""
    keep = index.refresh

    async def skip(*_: object) -> None:
        return None

    with_index, without = [], []
    for n in range(count):
        for indexed, found in ((True, with_index), (False, without)):
            index.refresh = keep if indexed else skip  # type: ignore[assignment]
            draft = UpdateDraft(
                f"Crews reached Sallowmere at dawn, update {n}: the river is falling."
            )
            started = time.perf_counter()
            await service.post_update(db, "blog-0", draft, admin)
            found.append((time.perf_counter() - started) * 1000)
    index.refresh = keep  # type: ignore[assignment]
    return with_index, without


async def index_size(db: Database) -> int:
    async with db.read() as conn:
        if db.is_sqlite:
            size = (  # the FTS5 table's shadow tables, search_docs and its indexes
                "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%' "
                "OR name LIKE 'ix_search%' OR name LIKE 'sqlite_autoindex_search%'"
            )
        else:
            size = "SELECT pg_total_relation_size('search_docs')"
        return int(await conn.scalar(text(size)) or 0)


async def run(name: str, db: Database, args: argparse.Namespace) -> None:
    await upgrade(db)
    started = time.perf_counter()
    admin = await load(db, args.docs)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    indexed = await index.rebuild(db)
    took = time.perf_counter() - started
    ms = sorted(await query_times(db, admin, args.queries))
    with_index, without = await publish_times(db, admin, args.publishes)
    size = await index_size(db)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    ratio = statistics.median(with_index) / statistics.median(without)
    print(f"{name}: {indexed} documents (loaded in {loaded:.0f} s), indexed in {took:.0f} s "
          f"({indexed / took:.0f} documents/s)")  # fmt: skip
    print(f"  two-word query ({len(ms)}): p50 {statistics.median(ms):6.1f} ms   p99 {p99:6.1f} ms")
    print(f"  publish ({args.publishes} each): with index {statistics.median(with_index):6.2f} ms"
          f"   without {statistics.median(without):6.2f} ms   ratio {ratio:.3f}")  # fmt: skip
    print(f"  index size: {size / 1e6:.1f} MB ({size / max(indexed, 1):.0f} bytes a document)")


@asynccontextmanager
async def postgres(url: str) -> AsyncIterator[Database]:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = url[len(prefix) :]
    server, name = url.rsplit("/", 1)[0], "dateline_bench_search"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(f"postgresql://{server}/postgres")
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin(f"CREATE DATABASE {name}")
    db = Database(f"postgresql+asyncpg://{server}/{name}")
    try:
        yield db
    finally:
        await db.dispose()
        await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def main(args: argparse.Namespace, folder: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{folder / 'search.sqlite3'}")
    try:
        await run("SQLite", db, args)
    finally:
        await db.dispose()
    url = os.environ.get("DATELINE_TEST_DATABASE_URL", "")
    if url:
        async with postgres(url) as pg:
            await run("PostgreSQL", pg, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--publishes", type=int, default=100)
    parser.add_argument("--dir", type=Path, default=Path("var"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        asyncio.run(main(args, Path(scratch)))
