"""A clock that stands still until a test moves it, for code that takes its time from a
callable: tests of delays then assert exact waits and never depend on the machine's speed."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateline.db.tables import utcnow


class FrozenClock:
    def __init__(self, moment: datetime | None = None) -> None:
        self.moment = moment or utcnow()

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **amount: float) -> None:
        """Move on by `timedelta(**amount)`, e.g. `advance(seconds=2)`."""
        self.moment += timedelta(**amount)
