"""`dateline search …`: rebuild the search index from the shell."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import Progress

from dateline.config import Settings
from dateline.db import Database
from dateline.i18n import N_, ngettext
from dateline.i18n import gettext as _
from dateline.jobs import run_job
from dateline.search.index import rebuild

search_app = typer.Typer(help=N_("Full-text search."), no_args_is_help=True)
console = Console(stderr=True)


@search_app.command("reindex", help=N_("Index every update, draft, followed item and story again."))
def reindex() -> None:
    """After a restore, or when the stemming changed. Publishing goes on meanwhile."""

    async def work(db: Database, _settings: Settings) -> int:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(_("Indexing"), total=None)
            return await rebuild(db, lambda n: progress.advance(task, n))

    indexed = run_job(work)
    said = ngettext("Indexed %(count)s document.", "Indexed %(count)s documents.", indexed)
    console.print(said % {"count": indexed})
