"""What the OpenAPI schema says of every JSON API's answers beyond the routes' types: the
problem shape every 4xx answer has, helpers to document an answer with its example, and the
problems most routes can answer with. Shared by every package's API (liveblog, ingest,
stories, facts, search, webhooks), so it lives in the web layer.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Answers = dict[int | str, dict[str, Any]]


class FieldProblem(BaseModel):
    field: str = Field(examples=["body"])
    message: str = Field(examples=["Field required"])


class Problem(BaseModel):
    """The body of every 4xx answer (docs/api.md lists the codes)."""

    error: str = Field(
        description="malformed_json, unauthorized, notfound, conflict, stale, invalid or "
        "http_error.",
        examples=["notfound"],
    )
    detail: str | dict[str, str] | list[FieldProblem] = Field(
        description="Plain words; for `invalid`, each field at fault with its message."
    )


def ok(description: str, example: Any, status: int = 200) -> Answers:
    content = {"application/json": {"example": example}}
    return {status: {"description": description, "content": content}}


def problem(status: int, description: str, **examples: dict[str, Any]) -> Answers:
    named = {name: {"value": value} for name, value in examples.items()}
    content = {"application/json": {"examples": named}}
    return {status: {"model": Problem, "description": description, "content": content}}


MALFORMED = problem(
    400,
    "The body is not JSON.",
    malformed_json={"error": "malformed_json", "detail": "The request body is not valid JSON."},
)
MALFORMED_FORM = problem(
    400,
    "The body is not a readable multipart form.",
    malformed_form={"error": "http_error", "detail": "Invalid multipart data."},
)
UNAUTHORIZED = problem(
    401,
    "No token, or an unknown or revoked one.",
    unauthorized={"error": "unauthorized", "detail": "That API token is unknown or revoked."},
)
FORBIDDEN = problem(
    403,
    "The token's account may not do this here (role, blog team), or the token is read-only.",
    forbidden={
        "error": "forbidden",
        "detail": "Your account may not publish and change updates on this live blog.",
    },
)
NOT_FOUND = problem(
    404,
    "No such blog or update.",
    notfound={"error": "notfound", "detail": "There is no live blog at /live/storm-live."},
)
CONFLICT = problem(
    409,
    "The blog has ended, or the update was deleted.",
    conflict={"error": "conflict", "detail": "Coverage of this live blog has ended."},
)
INVALID = problem(
    422,
    "Wrong types or unknown fields (a list), or content refused (field → message).",
    types={
        "error": "invalid",
        "detail": [{"field": "key_event", "message": "Input should be a valid boolean"}],
    },
    content={"error": "invalid", "detail": {"body": "Write the text of the update."}},
)
STALE = problem(
    412,
    "If-Match named a version the update no longer has: someone changed it since you read it.",
    stale={
        "error": "stale",
        "detail": "The update was changed by Mara Quell at 14:02 UTC since you read it (it is "
        "now version 4); read it again and redo your change.",
    },
)
READ: Answers = {**NOT_FOUND, **INVALID}
CHANGE: Answers = {**MALFORMED, **UNAUTHORIZED, **FORBIDDEN, **NOT_FOUND, **CONFLICT, **INVALID}
