"""`dateline restore`: a backup file (backup.py) into an empty installation, or nothing at all.

Everything is unpacked and checked in a folder beside the database first: the manifest is
there (a truncated file has none), its format and schema are ones this version knows, every
file matches its checksum and size, the database passes SQLite's check and holds the rows the
manifest counted. Only then are the media folder and the database moved into place, the
database last. Any refusal leaves the target as it was.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import IO, Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from dateline.config import Settings
from dateline.db.migrate import alembic_config
from dateline.i18n import gettext as _
from dateline.ops.backup import (
    CHUNK,
    DATABASE,
    FORMAT,
    MANIFEST,
    MEDIA,
    BackupError,
    Summary,
    describe,
    sqlite_file,
)

MAX_MANIFEST_BYTES = 64 * 1024 * 1024


def restore(settings: Settings, archive: Path) -> Summary:
    target = sqlite_file(settings, "dateline restore")
    media = settings.media_dir
    refuse_unless_empty(target, media)
    try:
        return _restore(archive, target, media)
    except OSError as exc:  # no room, no permission: the work folder is gone with it
        raise BackupError(
            _("Could not restore into %(database)s: %(error)s") % {"database": target, "error": exc}
        ) from exc


def _restore(archive: Path, target: Path, media: Path) -> Summary:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".restore-") as folder:
        work = Path(folder)
        manifest, found = unpack(archive, work)
        summary = check(manifest, found, work / DATABASE)
        refuse_unless_empty(target, media)  # nobody started using it meanwhile
        if (work / MEDIA).is_dir():
            if media.is_dir():
                media.rmdir()  # empty, as checked
            media.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(work / MEDIA, media)
        (work / DATABASE).replace(target)
    return summary


def refuse_unless_empty(database: Path, media: Path) -> None:
    """Restore never overwrites: the database must not exist (or be an empty file, with no
    write-ahead log), and the media folder must not exist or be empty."""
    wal = database.with_name(database.name + "-wal")
    used = (database.exists() and database.stat().st_size > 0) or wal.exists()
    if used or (media.is_dir() and any(media.iterdir())):
        raise BackupError(
            _(
                "Restore goes into an empty installation only, and %(database)s or "
                "%(media)s is not empty. Point DATELINE_DATABASE_URL and DATELINE_DATA_DIR "
                "at new places (or move the old ones away) and run it again."
            )
            % {"database": database, "media": media}
        )


def unpack(archive: Path, work: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The manifest and {name: {"sha256", "size"}} of every file unpacked into `work`."""
    manifest: dict[str, Any] | None = None
    found: dict[str, dict[str, Any]] = {}
    try:
        with tarfile.open(archive, "r:") as tar:
            for member in tar:
                name = _safe_name(member)
                data = tar.extractfile(member)
                if data is None:
                    raise _damaged(archive)
                if name == MANIFEST:
                    manifest = json.loads(data.read(MAX_MANIFEST_BYTES))
                else:
                    found[name] = _copy_out(data, work / name)
    except (tarfile.TarError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _damaged(archive) from exc
    if not isinstance(manifest, dict):
        raise _damaged(archive)
    return manifest, found


def check(manifest: dict[str, Any], found: dict[str, dict[str, Any]], database: Path) -> Summary:
    made_in = manifest.get("format")
    if not isinstance(made_in, int) or made_in > FORMAT:
        raise BackupError(
            _(
                "This backup was made by a newer version of Dateline (format %(found)s; this "
                "version reads format %(known)s). Restore it with that version or a later one."
            )
            % {"found": made_in, "known": FORMAT}
        )
    revision = str(manifest.get("schema_revision"))
    if not _known_revision(revision):
        raise BackupError(
            _(
                "This backup's database schema (%(revision)s) is newer than this version of "
                "Dateline knows. Restore it with the version that made it or a later one."
            )
            % {"revision": revision}
        )
    files = manifest.get("files")
    if files != found:
        raise BackupError(
            _("The backup's files do not match its manifest: the file is damaged or incomplete.")
        )
    if not _database_ok(database):
        raise BackupError(_("The backed-up database failed SQLite's check; nothing was restored."))
    restored_revision, counts = describe(database)
    if (restored_revision, counts) != (revision, manifest.get("counts")):
        raise BackupError(_("The backed-up database does not hold what its manifest says."))
    return Summary(revision, counts, found)


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _safe_name(member: tarfile.TarInfo) -> str:
    """Only regular files named as backup.py names them; nothing outside the work folder."""
    path = PurePosixPath(member.name)
    allowed = member.name in (DATABASE, MANIFEST) or (
        len(path.parts) > 1
        and path.parts[0] == MEDIA
        and all(part not in ("", ".", "..") for part in path.parts)
        and not path.is_absolute()
    )
    if not member.isfile() or not allowed:
        raise BackupError(
            _("The backup holds an entry a Dateline backup never has: %(name)s.")
            % {"name": member.name}
        )
    return member.name


def _copy_out(data: IO[bytes], path: Path) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _damaged(archive: Path) -> BackupError:
    return BackupError(
        _(
            "%(file)s is not a complete Dateline backup (damaged or cut short); nothing was "
            "restored."
        )
        % {"file": archive}
    )


def _database_ok(database: Path) -> bool:
    conn = sqlite3.connect(database)
    try:
        return bool(conn.execute("PRAGMA quick_check").fetchone()[0] == "ok")
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
