"""`dateline stories …`: put items in stories from the shell."""

from __future__ import annotations

import typer
from rich.console import Console

from dateline.config import Settings
from dateline.db import Database
from dateline.i18n import gettext as _
from dateline.jobs import run_job
from dateline.stories.assign import Assigner

stories_app = typer.Typer(
    help="Stories: items of many sources about one event.", no_args_is_help=True
)
console = Console(stderr=True)


@stories_app.command("update")
def update() -> None:
    """Put every item that is in no story yet into one, then return."""

    async def work(db: Database, settings: Settings) -> int:
        return await Assigner(db, settings).run()

    placed = run_job(work)
    console.print(_("Placed %(count)s items in stories.") % {"count": placed})
