"""Search over all coverage, on SQLite FTS5 and PostgreSQL full text alike: what is written
is findable at once, German and English words are found in their other forms, anything typed
is read as words, and each searcher finds only what they may see."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from typer.testing import CliRunner

from dateline.accounts.service import User
from dateline.cli import app as cli
from dateline.config import Settings
from dateline.db import Database
from dateline.db.migrate import alembic_config, upgrade
from dateline.db.tables import stories, updates
from dateline.liveblog import drafts, service, team
from dateline.liveblog.models import Blog, BlogDraft, UpdateDraft
from dateline.search import index
from dateline.search.service import Search, search
from tests.helpers import make_blog, make_user, post
from tests.ingest_factories import add, document, ingest_settings, item, store_document

HOSTILE = [
    '"',
    '"unclosed phrase',
    "*",
    "**",
    "-",
    "--",
    "(",
    ")(",
    "NEAR(talks ceasefire)",
    "talks NEAR ceasefire",
    "AND OR NOT",
    "title:ceasefire",
    "^ceasefire",
    "ceasefire'; DROP TABLE updates; --",
    "' OR 1=1 --",
    "\x01\x02\x1f control \x7f",
    "tsquery & | ! <-> :*",
    "a*",
    "-ceasefire",
    "🙂 emoji",
    "{}[]\\",
    "½* x²* ﬁre* ⑴*",
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def german_blog(db: Database, editor: User) -> Blog:
    draft = BlogDraft(
        title="Verhandlungen live",
        slug="verhandlungen",
        standfirst="",
        category="Welt",
        time_zone="Europe/Berlin",
        language="de",
    )
    return await service.create_blog(db, draft, editor)


async def found(db: Database, q: str, user: User | None = None, **filters: object) -> list[str]:
    """The titles a search finds, best first."""
    results = await search(db, Search(q=q, **filters), user)  # type: ignore[arg-type]
    return [hit.title for hit in results.hits]


async def test_an_update_is_findable_the_moment_it_is_published(
    db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Counting has begun in Ashford.", headline="Counting begins")
    assert await found(db, "Ashford") == ["Counting begins"]


async def test_an_edit_reindexes_and_a_deletion_removes(
    db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Turnout is high in Ashford.", headline="Turnout")
    await service.edit_update(
        db, blog.slug, update.id, UpdateDraft("Turnout is high in Brookfield.", "Turnout"), editor
    )
    assert await found(db, "Ashford") == []
    assert await found(db, "Brookfield") == ["Turnout"]
    await service.delete_update(db, blog.slug, update.id, editor)
    assert await found(db, "Brookfield") == []


async def test_german_words_are_found_in_their_other_forms(db: Database, editor: User) -> None:
    blog = await german_blog(db, editor)
    await post(db, blog, editor, "Die Verhandlung in Genf geht weiter.", headline="Genf")
    await post(db, blog, editor, "Gespräche in Zurich vertagt.", headline="Zurich")
    await post(db, blog, editor, "In Kiew heulten die Sirenen.", headline="Kiew")
    assert await found(db, "Verhandlungen") == ["Genf"]
    assert await found(db, "Zürich") == ["Zurich"]
    assert await found(db, "Kiew") == ["Kiew"]


async def test_an_english_plural_finds_its_singular(db: Database, blog: Blog, editor: User) -> None:
    await post(db, blog, editor, "A ceasefire was agreed at dawn.", headline="Dawn")
    assert await found(db, "ceasefires") == ["Dawn"]


async def test_phrases_prefixes_and_exclusions_mean_what_people_expect(
    db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Peace talks resumed in Geneva.", headline="Geneva")
    await post(db, blog, editor, "Talks about peace stalled in Vienna.", headline="Vienna")
    assert await found(db, '"peace talks"') == ["Geneva"]
    assert sorted(await found(db, "peace talks")) == ["Geneva", "Vienna"]
    assert await found(db, "peace -Vienna") == ["Geneva"]
    assert await found(db, "Gene*") == ["Geneva"]


@pytest.mark.parametrize("typed", HOSTILE)
async def test_anything_typed_is_read_as_words_never_an_error(
    db: Database, blog: Blog, editor: User, typed: str
) -> None:
    await post(db, blog, editor, "Talks on a ceasefire resumed.", headline="Talks")
    assert await found(db, typed) in ([], ["Talks"])


async def test_an_empty_query_finds_nothing(db: Database, blog: Blog, editor: User) -> None:
    await post(db, blog, editor, "Polls have closed.")
    assert await found(db, "") == []
    assert await found(db, "   ") == []


async def test_snippets_mark_the_words_found_and_escape_everything_else(
    db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Sirens in <Kiew> & beyond: **Kiew** waits.", headline="Sirens")
    (hit,) = (await search(db, Search(q="kiew"), None)).hits
    marks = HTMLParser(f"<p>{hit.snippet}</p>").css("mark")
    assert [mark.text() for mark in marks] == ["Kiew", "Kiew"]
    assert "<script" not in str(hit.snippet)
    assert "&lt;" in str(hit.snippet)


async def test_newer_coverage_ranks_first_when_equally_relevant(
    db: Database, blog: Blog, editor: User
) -> None:
    now = datetime.now(UTC)
    old, new = now - timedelta(days=60), now - timedelta(hours=1)
    for headline, at in (("Old", old), ("New", new)):
        draft = UpdateDraft("Floods in Ashford.", headline)
        await service.post_update(db, blog.slug, draft, editor, published_at=at)
    assert await found(db, "floods ashford") == ["New", "Old"]


async def test_drafts_are_found_by_their_team_only(db: Database, blog: Blog, editor: User) -> None:
    contributor = await make_user(db, "contributor", "ines@example.org")
    stranger = await make_user(db, "editor", "other@example.org")
    async with db.write() as conn:
        await team.join(conn, blog.id, contributor.id, editor.id)
    draft = await drafts.save_draft(
        db, blog.slug, UpdateDraft("Rumours from Brookfield.", "Rumours"), contributor
    )
    assert await found(db, "Brookfield", editor) == ["Rumours"]
    assert await found(db, "Brookfield", contributor) == ["Rumours"]
    assert await found(db, "Brookfield", stranger) == []
    assert await found(db, "Brookfield") == []
    await drafts.publish_draft(db, blog.slug, draft.id, draft.content, editor)
    results = await search(db, Search(q="Brookfield"), editor)
    assert [(hit.type, hit.title) for hit in results.hits] == [("update", "Rumours")]


async def test_followed_items_are_found_by_the_newsroom_not_by_readers(
    db: Database, settings: Settings, editor: User
) -> None:
    source = await add(db, settings, "https://wire.example.org/feed.rss")
    await store_document(db, source, document(item(1, "Flooding closes the Ashford bypass.")))
    assert await found(db, "bypass", editor) == ["Story 1"]
    assert await found(db, "bypass") == []
    edited = item(1, "Flooding closes the Brookfield bridge.")
    await store_document(db, source, document(edited))
    assert await found(db, "bypass", editor) == []
    assert await found(db, "bridge", editor) == ["Story 1"]


async def test_the_source_filter_finds_one_sources_items(
    db: Database, settings: Settings, editor: User
) -> None:
    wire = await add(db, settings, "https://wire.example.org/feed.rss")
    other = await add(db, settings, "https://other.example.org/feed.rss")
    await store_document(db, wire, document(item(1, "Ashford bypass closed.")))
    await store_document(db, other, document(item(2, "Ashford bridge closed.")))
    assert await found(db, "ashford", editor, source=wire.id) == ["Story 1"]


async def test_filters_narrow_the_results(db: Database, editor: User) -> None:
    english = await make_blog(db, editor, "floods", category="Weather")
    german = await german_blog(db, editor)
    await post(db, english, editor, "Floods in Ashford.", headline="English")
    await post(db, german, editor, "Floods in Ashford, auf Deutsch.", headline="Deutsch")
    assert await found(db, "ashford", language="de") == ["Deutsch"]
    assert await found(db, "ashford", blog="floods") == ["English"]
    assert await found(db, "ashford", category="Weather") == ["English"]
    assert await found(db, "ashford", blog="no-such-blog") == []
    assert await found(db, "ashford", types=("item",), user=editor) == []
    later = datetime.now(UTC) + timedelta(days=1)
    assert await found(db, "ashford", since=later) == []


async def test_results_come_in_pages(db: Database, blog: Blog, editor: User) -> None:
    for n in range(5):
        await post(db, blog, editor, f"Ashford report {n}.", headline=f"Report {n}")
    first = await search(db, Search(q="ashford", limit=3), None)
    rest = await search(db, Search(q="ashford", limit=3, cursor=first.next_cursor), None)
    titles = [hit.title for hit in first.hits + rest.hits]
    assert sorted(titles) == [f"Report {n}" for n in range(5)]
    assert rest.next_cursor is None


async def test_reindex_rebuilds_what_was_there(db: Database, blog: Blog, editor: User) -> None:
    await post(db, blog, editor, "Ashford votes.", headline="Votes")
    assert await index.rebuild(db) == 1
    assert await found(db, "ashford") == ["Votes"]


async def test_the_migration_indexes_what_was_already_there(tmp_path: Path) -> None:
    """A database upgraded to 0012 finds the updates written before it."""
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0012").down_revision
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/older.sqlite3")
    await upgrade(database, str(before))
    editor = await make_user(database, "editor", "editor@example.org")
    blog = await make_blog(database, editor)
    async with database.write() as conn:  # as code before search wrote it: no index call
        await conn.execute(
            updates.insert().values(
                blog_id=blog.id,
                published_at=datetime.now(UTC),
                headline="Written before",
                body="Ashford",
                body_html="<p>Ashford</p>",
                body_text="Ashford",
            )
        )
    await upgrade(database)
    assert await found(database, "ashford") == ["Written before"]
    await database.dispose()


async def test_stories_are_found_after_a_reindex(db: Database) -> None:
    """Stories are indexed by `dateline search reindex` (their titles change as clustering
    works); readers find them."""
    at = datetime.now(UTC)
    async with db.write() as conn:
        await conn.execute(
            stories.insert().values(
                title="Floods close the Ashford bypass",
                summary="Three outlets report the closure.",
                language="en",
                first_seen_at=at,
                last_seen_at=at,
                created_at=at,
            )
        )
    await index.rebuild(db)
    results = await search(db, Search(q="ashford"), None)
    assert [(hit.type, hit.title) for hit in results.hits] == [
        ("story", "Floods close the Ashford bypass")
    ]


async def test_the_reindex_command_rebuilds_the_index(
    db: Database, blog: Blog, editor: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await post(db, blog, editor, "Ashford votes.", headline="Votes")
    async with db.write() as conn:  # an index lost, as after restoring an older backup
        await conn.run_sync(index.clear_sync)
    assert await found(db, "ashford") == []
    monkeypatch.setenv("DATELINE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATELINE_DATA_DIR", str(settings.data_dir))
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 document." in result.output
    assert await found(db, "ashford") == ["Votes"]
