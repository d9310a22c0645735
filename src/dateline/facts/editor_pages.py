"""Editors' pages for a live blog's facts, and what facts add to liveblog's editor pages.

GET  /admin/live/{slug}/facts                                 review: every fact, its sentence
POST /admin/live/{slug}/facts/{fact_id}/review                confirm, correct or reject one
POST /admin/live/{slug}/updates/{update_id}/dismiss-key-event stop suggesting it
GET  /admin/live/{slug}/recap/draft                           the recap form, drafted from facts

On the editor's blog page, updates that bring a new incident or agreement carry a
"Suggested key event" mark (suggestions.py) whose one click is liveblog's own key event
switch; the recap form offers a drafted recap (recap.py). Both reach liveblog's pages
through `web.page_extras` (`add_to`), since liveblog may not import facts. A refused
correction re-renders the review page with the error at its field and what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from dateline.accounts.auth import require_editor
from dateline.accounts.service import User
from dateline.db.tables import utcnow
from dateline.facts import cache, queries, recap, review, review_form, suggestions
from dateline.facts.labels import label
from dateline.facts.wording import describe
from dateline.i18n import gettext as _
from dateline.numbers import RowId
from dateline.web.forms import form_status, posted_button, posted_form, text
from dateline.web.page_extras import Added, Addition, PageExtras
from dateline.web.responses import redirect_to, render
from dateline.web.services import services

router = APIRouter(prefix="/admin")


@dataclass(frozen=True, slots=True)
class Typed:
    """A correction that was refused: whose, what was typed, what is wrong."""

    fact_id: int
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@router.get("/live/{slug}/facts", name="admin.blog_facts_review")
async def review_page(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    return await _review_page(request, slug, user, None)


@router.post("/live/{slug}/facts/{fact_id}/review", name="admin.review_blog_fact")
async def review_fact(
    request: Request, slug: str, fact_id: RowId, user: User = Depends(require_editor)
) -> Response:
    db = services(request).db
    form, errors = await posted_form(request)
    fact = await review.fact_of_blog(db, slug, fact_id, user)
    state, changes, typed = text(form, "state"), None, dict[str, str]()
    if state not in review.STATES:
        errors = errors or {"form": _("Choose whether to confirm, correct or reject the fact.")}
    elif state == "corrected":
        changes, typed, wrong = review_form.read(fact.kind, fact.fact, form)
        errors = errors or wrong
    if errors:
        refused = Typed(fact_id, typed, errors)
        return await _review_page(request, slug, user, refused, form_status(errors))
    await review.review(db, slug, fact_id, state, changes, user, utcnow())
    return redirect_to(
        request,
        "admin.blog_facts_review",
        slug=slug,
        anchor=f"fact-{fact_id}",
        flash=f"fact-{state}",
    )


@router.post("/live/{slug}/updates/{update_id}/dismiss-key-event", name="admin.dismiss_key_event")
async def dismiss_key_event(
    request: Request, slug: str, update_id: RowId, user: User = Depends(require_editor)
) -> Response:
    await posted_button(request)
    await suggestions.dismiss(services(request).db, slug, update_id, user, utcnow())
    # Back to the update on the editor's page that holds it (page 2 for an older one).
    return redirect_to(
        request,
        "admin.update_in_editor",
        slug=slug,
        update_id=update_id,
        flash="suggestion-dismissed",
    )


@router.get("/live/{slug}/recap/draft", name="admin.recap_draft")
async def recap_draft(
    request: Request, slug: str, user: User = Depends(require_editor)
) -> Response:
    """liveblog's recap form holding the drafted recap: saving it is saving any recap."""
    blog, found = await review.facts_of_blog(services(request).db, slug, user, rejected=False)
    note = Addition("recap_form", "facts/_recap_suggestion.html", {"lines": [], "drafted": True})
    context = {"user": user, "blog": blog, "errors": {}, "added": Added((note,))}
    context["text"] = "\n".join(recap.draft(found, blog.language))
    return render(request, "admin/recap.html", context)


async def _review_page(
    request: Request, slug: str, user: User, typed: Typed | None, status: int = 200
) -> Response:
    blog, found = await review.facts_of_blog(services(request).db, slug, user)
    context = {
        "user": user,
        "blog": blog,
        "facts": found,
        "typed": typed,
        "fields": review_form.FIELDS,
        "shown": review_form.shown,
        "choices": review_form.choices,
        "label": label,
        "describe": describe,
    }
    return render(request, "facts/admin_review.html", context, status=status)


def add_to(extras: PageExtras) -> None:
    """Suggested key events on the editor's blog page (and on the updates its live changes
    bring: realtime/editor_changes.py), a drafted recap in its recap form."""
    extras.add("admin.editor_page", _editor_page_additions)
    extras.add("admin.editor_changes", _editor_page_additions)
    extras.add("admin.recap_form", _recap_form_additions)


async def _editor_page_additions(request: Request, page: Mapping[str, Any]) -> list[Addition]:
    """For those who may mark key events: the marks, and a link to the facts to review."""
    if not page["rights"].publish:
        return []
    blog = page["blog"] if "blog" in page else page["view"].blog
    db = services(request).db
    async with db.read() as conn:
        kept = await cache.of(db).of_blog(conn, blog.id)
        found = [fact for entry in kept.merged for fact in entry.members]
        suggested = suggestions.suggest(found, await suggestions.candidates(conn, blog.id))
    lines = {
        update_id: [describe(fact.kind, fact.fact, fact.fact_date) for fact in new]
        for update_id, new in suggested.items()
    }
    waiting = sum(fact.review == "suggested" for fact in found)
    links = {"waiting": waiting, "suggested": len(lines)}
    return [
        Addition("editor_tools", "facts/_editor_facts.html", links),
        Addition("update", "facts/_suggested_key_event.html", {"suggested": lines}),
    ]


async def _recap_form_additions(request: Request, page: Mapping[str, Any]) -> list[Addition]:
    blog = page["blog"]
    async with services(request).db.read() as conn:
        found = await queries.of_blog(conn, blog.id)
    lines = recap.draft(found, blog.language)
    if not lines:
        return []
    return [Addition("recap_form", "facts/_recap_suggestion.html", {"lines": lines})]
