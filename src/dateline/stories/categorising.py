"""The category classifier as stories use it: the installation's house sections, and the
categories editors chose for stories as corrections that guide later assignments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.config import Settings
from dateline.db.tables import stories
from dateline.stories.categories import (
    TOP_LEVEL,
    Classifier,
    Example,
    HouseSection,
    house_sections_from_setting,
    seed_examples,
)
from dateline.stories.embed import embed


def sections(settings: Settings | None) -> tuple[HouseSection, ...]:
    return house_sections_from_setting(settings.house_sections) if settings else ()


def classifier(settings: Settings | None, corrections: Sequence[Example] = ()) -> Classifier:
    return Classifier(sections(settings), corrections, embed=embed, seeds=seed_examples())


def known_codes(settings: Settings | None) -> set[str]:
    """Codes an editor may choose: the IPTC top level and the house sections."""
    codes = {category.code for category in TOP_LEVEL}
    return codes | {section.code for section in sections(settings)}


def stated_code(settings: Settings | None, stated: str) -> str | None:
    """The code of the category a live blog states in its own words ("Weather", "Wetter", a
    house section's name, or a code such as "medtop:17000000"), which wins over the
    classifier; None when the words name no category we know."""
    wanted = " ".join(stated.split()).casefold()
    if not wanted:
        return None
    named = [(c.code, c.names) for c in TOP_LEVEL]
    named += [(section.code, section.names) for section in sections(settings)]
    for code, names in named:
        if wanted in {code.casefold(), *(name.casefold() for name in names.values())}:
            return code
    return None


_chosen = (stories.c.category_locked.is_(True), stories.c.category_code.is_not(None))


async def corrections(conn: AsyncConnection) -> list[Example]:
    """The categories editors chose, newest last, as examples for the classifier."""
    query = select(
        stories.c.title, stories.c.summary, stories.c.language, stories.c.category_code
    ).where(*_chosen, stories.c.deleted_at.is_(None))
    return [
        Example(row.title, row.summary, row.language, row.category_code)
        for row in await conn.execute(query.order_by(stories.c.id))
    ]


async def corrections_count(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.count()).select_from(stories).where(*_chosen)) or 0)


@cache
def _cached(house_sections: str) -> Classifier:
    house = house_sections_from_setting(json.loads(house_sections))
    return Classifier(house, embed=embed, seeds=seed_examples())


def cached(settings: Settings) -> Classifier:
    """One classifier per process and house-section setting, for pages and the API: the
    category names, and the categories of stories an editor's move, merge or split changes.
    (The worker's classifier also learns the editors' corrections: `corrections`.)"""
    return _cached(json.dumps(settings.house_sections, sort_keys=True))
