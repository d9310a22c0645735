"""The `dateline` command: serve, db upgrade, demo, user, token, config, blog."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from dateline import i18n
from dateline.accounts import service as accounts
from dateline.config import Settings, describe, markdown_reference
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.i18n import gettext as _
from dateline.i18n import ngettext
from dateline.ingest.commands import source_app
from dateline.ingest.commands import worker as worker_command
from dateline.jobs import run_job

app = typer.Typer(help="Dateline: self-hosted live news coverage.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Newsroom accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
config_app = typer.Typer(help="Settings.", no_args_is_help=True)
blog_app = typer.Typer(help="Export and import live blogs.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(config_app, name="config")
app.add_typer(blog_app, name="blog")
app.add_typer(source_app, name="source")
console = Console(stderr=True)
T = TypeVar("T")


_run = run_job  # the one runner (jobs.py), shared with the commands of other packages


@app.callback()
def speak_the_locale(context: typer.Context) -> None:
    """Runs around every command: what the CLI prints speaks the operator's locale (LC_ALL,
    LC_MESSAGES, LANG) until the command ends. The help texts stay English: typer reads them
    at import time."""
    context.with_resource(i18n.using(i18n.from_environment()))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the site, the editor pages and the API."""
    from dateline.serving import serve as run_server

    run_server(Settings(), host, port)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    _run(lambda db, _: upgrade(db))
    console.print(_("Database schema is up to date."))


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option(help="Only when the database has no blog.")] = False,
) -> None:
    """Load the demo live blog (fictional Storm Idris coverage)."""
    from dateline.liveblog import queries
    from dateline.liveblog.demo import load_demo

    async def work(db: Database, settings: Settings) -> str | None:
        if if_empty:
            async with db.read() as conn:
                if await queries.list_blogs(conn):
                    return None
        return await load_demo(db, settings)

    slug = _run(work)
    if slug:
        console.print(_("Demo live blog ready at /live/%(slug)s") % {"slug": slug})


@user_app.command("create")
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help="admin, editor or contributor.")] = "editor",
    name: Annotated[str, typer.Option(help="Name shown on updates.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a newsroom account."""
    password = _read_password(password_stdin)
    user = _run(lambda db, _: accounts.create_user(db, email, password, role, name))
    console.print(_("Created %(role)s %(email)s.") % {"role": user.role, "email": user.email})


@user_app.command("invite")
def user_invite(
    email: str,
    role: Annotated[str, typer.Option(help="admin, editor or contributor.")] = "editor",
) -> None:
    """Print a one-time link (valid 48 hours) with which the person sets their password."""
    from dateline.accounts import invites

    async def work(db: Database, settings: Settings) -> str:
        _, token = await invites.invite(db, None, email, role)
        return f"{settings.base_url.rstrip('/')}/invite/{token}"

    typer.echo(_run(work))


@user_app.command("password")
def user_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (for a forgotten or stolen one), sign them out everywhere and
    revoke their API tokens."""
    password = _read_password(password_stdin)
    revoked = _run(lambda db, _: accounts.set_password(db, email, password))
    done = ngettext(
        "Password set for %(email)s; signed out everywhere, %(count)s API token revoked.",
        "Password set for %(email)s; signed out everywhere, %(count)s API tokens revoked.",
        revoked,
    )
    console.print(done % {"email": email, "count": revoked})


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True))


@token_app.command("create")
def token_create(
    email: str,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    scope: Annotated[str, typer.Option(help="read or write.")] = "write",
) -> None:
    """Print a new API token for a user (shown once; only its hash is kept)."""
    from dateline.accounts import tokens

    typer.echo(_run(lambda db, _: tokens.create_token_for(db, email, name, scope)))


@config_app.command("show")
def config_show() -> None:
    """Print every setting with its current value (secrets masked)."""
    table = Table(_("Variable"), _("Value"), _("Meaning"))
    for row in describe(Settings()):
        table.add_row(*row)
    Console().print(table)


@config_app.command("docs")
def config_docs() -> None:
    """Print the configuration reference in Markdown (docs/configuration.md)."""
    typer.echo(markdown_reference(), nl=False)


@blog_app.command("export")
def blog_export(
    slug: str, file: Annotated[Path, typer.Argument(dir_okay=False, help="JSON file to write.")]
) -> None:
    """Write a live blog, its images included, to one JSON file."""
    from dateline.liveblog import archive

    document = _run(lambda db, settings: archive.export_blog(db, settings, slug))
    temporary = file.with_name(file.name + ".part")
    temporary.write_bytes(archive.serialise(document))
    temporary.replace(file)  # never a half-written export under the real name
    counts = {"updates": len(document["updates"]), "images": len(document["images"])}
    console.print(
        _("Exported /live/%(slug)s: %(updates)s updates, %(images)s images, to %(file)s.")
        % {"slug": slug, "file": file, **counts}
    )


@blog_app.command("import")
def blog_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An export file.")],
    slug: Annotated[str | None, typer.Option(help="Import under this slug instead.")] = None,
) -> None:
    """Create a live blog from an export file; refuses a slug that is taken."""
    from dateline.liveblog import archive

    data = file.read_bytes()
    done = _run(lambda db, settings: archive.import_blog(db, settings, data, slug=slug))
    console.print(
        _("Imported %(updates)s updates and %(images)s images as /live/%(slug)s.")
        % {"updates": done.updates, "images": done.images, "slug": done.blog.slug}
    )


@blog_app.command("export-static")
def blog_export_static(
    slug: str,
    folder: Annotated[Path, typer.Argument(file_okay=False, help="A new or empty folder.")],
) -> None:
    """Write an ended live blog as static HTML that opens from disk."""
    from dateline.liveblog.static_export import export_static

    done = _run(lambda db, settings: export_static(db, settings, slug, folder))
    console.print(
        _("Wrote %(updates)s updates and %(images)s images to %(file)s.")
        % {"updates": done.updates, "images": done.images, "file": done.folder / "index.html"}
    )


app.command("worker")(worker_command)
