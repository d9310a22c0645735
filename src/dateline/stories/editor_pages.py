"""Editors' pages for stories: the list, and one story with its decisions — retitle, set the
category, merge into another story, split items off, move one item. The same operations as
the API (stories.editing), as HTML forms that work without JavaScript. A refused change
re-renders the page with the error at its field and what the editor typed, and changes nothing.

GET  /admin/stories                         recent stories, newest activity first
GET  /admin/stories/{id}                    one story: its reports and the forms
POST /admin/stories/{id}/title              retitle (the title then sticks)
POST /admin/stories/{id}/category           set or clear the category (sticks)
POST /admin/stories/{id}/merge              every report goes to another story
POST /admin/stories/{id}/split              the ticked reports become a story of their own
POST /admin/stories/{id}/move               move one report to another story
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from dateline import i18n
from dateline.accounts.auth import require_editor
from dateline.accounts.service import User
from dateline.errors import DatelineError, Forbidden, Invalid
from dateline.i18n import gettext as _
from dateline.liveblog.forms import page_number
from dateline.numbers import RowId, small_int
from dateline.stories import cards, categorising, editing
from dateline.stories.categories import TOP_LEVEL
from dateline.web.forms import form_errors, form_status, posted_form, text
from dateline.web.responses import redirect_to, render
from dateline.web.services import services

router = APIRouter(prefix="/admin")
LIST_SIZE = 50


async def story_editor(user: User = Depends(require_editor)) -> User:
    """Editors and admins decide on stories; a contributor is told so (403)."""
    if not user.is_editor:
        raise Forbidden(_("Only editors change stories."))
    return user


def _categories(request: Request) -> list[tuple[str, str]]:
    """(code, name) of every category an editor may choose, by name in the page's language."""
    settings = services(request).settings
    named = categorising.cached(settings)
    codes = categorising.known_codes(settings)
    order = {category.code: n for n, category in enumerate(TOP_LEVEL)}
    choices = [(code, named.name(code, i18n.current())) for code in codes]
    return sorted(choices, key=lambda pair: (order.get(pair[0], len(order)), pair[1]))


@router.get("/stories", name="admin.stories_page")
async def stories_page(request: Request, user: User = Depends(story_editor)) -> Response:
    async with services(request).db.read() as conn:
        found = await cards.front_cards(conn, i18n.current(), LIST_SIZE, with_blogs=True)
    context = {"user": user, "stories": found, "category_name": _namer(request)}
    return render(request, "stories/admin_stories.html", context)


@router.get("/stories/{story_id}", name="admin.story_page")
async def story_page(
    request: Request, story_id: RowId, page: str = "1", user: User = Depends(story_editor)
) -> Response:
    return await _story(request, user, story_id, page_number(page), {}, {})


async def _story(
    request: Request,
    user: User,
    story_id: int,
    page: int,
    errors: dict[str, str],
    typed: dict[str, Any],
) -> Response:
    async with services(request).db.read() as conn:
        shown = await cards.story_page(conn, story_id, i18n.current(), page)
    context = {
        "user": user,
        "view": shown,
        "errors": errors,
        "typed": typed,
        "categories": _categories(request),
        "category_name": _namer(request),
    }
    return render(request, "stories/admin_story.html", context, status=form_status(errors))


def _namer(request: Request) -> Any:
    named = categorising.cached(services(request).settings)
    return lambda code: named.name(code, i18n.current())


async def _decide(
    request: Request,
    user: User,
    story_id: int,
    change: Any,
) -> Response:
    """Run an editor's change; on success to the story it leaves the reports in (this one, or
    the one `change` returns), else this page again with the error and what was typed."""
    form, errors = await posted_form(request)
    if not errors:
        try:
            done = await change(form)
            target = done if isinstance(done, int) else story_id
            return redirect_to(request, "admin.story_page", story_id=target, flash="story-saved")
        except DatelineError as exc:
            errors = form_errors(exc)
    return await _story(request, user, story_id, 1, errors, dict(form))


@router.post("/stories/{story_id}/title", name="admin.retitle_story")
async def retitle_story(
    request: Request, story_id: RowId, user: User = Depends(story_editor)
) -> Response:
    db = services(request).db

    async def change(form: Any) -> None:
        await editing.retitle(db, story_id, text(form, "title"))

    return await _decide(request, user, story_id, change)


@router.post("/stories/{story_id}/category", name="admin.set_story_category")
async def set_story_category(
    request: Request, story_id: RowId, user: User = Depends(story_editor)
) -> Response:
    settings, db = services(request).settings, services(request).db

    async def change(form: Any) -> None:
        code = text(form, "code") or None
        await editing.set_category(db, story_id, code, categorising.known_codes(settings))

    return await _decide(request, user, story_id, change)


@router.post("/stories/{story_id}/merge", name="admin.merge_story")
async def merge_story(
    request: Request, story_id: RowId, user: User = Depends(story_editor)
) -> Response:
    settings, db = services(request).settings, services(request).db

    async def change(form: Any) -> int:
        into = _story_number(text(form, "into"), "into")
        try:
            await editing.merge(db, story_id, into, categorising.cached(settings))
        except DatelineError as exc:  # no such story, a merged one: said at the number
            raise Invalid({"into": " ".join(form_errors(exc).values())}) from exc
        return into

    return await _decide(request, user, story_id, change)


@router.post("/stories/{story_id}/split", name="admin.split_story")
async def split_story(
    request: Request, story_id: RowId, user: User = Depends(story_editor)
) -> Response:
    settings, db = services(request).settings, services(request).db

    async def change(form: Any) -> int:
        chosen = [small_int(value, 10) for value in form.getlist("items")]
        ids = [value for value in chosen if value is not None]
        return await editing.split(db, story_id, ids, categorising.cached(settings))

    return await _decide(request, user, story_id, change)


@router.post("/stories/{story_id}/move", name="admin.move_item")
async def move_item(
    request: Request, story_id: RowId, user: User = Depends(story_editor)
) -> Response:
    settings, db = services(request).settings, services(request).db

    async def change(form: Any) -> int:
        item_id = small_int(text(form, "item"), 10)
        field = f"move-{item_id}"
        target = _story_number(text(form, field), field)
        try:
            await editing.move_item(db, item_id or 0, target, categorising.cached(settings))
        except DatelineError as exc:  # shown at the report's own move field
            raise Invalid({field: " ".join(form_errors(exc).values())}) from exc
        return target

    return await _decide(request, user, story_id, change)


def _story_number(value: str, field: str) -> int:
    number = small_int(value.strip().removeprefix("#"), 10)
    if number is None or number < 1:
        raise Invalid({field: _("Give the number of a story, such as 42.")})
    return number
