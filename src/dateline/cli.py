"""The `dateline` command: serve, db upgrade, demo, user, token, config, blog, comments."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from dateline import i18n
from dateline.accounts import service as accounts
from dateline.config import Settings, describe, markdown_reference
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.errors import DatelineError
from dateline.facts.commands import facts_app
from dateline.i18n import N_, ngettext
from dateline.i18n import gettext as _
from dateline.ingest.commands import WORKER_HELP, source_app
from dateline.ingest.commands import worker as worker_command
from dateline.jobs import run_job
from dateline.search.commands import search_app
from dateline.stories.commands import stories_app


class SpeakingGroup(TyperGroup):
    """`dateline` itself: every help text (marked with N_ where it is written, read by typer
    at import time) is said in the operator's locale before the command line is read."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        i18n.translate_help(self, i18n.from_environment())
        return super().main(*args, **kwargs)


app = typer.Typer(
    cls=SpeakingGroup, help=N_("Dateline: self-hosted live news coverage."), no_args_is_help=True
)
db_app = typer.Typer(help=N_("Database schema."), no_args_is_help=True)
user_app = typer.Typer(help=N_("Newsroom accounts."), no_args_is_help=True)
token_app = typer.Typer(help=N_("API tokens."), no_args_is_help=True)
config_app = typer.Typer(help=N_("Settings."), no_args_is_help=True)
blog_app = typer.Typer(help=N_("Export and import live blogs."), no_args_is_help=True)
comments_app = typer.Typer(help=N_("Readers' comments."), no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(config_app, name="config")
app.add_typer(blog_app, name="blog")
app.add_typer(comments_app, name="comments")
app.add_typer(source_app, name="source")
app.add_typer(stories_app, name="stories")
app.add_typer(facts_app, name="facts")
app.add_typer(search_app, name="search")
console = Console(stderr=True)
T = TypeVar("T")


_run = run_job  # the one runner (jobs.py), shared with the commands of other packages


@app.callback()
def speak_the_locale(context: typer.Context) -> None:
    """Runs around every command: what the CLI prints speaks the operator's locale (LC_ALL,
    LC_MESSAGES, LANG) until the command ends (the help texts: `SpeakingGroup`)."""
    context.with_resource(i18n.using(i18n.from_environment()))


@app.command(help=N_("Serve the site, the editor pages and the API."))
def serve(
    host: Annotated[str, typer.Option(help=N_("Address to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=N_("Port to listen on."))] = 8000,
) -> None:
    from dateline.serving import serve as run_server

    run_server(Settings(), host, port)


@db_app.command("upgrade", help=N_("Create or migrate the database schema to the latest version."))
def db_upgrade() -> None:
    before, after = _run(lambda db, _: upgrade(db))
    if before is None:
        said = _("Created the database schema (revision %(after)s).")
    elif before != after:
        said = _("Migrated the database schema from revision %(before)s to %(after)s.")
    else:
        said = _("Database schema is up to date (revision %(after)s).")
    console.print(said % {"before": before, "after": after})


@app.command(help=N_("Load the demo live blog (fictional Storm Idris coverage)."))
def demo(
    if_empty: Annotated[bool, typer.Option(help=N_("Only when the database has no blog."))] = False,
) -> None:
    from dateline.liveblog import queries
    from dateline.liveblog.demo import load_demo

    async def work(db: Database, settings: Settings) -> str | None:
        if if_empty:
            async with db.read() as conn:
                if await queries.list_blogs(conn):
                    return None
        # Drawing and resizing its pictures takes seconds: say what is happening meanwhile.
        console.print(_("Loading the demo live blog (pictures are drawn and resized)…"))
        return await load_demo(db, settings)

    slug = _run(work)
    if slug:
        console.print(_("Demo live blog ready at /live/%(slug)s") % {"slug": slug})


@user_app.command("create", help=N_("Create a newsroom account."))
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help=N_("admin, editor or contributor."))] = "editor",
    name: Annotated[str, typer.Option(help=N_("Name shown on updates."))] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=N_("Read the password from standard input."))
    ] = False,
) -> None:
    if not name and not password_stdin:  # asked at a terminal; a script passes --name
        name = str(typer.prompt(_("Name shown on updates"), default=email.split("@")[0]))
    password = _read_password(password_stdin)
    user = _run(lambda db, _: accounts.create_user(db, email, password, role, name))
    console.print(_("Created %(role)s %(email)s.") % {"role": user.role, "email": user.email})


@user_app.command(
    "invite",
    help=N_("Print a one-time link (valid 48 hours) with which the person sets their password."),
)
def user_invite(
    email: str,
    role: Annotated[str, typer.Option(help=N_("admin, editor or contributor."))] = "editor",
) -> None:
    from dateline.accounts import invites

    async def work(db: Database, settings: Settings) -> str:
        _, token = await invites.invite(db, None, email, role)
        return f"{settings.base_url.rstrip('/')}/invite/{token}"

    typer.echo(_run(work))


@user_app.command(
    "password",
    help=N_(
        "Set a user's password (for a forgotten or stolen one), sign them out everywhere"
        " and revoke their API tokens."
    ),
)
def user_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=N_("Read the password from standard input."))
    ] = False,
) -> None:
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


@token_app.command(
    "create", help=N_("Print a new API token for a user (shown once; only its hash is kept).")
)
def token_create(
    email: str,
    name: Annotated[str, typer.Option(help=N_("What the token is for."))] = "cli",
    scope: Annotated[str, typer.Option(help=N_("read or write."))] = "write",
) -> None:
    from dateline.accounts import tokens

    typer.echo(_run(lambda db, _: tokens.create_token_for(db, email, name, scope)))


@config_app.command("show", help=N_("Print every setting with its current value (secrets masked)."))
def config_show() -> None:
    table = Table(_("Variable"), _("Value"), _("Meaning"))
    for row in describe(Settings()):
        table.add_row(*row)
    Console().print(table)


@config_app.command(
    "docs", help=N_("Print the configuration reference in Markdown (docs/configuration.md).")
)
def config_docs() -> None:
    typer.echo(markdown_reference(), nl=False)


@blog_app.command("export", help=N_("Write a live blog, its images included, to one JSON file."))
def blog_export(
    slug: str, file: Annotated[Path, typer.Argument(dir_okay=False, help=N_("JSON file to write."))]
) -> None:
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


@blog_app.command(
    "import", help=N_("Create a live blog from an export file; refuses a slug that is taken.")
)
def blog_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=N_("An export file."))],
    slug: Annotated[str | None, typer.Option(help=N_("Import under this slug instead."))] = None,
) -> None:
    from dateline.liveblog import archive

    data = file.read_bytes()
    done = _run(lambda db, settings: archive.import_blog(db, settings, data, slug=slug))
    console.print(
        _("Imported %(updates)s updates and %(images)s images as /live/%(slug)s.")
        % {"updates": done.updates, "images": done.images, "slug": done.blog.slug}
    )


@blog_app.command(
    "export-static", help=N_("Write an ended live blog as static HTML that opens from disk.")
)
def blog_export_static(
    slug: str,
    folder: Annotated[Path, typer.Argument(file_okay=False, help=N_("A new or empty folder."))],
) -> None:
    from dateline.liveblog.static_export import export_static

    done = _run(lambda db, settings: export_static(db, settings, slug, folder))
    console.print(
        _("Wrote %(updates)s updates and %(images)s images to %(file)s.")
        % {"updates": done.updates, "images": done.images, "file": done.folder / "index.html"}
    )
    settings = Settings()
    if "base_url" not in settings.model_fields_set:  # the links to the original would be local
        console.print(
            _(
                "Note: DATELINE_BASE_URL is not set, so the page links to its original at "
                "%(address)s. Set it to the site's public address and export again."
            )
            % {"address": settings.base_url}
        )


@comments_app.command(
    "erase",
    help=N_(
        "Remove every comment sent under a name on a live blog, everywhere (a reader's "
        "request for removal; see docs/security.md)."
    ),
)
def comments_erase(
    blog: Annotated[str, typer.Option("--blog", help=N_("The live blog's slug."))],
    name: Annotated[str, typer.Option("--name", help=N_("The name the reader gave."))],
) -> None:
    from dateline.liveblog import answers

    erased = _run(lambda db, _settings: answers.erase(db, blog, name))
    said = ngettext(
        "Erased %(count)s comment by %(name)s on /live/%(slug)s.",
        "Erased %(count)s comments by %(name)s on /live/%(slug)s.",
        erased,
    )
    console.print(said % {"count": erased, "name": name, "slug": blog})


@app.command(
    help=N_(
        "Write the SQLite database (a consistent copy, while the site serves) and the media "
        "folder to one backup file."
    )
)
def backup(
    file: Annotated[Path, typer.Argument(dir_okay=False, help=N_("Backup file to write."))],
) -> None:
    from dateline.ops.backup import backup as write_backup

    done = _refusing(lambda: write_backup(Settings(), file))
    console.print(
        _("Backed up schema %(revision)s: %(updates)s updates, %(files)s media files, to %(file)s.")
        % {
            "revision": done.revision,
            "updates": done.counts.get("updates", 0),
            "files": done.images,
            "file": file,
        }
    )


@app.command(help=N_("Restore a backup file into an empty database and data folder."))
def restore(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=N_("A backup file."))],
) -> None:
    from dateline.ops.restore import restore as read_backup

    done = _refusing(lambda: read_backup(Settings(), file))
    console.print(
        _("Restored schema %(revision)s: %(updates)s updates, %(files)s media files.")
        % {
            "revision": done.revision,
            "updates": done.counts.get("updates", 0),
            "files": done.images,
        }
    )


def _refusing(work: Callable[[], T]) -> T:
    """A refusal (DatelineError) becomes its message and exit code 1, as in `run_job`."""
    try:
        return work()
    except DatelineError as exc:
        error = _("Error:")
        console.print(f"[red]{error}[/red] {exc.message}")
        raise typer.Exit(1) from exc


app.command("worker", help=WORKER_HELP)(worker_command)
