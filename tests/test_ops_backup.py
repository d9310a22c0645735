"""Backups of a SQLite installation as an operator runs them: `dateline backup` while a real
server takes 50 updates, `dateline restore` into a new place, and every update there is
complete or absent, the blog's event log gap-free, its images on disk. A truncated file, one
from a newer version, a non-empty target and a PostgreSQL installation are refused, and the
target is left as it was."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import tarfile
import threading
from pathlib import Path

import httpx
import pytest

from dateline.app import create_app
from dateline.config import Settings
from dateline.media.service import variant_path
from dateline.ops.backup import BackupError, backup
from dateline.ops.restore import restore
from dateline.web.services import of_app
from tests.helpers import png_bytes
from tests.live_server import DATELINE, LiveServer, live_server, run_cli

__all__ = ["live_server"]  # the fixture
UPDATES = 50


def installation(root: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{root / 'db.sqlite3'}",
        data_dir=root / "data",
        secret_key="test-secret-key",
    )


def cli_env(server: LiveServer, settings: Settings) -> dict[str, str]:
    return server.env | {
        "DATELINE_DATABASE_URL": settings.database_url,
        "DATELINE_DATA_DIR": str(settings.data_dir),
    }


class Publisher(threading.Thread):
    """Publishes UPDATES updates through the real API, a new photo with every fifth; tells
    when the first few are in, so a backup can start in the middle of them."""

    def __init__(self, server: LiveServer, token: str, slug: str) -> None:
        super().__init__()
        self.http = httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self.slug = slug
        self.under_way = threading.Event()
        self.published = 0
        self.failures: list[str] = []

    def run(self) -> None:
        try:
            for n in range(UPDATES):
                body: dict[str, object] = {"body": body_of(n), "headline": f"Hour {n}"}
                if n % 5 == 0:
                    photo = self.http.post(
                        "/api/v1/images", files={"file": ("p.png", png_bytes(640 + n, 400))}
                    )
                    photo.raise_for_status()
                    body["images"] = [{"id": photo.json()["id"], "alt": f"Scene {n}"}]
                answer = self.http.post(f"/api/v1/blogs/{self.slug}/updates", json=body)
                if answer.status_code != 201:
                    self.failures.append(answer.text)
                self.published += 1
                if n == 20:
                    self.under_way.set()
        finally:
            self.under_way.set()
            self.http.close()


def body_of(n: int) -> str:
    return " ".join([f"Update {n}: crews report the water is falling at gauge {n}."] * 4)


@pytest.fixture(scope="module")
def backed_up(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup made while 50 updates are being published (what `dateline backup` runs, in
    this process so that it starts at once, in the middle of the updates)."""
    token = live_server.create_api_token()
    slug = "flood-watch"
    made = httpx.post(
        f"{live_server.base_url}/api/v1/blogs",
        json={"slug": slug, "title": "Flood watch"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.text
    publisher = Publisher(live_server, token, slug)
    publisher.start()
    publisher.under_way.wait(60)
    file = tmp_path_factory.mktemp("backups") / "dateline.backup"
    server = Settings(
        _env_file=None,
        database_url=live_server.env["DATELINE_DATABASE_URL"],
        data_dir=live_server.data_dir,
    )
    before = publisher.published
    summary = backup(server, file)
    after = publisher.published
    publisher.join(120)
    assert not publisher.failures
    # The snapshot holds the updates of one moment between the backup's start and end.
    assert before <= summary.counts["updates"] <= after
    return file


def test_a_backup_made_while_publishing_restores_every_update_whole_or_not_at_all(
    live_server: LiveServer, backed_up: Path, tmp_path: Path
) -> None:
    target = installation(tmp_path / "restored")
    run_cli(cli_env(live_server, target), live_server.log_path, "restore", str(backed_up))
    database = Path(target.database_url.split("///", 1)[1])
    conn = sqlite3.connect(database)
    try:
        (blog_id,) = conn.execute("SELECT id FROM blogs WHERE slug = 'flood-watch'").fetchone()
        seqs = [s for (s,) in conn.execute(
            "SELECT seq FROM blog_events WHERE blog_id = ? ORDER BY seq", (blog_id,)
        )]  # fmt: skip
        updates = conn.execute(
            "SELECT id, headline, body FROM updates WHERE blog_id = ?", (blog_id,)
        ).fetchall()
        posted = {u for (u,) in conn.execute(
            "SELECT update_id FROM blog_events WHERE kind = 'update.published'"
        )}  # fmt: skip
        photos = conn.execute(
            "SELECT ui.update_id, i.hash, i.widths FROM update_images ui "
            "JOIN images i ON i.hash = ui.image_hash"
        ).fetchall()
    finally:
        conn.close()
    assert seqs == list(range(1, len(seqs) + 1))  # the log has no gap
    assert 0 < len(updates) <= UPDATES
    for update_id, headline, body in updates:  # each update is there whole
        n = int(headline.removeprefix("Hour "))
        assert body == body_of(n)
        assert update_id in posted
    with_photo = {int(h.removeprefix("Hour ")) for _, h, _ in updates} & set(range(0, UPDATES, 5))
    assert len(photos) == len(with_photo)
    for _, image_hash, widths in photos:
        for width in json.loads(widths):
            assert variant_path(target.media_dir, image_hash, width).is_file()


async def test_the_restored_installation_serves_its_blog(
    live_server: LiveServer, backed_up: Path, tmp_path: Path
) -> None:
    target = installation(tmp_path / "restored")
    restore(target, backed_up)
    app = create_app(target)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            page = await http.get("/live/flood-watch")
            ready = await http.get("/readyz")
    finally:
        await of_app(app).db.dispose()
    assert page.status_code == 200
    assert "crews report the water is falling" in page.text
    assert ready.json()["checks"]["schema"] == "ok"


def test_a_truncated_backup_is_refused_and_the_target_left_untouched(
    backed_up: Path, tmp_path: Path
) -> None:
    whole = backed_up.read_bytes()
    with tarfile.open(backed_up) as tar:
        manifest = tar.getmember("manifest.json")
    in_the_manifest = manifest.offset_data + manifest.size // 2
    for cut in (len(whole) // 2, in_the_manifest, manifest.offset, 700):
        short = tmp_path / f"short-{cut}.backup"
        short.write_bytes(whole[:cut])
        target = installation(tmp_path / f"target-{cut}")
        with pytest.raises(BackupError, match=r"not a complete Dateline backup|do not match"):
            restore(target, short)
        assert_untouched(tmp_path / f"target-{cut}")


def test_a_backup_from_a_newer_format_or_schema_is_refused(backed_up: Path, tmp_path: Path) -> None:
    changes: list[tuple[dict[str, object], str]] = [
        ({"format": 2}, "newer version of Dateline"),
        ({"schema_revision": "0999_from_the_future"}, "schema .* is newer"),
    ]
    for change, words in changes:
        newer = tmp_path / "newer.backup"
        rewrite_manifest(backed_up, newer, change)
        target = installation(tmp_path / "target")
        with pytest.raises(BackupError, match=words):
            restore(target, newer)
        assert_untouched(tmp_path / "target")


def test_a_changed_file_inside_the_backup_is_refused(backed_up: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.backup"
    with tarfile.open(backed_up) as source, tarfile.open(changed, "w") as out:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("media/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            out.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="do not match"):
        restore(installation(tmp_path / "target"), changed)
    assert_untouched(tmp_path / "target")


def test_restore_refuses_an_installation_in_use(live_server: LiveServer, backed_up: Path) -> None:
    database = Path(live_server.env["DATELINE_DATABASE_URL"].split("///", 1)[1])
    file = backed_up.with_name("by-the-cli.backup")
    said = live_server.cli("backup", str(file))
    assert "Backed up schema" in said or file.is_file()
    before = database.stat().st_size, sorted(p.name for p in database.parent.iterdir())
    done = subprocess.run(
        [str(DATELINE), "restore", str(file)],
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "empty installation only" in done.stderr
    assert (database.stat().st_size, sorted(p.name for p in database.parent.iterdir())) == before


def test_a_postgresql_installation_is_told_to_use_pg_dump(
    live_server: LiveServer, tmp_path: Path
) -> None:
    env = live_server.env | {"DATELINE_DATABASE_URL": "postgresql+asyncpg://dateline@db/dateline"}
    done = subprocess.run(
        [str(DATELINE), "backup", str(tmp_path / "x.backup")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "pg_dump" in done.stderr
    assert not (tmp_path / "x.backup").exists()


def test_a_file_that_is_no_backup_at_all_is_refused(tmp_path: Path) -> None:
    for name, data in (("photo.png", png_bytes(40, 30)), ("empty.backup", b"")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(BackupError, match="not a complete Dateline backup"):
            restore(installation(tmp_path / "target"), tmp_path / name)
        assert_untouched(tmp_path / "target")


def test_a_backup_into_a_missing_folder_says_so_and_leaves_nothing(
    live_server: LiveServer, tmp_path: Path
) -> None:
    server = Settings(
        _env_file=None,
        database_url=live_server.env["DATELINE_DATABASE_URL"],
        data_dir=live_server.data_dir,
    )
    with pytest.raises(BackupError, match="Could not write the backup"):
        backup(server, tmp_path / "no-such-folder" / "x.backup")
    assert list(tmp_path.iterdir()) == []


def test_an_image_still_being_written_is_left_out(live_server: LiveServer, tmp_path: Path) -> None:
    server = Settings(
        _env_file=None,
        database_url=live_server.env["DATELINE_DATABASE_URL"],
        data_dir=live_server.data_dir,
    )
    writing = server.media_dir / "ab" / "ab12-640.webp.5f3c.part"  # as media/service.py names it
    writing.parent.mkdir(parents=True, exist_ok=True)
    writing.write_bytes(b"RIFF")
    try:
        summary = backup(server, tmp_path / "x.backup")
    finally:
        writing.unlink()
    assert summary.images > 0
    assert not [name for name in summary.files if name.endswith(".part")]


def rewrite_manifest(source_file: Path, target_file: Path, change: dict[str, object]) -> None:
    with tarfile.open(source_file) as source, tarfile.open(target_file, "w") as out:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                data = json.dumps(json.loads(data) | change).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def assert_untouched(root: Path) -> None:
    """Nothing was left behind: at most the empty folder restore made for the database."""
    leftovers = [p for p in root.rglob("*")] if root.exists() else []
    assert leftovers == [], leftovers
