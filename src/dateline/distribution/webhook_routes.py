"""Webhook admin pages and JSON API (docs/webhooks.md).

GET    /admin/webhooks                list, the create form, recent deliveries
POST   /admin/webhooks                create → a page showing the secret, once
POST   /admin/webhooks/{id}/delete    delete
GET    /api/v1/webhooks               list                            (bearer token)
POST   /api/v1/webhooks               create → 201 with the secret    (bearer token)
DELETE /api/v1/webhooks/{id}          delete → 204                    (bearer token)

Who may: any logged-in editor for now. Issue 3 brings roles; webhooks should then be limited
to admins (they send newsroom content to outside addresses).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.datastructures import FormData
from starlette.responses import Response

from dateline.accounts.auth import require_api_user, require_editor
from dateline.accounts.service import User
from dateline.distribution import webhooks
from dateline.distribution.webhooks import EVENTS, Webhook, WebhookDraft
from dateline.errors import Invalid
from dateline.limits import ApiInput
from dateline.liveblog import queries
from dateline.liveblog.present import iso
from dateline.numbers import RowId
from dateline.web.api_docs import INVALID, MALFORMED, NOT_FOUND, UNAUTHORIZED, ok
from dateline.web.forms import form_status, posted_form, text
from dateline.web.responses import redirect_to, render
from dateline.web.services import services

router = APIRouter(prefix="/admin/webhooks")
api_router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
ApiUser = Annotated[User, Depends(require_api_user)]
EventName = Literal["update.published", "update.key_event", "blog.ended"]


# Pages --------------------------------------------------------------------------------------


@router.get("", name="admin.webhooks_page")
async def webhooks_page(request: Request, user: User = Depends(require_editor)) -> Response:
    return await _page(request, user, WebhookDraft(), {})


@router.post("", name="admin.create_webhook")
async def create_webhook(request: Request, user: User = Depends(require_editor)) -> Response:
    form, errors = await posted_form(request)
    draft = _draft(form)
    if not errors:
        try:
            webhook, secret = await webhooks.create_webhook(
                services(request).db, draft, user, allow_private=_allow_private(request)
            )
            context = {"user": user, "webhook": webhook, "secret": secret}
            return render(request, "distribution/webhooks_created.html", context, status=201)
        except Invalid as exc:
            errors = exc.errors
    return await _page(request, user, draft, errors)


@router.post("/{webhook_id}/delete", name="admin.delete_webhook")
async def delete_webhook(
    request: Request, webhook_id: RowId, user: User = Depends(require_editor)
) -> Response:
    _, errors = await posted_form(request)
    if errors:
        return await _page(request, user, WebhookDraft(), errors)
    await webhooks.delete_webhook(services(request).db, webhook_id, user)
    return redirect_to(request, "admin.webhooks_page")


def _draft(form: FormData) -> WebhookDraft:
    chosen = [value for value in form.getlist("events") if isinstance(value, str)]
    return WebhookDraft(url=text(form, "url"), blog=text(form, "blog"), events=chosen)


def _allow_private(request: Request) -> bool:
    return bool(services(request).settings.allow_private_addresses)


async def _page(
    request: Request, user: User, draft: WebhookDraft, errors: dict[str, str]
) -> Response:
    """The list page; with errors, the form shows the editor's input again."""
    db = services(request).db
    async with db.read() as conn:
        blogs = [summary.blog for summary in await queries.list_blogs(conn)]
    context: dict[str, Any] = {
        "user": user,
        "webhooks": await webhooks.list_webhooks(db, user),
        "deliveries": await webhooks.recent_deliveries(db, user),
        "blogs": blogs,
        "event_names": EVENTS,
        "draft": draft,
        "errors": errors,
    }
    return render(request, "distribution/webhooks.html", context, status=form_status(errors))


# JSON API -----------------------------------------------------------------------------------


class WebhookIn(ApiInput):
    url: str = Field(examples=["https://newsroom-tools.example/hooks/dateline"])
    blog: str | None = Field(
        default=None, description="A blog's slug; null for every blog.", examples=["storm-live"]
    )
    events: list[EventName] = Field(min_length=1, examples=[["update.key_event"]])


class WebhookOut(BaseModel):
    id: int
    url: str
    blog: str | None
    events: list[str]
    created_at: str = Field(examples=["2026-11-29T18:04:05Z"])


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Signs the deliveries. Shown in this answer only.")


class WebhookList(BaseModel):
    items: list[WebhookOut]


def _out(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "blog": webhook.blog_slug,
        "events": webhook.events,
        "created_at": iso(webhook.created_at),
    }


WEBHOOK = {
    "id": 3,
    "url": "https://newsroom-tools.example/hooks/dateline",
    "blog": "storm-live",
    "events": ["update.key_event"],
    "created_at": "2026-11-29T18:04:05Z",
}


@api_router.get(
    "",
    response_model=WebhookList,
    summary="List webhooks",
    responses={**ok("Every webhook, secrets left out.", {"items": [WEBHOOK]}), **UNAUTHORIZED},
    name="api.list_webhooks",
)
async def list_webhooks(request: Request, user: ApiUser) -> dict[str, Any]:
    found = await webhooks.list_webhooks(services(request).db, user)
    return {"items": [_out(webhook) for webhook in found]}


@api_router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    summary="Register a webhook",
    responses={
        **ok("The webhook with its secret.", {**WEBHOOK, "secret": "whsec_…"}, 201),
        **MALFORMED,
        **UNAUTHORIZED,
        **INVALID,
    },
    name="api.register_webhook",
)
async def register_webhook(request: Request, body: WebhookIn, user: ApiUser) -> dict[str, Any]:
    """Register a webhook. The answer carries its secret: keep it, it is not shown again.
    An address that leads to a private network is refused with 422."""
    draft = WebhookDraft(url=body.url, blog=body.blog or "", events=list(body.events))
    webhook, secret = await webhooks.create_webhook(
        services(request).db, draft, user, allow_private=_allow_private(request)
    )
    return {**_out(webhook), "secret": secret}


@api_router.delete(
    "/{webhook_id}",
    status_code=204,
    summary="Delete a webhook",
    responses={204: {"description": "Deleted."}, **UNAUTHORIZED, **NOT_FOUND, **INVALID},
    name="api.remove_webhook",
)
async def remove_webhook(
    request: Request,
    webhook_id: RowId,
    user: ApiUser,
) -> Response:
    await webhooks.delete_webhook(services(request).db, webhook_id, user)
    return Response(status_code=204)
