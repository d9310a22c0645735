"""What a live blog and its updates are, and what a valid edit of them looks like."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dateline.errors import Conflict, Invalid
from dateline.i18n import LANGUAGES, N_
from dateline.i18n import gettext as _
from dateline.media.service import media_url
from dateline.text import is_blank, line, lines
from dateline.timefmt import is_time_zone

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LIMITS = {
    "slug": 80,
    "title": 200,
    "standfirst": 600,
    "category": 60,
    "headline": 200,
    "body": 20_000,
    "alt": 300,
    "caption": 500,
    "credit": 200,
    "correction_note": 500,
    "recap_item": 300,
}
# "live", "Liveblog", "Live-Ticker", "ticker" as words of a title; not "Liverpool" or "lives".
_SAYS_LIVE = re.compile(r"\blive(?:-?(?:blog|ticker))?\b|\bticker\b", re.IGNORECASE)
MAX_IMAGES = 10
MAX_RECAP_ITEMS = 12
IMAGE_TEXT_TOO_LONG = {  # one whole sentence per field, translated where it is raised
    "alt": N_("Image %(number)s: the alt text is longer than %(limit)s characters."),
    "caption": N_("Image %(number)s: the caption is longer than %(limit)s characters."),
    "credit": N_("Image %(number)s: the credit is longer than %(limit)s characters."),
}


@dataclass(frozen=True)
class Blog:
    id: int
    slug: str
    title: str
    standfirst: str
    category: str
    time_zone: str
    status: str
    coverage_start: datetime
    coverage_end: datetime | None
    created_at: datetime
    updated_at: datetime
    recap_items: list[str]
    recap_updated_at: datetime | None
    last_seq: int
    language: str = "en"  # what its reader pages, feeds and embeds speak (i18n.LANGUAGES)

    @property
    def is_live(self) -> bool:
        return self.status == "live"

    def live_title(self) -> str:
        """'Storm Idris – live' (an embed's frame title), in the language being spoken; a
        title that says so already ('… – live', 'Liveticker: …') stays as it is, so no frame
        reads '… – live – live'."""
        if _SAYS_LIVE.search(self.title):
            return self.title
        return _("%(title)s – live") % {"title": self.title}

    @classmethod
    def from_row(cls, row: Any) -> Blog:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Image:
    hash: str
    alt: str
    caption: str
    credit: str
    width: int
    height: int
    widths: list[int]

    @property
    def src(self) -> str:
        """The largest stored width."""
        return media_url(self.hash, self.widths[-1])

    @property
    def srcset(self) -> str:
        return ", ".join(f"{media_url(self.hash, w)} {w}w" for w in self.widths)

    @property
    def caption_line(self) -> str:
        """'Caption. Photograph: Credit', the way newspapers print it."""
        caption = self.caption
        if caption and caption[-1] not in ".!?…":
            caption += "."
        credit = _("Photograph: %(credit)s") % {"credit": self.credit} if self.credit else ""
        return " ".join(part for part in (caption, credit) if part)


@dataclass(frozen=True)
class Update:
    id: int
    blog_id: int
    author_name: str
    published_at: datetime
    headline: str
    body: str
    body_html: str
    body_text: str
    key_event: bool
    pinned: bool
    edited_at: datetime | None
    deleted_at: datetime | None
    correction_note: str
    version: int  # bumped by every change; the API's ETag and the edit form's check
    images: tuple[Image, ...] = ()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def short_title(self) -> str:
        return short_title(self.headline, self.body_text)


def short_title(headline: str, body_text: str) -> str:
    """The headline, or the first words of the text: how the key events list names an update."""
    if headline:
        return headline
    words = body_text.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


@dataclass
class ImageRef:
    """An image already stored (by content hash) as it appears in one update."""

    hash: str
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass
class BlogDraft:
    title: str
    slug: str
    standfirst: str = ""
    category: str = ""
    time_zone: str = "UTC"
    language: str = "en"

    def validate(self) -> BlogDraft:
        """A cleaned copy, or Invalid; the draft itself stays as typed for a re-render."""
        clean = BlogDraft(
            title=line(self.title),
            slug=self.slug.strip(),
            standfirst=line(self.standfirst),
            category=line(self.category),
            time_zone=self.time_zone.strip(),
            language=self.language.strip(),
        )
        errors = _lengths(clean, ("title", "slug", "standfirst", "category"))
        if is_blank(clean.title):
            errors["title"] = _("Give the live blog a title.")
        if not SLUG.match(clean.slug):
            errors.setdefault("slug", _("Use lower-case letters, digits and hyphens: storm-live."))
        if not is_time_zone(clean.time_zone):
            errors["time_zone"] = _("Use an IANA time zone such as Europe/Kyiv or UTC.")
        if clean.language not in LANGUAGES:
            errors["language"] = _("Choose English (en) or German (de).")
        if errors:
            raise Invalid(errors)
        return clean


@dataclass
class UpdateDraft:
    body: str
    headline: str = ""
    key_event: bool = False
    pinned: bool = False
    images: list[ImageRef] = field(default_factory=list)

    def validate(self) -> UpdateDraft:
        """A cleaned copy, or Invalid; the draft itself stays as typed for a re-render."""
        clean = UpdateDraft(
            body=lines(self.body),
            headline=line(self.headline),
            key_event=self.key_event,
            pinned=self.pinned,
            images=[
                ImageRef(i.hash, line(i.alt), line(i.caption), line(i.credit)) for i in self.images
            ],
        )
        errors = _lengths(clean, ("headline", "body"))
        if is_blank(clean.body):
            errors["body"] = _("Write the text of the update.")
        if len(clean.images) > MAX_IMAGES:
            errors["images"] = _("An update can carry at most %(count)s images.") % {
                "count": MAX_IMAGES
            }
        for number, image in enumerate(clean.images, 1):
            for name in ("alt", "caption", "credit"):
                if len(getattr(image, name)) > LIMITS[name]:
                    errors["images"] = _(IMAGE_TEXT_TOO_LONG[name]) % {
                        "number": number,
                        "limit": LIMITS[name],
                    }
        if errors:
            raise Invalid(errors)
        return clean


@dataclass
class UpdatePatch:
    """The fields an edit sets; None keeps the value the update has when the edit is applied
    (inside the write transaction), so a change made meanwhile by someone else survives."""

    body: str | None = None
    headline: str | None = None
    key_event: bool | None = None
    pinned: bool | None = None
    images: list[ImageRef] | None = None

    @classmethod
    def whole(cls, draft: UpdateDraft) -> UpdatePatch:
        """Every field, as an edit form sends them."""
        return cls(draft.body, draft.headline, draft.key_event, draft.pinned, list(draft.images))

    def sent(self) -> set[str]:
        return {name for name in self.__dataclass_fields__ if getattr(self, name) is not None}

    def applied_to(self, current: Update) -> UpdateDraft:
        """The update as it will read: the fields sent over its current values, unvalidated."""
        return UpdateDraft(
            body=current.body if self.body is None else self.body,
            headline=current.headline if self.headline is None else self.headline,
            key_event=current.key_event if self.key_event is None else self.key_event,
            pinned=current.pinned if self.pinned is None else self.pinned,
            images=[ImageRef(i.hash, i.alt, i.caption, i.credit) for i in current.images]
            if self.images is None
            else list(self.images),
        )


class Stale(Conflict):
    """The update changed after the caller read it (an API If-Match, the edit form's version):
    412, and nothing is written. Says who changed it last and when, when the log knows."""

    status = 412

    def __init__(self, version: int, by: str | None, at: datetime | None) -> None:
        if by and at:
            message = _(
                "The update was changed by %(name)s at %(time)s UTC since you read it (it is "
                "now version %(version)s); read it again and redo your change."
            ) % {"name": by, "time": f"{at:%H:%M}", "version": version}
        else:
            message = _(
                "The update was changed since you read it (it is now version %(version)s); "
                "read it again and redo your change."
            ) % {"version": version}
        super().__init__(message)
        self.version, self.by, self.at = version, by, at


def validate_recap(items: list[str]) -> list[str]:
    cleaned = [line(item) for item in items if not is_blank(item)]
    if len(cleaned) > MAX_RECAP_ITEMS:
        raise Invalid(
            {
                "items": _("Keep the recap to %(count)s points or fewer.")
                % {"count": MAX_RECAP_ITEMS}
            }
        )
    if any(len(item) > LIMITS["recap_item"] for item in cleaned):
        raise Invalid(
            {
                "items": _("Each point must be under %(limit)s characters.")
                % {"limit": LIMITS["recap_item"]}
            }
        )
    return cleaned


def validate_correction(note: str) -> str:
    note = line(note)
    if len(note) > LIMITS["correction_note"]:
        raise Invalid({"correction_note": too_long(LIMITS["correction_note"])})
    return note


def too_long(limit: int) -> str:
    """The one wording of a refused length, in the current language."""
    return _("Keep it under %(limit)s characters.") % {"limit": limit}


def _lengths(draft: object, names: tuple[str, ...]) -> dict[str, str]:
    return {
        name: too_long(LIMITS[name]) for name in names if len(getattr(draft, name)) > LIMITS[name]
    }
