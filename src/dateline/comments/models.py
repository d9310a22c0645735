"""What a reader's comment is, and what a comment a reader may send looks like."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateline.errors import Invalid
from dateline.i18n import gettext as _
from dateline.text import is_blank, line, lines

LIMITS = {"body": 1000, "name": 80}
PENDING, APPROVED, REJECTED, DELETED = "pending", "approved", "rejected", "deleted"


@dataclass(frozen=True)
class Comment:
    id: int
    blog_id: int
    name: str
    body: str
    status: str
    reports: int
    created_at: datetime
    answer_update_id: int | None

    @property
    def is_public(self) -> bool:
        return self.status == APPROVED

    @classmethod
    def from_row(cls, row: Any) -> Comment:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CommentDraft:
    """What a reader sent: the text, an optional name, and the honeypot field that people
    never see (so never fill) and form-filling robots do."""

    body: str
    name: str = ""
    honeypot: str = ""

    @property
    def from_robot(self) -> bool:
        return bool(self.honeypot.strip())

    def validate(self) -> CommentDraft:
        """Cleaned (no bidi overrides, no control characters: text.py says why) and within
        the limits; Invalid names each field that is not."""
        body, name = lines(self.body), line(self.name)
        errors: dict[str, str] = {}
        if is_blank(body):
            errors["body"] = _("Write your question or comment.")
        elif len(body) > LIMITS["body"]:
            errors["body"] = _("Keep it under %(limit)s characters.") % {"limit": LIMITS["body"]}
        if len(name) > LIMITS["name"]:
            errors["name"] = _("A name is at most %(limit)s characters.") % {
                "limit": LIMITS["name"]
            }
        if errors:
            raise Invalid(errors)
        return CommentDraft(body=body, name=name)
