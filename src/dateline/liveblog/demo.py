"""`dateline demo`: load the fictional Storm Idris live blog with generated photographs."""

from __future__ import annotations

import io
import math
import secrets
from datetime import timedelta

from PIL import Image, ImageDraw

from dateline.accounts.service import User, create_user, find_user
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import utcnow
from dateline.errors import NotFound
from dateline.liveblog import demo_content as content
from dateline.liveblog import queries, service
from dateline.liveblog.models import BlogDraft, ImageRef, Update, UpdateDraft
from dateline.media.service import store_image

DEMO_EMAIL = "demo-desk@example.org"
SIZE = (1600, 900)
PALETTES = {
    "flood": ((92, 110, 122), (58, 74, 70), (141, 122, 87)),
    "rain": ((70, 78, 92), (110, 118, 130), (45, 52, 60)),
    "sky": ((60, 72, 96), (160, 170, 186), (90, 96, 80)),
    "map": ((225, 221, 205), (120, 160, 190), (170, 60, 50)),
    "crowd": ((120, 110, 100), (70, 60, 55), (200, 170, 60)),
    "night": ((12, 18, 36), (40, 52, 84), (240, 200, 90)),
}


async def load_demo(db: Database, settings: Settings) -> str:
    """Load the demo blog; returns its slug. Refuses when it is there already."""
    async with db.read() as conn:
        try:
            await queries.blog_by_slug(conn, content.BLOG["slug"])
            return content.BLOG["slug"]
        except NotFound:
            pass
    desk = await _demo_user(db)
    span = timedelta(minutes=content.UPDATES[-1]["minutes"] + 20)
    start = utcnow() - span
    blog = await service.create_blog(db, BlogDraft(**content.BLOG), desk, start=start)
    posted: list[Update] = []
    for item in content.UPDATES:
        images = [
            ImageRef(
                (await store_image(db, settings, draw_scene(image["scene"], len(posted)))).hash,
                image["alt"],
                image["caption"],
                image["credit"],
            )
            for image in item["images"]
        ]
        draft = UpdateDraft(
            body=item["body"],
            headline=item["headline"] or "",
            key_event=item["key_event"],
            pinned=item["pinned"],
            images=images,
        )
        when = start + timedelta(minutes=item["minutes"])
        update = await service.post_update(
            db, blog.slug, draft, desk, published_at=when, author_name=item["author"]
        )
        posted.append(update)
    wrong = posted[content.CORRECTION_EXAMPLE["index"]]
    await service.delete_update(db, blog.slug, wrong.id, desk, content.CORRECTION_EXAMPLE["note"])
    await service.set_recap(db, blog.slug, content.RECAP, desk)
    return blog.slug


async def _demo_user(db: Database) -> User:
    """The account the demo is posted as. Its password is random and never shown."""
    try:
        return await find_user(db, DEMO_EMAIL)
    except NotFound:
        return await create_user(
            db, DEMO_EMAIL, secrets.token_urlsafe(24), "editor", display_name="Dateline demo desk"
        )


def draw_scene(scene: str, seed: int) -> bytes:
    """A simple landscape in the scene's colours: sky, hills, water, a light. PNG bytes."""
    sky, land, accent = PALETTES[scene]
    picture = Image.new("RGB", SIZE, sky)
    pen = ImageDraw.Draw(picture)
    width, height = SIZE
    for y in range(height // 2):  # sky fades towards the horizon
        shade = tuple(min(255, c + y // 6) for c in sky)
        pen.line([(0, y), (width, y)], fill=shade)
    for layer in range(3):
        base = height * (0.5 + layer * 0.12)
        points = [
            (x, base - 40 * math.sin((x / width) * math.pi * (2 + layer) + seed + layer))
            for x in range(0, width + 40, 40)
        ]
        tone = tuple(max(0, c - layer * 18) for c in land)
        pen.polygon([(0, height), *points, (width, height)], fill=tone)
    cx = 200 + (seed * 137) % (width - 400)
    pen.ellipse([cx - 60, 120, cx + 60, 240], fill=accent)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()
