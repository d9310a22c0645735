"""A keyed API request (Idempotency-Key) finds its caller once: the middleware's look-up of
the token is the one the route uses. It still works, and a revoked token is still refused."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event

from dateline.accounts import tokens
from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog.models import Blog

UPDATE = {"body": "Crews reached the harbour.", "headline": "Arrived"}


def count_token_lookups(db: Database) -> list[str]:
    """Every statement that reads the API tokens table, as the database receives it."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "api_tokens" in statement:
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    return seen


async def test_a_keyed_request_is_answered_and_replayed_with_one_token_lookup_each(
    client: httpx.AsyncClient, db: Database, editor: User, blog: Blog
) -> None:
    _, secret = await tokens.create_token(db, editor, "desk", "write")
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "harbour-1"}
    lookups = count_token_lookups(db)
    first = await client.post(f"/api/v1/blogs/{blog.slug}/updates", json=UPDATE, headers=headers)
    assert first.status_code == 201, first.text
    assert len(lookups) == 1
    again = await client.post(f"/api/v1/blogs/{blog.slug}/updates", json=UPDATE, headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert len(lookups) == 2


async def test_a_keyed_request_with_a_revoked_token_is_refused(
    client: httpx.AsyncClient, db: Database, editor: User, blog: Blog
) -> None:
    token, secret = await tokens.create_token(db, editor, "old laptop", "write")
    await tokens.revoke_token(db, editor, token.id)
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "harbour-2"}
    answer = await client.post(f"/api/v1/blogs/{blog.slug}/updates", json=UPDATE, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "That API token is unknown or revoked."
    listed = await client.get(f"/api/v1/blogs/{blog.slug}/updates")
    assert listed.json()["items"] == []
