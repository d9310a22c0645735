"""Login throttling: growing delays after failed logins, per account and per address.

Counting per account stops guessing one editor's password from many addresses; counting per
address stops one address trying many accounts. After `free` failures a key is locked for
1 s, then 2 s, 4 s … up to 15 minutes per further failure. While locked, no password is even
checked, and the answer is the same whether the account exists or not. The counts live in the
database, so every web node sees them; a success clears the account's count, and counts older
than a day are forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.config import Settings
from dateline.db import Database, insert_new
from dateline.db.tables import login_throttle, utcnow
from dateline.errors import DatelineError

MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    free_per_account: int = 5
    free_per_address: int = 20

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            settings.login_free_failures_per_account, settings.login_free_failures_per_address
        )


class TooManyAttempts(DatelineError):
    status = 429

    def __init__(self, wait: timedelta) -> None:
        seconds = max(1, round(wait.total_seconds()))
        super().__init__(f"Too many failed logins. Wait {seconds} seconds before trying again.")
        self.retry_after = seconds


def keys(email: str, ip: str) -> tuple[str, str]:
    return f"email:{email.strip().lower()[:254]}", f"ip:{ip[:45]}"


async def check(db: Database, email: str, ip: str, now: datetime | None = None) -> None:
    """Raise TooManyAttempts while the account or the address is locked."""
    now = now or utcnow()
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(login_throttle.c.locked_until).where(
                    login_throttle.c.key.in_(keys(email, ip)),
                    login_throttle.c.locked_until > now,
                )
            )
        ).scalars()
        latest = max(rows, default=None)
    if latest is not None:
        raise TooManyAttempts(latest - now)


async def failed(
    db: Database, email: str, ip: str, policy: Policy, now: datetime | None = None
) -> None:
    now = now or utcnow()
    account, address = keys(email, ip)
    async with db.write() as conn:
        await _count(conn, account, policy.free_per_account, now)
        await _count(conn, address, policy.free_per_address, now)


async def succeeded(db: Database, email: str) -> None:
    account, _ = keys(email, "")
    async with db.write() as conn:
        await conn.execute(delete(login_throttle).where(login_throttle.c.key == account))


async def _count(conn: AsyncConnection, key: str, free: int, now: datetime) -> None:
    """One more failure for the key; locked rows keep concurrent failures from being lost."""
    await conn.execute(
        insert_new(conn, login_throttle).values(key=key, failures=0, last_failure_at=now)
    )
    query = select(login_throttle).where(login_throttle.c.key == key).with_for_update()
    row = (await conn.execute(query)).one()
    recent = now - row.last_failure_at < FORGET_AFTER
    failures = row.failures + 1 if recent else 1
    locked_until = now + delay(failures, free) if failures > free else None
    await conn.execute(
        update(login_throttle)
        .where(login_throttle.c.key == key)
        .values(failures=failures, last_failure_at=now, locked_until=locked_until)
    )


def delay(failures: int, free: int) -> timedelta:
    """1 s after the first failure past the free ones, doubling each time, at most 15 min."""
    return min(timedelta(seconds=2 ** min(failures - free - 1, 20)), MAX_DELAY)
