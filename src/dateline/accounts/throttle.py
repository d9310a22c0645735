"""Login throttling: growing delays after failed logins, per account and per address.

Counting per account stops guessing one editor's password from many addresses; counting per
address stops one address trying many accounts. After `free` failures a key is locked for
1 s, then 2 s, 4 s … up to 15 minutes per further failure. While locked, no password is even
checked, and the answer is the same whether the account exists or not. The counts live in the
database, so every web node sees them; a success clears the count it was charged to, and
counts older than a day are forgotten.

The per-account count is shared only by browsers the account does not know. A browser that
logged into it before (devices.py: a signed cookie) has a count of its own, with the same
limits, so failing on purpose from many addresses locks strangers out, never the owner. An
IPv6 address counts by its /64: one subscriber gets a whole /64 and can pick a new address in
it for every guess, as they cannot with IPv4.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.config import Settings
from dateline.db import Database, insert_new
from dateline.db.tables import login_throttle, utcnow
from dateline.errors import DatelineError
from dateline.i18n import gettext as _

MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    """The limits, and the clock they are measured by (tests pass one they move by hand)."""

    free_per_account: int = 5
    free_per_address: int = 20
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            settings.login_free_failures_per_account, settings.login_free_failures_per_address
        )


class TooManyAttempts(DatelineError):
    status = 429

    def __init__(self, wait: timedelta) -> None:
        seconds = max(1, round(wait.total_seconds()))
        super().__init__(
            _("Too many failed password attempts. Wait %(seconds)s seconds before trying again.")
            % {"seconds": seconds}
        )
        self.retry_after = seconds


def _keys(email: str, ip: str | None, device: str | None, policy: Policy) -> list[tuple[str, int]]:
    """(key, free failures) to count: the account (or, for a browser it knows, that browser),
    and the address when there is one."""
    account = f"device:{device}" if device else f"email:{email.strip().lower()[:254]}"
    found = [(account, policy.free_per_account)]
    if ip is not None:
        found.append((f"ip:{address_key(ip)}", policy.free_per_address))
    return found


def address_key(ip: str) -> str:
    """What one address counts as: an IPv4 address itself, an IPv6 address its /64 (an
    IPv4-mapped one its IPv4 address); anything unparsable as it is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:45]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


async def attempt(
    db: Database,
    email: str,
    ip: str | None,
    device: str | None,
    policy: Policy,
) -> None:
    """Before a password is checked: refuse while the account (or this known browser, see
    `_keys`) or the address is locked, else
    count this attempt as a failure now. Counting first, under row locks in one transaction,
    means a burst of parallel guesses is counted one by one and stopped at the limit, rather
    than all passing a check made before any of them failed. `succeeded` takes it back."""
    now = policy.clock()
    counted = _keys(email, ip, device, policy)
    async with db.write() as conn:
        rows = [await _locked_row(conn, key, now) for key, _ in counted]
        until = max(
            (r.locked_until for r in rows if r.locked_until and r.locked_until > now), default=None
        )
        if until is not None:
            raise TooManyAttempts(until - now)
        for row, (key, free) in zip(rows, counted, strict=True):
            recent = now - row.last_failure_at < FORGET_AFTER
            failures = row.failures + 1 if recent else 1
            locked_until = now + delay(failures, free) if failures > free else None
            await conn.execute(
                update(login_throttle)
                .where(login_throttle.c.key == key)
                .values(failures=failures, last_failure_at=now, locked_until=locked_until)
            )


async def succeeded(
    db: Database, email: str, ip: str | None, device: str | None, policy: Policy
) -> None:
    """The password was right: forget the failures of the count it was charged to (a known
    browser's success leaves strangers' count standing), and give the address back the attempt
    `attempt` counted (its other failures stand)."""
    account, *address = _keys(email, ip, device, policy)
    async with db.write() as conn:
        await conn.execute(delete(login_throttle).where(login_throttle.c.key == account[0]))
        for key, free in address:
            row = await _locked_row(conn, key, policy.clock())
            failures = max(row.failures - 1, 0)
            locked = row.locked_until if failures > free else None
            await conn.execute(
                update(login_throttle)
                .where(login_throttle.c.key == key)
                .values(failures=failures, locked_until=locked)
            )


async def _locked_row(conn: AsyncConnection, key: str, now: datetime) -> Any:
    """The key's row, created when missing, locked until commit (PostgreSQL; SQLite's single
    writer already serialises)."""
    await conn.execute(
        insert_new(conn, login_throttle).values(key=key, failures=0, last_failure_at=now)
    )
    query = select(login_throttle).where(login_throttle.c.key == key).with_for_update()
    return (await conn.execute(query)).one()


def delay(failures: int, free: int) -> timedelta:
    """1 s after the first failure past the free ones, doubling each time, at most 15 min."""
    return min(timedelta(seconds=2 ** min(failures - free - 1, 20)), MAX_DELAY)
