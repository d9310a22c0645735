"""JSON API v1 for facts: read the casualties, exchanges, ceasefires and talks of a text.

Any API token may call it (it changes nothing). The text is at most 20,000 characters; longer
text, an unknown language or an unreadable time is a 422 problem like every other API input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from dateline.accounts.auth import require_api_reader
from dateline.accounts.service import User
from dateline.errors import Invalid
from dateline.facts.extract import extract
from dateline.i18n import gettext as _
from dateline.limits import ApiInput
from dateline.web.api_docs import INVALID, MALFORMED, UNAUTHORIZED, ok

router = APIRouter(prefix="/api/v1", tags=["facts"])
Reader = Annotated[User, Depends(require_api_reader)]
MAX_TEXT = 20_000


class ExtractIn(ApiInput):
    text: str = Field(
        max_length=MAX_TEXT,
        description="English or German news text, at most 20,000 characters.",
        examples=["Russian shelling killed two people in Kharkiv on Monday."],
    )
    lang: Literal["en", "de"] | None = Field(
        default=None, description="The text's language; detected when null."
    )
    published_at: str | None = Field(
        default=None,
        description="When the text was published (ISO 8601); relative dates such as "
        "“on Monday” resolve against it.",
        examples=["2025-06-03T09:00:00+00:00"],
    )


EXAMPLE = {
    "lang": "en",
    "incidents": [
        {
            "kind": "shelling",
            "place": {
                "name": "Kharkiv",
                "geonames_id": 706483,
                "lat": 49.98081,
                "lon": 36.25272,
                "country": "UA",
                "admin1": "UA.07",
                "relation": "in",
            },
            "killed": 2,
            "injured": None,
            "missing": None,
            "qualifier": None,
            "date": "2025-06-02",
            "aggregate": False,
            "evidence": {
                "start": 0,
                "end": 57,
                "text": "Russian shelling killed two people in Kharkiv on Monday.",
            },
        }
    ],
    "exchanges": [],
    "ceasefires": [],
    "talks": [],
}


@router.post(
    "/facts/extract",
    summary="Extract facts from a text",
    responses={
        **ok("Incidents, exchanges, ceasefires and talks, each with its evidence.", EXAMPLE),
        **MALFORMED,
        **UNAUTHORIZED,
        **INVALID,
    },
    name="api.extract_facts",
)
async def extract_facts(body: Annotated[ExtractIn, Body()], user: Reader) -> dict[str, Any]:
    """Text in another language gives no facts (and no error)."""
    published = _published(body.published_at)
    facts = await run_in_threadpool(extract, body.text, body.lang, published)
    return facts.to_json()


def _published(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        published = datetime.fromisoformat(value)
    except ValueError as error:
        message = _("Give a date and time like 2025-06-03T09:00:00+00:00.")
        raise Invalid({"published_at": message}) from error
    return published if published.tzinfo else published.replace(tzinfo=UTC)
