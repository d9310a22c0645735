"""Reading posted HTML forms: the one CSRF check, text fields, and errors for a re-render."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

from dateline.errors import DatelineError, Invalid
from dateline.i18n import N_
from dateline.i18n import gettext as _
from dateline.web import csrf
from dateline.web.services import services

# Marked here, translated where a form shows it (the request's language).
STALE_FORM = N_("This form had expired, so nothing was saved. Your text is kept: submit it again.")


class StaleForm(DatelineError):
    """A button's form (no text to keep) posted with a stale CSRF token: refused, 403."""

    status = 403


async def posted_form(request: Request) -> tuple[FormData, dict[str, str]]:
    """The posted form, and an error for the whole form when its CSRF token is stale.

    The one CSRF check of the site: every HTML form post goes through here (or through
    `posted_button`), so a form re-rendered after a stale post keeps what the user typed."""
    form = await request.form()
    valid = services(request).csrf.valid(request, form.get(csrf.FIELD))
    return form, {} if valid else {"form": _(STALE_FORM)}


async def posted_button(request: Request) -> FormData:
    """A button's form (nothing typed to keep): refused with 403 when its token is stale."""
    form, errors = await posted_form(request)
    if errors:
        raise StaleForm(errors["form"])
    return form


def text(form: FormData, name: str) -> str:
    """A text field as typed, minus NUL characters (no database column can hold them)."""
    value = form.get(name, "")
    return value.replace("\x00", "") if isinstance(value, str) else ""


def form_errors(exc: DatelineError) -> dict[str, str]:
    """A service's refusal as form errors: per field when it says, else for the whole form."""
    return exc.errors if isinstance(exc, Invalid) else {"form": exc.message}


def form_status(errors: dict[str, str]) -> int:
    """200 for a clean form, 403 for a stale one, 422 for one with mistakes in it."""
    if not errors:
        return 200
    return 403 if errors.get("form") == _(STALE_FORM) else 422
