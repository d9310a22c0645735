"""`dateline source …` and `dateline worker`: follow sources and fetch them from the shell."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import utcnow
from dateline.errors import Invalid
from dateline.i18n import N_
from dateline.i18n import gettext as _
from dateline.ingest import exchange, queries, service
from dateline.ingest.models import Source, SourceDraft
from dateline.ingest.store import Outcome, Tally
from dateline.ingest.worker import IngestWorker
from dateline.jobs import run_job
from dateline.timefmt import relative

STATES = {"ok": N_("ok"), "failing": N_("failing")}  # a source's status, as `source list` says it
source_app = typer.Typer(help="Sources: feeds and pages to follow.", no_args_is_help=True)
console = Console(stderr=True)
T = TypeVar("T")


_run = run_job  # the one runner: settings, database, error exit


@source_app.command("add")
def source_add(
    url: str,
    kind: Annotated[str, typer.Option(help="feed, article or liveblog.")] = "feed",
    interval: Annotated[str, typer.Option(help="How often to fetch: 90s, 5m, 2h, 1d.")] = "",
    blog: Annotated[str, typer.Option(help="Slug of the live blog whose inbox shows it.")] = "",
) -> None:
    """Follow a feed, an article page or another site's live blog."""

    async def work(db: Database, settings: Settings) -> Source:
        seconds = service.parse_interval(interval) if interval else None
        return await service.add_source(db, settings, SourceDraft(url, kind, seconds, blog))

    source = _run(work)
    shown = ", ".join(f"/live/{slug}" for slug in source.blog_slugs)
    facts = {"id": source.id, "kind": source.kind, "minutes": source.interval_seconds // 60 or 1}
    if shown:
        said = _(
            "Following source #%(id)s (%(kind)s) every %(minutes)s min, in the inbox of %(blogs)s."
        )
        console.print(said % {**facts, "blogs": shown})
    else:
        console.print(_("Following source #%(id)s (%(kind)s) every %(minutes)s min.") % facts)


@source_app.command("list")
def source_list() -> None:
    """Show every source with its state: last fetch, next fetch, failures, last error."""

    async def work(db: Database, _: Settings) -> list[Source]:
        async with db.read() as conn:
            return await queries.list_sources(conn)

    table = Table("#", _("Source"), _("Kind"), _("Blog"), _("Status"), _("Last success"))
    for heading in (_("Next fetch"), _("Error")):
        table.add_column(heading)
    moment = utcnow()
    for s in _run(work):
        failures = s.consecutive_failures
        status = _(STATES.get(s.status, s.status))
        if failures:
            status = _("%(status)s, %(count)s failed") % {"status": status, "count": failures}
        table.add_row(
            str(s.id),
            f"{s.name}\n{s.url}",
            s.kind,
            ", ".join(s.blog_slugs),
            status,
            relative(s.last_success_at, moment) if s.last_success_at else _("never"),
            _("due") if s.next_fetch_at <= moment else _in(s, moment),
            s.last_error,
        )
    Console().print(table)


@source_app.command("fetch")
def source_fetch(
    source_id: Annotated[int | None, typer.Argument(help="The source's number.")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Every source.")] = False,
) -> None:
    """Fetch now (one source, or --all), whether due or not, and say what came in."""
    if (source_id is None) == (not all_sources):
        error, hint = _("Error:"), _("Give a source number or --all.")
        console.print(f"[red]{error}[/red] {hint}")
        raise typer.Exit(2)
    names: dict[int, str] = {}

    async def work(db: Database, settings: Settings) -> Tally:
        async with db.read() as conn:
            found = await queries.list_sources(conn)
        chosen = [s for s in found if all_sources or s.id == source_id]
        if not chosen:
            raise Invalid({"source": _("There is no source #%(id)s.") % {"id": source_id}})
        names.update((s.id, s.name) for s in chosen)
        return await _fetch_with_progress(db, settings, [s.id for s in chosen])

    tally = _run(work)
    new, updated = sum(tally.new.values()), sum(tally.updated.values())
    console.print(
        _("Fetched %(sources)s sources: %(new)s new items, %(updated)s updated, %(failed)s failed.")
        % {"sources": len(names), "new": new, "updated": updated, "failed": len(tally.failed)}
    )


async def _fetch_with_progress(db: Database, settings: Settings, ids: Sequence[int]) -> Tally:
    worker = IngestWorker(db, settings)
    with Progress(console=console, transient=False) as progress:
        bar = progress.add_task(_("Fetching"), total=len(ids))

        def advance(outcomes: Sequence[Outcome]) -> None:
            progress.advance(bar, len(outcomes))
            for outcome in outcomes:
                if not outcome.ok:
                    progress.console.print(f"#{outcome.source.id}: {outcome.error}")

        try:
            return await worker.run_round(only=ids, progress=advance)
        finally:
            await worker.close()


@source_app.command("import")
def source_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An OPML file.")],
    blog: Annotated[str, typer.Option(help="Show their items in this blog's inbox.")] = "",
) -> None:
    """Follow every feed listed in an OPML file."""
    data = file.read_bytes()
    report = _run(lambda db, settings: exchange.import_opml(db, settings, data, blog))
    for url, why in report.skipped:
        console.print(_("Skipped %(url)s: %(why)s") % {"url": url, "why": why})
    console.print(
        _("Imported %(added)s feeds; skipped %(skipped)s.")
        % {"added": len(report.added), "skipped": len(report.skipped)}
    )


@source_app.command("export")
def source_export() -> None:
    """Print the feed sources as OPML (to standard output)."""
    text = _run(lambda db, settings: exchange.export_opml(db, f"{settings.site_name} sources"))
    sys.stdout.write(text)


def worker(
    processes: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=64,
            help="Fetch processes (DATELINE_INGEST_PROCESSES); up to the number of cores.",
        ),
    ] = None,
) -> None:
    """Fetch sources and send webhooks, without serving pages: one per machine, using its
    cores through --processes; machines share the sources through leases."""
    from dateline.distribution.webhook_worker import WebhookWorker

    async def work(db: Database, settings: Settings) -> None:
        if processes is not None:
            settings = settings.model_copy(update={"ingest_processes": processes})
        workers: list[IngestWorker | WebhookWorker] = [
            IngestWorker(db, settings),
            WebhookWorker(db, settings),
        ]
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        for running in workers:
            await running.start()
        if settings.ingest_processes:
            running_as = _(
                "Worker running (%(count)s fetch processes): fetching sources and sending "
                "webhooks. Ctrl-C stops it."
            ) % {"count": settings.ingest_processes}
        else:
            running_as = _(
                "Worker running (one process): fetching sources and sending webhooks. "
                "Ctrl-C stops it."
            )
        console.print(running_as)
        try:
            await stop.wait()
        finally:
            for running in reversed(workers):
                await running.stop()
        console.print(_("Worker stopped; unfinished fetches were handed back."))

    _run(work)


def _in(source: Source, moment: datetime) -> str:
    seconds = int((source.next_fetch_at - moment).total_seconds())
    if seconds >= 60:
        return _("in %(count)s min") % {"count": seconds // 60}
    return _("in %(count)s s") % {"count": seconds}
