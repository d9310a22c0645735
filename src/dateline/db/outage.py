"""Is this error "the database cannot be reached just now"? Then a request gets 503, not 500.

A PostgreSQL restart, a failover or a cut network shows up as a refused or reset connection,
a server that will not take connections yet ("the database system is starting up"), a
connection closed by an administrator's shutdown, or a timeout. None of them is a bug in
Dateline and none needs Dateline restarted: the request may simply be tried again, and the
pool opens fresh connections by itself once the server is back (`pool_pre_ping`).

The driver's exceptions are recognised by their SQLSTATE codes, not their classes, so this
module imports no driver.
"""

from __future__ import annotations

import errno
import socket

from sqlalchemy import exc as sa

# What the web layer registers its handler for; `is_unavailable` then decides.
KINDS: tuple[type[Exception], ...] = (OSError, sa.DBAPIError, sa.TimeoutError)

# SQLSTATE class 08 (connection exception), and the server going down or not up yet.
_CONNECTION_CLASS = "08"
_SHUTTING_DOWN = {"57P01", "57P02", "57P03", "53300"}  # + too many connections
_NETWORK_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ETIMEDOUT,
    errno.EPIPE,
}


def is_unavailable(error: BaseException) -> bool:
    """Whether `error`, or one it was raised from, says the database is out of reach."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if _says_unreachable(link):
            return True
        original = getattr(link, "orig", None)  # SQLAlchemy's wrapper around the driver's
        link = original if isinstance(original, BaseException) else link.__cause__
    return False


def _says_unreachable(error: BaseException) -> bool:
    if isinstance(error, TimeoutError | sa.TimeoutError):  # connect, or waiting for the pool
        return True
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, socket.gaierror):  # the database's host name does not resolve
        return True
    if isinstance(error, OSError) and error.errno in _NETWORK_ERRNOS:
        return True
    state = getattr(error, "sqlstate", None)
    return isinstance(state, str) and (
        state.startswith(_CONNECTION_CLASS) or state in _SHUTTING_DOWN
    )
