"""Errors that services raise and both the web pages and the JSON API know how to show."""

from __future__ import annotations

from dateline.i18n import Phrase


class DatelineError(Exception):
    """Base: `message` is plain words a newsroom user can act on."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PhrasedError(DatelineError):
    """A failure whose words may be kept and read later (a source's last error): `phrase`
    holds them with their code, `message` is them in the language spoken where it was raised."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(phrase.said())
        self.phrase = phrase


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


class NoRoom(Invalid):
    """The server's disk is full (or the account's quota spent): not the sender's fault, so
    507, but still said at the field, so a form keeps everything else that was typed."""

    status = 507
