"""Uploads are decoded, re-encoded without metadata and stored once per content."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from dateline.config import Settings
from dateline.db import Database
from dateline.errors import Invalid
from dateline.media.service import store_image, variant_path
from tests.helpers import png_bytes


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
