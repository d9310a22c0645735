"""Turn the editor's HTML forms into drafts, keeping every character typed for a re-render."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from dateline.errors import NotFound
from dateline.i18n import gettext as _
from dateline.liveblog.models import MAX_IMAGES, BlogDraft, ImageRef, Update, UpdateDraft
from dateline.numbers import small_int
from dateline.web.forms import text

KEY_EVENTS = "key-events"  # the ?filter= value of the key events only view


def page_number(value: str) -> int:
    number = small_int(value, 6)
    if number is None or not 1 <= number <= 100_000:
        raise NotFound(_("Pages are numbered 1, 2, 3…"))
    return number


def blog_draft(form: FormData) -> BlogDraft:
    return BlogDraft(
        title=text(form, "title"),
        slug=text(form, "slug"),
        standfirst=text(form, "standfirst"),
        category=text(form, "category"),
        time_zone=text(form, "time_zone") or "UTC",
        language=text(form, "language") or "en",
    )


def update_draft(form: FormData) -> UpdateDraft:
    """The draft as typed; images already uploaded come back as hidden fields with their hash."""
    images = []
    for index in range(MAX_IMAGES + 1):
        image_hash = text(form, f"images-{index}-hash")
        if image_hash and not text(form, f"images-{index}-remove"):
            images.append(
                ImageRef(
                    hash=image_hash,
                    alt=text(form, f"images-{index}-alt"),
                    caption=text(form, f"images-{index}-caption"),
                    credit=text(form, f"images-{index}-credit"),
                )
            )
    return UpdateDraft(
        body=text(form, "body"),
        headline=text(form, "headline"),
        key_event=bool(text(form, "key_event")),
        pinned=bool(text(form, "pinned")),
        images=images,
    )


def new_image(form: FormData) -> tuple[UploadFile | None, ImageRef]:
    """The file in the upload slot (None when empty) and the words typed for it."""
    upload = form.get("new_image")
    words = ImageRef(
        hash="",
        alt=text(form, "new_image_alt"),
        caption=text(form, "new_image_caption"),
        credit=text(form, "new_image_credit"),
    )
    if isinstance(upload, UploadFile) and upload.filename:
        return upload, words
    return None, words


def draft_of(update: Update) -> UpdateDraft:
    return UpdateDraft(
        body=update.body,
        headline=update.headline,
        key_event=update.key_event,
        pinned=update.pinned,
        images=[ImageRef(i.hash, i.alt, i.caption, i.credit) for i in update.images],
    )


def recap_items(form: FormData) -> list[str]:
    """One bullet a line; a leading '-' or '•' is the editor's habit, not content."""
    return [line.strip().lstrip("-•*").strip() for line in text(form, "items").splitlines()]
