"""Export a live blog as one JSON file, images inside, and import it again (docs/api.md).

The file's shape and its checks are in `archive_format`. Decisions, and why:

- **Images travel as every stored WebP variant, byte for byte**, keyed by content hash.
  Re-deriving the widths from the largest one would encode a lossy WebP a second time and give
  the photo a new hash, so importing an export twice, or into the site it came from, would
  store it again. Keeping the bytes keeps `/media/{hash}-{w}.webp`, makes import idempotent by
  hash and the round trip exact. The price: about twice the bytes of the largest variant
  alone (2.0× on the demo's pictures), plus base64's third.
  The hash names the original upload, which the file does not carry, so it cannot be
  checked: a forged file could claim the hash of a photo not yet on the site. Import is
  therefore an operator's command, not an API route.
- **Withdrawn text does not travel.** A deleted update is exported as its place in the stream,
  its times and its correction note; its body, headline and images stay behind. A deleted
  update without a note showed readers nothing and is left out.
- **Imported HTML is never trusted**: the file carries Markdown only, rendered and sanitised on
  import by the code that does it when an editor saves.
- **Approved comments travel, nothing else of them** (comments/archive.py): what waited, was
  rejected or deleted stays behind, like withdrawn text. An imported comment is checked like
  a reader's and keeps its link to the update that answered it.
- **One transaction, one event.** Everything is checked first (JSON, version, fields, the rules
  of the editor's forms, every image), so a bad file changes nothing. Image files are written
  next (idempotent by hash; an unused one is harmless), then the image rows, blog, updates and
  one `blog.imported` event, seq 1 of the new blog's log, commit together. The service use
  cases cannot do this: each is its own transaction, stamps edits and deletions with the
  current time and refuses updates to an ended blog. Nobody can have read the new blog yet, so
  there is nothing to replay: one event is the whole truthful log.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.accounts.service import User
from dateline.comments import archive as comment_archive
from dateline.comments.models import CommentDraft
from dateline.config import Settings
from dateline.db import Database, appended, insert_new, inserted_id
from dateline.db.tables import (
    blog_events,
    blogs,
    comments,
    images,
    update_images,
    updates,
    utcnow,
)
from dateline.errors import Conflict, DatelineError, Invalid
from dateline.i18n import gettext as _
from dateline.liveblog import queries, team
from dateline.liveblog.archive_format import (
    FORMAT,
    VERSION,
    Archive,
    ArchivedBlog,
    ArchivedComment,
    ArchivedUpdate,
    ImageFiles,
    image_files,
    read_archive,
)
from dateline.liveblog.models import (
    Blog,
    BlogDraft,
    ImageRef,
    UpdateDraft,
    validate_correction,
    validate_recap,
)
from dateline.liveblog.present import blog_json, iso
from dateline.liveblog.service import _content as content_columns  # one place renders bodies
from dateline.media.service import variant_path
from dateline.search import index as search_index

T = TypeVar("T")
P = ParamSpec("P")


class MissingMedia(DatelineError):
    """A stored image's file is gone from the media folder: the server's fault, not the user's."""

    status = 500


def media_file(media_dir: Path, image_hash: str, width: int) -> Path:
    path = variant_path(media_dir, image_hash, width)
    if not path.is_file():
        raise MissingMedia(f"The image file {path} is missing; nothing was exported.")
    return path


# Export ------------------------------------------------------------------------------------


async def export_blog(db: Database, settings: Settings, slug: str) -> dict[str, Any]:
    """The whole blog as a JSON-ready dict; updates oldest first, in id order."""
    async with db.read() as conn:
        blog = await queries.blog_by_slug(conn, slug)
        rows = await _exported_updates(conn, blog.id)
        uses = await _image_uses(conn, [row.id for row in rows if row.deleted_at is None])
        stored = await _stored_images(
            conn, {use.image_hash for found in uses.values() for use in found}
        )
        shown = {row.id for row in rows if row.deleted_at is None}
        shown_comments = await comment_archive.exported(conn, blog.id, shown)
    # Reading and encoding the files is blocking work: off the event loop, for the API.
    encoded = await asyncio.to_thread(_encode_images, settings.media_dir, stored)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": iso(utcnow()),
        "source": {"site": settings.site_name, "url": f"{settings.base_url}/live/{blog.slug}"},
        "blog": _blog_json(blog),
        "updates": [_update_json(row, uses.get(row.id, [])) for row in rows],
        "images": encoded,
        "comments": shown_comments,
    }


def serialise(document: dict[str, Any]) -> bytes:
    """The file's bytes: UTF-8, one field a line, so a diff of two exports is readable."""
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


async def _exported_updates(conn: AsyncConnection, blog_id: int) -> Sequence[Any]:
    query = (
        select(updates)
        .where(updates.c.blog_id == blog_id, queries.visible())
        .order_by(updates.c.id)
    )
    return (await conn.execute(query)).all()


async def _image_uses(conn: AsyncConnection, update_ids: list[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    if update_ids:
        query = (
            select(update_images)
            .where(update_images.c.update_id.in_(update_ids))
            .order_by(update_images.c.update_id, update_images.c.position)
        )
        for row in (await conn.execute(query)).all():
            found.setdefault(row.update_id, []).append(row)
    return found


async def _stored_images(conn: AsyncConnection, hashes: set[str]) -> Sequence[Any]:
    if not hashes:
        return []
    query = select(images).where(images.c.hash.in_(hashes)).order_by(images.c.hash)
    return (await conn.execute(query)).all()


def _blog_json(blog: Blog) -> dict[str, Any]:
    """The API's blog shape without `seq`: sequence numbers belong to one site's log."""
    return {name: value for name, value in blog_json(blog).items() if name != "seq"}


def _update_json(row: Any, uses: list[Any]) -> dict[str, Any]:
    withdrawn = row.deleted_at is not None
    return {
        "id": row.id,
        "published_at": iso(row.published_at),
        "edited_at": iso(row.edited_at),
        "deleted_at": iso(row.deleted_at),
        "author": row.author_name,
        "headline": "" if withdrawn else row.headline,
        "body": "" if withdrawn else row.body,
        "key_event": row.key_event,
        "pinned": row.pinned,
        "correction_note": row.correction_note,
        "images": [
            {"id": use.image_hash, "alt": use.alt, "caption": use.caption, "credit": use.credit}
            for use in uses
        ],
    }


def _encode_images(media_dir: Path, stored: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": row.hash,
            "width": row.width,
            "height": row.height,
            "variants": [
                {
                    "width": width,
                    "webp": base64.b64encode(
                        media_file(media_dir, row.hash, width).read_bytes()
                    ).decode(),
                }
                for width in row.widths
            ],
        }
        for row in stored
    ]


# Import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    blog: Blog
    updates: int
    images: int


@dataclass(frozen=True)
class _Plan:
    blog: BlogDraft
    source: Archive
    updates: list[tuple[dict[str, Any], list[ImageRef]]]  # column values, images in order
    images: list[ImageFiles]
    update_ids: list[int]  # the file's id of each of `updates`
    comments: list[tuple[CommentDraft, datetime, int | None]]  # answered by (file's id)


async def import_blog(
    db: Database,
    settings: Settings,
    data: bytes,
    *,
    slug: str | None = None,
    actor: User | None = None,
) -> Imported:
    """Import an export file as a new blog (under `slug` when given). Invalid or Conflict
    leave the database as it was."""
    plan = _plan(read_archive(data), slug, settings.max_image_pixels)
    async with db.read() as conn:
        await _refuse_taken(conn, plan.blog.slug)
    await asyncio.to_thread(_write_files, settings.media_dir, plan.images)
    try:
        async with db.write() as conn:
            blog = await _insert(conn, plan, actor)
    except IntegrityError as exc:  # a blog took the slug since the check above
        raise _taken(plan.blog.slug) from exc
    return Imported(blog, len(plan.updates), len(plan.images))


def _plan(archive: Archive, slug: str | None, max_pixels: int) -> _Plan:
    """Every rule the editor's forms apply, for the blog and each update; all errors at once."""
    errors: dict[str, str] = {}
    source = archive.blog
    blog = _checked(errors, "blog", _blog_draft, source, slug)
    _checked(errors, "blog.recap", validate_recap, source.recap.items)
    if (source.status == "ended") != (source.coverage_end is not None):
        errors["blog.coverage_end"] = _(
            "An ended blog has a coverage end time; a live one has none."
        )
    known = {image.id for image in archive.images}
    rows = [_checked(errors, f"update {u.id}", _update_row, u, known) for u in archive.updates]
    ids = [u.id for u in archive.updates]
    if len(set(ids)) != len(ids):
        errors["updates"] = _("Two updates have the same id.")
    if sum(u.pinned and u.deleted_at is None for u in archive.updates) > 1:
        errors["updates.pinned"] = _("More than one update is pinned; a blog pins one at most.")
    files = _checked(errors, "images", image_files, archive.images, max_pixels)
    shown = {u.id for u in archive.updates if u.deleted_at is None}
    said = [
        _checked(errors, f"comment {n}", _comment, c, shown)
        for n, c in enumerate(archive.comments, 1)
    ]
    if errors or blog is None or files is None:
        raise Invalid(errors)
    ordered = sorted(zip(ids, rows, strict=True), key=lambda pair: pair[0])
    kept = [row for _, row in ordered if row is not None]
    comments = [found for found in said if found is not None]
    return _Plan(blog, archive, kept, files, sorted(ids), comments)


def _comment(c: ArchivedComment, shown: set[int]) -> tuple[CommentDraft, datetime, int | None]:
    """A comment checked like a reader's; its answer must be an update the file shows."""
    if c.answered_by is not None and c.answered_by not in shown:
        raise Invalid({"answered_by": _("It is answered by an update the file does not show.")})
    return comment_archive.checked(c.name, c.body), c.created_at, c.answered_by


def _checked(
    errors: dict[str, str], where: str, check: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T | None:
    """check(*args), or None with its Invalid messages added to `errors` under `where`."""
    try:
        return check(*args, **kwargs)
    except Invalid as exc:
        errors.update({f"{where}, {name}": text for name, text in exc.errors.items()})
        return None


def _blog_draft(source: ArchivedBlog, slug: str | None) -> BlogDraft:
    fields = (source.title, slug or source.slug, source.standfirst, source.category)
    return BlogDraft(*fields, time_zone=source.time_zone, language=source.language).validate()


def _update_row(u: ArchivedUpdate, known: set[str]) -> tuple[dict[str, Any], list[ImageRef]]:
    """The columns of one update and its images, checked like an editor's save."""
    refs = [ImageRef(i.id, i.alt, i.caption, i.credit) for i in u.images]
    if any(ref.hash not in known for ref in refs):
        raise Invalid({"images": _("It shows an image that is not in the file's images.")})
    row: dict[str, Any] = {
        "author_id": None,
        "author_name": u.author,
        "published_at": u.published_at,
        "edited_at": u.edited_at,
        "deleted_at": u.deleted_at,
        "correction_note": validate_correction(u.correction_note),
    }
    if u.deleted_at is not None:  # withdrawn text does not travel (see the module docstring)
        empty = UpdateDraft(body="", key_event=u.key_event)
        return {**row, **content_columns(empty)}, []
    draft = UpdateDraft(u.body, u.headline, u.key_event, u.pinned, refs).validate()
    return {**row, **content_columns(draft), "correction_note": ""}, draft.images


def _write_files(media_dir: Path, found: list[ImageFiles]) -> None:
    """Store each variant under its hash unless it is there already (same name, same image)."""
    for image in found:
        for width, data in image.files.items():
            path = variant_path(media_dir, image.id, width)
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".part")
            temporary.write_bytes(data)
            temporary.replace(path)  # readers never see a half-written file


async def _refuse_taken(conn: AsyncConnection, slug: str) -> None:
    if (await conn.execute(select(blogs.c.id).where(blogs.c.slug == slug))).first():
        raise _taken(slug)


def _taken(slug: str) -> Conflict:
    return Conflict(
        _("There is already a live blog at /live/%(slug)s; import under another slug.")
        % {"slug": slug}
    )


async def _insert(conn: AsyncConnection, plan: _Plan, actor: User | None) -> Blog:
    await _insert_images(conn, plan.images)
    blog_id = await _insert_blog(conn, plan, actor)
    if actor is not None:
        await team.join(conn, blog_id, actor.id, actor.id)
    added = []
    for columns, refs in plan.updates:  # one at a time, oldest first: ids keep their order
        result = await conn.execute(insert(updates).values(blog_id=blog_id, **columns))
        added.append(inserted_id(result))
        if refs:
            await conn.execute(insert(update_images), _image_rows(added[-1], refs))
    await search_index.add(conn, "update", added)  # findable as soon as the import commits
    new_ids = dict(zip(plan.update_ids, added, strict=True))
    answered = [(d, at, new_ids.get(by) if by else None) for d, at, by in plan.comments]
    await comment_archive.insert_imported(conn, blog_id, answered)
    await _relink_answers(conn, blog_id, plan.blog.slug)
    await _log_import(conn, blog_id, plan, actor)
    return await queries.blog_by_slug(conn, plan.blog.slug)


# The head of an answer's quote: "> [Reader question from Anna](/live/old/comments/5):".
_QUOTE_LINK = re.compile(r"\A> \[[^\]\n]*\]\((/live/[^/\s)]+/comments/\d+)\):")


async def _relink_answers(conn: AsyncConnection, blog_id: int, slug: str) -> None:
    """An answer's quote links to its comment's address, which the import changes (a new id,
    often a new slug): each answering update is pointed at its comment's new address, so the
    link never leads to another blog's comment or to nothing."""
    rows = await conn.execute(
        select(comments.c.id, updates.c.id.label("update_id"), updates.c.body)
        .join(updates, updates.c.id == comments.c.answer_update_id)
        .where(comments.c.blog_id == blog_id)
    )
    for row in rows.all():
        found = _QUOTE_LINK.match(row.body)
        if found is None:
            continue
        start, end = found.span(1)
        body = f"{row.body[:start]}/live/{slug}/comments/{row.id}{row.body[end:]}"
        columns = content_columns(UpdateDraft(body=body), {"body"})
        await conn.execute(update(updates).where(updates.c.id == row.update_id).values(**columns))


def _image_rows(update_id: int, refs: list[ImageRef]) -> list[dict[str, Any]]:
    return [
        {"update_id": update_id, "position": n, "image_hash": ref.hash, "alt": ref.alt,
         "caption": ref.caption, "credit": ref.credit}
        for n, ref in enumerate(refs)
    ]  # fmt: skip


async def _log_import(conn: AsyncConnection, blog_id: int, plan: _Plan, actor: User | None) -> None:
    """The new blog's log starts at seq 1 with this event (its last_seq is inserted as 1)."""
    source = plan.source
    payload = {"from": source.source.url, "exported_at": iso(source.exported_at),
               "updates": len(plan.updates)}  # fmt: skip
    await conn.execute(
        insert(blog_events).values(
            blog_id=blog_id, seq=1, kind="blog.imported", update_id=None,
            actor_id=actor.id if actor else None, payload=payload, created_at=utcnow(),
        )
    )  # fmt: skip
    appended(conn, blog_id, 1)


async def _insert_images(conn: AsyncConnection, found: list[ImageFiles]) -> None:
    """Rows for the archive's images; one already stored (same content hash) is kept."""
    now = utcnow()
    rows = [
        {"hash": image.id, "width": image.width, "height": image.height,
         "widths": list(image.files), "created_at": now}
        for image in found
    ]  # fmt: skip
    if rows:
        await conn.execute(insert_new(conn, images), rows)


async def _insert_blog(conn: AsyncConnection, plan: _Plan, actor: User | None) -> int:
    draft, source = plan.blog, plan.source.blog
    recap = validate_recap(source.recap.items)
    result = await conn.execute(
        insert(blogs).values(
            slug=draft.slug,
            title=draft.title,
            standfirst=draft.standfirst,
            category=draft.category,
            time_zone=draft.time_zone,
            language=draft.language,
            status=source.status,
            coverage_start=source.coverage_start,
            coverage_end=source.coverage_end,
            created_at=utcnow(),
            updated_at=source.updated_at,
            owner_id=actor.id if actor else None,
            recap_items=recap,
            recap_updated_at=source.recap.updated_at,
            last_seq=1,  # _log_import writes event 1
        )
    )
    return inserted_id(result)
