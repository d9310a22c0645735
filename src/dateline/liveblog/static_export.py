"""An ended live blog as a folder of plain files that opens from disk (`dateline blog
export-static`): index.html with every update on one page, the recap and key events, the
approved readers' comments, the stylesheet and the photographs beside it. Every path is
relative and nothing needs JavaScript; the only address of the live site is the original's,
named as such (and as rel=canonical).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment

from dateline import i18n, timefmt
from dateline.comments import views as comment_views
from dateline.config import Settings
from dateline.db import Database
from dateline.errors import Conflict
from dateline.i18n import gettext as _
from dateline.liveblog import queries
from dateline.liveblog.archive import media_file
from dateline.liveblog.models import Image
from dateline.web.templates import load_static, make_templates

EVERYTHING = 1_000_000  # "one page" of the stream: no archive comes near it
STYLESHEET = "dateline.css"
IMAGES = "images"


@dataclass(frozen=True)
class StaticExport:
    folder: Path
    updates: int
    images: int


async def export_static(db: Database, settings: Settings, slug: str, folder: Path) -> StaticExport:
    async with db.read() as conn:
        view = await queries.reader_page(conn, slug, 1, EVERYTHING, key_events_only=False)
        discussion = await comment_views.everything(conn, view.blog.id)
    if view.blog.is_live:
        raise Conflict(
            _("/live/%(slug)s is still live; end its coverage before exporting it as static HTML.")
            % {"slug": slug}
        )
    _refuse_used(folder)
    pictures = {image.hash: image for u in view.updates for image in u.images}
    files = {
        f"{IMAGES}/{path.name}": path
        for image in pictures.values()
        for path in (media_file(settings.media_dir, image.hash, w) for w in image.widths)
    }
    static = load_static()
    with i18n.using(view.blog.language):  # the blog's language, whatever the shell speaks
        html = _render(make_templates(settings), settings, view, discussion)
    _write_folder(folder, html, static[STYLESHEET].body, files)
    return StaticExport(folder, view.total, len(pictures))


def _refuse_used(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise Conflict(
            _("%(folder)s is not an empty folder; choose a new one.") % {"folder": folder}
        )


def _render(
    templates: Environment,
    settings: Settings,
    view: queries.ReaderPage,
    discussion: comment_views.Discussion,
) -> str:
    """The live page's partials, `offline`: links are anchors on this one page, pictures sit
    in the folder, and every time carries its date (an archive outlives the day it covers)."""
    return templates.get_template("export/index.html").render(
        view=view,
        blog=view.blog,
        discussion=discussion,
        editor=False,
        offline=True,
        original_url=f"{settings.base_url}/live/{view.blog.slug}",
        exported_at=datetime.now(UTC),
        stylesheet=STYLESHEET,
        stamp=lambda moment: timefmt.full(moment, view.blog.time_zone),
        clock=_with_date,
        now=None,
        image_src=_local_src,
        image_srcset=_local_srcset,
    )


def _with_date(moment: datetime, zone: str, now: datetime | None = None) -> str:
    """The page's `clock`, whatever day it is: an archive outlives the day it covers."""
    return timefmt.full(moment, zone)


def _local_src(image: Image) -> str:
    return f"{IMAGES}/{image.hash}-{image.widths[-1]}.webp"


def _local_srcset(image: Image) -> str:
    return ", ".join(f"{IMAGES}/{image.hash}-{w}.webp {w}w" for w in image.widths)


def _write_folder(folder: Path, html: str, css: bytes, files: dict[str, Path]) -> None:
    """Write beside the target and rename at the end: a failure leaves no half-made folder."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a folder to publish is not
        (staging / "index.html").write_text(html, encoding="utf-8")
        (staging / STYLESHEET).write_bytes(css)
        (staging / IMAGES).mkdir()
        for name, source in files.items():
            shutil.copyfile(source, staging / name)
        if folder.exists():
            folder.rmdir()  # empty, checked before
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
