"""Store uploaded images safely and in the widths the reader page asks for with srcset.

An upload is trusted only after Pillow decodes it. It is re-encoded to WebP, which drops EXIF
(camera GPS included) and any payload hidden after the image data. Files are named by the
SHA-256 of the upload, so the same photo uploaded twice is stored once.

Decoding and the four encodes take seconds of CPU for a large photo. They run in a small pool
of worker threads (`DATELINE_IMAGE_WORKERS`), never on the event loop, so pages and live
streams keep being served meanwhile (Pillow releases the GIL while it decodes, resizes and
encodes); uploads beyond the pool's size wait in its queue instead of all competing at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import errno
import hashlib
import io
import secrets
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy import select

from dateline.accounts.permissions import Action, authorize
from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database, insert_new
from dateline.db.tables import images, utcnow
from dateline.errors import Invalid, NoRoom
from dateline.i18n import gettext as _
from dateline.timefmt import number

WIDTHS = (320, 640, 1024, 1600)
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
MIN_SIDE = 16


@dataclass(frozen=True)
class StoredImage:
    hash: str
    width: int
    height: int
    widths: list[int]


def media_url(image_hash: str, width: int) -> str:
    return f"/media/{image_hash}-{width}.webp"


def variant_path(media_dir: Path, image_hash: str, width: int) -> Path:
    return media_dir / image_hash[:2] / f"{image_hash}-{width}.webp"


async def upload_image(
    db: Database, settings: Settings, data: bytes, uploader: User, blog_id: int | None = None
) -> StoredImage:
    """An upload through a blog's update form (`blog_id`: whoever may write drafts there) or
    the API (editors and admins; contributors once on some blog's team); then store_image."""
    action = Action.WRITE_DRAFT if blog_id is not None else Action.UPLOAD_IMAGES
    async with db.read() as conn:
        await authorize(conn, uploader, action, blog_id)
    return await store_image(db, settings, data)


async def store_image(db: Database, settings: Settings, data: bytes) -> StoredImage:
    """Decode, re-encode and store an image (trusted callers: upload_image, the demo)."""
    if len(data) > settings.max_upload_bytes:
        limit = settings.max_upload_bytes // (1024 * 1024)
        raise Invalid({"image": _("The image is larger than %(limit)s MB.") % {"limit": limit}})
    image_hash = hashlib.sha256(data).hexdigest()
    async with db.read() as conn:
        row = (await conn.execute(select(images).where(images.c.hash == image_hash))).first()
    if row is not None:
        return StoredImage(row.hash, row.width, row.height, row.widths)
    pool = image_pool(settings.image_workers)
    speaking = contextvars.copy_context()  # refusals in the thread speak the caller's language
    stored = await asyncio.get_running_loop().run_in_executor(
        pool, speaking.run, _write_variants, data, image_hash, settings
    )
    async with db.write() as conn:
        await conn.execute(
            insert_new(conn, images).values(
                hash=stored.hash,
                width=stored.width,
                height=stored.height,
                widths=stored.widths,
                created_at=utcnow(),
            )
        )
    return stored


@cache
def image_pool(workers: int) -> ThreadPoolExecutor:
    """One pool per process (per size, for tests that vary it): its queue is the limit.

    A thread pool, not the event loop's default one, so queued images never hold the threads
    that password hashing and feed parsing need; threads start only when an image comes.
    Public so a test can hold its workers and watch the event loop serve others meanwhile.
    """
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dateline-image")


def _write_variants(data: bytes, image_hash: str, settings: Settings) -> StoredImage:
    picture = _decode(data, settings.max_image_pixels)
    full_width, full_height = picture.size
    largest = min(full_width, WIDTHS[-1])
    widths = [w for w in WIDTHS if w < largest] + [largest]
    # What this upload created, removed again if a later write fails: no part file and no
    # variant without its siblings is left (the image has no row yet; nothing refers to them).
    created: list[Path] = []
    try:
        # Largest first, each variant scaled down from the one before, in place: one resize
        # of the full picture, not a full-size copy per width (a 40-megapixel upload is 120 MB).
        for width in reversed(widths):
            picture.thumbnail((width, width * 10))
            path = variant_path(settings.media_dir, image_hash, width)
            path.parent.mkdir(parents=True, exist_ok=True)
            # A name of its own: the same picture uploaded twice at once is written twice.
            temporary = path.with_name(f"{path.name}.{secrets.token_hex(8)}.part")
            created.append(temporary)
            picture.save(temporary, "WEBP", quality=82, method=4)
            if not path.exists():
                created.append(path)
            temporary.replace(path)  # readers never see a half-written file
    except OSError as exc:
        for leftover in created:
            leftover.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            full = _(
                "The server has no room to store images just now. Try again later or tell "
                "the site's administrator."
            )
            raise NoRoom({"image": full}) from exc
        raise
    return StoredImage(image_hash, full_width, full_height, widths)


def _decode(data: bytes, max_pixels: int) -> PILImage.Image:
    refusal = Invalid({"image": _("That file is not a JPEG, PNG, WebP or GIF image.")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            picture = PILImage.open(io.BytesIO(data))
            if picture.format not in ACCEPTED_FORMATS:
                raise refusal
            if picture.width * picture.height > max_pixels:
                raise Invalid(
                    {
                        "image": _("The image has more than %(count)s pixels.")
                        % {"count": number(max_pixels)}
                    }
                )
            if min(picture.size) < MIN_SIDE:
                raise Invalid(
                    {
                        "image": _("The image is smaller than %(count)s pixels a side.")
                        % {"count": MIN_SIDE}
                    }
                )
            picture.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise refusal from exc
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise Invalid({"image": _("The image is too large to decode.")}) from exc
    upright = ImageOps.exif_transpose(picture)  # honour camera rotation before EXIF is dropped
    return upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB")
