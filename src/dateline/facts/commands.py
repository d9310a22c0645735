"""`dateline facts …`: build the gazetteer, and read the facts of a text from the shell."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dateline.config import Settings
from dateline.db import Database
from dateline.facts import gazetteer
from dateline.facts.extract import extract
from dateline.facts.worker import FactsExtractor
from dateline.i18n import gettext as _
from dateline.jobs import run_job

facts_app = typer.Typer(
    help="Facts: casualties, exchanges and ceasefires in text.", no_args_is_help=True
)
console = Console(stderr=True)


@facts_app.command("index")
def index() -> None:
    """Build the offline gazetteer file from GeoNames (once; later starts reuse it)."""
    path = gazetteer.default_path()
    places = gazetteer.build(path)
    console.print(_("Indexed %(count)s places into %(path)s.") % {"count": places, "path": path})


@facts_app.command("update")
def update() -> None:
    """Read the facts of every published update and stored item not read yet, then return."""

    async def work(db: Database, settings: Settings) -> int:
        return await FactsExtractor(db).run()

    done = run_job(work)
    console.print(_("Read the facts of %(count)s updates and items.") % {"count": done})


@facts_app.command("extract")
def extract_command(
    file: Annotated[
        str, typer.Argument(metavar="FILE|-", help="A text file, or - for standard input.")
    ] = "-",
    lang: Annotated[str | None, typer.Option(help="en or de; detected when left out.")] = None,
    published_at: Annotated[
        str | None, typer.Option(help="When the text was published (ISO 8601).")
    ] = None,
) -> None:
    """Print the facts of a text as JSON (the shape of POST /api/v1/facts/extract)."""
    text = sys.stdin.read() if file == "-" else _read(Path(file))
    facts = extract(text, lang, _when(published_at))
    typer.echo(json.dumps(facts.to_json(), ensure_ascii=False, indent=2))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        console.print(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error})
        raise typer.Exit(2) from error


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        published = datetime.fromisoformat(value)
    except ValueError as error:
        console.print(_("Give a date and time like 2025-06-03T09:00:00+00:00."))
        raise typer.Exit(2) from error
    return published if published.tzinfo else published.replace(tzinfo=UTC)
