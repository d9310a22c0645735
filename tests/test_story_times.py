"""A live blog's story tells its times as the blog does, in the blog's time zone, labelled
(the QA walkthrough found "UTC" on the story and "GMT" on the blog for the same coverage)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from dateline.accounts.service import User
from dateline.db import Database
from dateline.db.tables import stories
from dateline.stories import categorising, store
from tests.helpers import make_blog, parse


async def test_a_blogs_story_shows_its_times_in_the_blogs_zone(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    blog = await make_blog(db, editor, "storm-idris", time_zone="Europe/London")
    async with db.write() as conn:
        # the stories worker's first step: each blog a story, in the category it states
        await store.sync_blogs(conn, lambda words: categorising.stated_code(None, words))
    async with db.read() as conn:
        story_id = await conn.scalar(select(stories.c.id).where(stories.c.blog_id == blog.id))
    live = parse(await client.get(f"/live/{blog.slug}")).css_first(".last-updated time").text()
    story = parse(await client.get(f"/stories/{story_id}"))
    first_seen = story.css_first(".story__header .meta time").text()
    assert first_seen.rsplit(" ", 1)[1] == live.rsplit(" ", 1)[1]  # GMT, or BST in summer
    assert first_seen.rsplit(" ", 1)[1] != "UTC"
