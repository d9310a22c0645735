"""Errors that services raise and both the web pages and the JSON API know how to show."""

from __future__ import annotations


class DatelineError(Exception):
    """Base: `message` is plain words a newsroom user can act on."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DatelineError):
    status = 404


class Conflict(DatelineError):
    """The request is well formed but the current state refuses it (e.g. the blog has ended)."""

    status = 409


class Forbidden(DatelineError):
    status = 403


class Invalid(DatelineError):
    """One plain message per field, so a form can show each next to its input."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {text}" for field, text in errors.items()))
        self.errors = errors
