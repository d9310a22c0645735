"""The export file, version 1: its shape, and the checks a file passes before anything is stored.

`{"format": "dateline.liveblog", "version": 1, "exported_at", "source", "blog", "updates",
"images", "comments"}`. Every field is required: a missing one is an error, not a guess
(except `comments`, which files written before readers could comment lack: none). Images are the
stored WebP variants, base64, keyed by content hash (dateline.liveblog.archive says why). Each
variant is stored as it is only when it is a well-formed WebP whose RIFF size matches the data
(nothing hidden after it), holding image chunks only (no EXIF or XMP), that Pillow decodes at
the declared width within the pixel limit.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from dateline.errors import Invalid

FORMAT = "dateline.liveblog"
VERSION = 1
IMAGE_ID = r"^[0-9a-f]{64}$"  # a SHA-256: it becomes a file name, so nothing else gets in
WEBP_IMAGE_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP"})


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Variant(_Part):
    width: int = Field(ge=1, le=10_000)
    webp: str = Field(description="The stored WebP file, base64.")


class ArchivedImage(_Part):
    id: str = Field(pattern=IMAGE_ID)
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    variants: list[Variant] = Field(min_length=1, max_length=8)


class ImageUse(_Part):
    id: str = Field(pattern=IMAGE_ID)
    alt: str
    caption: str
    credit: str


class ArchivedUpdate(_Part):
    id: int
    published_at: AwareDatetime
    edited_at: AwareDatetime | None
    deleted_at: AwareDatetime | None
    author: str = Field(max_length=120)
    headline: str
    body: str
    key_event: bool
    pinned: bool
    correction_note: str
    images: list[ImageUse]


class Recap(_Part):
    items: list[str]
    updated_at: AwareDatetime | None


class ArchivedBlog(_Part):
    slug: str
    title: str
    standfirst: str
    category: str
    time_zone: str
    language: str = "en"  # files written before blogs had a language are English
    status: Literal["live", "ended"]
    coverage_start: AwareDatetime
    coverage_end: AwareDatetime | None
    updated_at: AwareDatetime
    recap: Recap


class ArchivedComment(_Part):
    """An approved reader's comment; `answered_by` is the id of the update that answered it."""

    name: str
    body: str
    created_at: AwareDatetime
    answered_by: int | None


class Source(_Part):
    site: str
    url: str


class Archive(_Part):
    format: Literal["dateline.liveblog"]
    version: Literal[1]
    exported_at: AwareDatetime
    source: Source
    blog: ArchivedBlog
    updates: list[ArchivedUpdate]
    images: list[ArchivedImage]
    comments: list[ArchivedComment] = []


def read_archive(data: bytes) -> Archive:
    """Parse and type-check the file; the format and version are checked first, by name."""
    try:
        document = json.loads(data)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise Invalid({"file": f"This file is not JSON ({exc})."}) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Invalid(
            {"format": f'This is not a Dateline live blog export ("format": "{FORMAT}").'}
        )
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        raise Invalid(
            {
                "version": f"This file is in version {version!r} of the export format; "
                f"this Dateline reads version {VERSION}."
            }
        )
    try:
        return Archive.model_validate_json(data)
    except ValidationError as exc:
        problems = exc.errors()[:5]
        raise Invalid({".".join(str(p) for p in e["loc"]): e["msg"] for e in problems}) from exc


@dataclass(frozen=True)
class ImageFiles:
    id: str
    width: int
    height: int
    files: dict[int, bytes]  # width → checked WebP bytes, ascending


def image_files(found: list[ArchivedImage], max_pixels: int) -> list[ImageFiles]:
    """Decode and check every image of the file; Invalid names the first one refused."""
    return [_image_files(image, max_pixels) for image in found]


def _image_files(image: ArchivedImage, max_pixels: int) -> ImageFiles:
    where = f"image {image.id[:12]}…"
    widths = [variant.width for variant in image.variants]
    if widths != sorted(set(widths)):
        raise Invalid({where: "Its variants must be listed by growing width, once each."})
    files = {}
    for variant in image.variants:
        try:
            data = base64.b64decode(variant.webp, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid({where: f"The {variant.width} px variant is not valid base64."}) from exc
        problem = _webp_problem(data, variant.width, max_pixels)
        if problem:
            raise Invalid({where: f"The {variant.width} px variant {problem}."})
        files[variant.width] = data
    return ImageFiles(image.id, image.width, image.height, files)


def _webp_problem(data: bytes, width: int, max_pixels: int) -> str | None:
    """Why these bytes may not be stored as they are, or None when they may."""
    chunks = _riff_chunks(data)
    if chunks is None:
        return "is not a well-formed WebP file"
    if not set(chunks) <= WEBP_IMAGE_CHUNKS:
        return "carries metadata or other data besides the image"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data), formats=["WEBP"]) as picture:
                if picture.width * picture.height > max_pixels:
                    return f"has more than {max_pixels:,} pixels"
                picture.load()
                size = picture.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "does not decode as a WebP image"
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        return "is too large to decode"
    return None if size[0] == width else f"is {size[0]} px wide"


def _riff_chunks(data: bytes) -> list[bytes] | None:
    """The chunk names of a WebP file, or None when its sizes do not add up to the data."""
    if len(data) < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    if int.from_bytes(data[4:8], "little") + 8 != len(data):
        return None
    names, offset = [], 12
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset + 4 : offset + 8], "little")
        names.append(data[offset : offset + 4])
        offset += 8 + size + (size & 1)
    return names if offset == len(data) else None
