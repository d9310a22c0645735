"""Errors as people and programs see them: an error page for a browser, a JSON problem
`{"error", "detail"}` under /api/, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from dateline.db import outage
from dateline.errors import DatelineError
from dateline.i18n import gettext as _
from dateline.limits import NUL_MESSAGE
from dateline.web.responses import render

log = logging.getLogger("dateline")
RETRY_AFTER_SECONDS = 5  # about how long PostgreSQL takes to restart


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(status: int, error: str, detail: Any) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DatelineError)
    async def dateline_error(request: Request, exc: DatelineError) -> Response:
        if wants_json(request):
            detail = getattr(exc, "errors", None) or exc.message
            return problem(exc.status, type(exc).__name__.lower(), detail)
        return render(request, "error.html", {"message": exc.message}, status=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem(400, "malformed_json", "The request body is not valid JSON.")
        detail = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg")}
            for e in errors
        ]
        if wants_json(request):
            return problem(422, "invalid", detail)
        fields = ", ".join(str(d["field"]) for d in detail)
        if any(e.get("type") == "nul" for e in errors):
            message = _(NUL_MESSAGE)
        else:
            message = _("This address has a value that cannot be read: %(fields)s.") % {
                "fields": fields
            }
        return render(request, "error.html", {"message": message}, status=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        words = {
            404: _("There is nothing at this address."),
            405: _("That method is not allowed here."),
        }
        message = words.get(exc.status_code, str(exc.detail))
        if wants_json(request):
            return problem(exc.status_code, "http_error", message)
        return render(request, "error.html", {"message": message}, status=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_json(request):
            return problem(500, "internal", "Something went wrong on our side; it is logged.")
        message = _("Something went wrong on our side; it is logged.")
        return render(request, "error.html", {"message": message}, status=500)

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        """503 with Retry-After, at once, while the database is out of reach (a restart, a
        failover): the request may be tried again and the node needs no restart. Any other
        error of the same classes is what it was, a 500."""
        if not outage.is_unavailable(exc):
            return await unexpected(request, exc)
        log.warning("database unreachable on %s %s: %r", request.method, request.url.path, exc)
        if wants_json(request):
            detail = "The database cannot be reached just now; try again shortly."
            answer: Response = problem(503, "unavailable", detail)
        else:
            message = _("The site cannot reach its database just now. Please try again shortly.")
            answer = render(request, "error.html", {"message": message}, status=503)
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return answer

    for kind in outage.KINDS:
        app.add_exception_handler(kind, database_unavailable)
