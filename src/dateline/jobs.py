"""The one runner of command-line jobs: settings from the environment, a database for the
job's length, and a service's refusal turned into a message and exit code 1.

Its own module so that every package's commands (cli.py, ingest/commands.py) share it
without importing the CLI, which imports them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from dateline.config import Settings
from dateline.db import Database
from dateline.errors import DatelineError
from dateline.i18n import gettext as _

console = Console(stderr=True)
T = TypeVar("T")


def run_job(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    """Run one async job against the configured database; service errors become exit code 1."""
    settings = Settings()

    async def main() -> T:
        db = Database(settings.database_url, settings.sqlite_synchronous)
        try:
            return await work(db, settings)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except DatelineError as exc:
        error = _("Error:")  # outside the f-string, where the extractor can see it
        console.print(f"[red]{error}[/red] {exc.message}")
        raise typer.Exit(1) from exc
