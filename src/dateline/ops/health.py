"""Is this node ready to serve? The database answers, the broker answers, the schema is current.

Each check has a short deadline, so a load balancer asking during a database restart gets a
quick "no" rather than a hanging request. Checks answer with a code, not prose: what reads
them is a program (a load balancer, a probe), and the log says the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass

from sqlalchemy import text

from dateline.db import Database
from dateline.db.migrate import pending_revision

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]  # check name -> "ok" or what is wrong, as a code

    @property
    def ready(self) -> bool:
        return all(result == "ok" for result in self.checks.values())


async def readiness(db: Database, broker_url: str) -> Readiness:
    database, broker = await asyncio.gather(
        _check("database", _database(db)), _check("broker", _broker(broker_url))
    )
    schema = await _check("schema", _schema(db)) if database == "ok" else "unknown"
    return Readiness({"database": database, "broker": broker, "schema": schema})


async def _check(name: str, probe: Awaitable[str]) -> str:
    try:
        return await asyncio.wait_for(probe, TIMEOUT_SECONDS)
    except TimeoutError:
        log.warning("readiness: %s did not answer in %.0f s", name, TIMEOUT_SECONDS)
        return "timeout"
    except Exception as exc:  # any failure to answer means "not ready", said in the log
        log.warning("readiness: %s unreachable: %s", name, exc)
        return "unreachable"


async def _database(db: Database) -> str:
    async with db.read() as conn:
        await conn.execute(text("SELECT 1"))
    return "ok"


async def _schema(db: Database) -> str:
    return "ok" if await pending_revision(db) is None else "behind"


async def _broker(url: str) -> str:
    """A connection of its own, so a probe never queues behind the node's live traffic."""
    if url.startswith("memory:"):
        return "ok"
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis.asyncio

        client = redis.asyncio.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS)
        try:
            await client.ping()
        finally:
            await client.aclose()
        return "ok"
    import asyncpg

    conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1], timeout=TIMEOUT_SECONDS)
    await conn.close()
    return "ok"
