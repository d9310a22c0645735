"""The checks a reader's comment passes before an editor ever reads it: the per-address rate
limit, links, blocked words and the same text sent twice. No CAPTCHA, no third party.

The rate limit keeps only an HMAC of the address under the site's secret key: it can tell
whether the same address came back, not which address it was, and rows go after a day.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.config import Settings
from dateline.db.tables import comment_senders
from dateline.errors import DatelineError, Invalid
from dateline.i18n import gettext as _

KEPT_FOR = timedelta(days=1)
WINDOW = timedelta(hours=1)
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class TooManyComments(DatelineError):
    """The address sent its hour's share: 429, said in words a reader understands."""

    status = 429


@dataclass(frozen=True)
class Rules:
    """The installation's limits, read once from the settings."""

    secret: str
    per_hour: int
    max_links: int
    blocked_words: tuple[str, ...]

    @classmethod
    def of(cls, settings: Settings) -> Rules:
        return cls(
            settings.secret_key.get_secret_value(),
            settings.comments_per_hour,
            settings.comments_max_links,
            tuple(word.casefold() for word in settings.comments_blocked_words if word.strip()),
        )

    def sender(self, address: str) -> str:
        """The keyed hash stored instead of the address."""
        key = self.secret.encode()
        return hmac.new(key, f"comments:{address}".encode(), hashlib.sha256).hexdigest()

    def check_text(self, body: str) -> None:
        """Too many links or a blocked word: Invalid, with words for the reader."""
        if len(_LINK.findall(body)) > self.max_links:
            message = _("Too many links: a comment may hold at most %(count)s.")
            raise Invalid({"body": message % {"count": self.max_links}})
        folded = body.casefold()
        if any(re.search(rf"\b{re.escape(word)}\b", folded) for word in self.blocked_words):
            raise Invalid({"body": _("This text holds words this site does not publish.")})


def fingerprint(body: str) -> str:
    """The same text, whatever its case and spacing: what duplicate detection compares."""
    folded = _SPACE.sub(" ", body.casefold()).strip()
    return hashlib.sha256(folded.encode()).hexdigest()


async def admit(conn: AsyncConnection, rules: Rules, address: str, now: datetime) -> None:
    """Count one message from `address`, or refuse it when the address has sent its hour's
    share. Rows older than a day are dropped on the way (no address is kept longer)."""
    await conn.execute(delete(comment_senders).where(comment_senders.c.sent_at < now - KEPT_FOR))
    sender = rules.sender(address)
    recent = (
        await conn.execute(
            select(func.count())
            .select_from(comment_senders)
            .where(comment_senders.c.address_hash == sender)
            .where(comment_senders.c.sent_at > now - WINDOW)
        )
    ).scalar_one()
    if recent >= rules.per_hour:
        raise TooManyComments(_("You have sent a lot in the last hour; please try again later."))
    await conn.execute(insert(comment_senders).values(address_hash=sender, sent_at=now))
