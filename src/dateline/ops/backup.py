"""`dateline backup`: one file holding a consistent copy of a SQLite installation and its media.

The database is copied with SQLite's online backup API, which reads one snapshot of it while
the server goes on writing (WAL: writers never wait for the copy). Media files are copied
after it: they are named by their content and never changed or deleted, so every image the
snapshot refers to is already on disk, and files newer than the snapshot do no harm.

The file is a tar: the database, the media folder, then `manifest.json` (format version,
schema revision, row counts, a SHA-256 and size per file). The manifest comes last, so a file
cut short lacks it and `restore.py` refuses it. The tar is written under a `.part` name and
renamed when complete, so a backup interrupted never leaves a file that looks finished.
PostgreSQL installations use pg_dump instead (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from dateline.config import Settings
from dateline.db.tables import metadata
from dateline.errors import DatelineError
from dateline.i18n import gettext as _

FORMAT = 1  # raised whenever the layout changes; restore refuses a newer one
DATABASE = "database.sqlite3"
MEDIA = "media"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(DatelineError):
    pass


@dataclass(frozen=True)
class Summary:
    """What a backup holds (its manifest), as the CLI reports it."""

    revision: str
    counts: dict[str, int]
    files: dict[str, dict[str, Any]]  # name in the archive -> {"sha256", "size"}

    @property
    def images(self) -> int:
        return sum(1 for name in self.files if name.startswith(MEDIA + "/"))


def sqlite_file(settings: Settings, doing: str) -> Path:
    """The database file of a SQLite installation; a clear refusal for anything else."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            _(
                "%(command)s works on SQLite installations. For PostgreSQL use pg_dump and "
                "pg_restore, and copy the media folder (see docs/operations.md)."
            )
            % {"command": doing}
        )
    if not url.database or url.database == ":memory:":
        raise BackupError(_("The database is in memory: there is no file to back up."))
    return Path(url.database)


def backup(settings: Settings, target: Path) -> Summary:
    """Write the installation to `target` (replaced only once the new file is complete)."""
    source = sqlite_file(settings, "dateline backup")
    if not source.is_file():
        raise BackupError(_("There is no database at %(path)s.") % {"path": source})
    target = target.resolve()
    try:
        return _write(settings, source, target)
    except OSError as exc:  # no such folder, no room, no permission: said, nothing left
        raise BackupError(
            _("Could not write the backup %(file)s: %(error)s") % {"file": target, "error": exc}
        ) from exc


def _write(settings: Settings, source: Path, target: Path) -> Summary:
    part = target.with_name(target.name + ".part")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        snapshot = Path(work) / DATABASE
        copy_database(source, snapshot)
        revision, counts = describe(snapshot)
        files: dict[str, dict[str, Any]] = {}
        try:
            with tarfile.open(part, "w", format=tarfile.PAX_FORMAT) as tar:
                files[DATABASE] = _add_file(tar, DATABASE, snapshot)
                for path, name in media_files(settings.media_dir):
                    files[name] = _add_bytes(tar, name, path.read_bytes())
                summary = Summary(revision, counts, files)
                _add_bytes(tar, MANIFEST, manifest_bytes(summary))
            _sync(part)
            part.replace(target)
        finally:
            part.unlink(missing_ok=True)
    return summary


def copy_database(source: Path, snapshot: Path) -> None:
    """One consistent copy by the online backup API (all pages in one step: one snapshot),
    turned into a self-contained file (no write-ahead log beside it) and checked."""
    reading = sqlite3.connect(source, timeout=30)
    writing = sqlite3.connect(snapshot)
    try:
        reading.backup(writing)
        writing.execute("PRAGMA journal_mode=DELETE")
        verdict = writing.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        writing.close()
        reading.close()
    if verdict != "ok":
        raise BackupError(
            _("The database failed SQLite's check (%(verdict)s); nothing was written.")
            % {"verdict": verdict}
        )


def describe(database: Path) -> tuple[str, dict[str, int]]:
    """The schema revision and the rows of each of Dateline's tables."""
    conn = sqlite3.connect(database)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        counts = {
            # Names from our own metadata, never from input.
            table.name: int(conn.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0])  # noqa: S608
            for table in metadata.sorted_tables
            if table.name in present
        }
    except sqlite3.DatabaseError as exc:
        raise BackupError(_("This is not a Dateline database: %(error)s") % {"error": exc}) from exc
    finally:
        conn.close()
    if row is None:
        raise BackupError(_("The database has no schema yet: run `dateline db upgrade`."))
    return str(row[0]), counts


def media_files(media_dir: Path) -> list[tuple[Path, str]]:
    """Every finished file under the media folder with its name in the archive. An image
    being stored is written to a `.part` file first and renamed when complete (media/
    service.py): such files belong to no committed image, and are left out."""
    if not media_dir.is_dir():
        return []
    return [
        (path, f"{MEDIA}/{path.relative_to(media_dir).as_posix()}")
        for path in sorted(media_dir.rglob("*"))
        if path.is_file() and path.suffix != ".part"
    ]


def manifest_bytes(summary: Summary) -> bytes:
    manifest = {
        "format": FORMAT,
        "schema_revision": summary.revision,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "counts": summary.counts,
        "files": summary.files,
    }
    return json.dumps(manifest, indent=1, sort_keys=True).encode()


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    size = path.stat().st_size
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o644
    with path.open("rb") as file:
        tar.addfile(info, file)
    return {"sha256": digest.hexdigest(), "size": size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
    tar.addfile(info, io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _sync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())
