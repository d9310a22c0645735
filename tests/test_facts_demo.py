"""The demo blog's facts read as a careful editor would count them: its one death, reported
in two updates in other words, is one incident with two sources."""

from __future__ import annotations

from dateline.config import Settings
from dateline.db import Database
from dateline.facts import merge, queries
from dateline.facts.worker import FactsExtractor
from dateline.liveblog import demo
from dateline.liveblog.queries import blog_by_slug


async def test_the_demos_one_death_is_one_incident_with_two_sources(
    db: Database, settings: Settings
) -> None:
    slug = await demo.load_demo(db, settings)
    await FactsExtractor(db).run()
    async with db.read() as conn:
        blog = await blog_by_slug(conn, slug)
        found = merge.merge(await queries.of_blog(conn, blog.id))
    deaths = [m for m in found if m.kind == "incident" and m.fact.get("killed")]
    assert [(m.place_name, m.fact["killed"], len(m.members)) for m in deaths] == [
        ("Wendle Cross", 1, 2)
    ]
