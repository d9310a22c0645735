"""Uploads are decoded, re-encoded without metadata and stored once per content."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import delete, select

from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import images
from dateline.errors import Invalid, NoRoom
from dateline.liveblog.models import Blog
from dateline.media.service import image_pool, store_image, variant_path
from tests.helpers import csrf_from, parse, png_bytes


def jpeg_with_gps() -> bytes:
    picture = Image.new("RGB", (640, 480), (90, 120, 150))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (50.0, 27.0, 0.0), 3: "E", 4: (30.0, 31.0, 0.0)}  # GPS IFD
    exif[0x010F] = "CameraMaker"
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def test_camera_metadata_and_gps_are_stripped(db: Database, settings: Settings) -> None:
    data = jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825), "the fixture carries GPS"
    stored = await store_image(db, settings, data)
    for width in stored.widths:
        with Image.open(variant_path(settings.media_dir, stored.hash, width)) as served:
            assert served.format == "WEBP"
            assert not served.getexif()
            assert "exif" not in served.info


async def test_same_upload_is_stored_once_in_every_width(db: Database, settings: Settings) -> None:
    first = await store_image(db, settings, png_bytes(2000, 1000))
    second = await store_image(db, settings, png_bytes(2000, 1000))
    assert first == second
    assert first.widths == [320, 640, 1024, 1600]
    sizes = []
    for width in first.widths:
        with Image.open(variant_path(settings.media_dir, first.hash, width)) as variant:
            sizes.append(variant.size)
    assert sizes == [(320, 160), (640, 320), (1024, 512), (1600, 800)]


async def test_decompression_bomb_is_refused(db: Database, settings: Settings) -> None:
    settings.max_image_pixels = 1_000_000
    with pytest.raises(Invalid, match="more than 1,000,000 pixels"):
        await store_image(db, settings, png_bytes(2000, 1000))
    assert not settings.media_dir.exists() or not any(settings.media_dir.rglob("*.webp"))


async def test_truncated_image_is_refused(db: Database, settings: Settings) -> None:
    with pytest.raises(Invalid, match="not a JPEG"):
        await store_image(db, settings, png_bytes()[:200])


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600" onload="window.__xss=1">
  <script>window.__xss = 1</script><rect width="800" height="600"/>
</svg>"""


async def test_svg_is_refused_since_it_can_carry_script(db: Database, settings: Settings) -> None:
    with pytest.raises(Invalid, match="not a JPEG"):
        await store_image(db, settings, SVG)


async def test_an_upload_over_the_size_cap_is_refused_before_decoding(
    db: Database, settings: Settings
) -> None:
    settings.max_upload_bytes = 2 * 1024 * 1024
    with pytest.raises(Invalid, match="larger than 2 MB"):
        await store_image(db, settings, png_bytes() + bytes(3 * 1024 * 1024))


async def test_stored_images_are_only_ever_served_as_webp_and_never_sniffed(
    db: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    stored = await store_image(db, settings, png_bytes())
    answer = await client.get(f"/media/{stored.hash}-320.webp")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/webp"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(f"/media/{stored.hash}-320.svg")).status_code == 404


async def test_uploads_beyond_the_worker_count_wait_their_turn_and_all_get_stored(
    db: Database, settings: Settings
) -> None:
    settings.image_workers = 1
    uploads = [png_bytes(900 + n, 600) for n in range(3)]
    stored = await asyncio.gather(*(store_image(db, settings, data) for data in uploads))
    assert [image.width for image in stored] == [900, 901, 902]
    for image in stored:
        assert variant_path(settings.media_dir, image.hash, 640).is_file()


async def test_other_clients_are_served_while_an_upload_waits_for_the_image_workers(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    """Decoding and re-encoding cost seconds of CPU for a big image, so they run in the image
    pool, off the event loop. Here the pool's only worker is held on an event (as a big image
    would hold it): an upload then queues for it, and a page is served meanwhile. Nothing is
    timed: the upload cannot finish before the test lets the worker go."""
    settings.image_workers = 1
    pool = image_pool(1)
    held, busy = threading.Event(), threading.Event()

    def hold_the_worker() -> None:
        busy.set()
        held.wait(60)

    blocker = pool.submit(hold_the_worker)
    try:
        assert await asyncio.to_thread(busy.wait, 60), "the image worker never started"
        data = png_bytes(900, 600)
        files = {"file": ("photo.png", data, "image/png")}
        upload = asyncio.create_task(api.post("/api/v1/images", files=files))
        async with asyncio.timeout(60):  # patience for a busy machine, not an expected speed
            while not upload.done() and pool._work_queue.empty():  # noqa: ASYNC110
                await asyncio.sleep(0.01)  # until the upload waits in the pool's queue
        assert not upload.done(), "the upload was processed on the event loop"
        page = await api.get("/")
        assert page.status_code == 200
        assert not upload.done(), "the upload was processed on the event loop"
    finally:
        held.set()
    await asyncio.wrap_future(blocker)
    answer = await upload
    assert answer.status_code == 201, answer.text
    image_hash = hashlib.sha256(data).hexdigest()
    assert variant_path(settings.media_dir, image_hash, 640).is_file()


async def test_the_same_picture_uploaded_several_times_at_once_is_stored_for_all(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    """Four editors sending the same photo at once each get it (the variants were written
    through one temporary name, so all but one upload failed with a 500)."""
    settings.image_workers = 4
    files = {"file": ("storm.png", png_bytes(1800, 1200), "image/png")}
    answers = await asyncio.gather(*(api.post("/api/v1/images", files=files) for _ in range(4)))
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["id"] for a in answers}) == 1
    image_hash = answers[0].json()["id"]
    for width in (320, 640, 1024, 1600):
        with Image.open(variant_path(settings.media_dir, image_hash, width)) as variant:
            assert variant.width == width
            assert variant.format == "WEBP"
    assert not list(settings.media_dir.rglob("*.part"))


def noise_png(width: int, height: int) -> bytes:
    """A photo-like picture that does not compress: its WebP variants are large."""
    picture = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


@contextlib.contextmanager
def small_disk(where: Path, kilobytes: int) -> Iterator[Path]:
    """A real file system of `kilobytes` (tmpfs), so a write past it fails as on a full disk."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


async def test_a_full_disk_refuses_the_image_clearly_and_leaves_no_stray_file(
    db: Database, settings: Settings
) -> None:
    data = noise_png(1800, 1200)
    measured = await store_image(db, settings, data)  # on the ordinary disk: the sizes
    sizes = [
        variant_path(settings.media_dir, measured.hash, w).stat().st_size for w in (1600, 1024)
    ]
    async with db.write() as conn:
        await conn.execute(delete(images))
    # Room for the largest variant, not for the next: the first write succeeds, the second fails.
    room = (sizes[0] + sizes[1] // 2) // 1024 + 8
    with small_disk(settings.media_dir, room) as media:  # mounted over the measured files
        with pytest.raises(NoRoom, match="no room to store images"):
            await store_image(db, settings, data)
        assert [p.name for p in media.rglob("*") if p.is_file()] == []
    async with db.read() as conn:
        assert (await conn.execute(select(images))).first() is None


async def test_a_full_disk_answers_the_api_with_507_and_a_problem_body(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    with small_disk(settings.media_dir, 64) as media:
        files = {"file": ("big.png", noise_png(1800, 1200), "image/png")}
        answer = await api.post("/api/v1/images", files=files)
        assert answer.status_code == 507
        assert "no room to store images" in answer.json()["detail"]["image"]
        assert not any(media.rglob("*.part"))


async def test_a_full_disk_keeps_the_editors_text_and_says_why_at_the_image(
    editor_client: httpx.AsyncClient, blog: Blog, settings: Settings
) -> None:
    token = csrf_from(await editor_client.get(f"/admin/live/{blog.slug}"))
    with small_disk(settings.media_dir, 64):
        answer = await editor_client.post(
            f"/admin/live/{blog.slug}/updates",
            data={"csrf_token": token, "body": "Rescue teams reached the valley."},
            files={"new_image": ("valley.png", noise_png(1800, 1200), "image/png")},
        )
    assert answer.status_code == 422
    page = parse(answer)
    assert "Rescue teams reached the valley." in page.css_first("textarea[name=body]").text()
    assert "no room to store images" in page.text()
