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
from dateline.i18n import N_, ngettext
from dateline.i18n import gettext as _
from dateline.ingest import exchange, present, queries, service
from dateline.ingest.fetch import FetchError
from dateline.ingest.models import Source, SourceDraft
from dateline.ingest.parsers.parse import guess_kind
from dateline.ingest.reading import make_fetcher
from dateline.ingest.store import Outcome, Tally
from dateline.ingest.worker import IngestWorker
from dateline.jobs import run_job
from dateline.timefmt import relative

source_app = typer.Typer(help=N_("Sources: feeds and pages to follow."), no_args_is_help=True)
console = Console(stderr=True)
T = TypeVar("T")


_run = run_job  # the one runner: settings, database, error exit


@source_app.command("add", help=N_("Follow a feed, an article page or another site's live blog."))
def source_add(
    url: str,
    kind: Annotated[
        str, typer.Option(help=N_("feed, article or liveblog; by default, what the page is."))
    ] = "",
    interval: Annotated[str, typer.Option(help=N_("How often to fetch: 90s, 5m, 2h, 1d."))] = "",
    blog: Annotated[str, typer.Option(help=N_("Slug of the live blog whose inbox shows it."))] = "",
) -> None:
    async def work(db: Database, settings: Settings) -> Source:
        seconds = service.parse_interval(interval) if interval else None
        found = kind or await _detected_kind(settings, url)
        return await service.add_source(db, settings, SourceDraft(url, found, seconds, blog))

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


async def _detected_kind(settings: Settings, url: str) -> str:
    """The kind the page shows it is, read as the worker reads it (`guess_kind`: a feed, a
    live blog, else an article); a feed, as before, when it cannot be fetched now."""
    fetcher = make_fetcher(settings)
    try:
        result = await fetcher.fetch(url.strip())
    except FetchError:
        return "feed"
    finally:
        await fetcher.aclose()
    return guess_kind(result.content_type, result.body)


@source_app.command(
    "list",
    help=N_("Show every source with its state: last fetch, next fetch, failures, last error."),
)
def source_list() -> None:
    async def work(db: Database, _: Settings) -> list[Source]:
        async with db.read() as conn:
            return await queries.list_sources(conn)

    table = Table("#", _("Source"), _("Kind"), _("Blog"), _("Status"), _("Last success"))
    for heading in (_("Next fetch"), _("Error")):
        table.add_column(heading)
    moment = utcnow()
    for s in _run(work):
        failures = s.consecutive_failures
        status = present.state_words(s)  # the words of the sources page
        if failures:
            in_a_row = ngettext(
                "%(status)s (%(count)s failure in a row)",
                "%(status)s (%(count)s failures in a row)",
                failures,
            )
            status = in_a_row % {"status": status, "count": failures}
        table.add_row(
            str(s.id),
            f"{s.name}\n{s.url}",
            s.kind,
            ", ".join(s.blog_slugs),
            status,
            relative(s.last_success_at, moment) if s.last_success_at else _("never"),
            _("due") if s.next_fetch_at <= moment else _in(s, moment),
            s.error,
        )
    Console().print(table)


@source_app.command(
    "fetch", help=N_("Fetch now (one source, or --all), whether due or not, and say what came in.")
)
def source_fetch(
    source_id: Annotated[int | None, typer.Argument(help=N_("The source's number."))] = None,
    all_sources: Annotated[bool, typer.Option("--all", help=N_("Every source."))] = False,
) -> None:
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
                    progress.console.print(f"#{outcome.source.id}: {outcome.said_error}")

        try:
            return await worker.run_round(only=ids, progress=advance)
        finally:
            await worker.close()


@source_app.command("import", help=N_("Follow every feed listed in an OPML file."))
def source_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=N_("An OPML file."))],
    blog: Annotated[str, typer.Option(help=N_("Show their items in this blog's inbox."))] = "",
) -> None:
    data = file.read_bytes()
    report = _run(lambda db, settings: exchange.import_opml(db, settings, data, blog))
    for url, why in report.skipped:
        console.print(_("Skipped %(url)s: %(why)s") % {"url": url, "why": why})
    console.print(
        _("Imported %(added)s feeds; skipped %(skipped)s.")
        % {"added": len(report.added), "skipped": len(report.skipped)}
    )


@source_app.command("export", help=N_("Print the feed sources as OPML (to standard output)."))
def source_export() -> None:
    text = _run(lambda db, settings: exchange.export_opml(db, f"{settings.site_name} sources"))
    sys.stdout.write(text)


WORKER_HELP = N_(
    "Fetch sources, place stories, read facts and send webhooks, without serving pages: one"
    " per machine, using its cores through --processes; machines share the work through leases"
    " and locks."
)


def worker(
    processes: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=64,
            help=N_("Fetch processes (DATELINE_INGEST_PROCESSES); up to the number of cores."),
        ),
    ] = None,
) -> None:
    from dateline.distribution.webhook_worker import WebhookWorker
    from dateline.facts.worker import FactsWorker
    from dateline.stories.worker import StoriesWorker

    async def work(db: Database, settings: Settings) -> None:
        if processes is not None:
            settings = settings.model_copy(update={"ingest_processes": processes})
        # The background work `dateline serve` does beside its pages, without the pages.
        workers: list[IngestWorker | WebhookWorker | StoriesWorker | FactsWorker] = [
            IngestWorker(db, settings),
            WebhookWorker(db, settings),
            StoriesWorker(db, settings),
            FactsWorker(db),
        ]
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        for running in workers:
            await running.start()
        if settings.ingest_processes:
            running_as = _(
                "Worker running (%(count)s fetch processes): fetching sources, placing "
                "stories, reading facts and sending webhooks. Ctrl-C stops it."
            ) % {"count": settings.ingest_processes}
        else:
            running_as = _(
                "Worker running (one process): fetching sources, placing stories, reading "
                "facts and sending webhooks. Ctrl-C stops it."
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
