"""Turn the editor's HTML forms into drafts, keeping every character typed for a re-render."""

from __future__ import annotations

import re
import unicodedata

from starlette.datastructures import FormData, UploadFile

from dateline.errors import NotFound
from dateline.i18n import gettext as _
from dateline.liveblog.models import (
    LIMITS,
    MAX_IMAGES,
    BlogDraft,
    ImageRef,
    Update,
    UpdateDraft,
)
from dateline.numbers import small_int
from dateline.web.forms import text

KEY_EVENTS = "key-events"  # the ?filter= value of the key events only view
# Spelled out as German writers do when a letter has to go (static/slug.js does the same).
SPELLED = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
NO_ALT_OK = "no_alt_ok"  # the box an editor ticks to publish images without alt text


def page_number(value: str) -> int:
    number = small_int(value, 6)
    if number is None or not 1 <= number <= 100_000:
        raise NotFound(_("Pages are numbered 1, 2, 3…"))
    return number


def blog_draft(form: FormData) -> BlogDraft:
    """An address left empty is made from the title, so a re-render shows the suggestion."""
    title = text(form, "title")
    return BlogDraft(
        title=title,
        slug=text(form, "slug").strip() or slug_from(title),
        standfirst=text(form, "standfirst"),
        category=text(form, "category"),
        time_zone=text(form, "time_zone") or "UTC",
        language=text(form, "language") or "en",
    )


def slug_from(title: str) -> str:
    """'Sturm über Köln – live' → 'sturm-ueber-koeln-live': the title's words in lower-case
    ASCII joined by hyphens, cut after a whole word within the address's limit."""
    lowered = title.lower()
    for letter, spelled in SPELLED.items():
        lowered = lowered.replace(letter, spelled)
    ascii_only = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    slug = ""
    for word in re.findall(r"[a-z0-9]+", ascii_only):
        longer = f"{slug}-{word}" if slug else word[: LIMITS["slug"]]
        if len(longer) > LIMITS["slug"]:
            break
        slug = longer
    return slug


def missing_alt_text(draft: UpdateDraft, form: FormData) -> dict[str, str]:
    """Images without alt text, each as an error at its alt field, unless the editor ticked
    that they go out without: a newsroom describes its pictures for readers who cannot see
    them, yet a breaking picture may have to go first and be described in the next edit."""
    if text(form, NO_ALT_OK):
        return {}
    return {
        f"images-{index}-alt": _(
            "Image %(number)s has no alt text. Describe it for readers who cannot see it, "
            "or tick “Publish without alt text”."
        )
        % {"number": index + 1}
        for index, image in enumerate(draft.images)
        if not image.alt.strip()
    }


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
