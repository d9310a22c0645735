"""The audit log says in plain words what happened to readers' comments (no raw codes such
as "comment.queued"), links what has a page, in English and German."""

from __future__ import annotations

import httpx

from dateline.accounts.service import User
from dateline.comments import abuse, service
from dateline.comments.models import CommentDraft
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog import answers
from dateline.liveblog.models import Blog
from tests.helpers import parse

GERMAN = {"Accept-Language": "de"}


async def send(db: Database, blog: Blog, settings: Settings, body: str) -> int:
    sent = await service.submit(
        db, blog.slug, CommentDraft(body, ""), body, abuse.Rules.of(settings)
    )
    assert sent is not None
    return sent.id


async def audit_lines(
    client: httpx.AsyncClient, blog: Blog, **headers: str
) -> list[tuple[str, list[str]]]:
    page = parse(await client.get(f"/admin/live/{blog.slug}/audit", headers=headers))
    rows = page.css("#audit tbody tr")
    cells = [row.css("td")[1] for row in rows]
    return [
        (" ".join(cell.text().split()), [str(a.attributes["href"]) for a in cell.css("a")])
        for cell in cells
    ]


async def test_comments_in_the_audit_log_read_as_sentences_with_links(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, settings: Settings
) -> None:
    kept = await send(db, blog, settings, "Is the bridge at Pirna open?")
    spam = await send(db, blog, settings, "Buy cheap watches here.")
    await service.approve(db, blog.slug, kept, editor)
    await answers.remove(db, blog.slug, spam, "rejected", editor)
    await service.switch(db, blog.slug, False, editor)
    await service.switch(db, blog.slug, True, editor)

    said = await audit_lines(editor_client, blog)
    who = editor.display_name
    assert said[:6] == [
        (f"{who} opened the live blog for comments", []),
        (f"{who} closed the live blog for comments", []),
        (f"{who} removed comment {spam}", []),
        (f"{who} approved comment {kept}", [f"/live/{blog.slug}/comments/{kept}"]),
        (f"A reader sent comment {spam} for moderation", [f"/admin/live/{blog.slug}/comments"]),
        (f"A reader sent comment {kept} for moderation", [f"/admin/live/{blog.slug}/comments"]),
    ]
    assert not any("comment." in line or "made a change" in line for line, _ in said)
    opened = await editor_client.get(said[3][1][0], follow_redirects=True)
    assert parse(opened).css_first(f"#comment-{kept}") is not None


async def test_comments_in_the_audit_log_read_german(
    editor_client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, settings: Settings
) -> None:
    kept = await send(db, blog, settings, "Ist die Brücke in Pirna offen?")
    await service.approve(db, blog.slug, kept, editor)
    await service.switch(db, blog.slug, False, editor)

    said = [line for line, _ in await audit_lines(editor_client, blog, **GERMAN)]
    who = editor.display_name
    assert said[:3] == [
        f"{who} hat die Kommentare zum Liveblog geschlossen",
        f"{who} hat Kommentar {kept} freigegeben",
        f"Eine Leserin oder ein Leser hat Kommentar {kept} zur Moderation geschickt",
    ]
