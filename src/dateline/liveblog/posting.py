"""Posting an update from a form, the one way: the blog's own form and the inbox's "use this
item" form both store the picture in the upload slot, then preview or submit what was typed
and answer with the same redirect (the update's place on the editor page, or the drafts
queue for a contributor's draft).

Not one of the protected HTTP modules: ingest's inbox form uses it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from dateline.accounts.permissions import Action
from dateline.accounts.service import User
from dateline.errors import Conflict, Invalid
from dateline.liveblog import drafts, forms, service
from dateline.liveblog.models import ImageRef, UpdateDraft
from dateline.media.service import upload_image
from dateline.web.forms import form_errors, text
from dateline.web.responses import redirect_to
from dateline.web.services import services


async def draft_with_upload(
    request: Request, blog_id: int, user: User, form: FormData, errors: dict[str, str]
) -> tuple[UpdateDraft, ImageRef]:
    """The typed draft plus the picture in the upload slot, stored now so a re-render keeps
    it; and the words typed for the slot when its file was not stored (to show them again).
    A refused picture adds its message to `errors`."""
    draft = forms.update_draft(form)
    upload, words = forms.new_image(form)
    try:
        if upload is not None and not errors:
            state = services(request)
            data = await upload.read()
            stored = await upload_image(state.db, state.settings, data, user, blog_id)
            draft.images.append(ImageRef(stored.hash, words.alt, words.caption, words.credit))
            return draft, ImageRef("")
    except Invalid as exc:
        errors.update(exc.errors)
    finally:
        await form.close()  # uploads are spooled to temporary files
    return draft, words


@dataclass
class Posted:
    """What became of a posted form: a redirect when it was submitted; otherwise the page
    comes back with the preview or the errors, and everything typed."""

    redirect: Response | None = None
    preview: str | None = None
    errors: dict[str, str] = field(default_factory=dict)


async def preview_or_submit(
    request: Request,
    slug: str,
    draft: UpdateDraft,
    user: User,
    form: FormData,
    *,
    from_item: int | None = None,
) -> Posted:
    db = services(request).db
    try:
        if text(form, "action") == "preview":
            html = await service.preview(db, slug, draft, user, Action.WRITE_DRAFT)
            return Posted(preview=html)
        if errors := forms.missing_alt_text(draft, form):
            return Posted(errors=errors)
        done = await drafts.submit(db, slug, draft, user, from_item=from_item)
    except (Invalid, Conflict) as exc:
        return Posted(errors=form_errors(exc))
    if isinstance(done, drafts.Draft):
        return Posted(redirect_to(request, "admin.drafts_page", slug=slug, flash="draft-submitted"))
    where = redirect_to(
        request, "admin.editor_page", slug=slug, anchor=f"update-{done.id}", flash="published"
    )
    return Posted(where)
