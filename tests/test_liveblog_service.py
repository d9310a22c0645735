"""Live blog use cases against a real database: state changes and the event log agree."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from dateline.accounts.service import User
from dateline.db import Database
from dateline.db.tables import blog_events
from dateline.errors import Conflict, Invalid, NotFound
from dateline.liveblog import queries, service
from dateline.liveblog.models import Blog, BlogDraft, ImageRef, Stale, UpdateDraft, UpdatePatch
from tests.helpers import make_blog, post


async def events_of(db: Database, blog: Blog) -> list[tuple[int, str, int | None]]:
    async with db.read() as conn:
        rows = await conn.execute(
            select(blog_events.c.seq, blog_events.c.kind, blog_events.c.update_id)
            .where(blog_events.c.blog_id == blog.id)
            .order_by(blog_events.c.seq)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_every_change_appends_one_event_with_the_next_sequence_number(
    db: Database, blog: Blog, editor: User
) -> None:
    first = await post(db, blog, editor, "Turnout is 61% at noon.")
    second = await post(db, blog, editor, "Counting has begun.", headline="Count under way")
    await service.set_key_event(db, blog.slug, first.id, True, editor)
    await service.set_pinned(db, blog.slug, second.id, True, editor)
    await service.edit_update(db, blog.slug, first.id, UpdateDraft(body="Turnout: 62%."), editor)
    await service.delete_update(db, blog.slug, second.id, editor, "Posted too early.")
    await service.set_recap(db, blog.slug, ["Polls closed at 20:00."], editor)
    await service.end_coverage(db, blog.slug, editor)

    assert await events_of(db, blog) == [
        (1, "blog.created", None),
        (2, "update.published", first.id),
        (3, "update.published", second.id),
        (4, "update.key_event", first.id),
        (5, "update.pinned", second.id),
        (6, "update.edited", first.id),
        (7, "update.deleted", second.id),
        (8, "recap.changed", None),
        (9, "blog.ended", None),
    ]
    async with db.read() as conn:
        assert (await queries.blog_by_slug(conn, blog.slug)).last_seq == 9


async def test_concurrent_posts_get_distinct_gap_free_sequence_numbers(
    db: Database, blog: Blog, editor: User
) -> None:
    await asyncio.gather(*(post(db, blog, editor, f"Result {n} declared.") for n in range(12)))
    seqs = [seq for seq, _, _ in await events_of(db, blog)]
    assert seqs == list(range(1, 14))


async def test_a_refused_change_leaves_no_event_and_no_state(
    db: Database, blog: Blog, editor: User
) -> None:
    with pytest.raises(Invalid):
        await post(db, blog, editor, "   ")
    with pytest.raises(Invalid, match="not uploaded"):
        await post(db, blog, editor, "Photo below.", images=[ImageRef("0" * 64, "alt")])
    assert [kind for _, kind, _ in await events_of(db, blog)] == ["blog.created"]
    async with db.read() as conn:
        assert (await queries.reader_page(conn, blog.slug, 1, 20, False)).total == 0


async def test_an_ended_blog_takes_no_new_updates_but_keeps_corrections(
    db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Final result: a hung parliament.")
    await service.end_coverage(db, blog.slug, editor)
    with pytest.raises(Conflict, match="ended"):
        await post(db, blog, editor, "One more thing.")
    await service.delete_update(db, blog.slug, update.id, editor, "The result was misreported.")
    with pytest.raises(Conflict):
        await service.end_coverage(db, blog.slug, editor)


async def test_pinning_an_update_unpins_the_one_before(
    db: Database, blog: Blog, editor: User
) -> None:
    first = await post(db, blog, editor, "How to vote.", pinned=True)
    second = await post(db, blog, editor, "Where to find results.")
    await service.set_pinned(db, blog.slug, second.id, True, editor)
    async with db.read() as conn:
        pinned = await queries.pinned_update(conn, blog.id)
        assert pinned is not None
        assert pinned.id == second.id
        assert not (await queries.update_by_id(conn, blog.id, first.id)).pinned


async def test_markdown_is_rendered_and_sanitised_when_saved(
    db: Database, blog: Blog, editor: User
) -> None:
    body = "**Breaking**: <script>alert(1)</script> [map](javascript:alert(1)) [site](https://example.org)"
    update = await post(db, blog, editor, body)
    assert "<strong>Breaking</strong>" in update.body_html
    assert "<script" not in update.body_html
    assert 'href="javascript' not in update.body_html
    assert 'href="https://example.org" rel="noopener noreferrer nofollow"' in update.body_html
    assert update.body == body  # the editor's Markdown is kept as typed


async def test_blog_slugs_are_unique_and_validated(db: Database, editor: User) -> None:
    await make_blog(db, editor, slug="budget-day")
    with pytest.raises(Invalid) as taken:
        await make_blog(db, editor, slug="budget-day")
    assert "taken" in taken.value.errors["slug"]
    with pytest.raises(Invalid) as bad:
        await service.create_blog(db, BlogDraft("T", "Not A Slug!", time_zone="Mars/Base"), editor)
    assert set(bad.value.errors) == {"slug", "time_zone"}


async def test_over_long_fields_are_refused_with_the_field_named(
    db: Database, blog: Blog, editor: User
) -> None:
    with pytest.raises(Invalid) as refused:
        await post(db, blog, editor, "x" * 20_001, headline="h" * 201)
    assert set(refused.value.errors) == {"body", "headline"}


async def test_unknown_blog_and_update_are_not_found(
    db: Database, blog: Blog, editor: User
) -> None:
    with pytest.raises(NotFound):
        await post(db, Blog(**{**blog.__dict__, "slug": "nope"}), editor, "Hello")
    with pytest.raises(NotFound):
        await service.set_key_event(db, blog.slug, 9999, True, editor)


async def test_reader_page_pages_newest_first_and_filters_key_events(
    db: Database, blog: Blog, editor: User
) -> None:
    posted = [await post(db, blog, editor, f"Update {n}", key_event=n % 5 == 0) for n in range(45)]
    async with db.read() as conn:
        page1 = await queries.reader_page(conn, blog.slug, 1, 20, False)
        page3 = await queries.reader_page(conn, blog.slug, 3, 20, False)
        keys = await queries.reader_page(conn, blog.slug, 1, 20, True)
        assert [u.id for u in page1.updates] == [u.id for u in reversed(posted)][:20]
        assert (page1.total, page1.pages, len(page3.updates)) == (45, 3, 5)
        assert [u.id for u in keys.updates] == [u.id for u in reversed(posted) if u.key_event]
        assert await queries.page_of(conn, posted[0], 20) == 3
        with pytest.raises(NotFound):
            await queries.reader_page(conn, blog.slug, 4, 20, False)


async def versions_of(db: Database, blog: Blog, *updates: int) -> list[int]:
    async with db.read() as conn:
        return [(await queries.update_by_id(conn, blog.id, u)).version for u in updates]


async def test_every_change_of_an_update_gives_it_a_new_version(
    db: Database, blog: Blog, editor: User
) -> None:
    a = (await post(db, blog, editor, "Turnout is 61% at noon.")).id
    b = (await post(db, blog, editor, "Counting has begun.")).id
    assert await versions_of(db, blog, a, b) == [1, 1]
    await service.set_key_event(db, blog.slug, a, True, editor)
    await service.set_pinned(db, blog.slug, a, True, editor)
    assert await versions_of(db, blog, a, b) == [3, 1]
    await service.set_pinned(db, blog.slug, b, True, editor)  # unpins a: a change of a too
    assert await versions_of(db, blog, a, b) == [4, 2]
    await service.edit_update(db, blog.slug, a, UpdatePatch(headline="Turnout"), editor)
    await service.delete_update(db, blog.slug, b, editor, versions={2})
    assert await versions_of(db, blog, a, b) == [5, 3]


async def test_a_change_made_against_an_old_version_is_refused_and_changes_nothing(
    db: Database, blog: Blog, editor: User
) -> None:
    a = (await post(db, blog, editor, "Turnout is 61% at noon.")).id
    await service.edit_update(db, blog.slug, a, UpdatePatch(body="Turnout: 62%."), editor)
    before = await events_of(db, blog)
    with pytest.raises(Stale) as refused:
        await service.set_key_event(db, blog.slug, a, True, editor, versions={1})
    assert (refused.value.version, refused.value.by) == (2, editor.display_name)
    with pytest.raises(Stale):
        await service.edit_update(db, blog.slug, a, UpdatePatch(body="Old."), editor, versions={1})
    async with db.read() as conn:
        update = await queries.update_by_id(conn, blog.id, a)
    assert (update.body, update.key_event, update.version) == ("Turnout: 62%.", False, 2)
    assert await events_of(db, blog) == before


async def test_an_edit_changes_only_the_fields_it_sets(
    db: Database, blog: Blog, editor: User
) -> None:
    a = (await post(db, blog, editor, "Turnout is 61%.", headline="Turnout")).id
    await service.set_key_event(db, blog.slug, a, True, editor)
    await service.edit_update(db, blog.slug, a, UpdatePatch(body="Turnout is 62%."), editor)
    async with db.read() as conn:
        update = await queries.update_by_id(conn, blog.id, a)
    assert (update.headline, update.body, update.key_event) == ("Turnout", "Turnout is 62%.", True)
    assert update.body_html == "<p>Turnout is 62%.</p>\n"
