"""Editors reviewing a live blog's facts: who may, and which facts are the blog's.

Those who may publish on a blog review its facts (confirm, correct, reject), as they decide
its key events. The review itself is `queries.review`, shared with the API: a reviewed fact
is never replaced by a later reading of its update (store.py keeps decided facts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dateline.accounts.permissions import Action
from dateline.accounts.service import User
from dateline.db import Database
from dateline.errors import NotFound
from dateline.facts import queries
from dateline.facts.merge import StoredFact
from dateline.i18n import gettext as _
from dateline.liveblog import team
from dateline.liveblog.models import Blog

STATES = ("confirmed", "corrected", "rejected")
WAITING_FIRST = {"suggested": 0, "corrected": 1, "confirmed": 1, "rejected": 2}


async def facts_of_blog(
    db: Database, slug: str, actor: User, *, rejected: bool = True
) -> tuple[Blog, list[StoredFact]]:
    """The blog's facts, rejected ones too unless `rejected` is False: those waiting for
    review first, then the decided, then the rejected; newest first within each."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH)
        found = await queries.of_blog(conn, blog.id, rejected=rejected)
    found.sort(key=lambda fact: fact.id, reverse=True)
    found.sort(key=lambda fact: WAITING_FIRST.get(fact.review, 1))
    return blog, found


async def fact_of_blog(db: Database, slug: str, fact_id: int, actor: User) -> StoredFact:
    """One fact of the blog; another blog's fact is not found here."""
    async with db.read() as conn:
        blog = await team.authorized_blog(conn, slug, actor, Action.PUBLISH)
        (fact,) = await queries.one(conn, fact_id)
    if fact.source.blog_slug != blog.slug:
        raise NotFound(_("There is no such fact."))
    return fact


async def review(
    db: Database,
    slug: str,
    fact_id: int,
    state: str,
    changes: dict[str, Any] | None,
    actor: User,
    now: datetime,
) -> None:
    """Confirm, correct (`changes`: the fields that change) or reject one of the blog's facts."""
    await fact_of_blog(db, slug, fact_id, actor)
    await queries.review(db, fact_id, state, changes, actor.id, now)
