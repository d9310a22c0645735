"""The facts pages keep a blog's merged facts between requests (facts/cache.py), and a reader
never sees them stale: every review, new reading and deletion shows on the next request."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx

from dateline.accounts.service import User
from dateline.db import Database
from dateline.facts import cache, queries
from dateline.facts.merge import StoredFact
from dateline.facts.worker import FactsExtractor
from dateline.liveblog import service
from dateline.liveblog.models import Blog, BlogDraft, UpdateDraft
from tests.helpers import parse

TUESDAY = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)
KHARKIV = "Russian shelling killed two people in Kharkiv on Monday."
ODESA = "A drone attack injured seven people in Odesa on Monday."


async def publish(db: Database, blog: Blog, editor: User, body: str, minutes: int = 0) -> int:
    when = TUESDAY + timedelta(minutes=minutes)
    update = await service.post_update(
        db, blog.slug, UpdateDraft(body=body), editor, published_at=when
    )
    await FactsExtractor(db, clock=lambda: when).run()
    return update.id


async def fact_at(db: Database, blog: Blog, place: str) -> StoredFact:
    async with db.read() as conn:
        found = await queries.of_blog(conn, blog.id, rejected=True)
    return next(f for f in found if (f.fact.get("place") or {}).get("name") == place)


async def table(client: httpx.AsyncClient, blog: Blog) -> dict[str, tuple[str, str]]:
    """Place → (killed, injured) as the facts page shows them."""
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    rows = [
        [cell.text().strip() for cell in row.css("td")] for row in page.css("#incidents tbody tr")
    ]
    return {row[2]: (row[3], row[4]) for row in rows}


async def downloaded(client: httpx.AsyncClient, blog: Blog) -> dict[str, str]:
    """Place → killed as the CSV gives them."""
    rows = csv.DictReader(io.StringIO((await client.get(f"/live/{blog.slug}/facts.csv")).text))
    return {row["place"]: row["killed"] for row in rows if row["type"] == "incident"}


async def test_a_correction_shows_at_once_on_the_page_and_in_downloads(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, KHARKIV)
    assert (await table(client, blog))["Kharkiv"] == ("2", "")
    assert (await downloaded(client, blog))["Kharkiv"] == "2"
    kharkiv = await fact_at(db, blog, "Kharkiv")
    await queries.review(db, kharkiv.id, "corrected", {"killed": 4}, editor.id, TUESDAY)
    assert (await table(client, blog))["Kharkiv"] == ("4", "")
    assert (await downloaded(client, blog))["Kharkiv"] == "4"
    # Corrected again in the same instant (an injected clock): still the newest figure.
    await queries.review(db, kharkiv.id, "corrected", {"killed": 3}, editor.id, TUESDAY)
    assert (await table(client, blog))["Kharkiv"] == ("3", "")
    facts = (await client.get(f"/live/{blog.slug}/facts.json")).json()["facts"]
    assert [entry["fact"]["killed"] for entry in facts] == [3]


async def test_confirming_and_rejecting_show_at_once(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, KHARKIV)
    await publish(db, blog, editor, ODESA, minutes=5)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    assert "Suggested" in page.css_first("#incidents tbody tr").text()
    odesa = await fact_at(db, blog, "Odesa")
    await queries.review(db, odesa.id, "confirmed", None, editor.id, TUESDAY)
    row = parse(await client.get(f"/live/{blog.slug}/facts")).css_first(f"#fact-{odesa.id}")
    assert "Confirmed" in row.text()
    await queries.review(db, odesa.id, "rejected", None, editor.id, TUESDAY)
    assert set(await table(client, blog)) == {"Kharkiv"}
    facts = (await client.get(f"/live/{blog.slug}/facts.json")).json()["facts"]
    assert odesa.id not in [entry["id"] for entry in facts]


async def test_a_new_updates_facts_and_a_deleted_updates_show_at_once(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, KHARKIV)
    assert set(await table(client, blog)) == {"Kharkiv"}
    odesa = await publish(db, blog, editor, ODESA, minutes=5)
    assert await table(client, blog) == {"Kharkiv": ("2", ""), "Odesa": ("", "7")}
    chart = parse(await client.get(f"/live/{blog.slug}/facts"))
    day = chart.css_first(".facts-chart__day[data-incidents]")
    assert day.attributes["data-incidents"] == "2"  # the chart is drawn afresh too
    await service.delete_update(db, blog.slug, odesa, editor, "")
    await FactsExtractor(db, clock=lambda: TUESDAY).run()
    assert set(await table(client, blog)) == {"Kharkiv"}


async def test_an_edited_update_is_read_again_and_shown_at_once(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    update_id = await publish(db, blog, editor, KHARKIV)
    assert (await table(client, blog))["Kharkiv"] == ("2", "")
    edited = UpdateDraft(body=KHARKIV.replace("two", "three"))
    await service.edit_update(db, blog.slug, update_id, edited, editor)
    await FactsExtractor(db, clock=lambda: TUESDAY).run()  # the same instant: ids reused
    assert (await table(client, blog))["Kharkiv"] == ("3", "")


async def test_the_cache_keeps_a_bounded_number_of_blogs(db: Database, editor: User) -> None:
    kept = cache.FactsCache(size=2)
    for n in range(3):
        draft = BlogDraft(title=f"Blog {n}", slug=f"blog-{n}")
        blog = await service.create_blog(db, draft, editor, start=TUESDAY)
        await publish(db, blog, editor, KHARKIV)
        async with db.read() as conn:
            entry = await kept.of_blog(conn, blog.id)
        assert [m.place_name for m in entry.merged] == ["Kharkiv"]
    assert len(kept) == 2


async def test_a_second_correction_in_the_same_instant_shows_at_once(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    """Two corrections of one fact in one instant, the second changing only its place: no
    time and no figure moves, yet the page must follow."""
    await publish(db, blog, editor, KHARKIV)
    kharkiv = await fact_at(db, blog, "Kharkiv")
    await queries.review(db, kharkiv.id, "corrected", {"killed": 4}, editor.id, TUESDAY)
    assert (await table(client, blog))["Kharkiv"] == ("4", "")
    moved = {"place": {"name": "Kupiansk"}}
    await queries.review(db, kharkiv.id, "corrected", moved, editor.id, TUESDAY)
    assert set(await table(client, blog)) == {"Kupiansk"}


async def test_a_correction_from_a_node_whose_clock_is_behind_shows_at_once(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await publish(db, blog, editor, KHARKIV)
    await publish(db, blog, editor, ODESA, minutes=5)
    kharkiv, odesa = await fact_at(db, blog, "Kharkiv"), await fact_at(db, blog, "Odesa")
    ahead = TUESDAY + timedelta(seconds=1)
    await queries.review(db, odesa.id, "confirmed", None, editor.id, ahead)
    await queries.review(db, kharkiv.id, "corrected", {"killed": 4}, editor.id, TUESDAY)
    assert (await table(client, blog))["Kharkiv"] == ("4", "")
    behind = TUESDAY + timedelta(milliseconds=500)
    await queries.review(
        db, kharkiv.id, "corrected", {"place": {"name": "Kupiansk"}}, editor.id, behind
    )
    assert set(await table(client, blog)) == {"Kupiansk", "Odesa"}
