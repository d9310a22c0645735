"""Export and import of a live blog as one JSON file, and the static HTML export of an ended one.

The round trip is the contract: export → import under a new slug → export again gives the
same file but for the slug and the update ids. A bad file is refused whole, database untouched.
"""

from __future__ import annotations

import base64
import copy
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node
from sqlalchemy import select
from typer.testing import CliRunner

from dateline.accounts.service import User
from dateline.cli import app as cli
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import blog_events, blogs, images, update_images, updates
from dateline.errors import Conflict, Invalid, NotFound
from dateline.liveblog import archive, queries, service
from dateline.liveblog.models import Blog, ImageRef, UpdateDraft
from dateline.liveblog.static_export import export_static
from dateline.media.service import store_image, variant_path
from dateline.search import service as search
from dateline.web.templates import load_static
from tests.helpers import make_blog, png_bytes

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
Document = dict[str, Any]


async def publish(
    db: Database, blog: Blog, user: User, minutes: int, body: str, **fields: Any
) -> int:
    author = fields.pop("author", None)
    when = T0 + timedelta(minutes=minutes)
    draft = UpdateDraft(body=body, **fields)
    return (
        await service.post_update(db, blog.slug, draft, user, published_at=when, author_name=author)
    ).id


async def make_coverage(db: Database, settings: Settings, user: User) -> dict[str, int]:
    """A blog with everything an editor can do to one: the ids of its notable updates."""
    blog = await make_blog(db, user, "harbour-fire", time_zone="Europe/Lisbon", category="News")
    wide = await store_image(db, settings, png_bytes(1800, 900))
    small = await store_image(db, settings, png_bytes(500, 300))
    photos = [
        ImageRef(wide.hash, "Smoke", "Smoke rises", "A. Reporter"),
        ImageRef(small.hash, "Fire engine", "", ""),
    ]
    ids = {
        "key": await publish(db, blog, user, 0, "Crews called to **quay 4**.", headline="Fire"),
        "photos": await publish(db, blog, user, 5, "Smoke over the docks.", images=photos),
        "pinned": await publish(
            db, blog, user, 10, "See [the map](https://example.org/m).", pinned=True
        ),
        "wrong": await publish(db, blog, user, 12, "Fire spread to **quay 5**."),
        "withdrawn": await publish(db, blog, user, 13, "A rumour, withdrawn."),
        # Two in the same minute: the stream orders them by id, which must survive.
        "tie_a": await publish(db, blog, user, 20, "Tie, first by id.", author="Night desk"),
        "tie_b": await publish(db, blog, user, 20, "Tie, second by id."),
        # Published earlier than the ones before it in id: both orders must survive.
        "backdated": await publish(db, blog, user, 3, "Backdated note from the scene."),
    }
    await service.set_key_event(db, blog.slug, ids["key"], True, user)
    again = UpdateDraft("Crews called to **quay 4** at 08:00.", "Fire at the docks", True)
    await service.edit_update(db, blog.slug, ids["key"], again, user)
    await service.delete_update(db, blog.slug, ids["wrong"], user, "It did not spread.")
    await service.delete_update(db, blog.slug, ids["withdrawn"], user)
    await service.set_recap(db, blog.slug, ["Fire on quay 4", "No injuries"], user)
    await service.end_coverage(db, blog.slug, user)
    return ids


@pytest.fixture
async def coverage(db: Database, settings: Settings, editor: User) -> dict[str, int]:
    return await make_coverage(db, settings, editor)


def normalised(document: Document) -> Document:
    """What must survive a round trip: everything but the slug, the ids and the export's own
    time and address."""
    found = copy.deepcopy(document)
    del found["exported_at"], found["source"], found["blog"]["slug"]
    for update in found["updates"]:
        del update["id"]
    return found


async def rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row an import may write, to show a refused one wrote nothing."""
    async with db.read() as conn:
        return {
            table.name: sorted(map(tuple, (await conn.execute(select(table))).all()), key=str)
            for table in (blogs, updates, update_images, images, blog_events)
        }


def media_files(settings: Settings) -> set[Path]:
    return set(settings.media_dir.rglob("*")) if settings.media_dir.exists() else set()


# Round trip --------------------------------------------------------------------------------


async def test_export_import_export_is_equal_but_for_slug_and_ids(
    db: Database, settings: Settings, coverage: dict[str, int]
) -> None:
    first = await archive.export_blog(db, settings, "harbour-fire")
    done = await archive.import_blog(
        db, settings, archive.serialise(first), slug="harbour-fire-copy"
    )
    assert (done.blog.slug, done.updates, done.images) == ("harbour-fire-copy", 7, 2)
    second = await archive.export_blog(db, settings, "harbour-fire-copy")
    assert normalised(second) == normalised(first)
    assert second["blog"]["slug"] == "harbour-fire-copy"
    assert first["blog"]["status"] == "ended"
    assert first["blog"]["coverage_end"]


async def test_the_export_keeps_what_readers_saw_and_drops_withdrawn_text(
    db: Database, settings: Settings, coverage: dict[str, int]
) -> None:
    ids = coverage
    document = await archive.export_blog(db, settings, "harbour-fire")
    by_id = {u["id"]: u for u in document["updates"]}
    assert [u["id"] for u in document["updates"]] == sorted(by_id), "oldest id first"
    assert ids["withdrawn"] not in by_id, "deleted without a note: readers saw nothing"
    assert by_id[ids["wrong"]]["correction_note"] == "It did not spread."
    assert by_id[ids["wrong"]]["body"] == ""
    assert by_id[ids["wrong"]]["deleted_at"]
    key = by_id[ids["key"]]
    assert (key["headline"], key["body"], key["key_event"]) == (
        "Fire at the docks",
        "Crews called to **quay 4** at 08:00.",
        True,
    )
    assert key["edited_at"]
    assert key["published_at"] == "2026-03-01T08:00:00Z"
    assert by_id[ids["pinned"]]["pinned"] is True
    assert by_id[ids["photos"]]["images"][0] == {
        "id": by_id[ids["photos"]]["images"][0]["id"],
        "alt": "Smoke",
        "caption": "Smoke rises",
        "credit": "A. Reporter",
    }
    assert document["blog"]["recap"]["items"] == ["Fire on quay 4", "No injuries"]
    assert document["blog"]["time_zone"] == "Europe/Lisbon"
    assert {u["author"] for u in document["updates"]} == {"Reporter editor", "Night desk"}
    [wide] = [i for i in document["images"] if i["width"] == 1800]
    assert [v["width"] for v in wide["variants"]] == [320, 640, 1024, 1600]
    stored = variant_path(settings.media_dir, wide["id"], 640).read_bytes()
    assert base64.b64decode(wide["variants"][1]["webp"]) == stored, "the bytes, not a copy"


async def test_an_imported_blog_reads_like_the_original(
    db: Database, settings: Settings, coverage: dict[str, int]
) -> None:
    data = archive.serialise(await archive.export_blog(db, settings, "harbour-fire"))
    await archive.import_blog(db, settings, data, slug="copy")
    async with db.read() as conn:
        original = await queries.reader_page(conn, "harbour-fire", 1, 100, False)
        imported = await queries.reader_page(conn, "copy", 1, 100, False)

    def seen(view: queries.ReaderPage) -> list[tuple[Any, ...]]:
        """What a reader sees of each update (a deleted one shows its note only)."""
        return [
            (u.correction_note,) if u.is_deleted
            else (u.body_html, u.headline, u.published_at, u.author_name, u.images)
            for u in view.updates
        ]  # fmt: skip

    assert seen(imported) == seen(original), "same stream, ties in the same order"
    assert [k.title for k in imported.key_events] == [k.title for k in original.key_events]
    assert imported.pinned is not None
    assert original.pinned is not None
    assert imported.pinned.body == original.pinned.body
    assert imported.blog.updated_at == original.blog.updated_at
    assert max(u.id for u in imported.updates) > max(u.id for u in original.updates)


async def test_an_imported_blogs_updates_are_found_by_search_at_once(
    db: Database, settings: Settings, coverage: dict[str, int]
) -> None:
    data = archive.serialise(await archive.export_blog(db, settings, "harbour-fire"))
    await archive.import_blog(db, settings, data, slug="copy")
    found = await search.search(db, search.Search("backdated", blog="copy"), None)
    assert [hit.blog_slug for hit in found.hits] == ["copy"]


async def test_import_appends_one_blog_imported_event_as_seq_1(
    db: Database, settings: Settings, editor: User, coverage: dict[str, int]
) -> None:
    data = archive.serialise(await archive.export_blog(db, settings, "harbour-fire"))
    done = await archive.import_blog(db, settings, data, slug="copy", actor=editor)
    async with db.read() as conn:
        log = (
            await conn.execute(
                select(blog_events.c.seq, blog_events.c.kind, blog_events.c.actor_id).where(
                    blog_events.c.blog_id == done.blog.id
                )
            )
        ).all()
    assert [tuple(row) for row in log] == [(1, "blog.imported", editor.id)]
    assert done.blog.last_seq == 1


async def test_imported_markdown_is_rendered_and_sanitised_again(
    db: Database, settings: Settings, coverage: dict[str, int]
) -> None:
    document = await archive.export_blog(db, settings, "harbour-fire")
    document["updates"][0]["body"] = "<script>alert(1)</script> [x](javascript:alert(1)) **ok**"
    await archive.import_blog(db, settings, archive.serialise(document), slug="copy")
    blog_updates = (await archive.export_blog(db, settings, "copy"))["updates"]
    async with db.read() as conn:
        blog = await queries.blog_by_slug(conn, "copy")
        update = await queries.update_by_id(conn, blog.id, min(u["id"] for u in blog_updates))
    assert "<script" not in update.body_html
    assert 'href="javascript' not in update.body_html, "left as text, never a link"
    assert "&lt;script&gt;" in update.body_html
    assert "<strong>ok</strong>" in update.body_html


async def test_images_are_stored_by_hash_once_and_restored_when_missing(
    db: Database, settings: Settings, coverage: dict[str, int]
) -> None:
    document = await archive.export_blog(db, settings, "harbour-fire")
    data = archive.serialise(document)
    before = {path: path.read_bytes() for path in media_files(settings) if path.is_file()}
    for path in before:
        path.unlink()  # a new site: no files yet
    await archive.import_blog(db, settings, data, slug="first-copy")
    after = {path: path.read_bytes() for path in media_files(settings) if path.is_file()}
    assert after == before, "every variant back, byte for byte, under its old name"
    counted = len((await rows(db))["images"])
    await archive.import_blog(db, settings, data, slug="second-copy")
    assert len((await rows(db))["images"]) == counted == 2


# Refusals ----------------------------------------------------------------------------------


async def test_import_refuses_a_slug_in_use_and_changes_nothing(
    db: Database, settings: Settings, coverage: dict[str, int]
) -> None:
    data = archive.serialise(await archive.export_blog(db, settings, "harbour-fire"))
    before = await rows(db)
    with pytest.raises(Conflict, match="already a live blog at /live/harbour-fire"):
        await archive.import_blog(db, settings, data)
    assert await rows(db) == before


def webp(width: int, **options: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, width // 2), (10, 90, 160)).save(buffer, "WEBP", **options)
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def set_variant(data: str) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        document["images"][0]["variants"][0]["webp"] = data

    return change


def exif() -> bytes:
    tags = Image.Exif()
    tags[0x010F] = "CameraMaker"
    return webp(320, exif=tags)


BAD_FILES: list[tuple[str, Callable[[Document], Any], str]] = [
    ("not JSON", lambda d: b"{not json", "This file is not JSON"),
    ("not UTF-8", lambda d: b"\xff\xfe\x00garbage", "This file is not JSON"),
    ("a list", lambda d: json.dumps([d]).encode(), "not a Dateline live blog export"),
    ("other format", lambda d: d.update(format="wordpress.wxr"), "not a Dateline live blog"),
    ("newer version", lambda d: d.update(version=2), "version 2 of the export format"),
    ("version as text", lambda d: d.update(version="1"), "version '1' of the export format"),
    ("missing title", lambda d: d["blog"].pop("title"), "blog.title: Field required"),
    ("missing body", lambda d: d["updates"][0].pop("body"), "updates.0.body: Field required"),
    ("unknown field", lambda d: d["updates"][0].update(body_html="<b>"), "body_html: Extra"),
    ("naive time", lambda d: d["updates"][0].update(published_at="2026-03-01T08:00:00"),
     "timezone info"),
    ("bad base64", set_variant("not base64 at all!"), "320 px variant is not valid base64"),
    ("a PNG", set_variant(b64(png_bytes(320, 160))), "is not a well-formed WebP file"),
    ("trailing data", set_variant(b64(webp(320) + b"<script>")), "not a well-formed WebP"),
    ("camera metadata", set_variant(b64(exif())), "carries metadata"),
    ("wrong width", set_variant(b64(webp(400))), "320 px variant is 400 px wide"),
    ("path in id", lambda d: d["images"][0].update(id="../../etc/passwd"), "images.0.id"),
    ("unknown image", lambda d: d["updates"][1]["images"][0].update(id="0" * 64),
     "not in the file's images"),
    ("empty body", lambda d: d["updates"][0].update(body="  "), "Write the text of the update"),
    ("two pinned", lambda d: [u.update(pinned=True) for u in d["updates"] if not u["deleted_at"]],
     "More than one update is pinned"),
    ("bad time zone", lambda d: d["blog"].update(time_zone="Mars/Olympus"), "IANA time zone"),
    ("ended, no end", lambda d: d["blog"].update(coverage_end=None), "coverage end time"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES]
)
async def test_a_bad_file_is_refused_with_a_clear_error_and_changes_nothing(
    db: Database,
    settings: Settings,
    coverage: dict[str, int],
    change: Callable[[Document], Any],
    message: str,
) -> None:
    document = await archive.export_blog(db, settings, "harbour-fire")
    replaced = change(document)  # changes the document, or answers the file's bytes
    data = replaced if isinstance(replaced, bytes) else json.dumps(document).encode()
    before, files = await rows(db), media_files(settings)
    with pytest.raises(Invalid) as refused:
        await archive.import_blog(db, settings, data, slug="copy")
    assert message in refused.value.message
    assert await rows(db) == before
    assert media_files(settings) == files


async def test_export_of_an_unknown_blog_is_not_found(db: Database, settings: Settings) -> None:
    with pytest.raises(NotFound):
        await archive.export_blog(db, settings, "nope")


# Static HTML -------------------------------------------------------------------------------


def hidden(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir() if path.name.startswith(".")]


def attributes(page: HTMLParser, name: str) -> list[str]:
    return [str(node.attributes[name]) for node in page.css(f"[{name}]")]


async def test_static_export_is_one_page_that_opens_from_disk(
    db: Database, settings: Settings, coverage: dict[str, int], tmp_path: Path
) -> None:
    ids = coverage
    folder = tmp_path / "archive" / "harbour-fire"
    done = await export_static(db, settings, "harbour-fire", folder)
    page = HTMLParser((folder / "index.html").read_text())

    shown = {
        int(str(n.attributes["id"]).removeprefix("update-")) for n in page.css("article.update")
    }
    assert shown == set(ids.values()) - {ids["withdrawn"]}, "all updates, one page"
    assert done.updates == len(shown) - 1, "the correction note is shown, not counted"
    assert done.images == 2
    assert "It did not spread." in page.css_first(f"#update-{ids['wrong']}").text()
    keys = [str(a.attributes["href"]) for a in page.css(".key-events a")]
    assert keys == [f"#update-{ids['key']}"]
    assert [li.text() for li in page.css(".recap li")] == ["Fire on quay 4", "No injuries"]
    go_to = page.css(".pinned a")[-1]  # after the links of the pinned update's own text
    assert go_to.attributes["href"] == f"#update-{ids['pinned']}"
    assert not page.css("script"), "nothing needs JavaScript"

    [stylesheet] = page.css("link[rel=stylesheet]")
    assert stylesheet.attributes["href"] == "dateline.css"
    assert (folder / "dateline.css").read_bytes() == load_static()["dateline.css"].body
    pictures = page.css("img")
    assert len(pictures) == 2
    for img in pictures:
        sources = [str(img.attributes["src"])]
        sources += [part.split()[0] for part in str(img.attributes["srcset"]).split(",")]
        for source in sources:
            assert source.startswith("images/"), source
            assert (folder / source).is_file(), source

    original = f"{settings.base_url}/live/harbour-fire"
    assert page.css_first("link[rel=canonical]").attributes["href"] == original
    links = attributes(page, "href") + attributes(page, "src")
    assert not [link for link in links if link.startswith("/")], "no site-absolute paths"
    server = [link for link in links if link.startswith(settings.base_url)]
    assert set(server) == {original}, "the original address is the only link to the site"


def same_but_for_addresses_and_times(node: Node) -> str:
    """A part's HTML without what a static export changes on purpose: where its links and
    pictures point, how a time reads (with its date), and the relative age it cannot keep."""
    for age in node.css(".update__age"):
        age.decompose()
    for pointer in node.css("[href], [src], [srcset]"):
        for name in ("href", "src", "srcset"):
            if name in pointer.attrs:
                del pointer.attrs[name]
    for moment in node.css("time"):
        for text in list(moment.iter(include_text=True)):
            text.decompose()
    return str(node.html)


async def test_static_export_renders_the_live_pages_own_updates_and_key_events(
    db: Database, settings: Settings, coverage: dict[str, int], client: httpx.AsyncClient,
    tmp_path: Path,
) -> None:  # fmt: skip
    """One set of partials: a change to how an update reads shows in both, or the test fails."""
    live = await client.get("/live/harbour-fire")
    assert live.status_code == 200
    await export_static(db, settings, "harbour-fire", tmp_path / "site")
    exported = HTMLParser((tmp_path / "site" / "index.html").read_text())
    page = HTMLParser(live.text)
    assert page.css(".update__age")
    assert not exported.css(".update__age"), "an archive cannot keep a relative age"
    ids = set(coverage.values()) - {coverage["withdrawn"]}
    for part in [f"#update-{update_id}" for update_id in sorted(ids)] + [".key-events"]:
        ours, theirs = page.css_first(part), exported.css_first(part)
        assert ours is not None, part
        assert theirs is not None, part
        assert same_but_for_addresses_and_times(theirs) == same_but_for_addresses_and_times(ours)


async def test_static_export_refuses_a_live_blog_and_a_used_folder(
    db: Database, settings: Settings, editor: User, tmp_path: Path
) -> None:
    await make_blog(db, editor, "still-going")
    with pytest.raises(Conflict, match="still live; end its coverage"):
        await export_static(db, settings, "still-going", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    await service.end_coverage(db, "still-going", editor)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine")
    with pytest.raises(Conflict, match="not an empty folder"):
        await export_static(db, settings, "still-going", tmp_path / "used")
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["keep.txt"]
    await export_static(db, settings, "still-going", tmp_path / "empty")
    assert (tmp_path / "empty" / "index.html").is_file()
    assert hidden(tmp_path) == [], "no staging folder left behind"


# The commands ------------------------------------------------------------------------------
# Sync tests: each command runs its own event loop and Database, like an operator's shell.


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The commands read the same database and media folder as the test's fixtures."""
    monkeypatch.setenv("DATELINE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATELINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATELINE_BASE_URL", settings.base_url)
    return settings


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_blog_commands_export_import_and_write_static_html(
    coverage: dict[str, int], cli_env: Settings, tmp_path: Path
) -> None:
    file = tmp_path / "harbour.json"
    code, output = invoke("blog", "export", "harbour-fire", str(file))
    assert code == 0, output
    assert "7 updates, 2 images" in output
    assert json.loads(file.read_text())["format"] == "dateline.liveblog"

    code, output = invoke("blog", "import", str(file))
    assert code == 1
    assert "There is already a live blog at /live/harbour-fire" in output

    code, output = invoke("blog", "import", str(file), "--slug", "harbour-copy")
    assert code == 0, output
    assert "Imported 7 updates and 2 images as /live/harbour-copy" in output

    code, output = invoke("blog", "export-static", "harbour-copy", str(tmp_path / "site"))
    assert code == 0, output
    assert (tmp_path / "site" / "index.html").is_file()


def test_a_static_export_without_a_public_address_says_so(
    coverage: dict[str, int], cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = invoke("blog", "export-static", "harbour-fire", str(tmp_path / "a"))
    assert (code, "DATELINE_BASE_URL" in output) == (0, False)  # set: nothing to say
    monkeypatch.delenv("DATELINE_BASE_URL")
    code, output = invoke("blog", "export-static", "harbour-fire", str(tmp_path / "b"))
    assert code == 0, output
    assert "DATELINE_BASE_URL is not set" in output
    assert "http://127.0.0.1:8000" in output


@pytest.fixture
async def live_blog(db: Database, editor: User) -> Blog:
    return await make_blog(db, editor, "still-going")


def test_blog_commands_explain_refusals(live_blog: Blog, cli_env: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "dateline.liveblog", "version": 9}')
    code, output = invoke("blog", "import", str(bad))
    assert (code, "version 9 of the export format" in output) == (1, True)
    code, output = invoke("blog", "export", "nope", str(tmp_path / "x.json"))
    assert (code, "There is no live blog at /live/nope" in output) == (1, True)
    assert not (tmp_path / "x.json").exists()
    code, output = invoke("blog", "export-static", live_blog.slug, str(tmp_path / "site"))
    assert (code, "still live" in output) == (1, True)


@pytest.mark.browser
def test_static_export_shows_its_photos_and_styles_from_disk_in_chromium(
    coverage: dict[str, int], cli_env: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    folder = tmp_path / "site"
    assert invoke("blog", "export-static", "harbour-fire", str(folder))[0] == 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto((folder / "index.html").as_uri())
        for picture in page.locator("img").all():
            picture.scroll_into_view_if_needed()
            page.wait_for_function(
                "(img) => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
            )
        border = page.evaluate("getComputedStyle(document.querySelector('.recap')).borderTopWidth")
        browser.close()
    assert border == "3px", "dateline.css applies"
    assert requested
    assert all(url.startswith("file://") for url in requested), requested
