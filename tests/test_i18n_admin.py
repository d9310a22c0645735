"""The newsroom in German: every editor page, a form's error and the CLI speak the editor's
language, with the words of the German catalogue (src/dateline/locale/de)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po
from fastapi.routing import iter_route_contexts
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select

from dateline import i18n
from dateline.accounts import invites
from dateline.accounts.tokens import create_token_for
from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import items, story_items
from dateline.distribution import webhooks
from dateline.distribution.webhook_worker import fan_out
from dateline.ingest import service as ingest
from dateline.ingest.models import SourceDraft
from dateline.liveblog import drafts, team
from dateline.liveblog.models import UpdateDraft
from dateline.stories.assign import Assigner
from tests.helpers import csrf_from, log_in, make_blog, make_user, parse, post
from tests.ingest_factories import document, item, store_document

CATALOGUE = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po"
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


@cache
def _english_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each English msgid of the German catalogue that German differs from, of at least two
    words, as a pattern over visible text: markup dropped, a placeholder matching any value."""
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file, locale="de")
    patterns = []
    for message in catalogue:
        if not message.id or not message.string or message.id == message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            text = " ".join(re.sub(r"<[^>]+>", "", msgid).split())
            text = text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")
            if len(re.sub(r"%\(\w+\)[sd]|%[sd]", "", text).split()) < 2:
                continue
            parts = re.split(r"%\(\w+\)[sd]|%[sd]", text)
            pattern = r".{1,200}?".join(re.escape(part) for part in parts)
            patterns.append((msgid, re.compile(pattern)))
    return tuple(patterns)


def _visible_text(html: str) -> str:
    """What a reader of the page sees or hears: text, the title, and the words in attributes."""
    tree = HTMLParser(html)
    tree.strip_tags(["script", "style", "template"])
    words = [tree.root.text(separator=" ") if tree.root else ""]
    for node in tree.css("[placeholder], [aria-label], [title], [alt]"):
        for name in ("placeholder", "aria-label", "title", "alt"):
            words.append(node.attributes.get(name) or "")
    return " ".join(" ".join(words).split())


def english_left(html: str) -> list[str]:
    text = _visible_text(html)
    return [msgid for msgid, pattern in _english_patterns() if pattern.search(text)]


def test_the_german_catalogue_knows_the_newsroom_words() -> None:
    """Guards the walk below against an empty catalogue, which would make it pass vacuously."""
    known = {msgid for msgid, _ in _english_patterns()}
    for words in ("Delete this update?", "Where you are logged in", "Find a site's feeds"):
        assert words in known


# Every admin page, walked as an admin with a German browser ---------------------------------


@dataclass
class Newsroom:
    http: httpx.AsyncClient
    ids: dict[str, object]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"allow_private_addresses": True, "allow_private_sources": True}
    )


@pytest.fixture
async def newsroom(db: Database, client: httpx.AsyncClient, settings: Settings) -> Newsroom:
    """A newsroom with one of everything an admin page lists."""
    admin = await make_user(db, "admin")
    editor = await make_user(db, "editor")
    contributor = await make_user(db, "contributor")
    blog = await make_blog(db, editor)
    async with db.write() as conn:
        await team.join(conn, blog.id, contributor.id, editor.id)
    update = await post(db, blog, editor, "The count has begun.", key_event=True)
    draft = await drafts.save_draft(db, blog.slug, UpdateDraft("Queues at noon."), contributor)
    await drafts.save_draft(db, blog.slug, UpdateDraft("Turnout rumours."), contributor)
    source = await ingest.add_source(
        db, settings, SourceDraft("http://127.0.0.1:9/wire.xml", "feed", None, blog.slug), editor
    )
    await store_document(db, source, document(item(1)))
    await Assigner(db).run()  # the item in a story, for the stories pages
    async with db.read() as conn:
        (item_id,) = (await conn.execute(select(items.c.id))).scalars()
        story_id = (await conn.execute(select(story_items.c.story_id))).scalar_one()
    hook = webhooks.WebhookDraft("http://127.0.0.1:9/hook", "", ["update.published"])
    await webhooks.create_webhook(db, hook, admin, allow_private=True)
    await post(db, blog, editor, "Polls have closed.")
    await fan_out(db, settings.base_url)
    await create_token_for(db, admin.email, "Night desk", "read")
    await invites.invite(db, admin, "new.reporter@example.org", "contributor")
    await log_in(client, admin.email)
    client.headers.update(GERMAN)
    ids = {"slug": blog.slug, "update_id": update.id, "draft_id": draft.id, "item_id": item_id}
    ids["story_id"] = story_id
    return Newsroom(client, ids)


def _admin_pages() -> list[str]:
    app = create_app(Settings(secret_key="routes-only"))
    return sorted(
        {
            route.path
            for route in iter_route_contexts(app.routes)
            if route.path.startswith("/admin") and "GET" in (route.methods or ())
        }
    )


@pytest.mark.parametrize("path", _admin_pages())
async def test_every_admin_page_reads_german_for_a_german_browser(
    newsroom: Newsroom, path: str
) -> None:
    unknown = set(re.findall(r"{(\w+)}", path)) - set(newsroom.ids)
    assert not unknown, f"say which value {path} takes for {unknown}"
    answer = await newsroom.http.get(path.format(**newsroom.ids), follow_redirects=True)
    assert answer.status_code == 200, answer.text[:300]
    if not answer.headers["content-type"].startswith("text/html"):
        return  # the OPML export is for feed readers, in no language
    assert english_left(answer.text) == []


async def test_a_refused_update_is_shown_again_with_a_german_message(newsroom: Newsroom) -> None:
    page_url = f"/admin/live/{newsroom.ids['slug']}"
    page = await newsroom.http.get(page_url)
    answer = await newsroom.http.post(
        f"{page_url}/updates",
        data={"csrf_token": csrf_from(page), "headline": "Erste Zahlen", "body": "  "},
    )
    assert answer.status_code == 422
    errors = parse(answer).css_first("#form-errors")
    assert errors is not None
    assert "Schreiben Sie den Text des Eintrags." in errors.text()
    assert "Write the text of the update." not in answer.text
    headline = parse(answer).css_first("#headline")
    assert headline is not None
    assert headline.attributes["value"] == "Erste Zahlen"
    assert english_left(answer.text) == []


# The CLI speaks the operator's locale -------------------------------------------------------

DATELINE = Path(sys.executable).with_name("dateline")


def _dateline(database_url: str, tmp_path: Path, lang: str, *args: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": lang,
        "COLUMNS": "240",
        "DATELINE_DATABASE_URL": database_url,
        "DATELINE_DATA_DIR": str(tmp_path / "data"),
        "DATELINE_ALLOW_PRIVATE_SOURCES": "true",
    }
    done = subprocess.run(
        [str(DATELINE), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_the_cli_speaks_german_under_a_german_locale_and_english_under_c(
    database_url: str, tmp_path: Path
) -> None:
    added = _dateline(
        database_url, tmp_path, "de_DE.UTF-8", "source", "add", "http://127.0.0.1:9/feed.xml"
    )
    assert "Folge jetzt Quelle #" in added
    german = _dateline(database_url, tmp_path, "de_DE.UTF-8", "source", "list")
    assert "Letzter Erfolg" in german
    assert " nie " in german
    assert "Last success" not in german
    english = _dateline(database_url, tmp_path, "C", "source", "list")
    assert "Last success" in english
    assert " never " in english
    assert "Letzter Erfolg" not in english
