"""/healthz, /readyz and /metrics.

/healthz says only that the process answers (for a supervisor's liveness probe: no database,
so a database outage does not get every node restarted). /readyz and /metrics tell more than
a stranger should know, so they answer only with the metrics token, or, when none is set,
only to clients on this machine.
"""

from __future__ import annotations

import hmac
from ipaddress import ip_address

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from dateline.config import Settings
from dateline.i18n import gettext as _
from dateline.ops.health import readiness
from dateline.ops.metrics import Metrics
from dateline.web.errors import problem

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
NO_STORE = {"Cache-Control": "no-store"}


def make_router(metrics: Metrics, settings: Settings) -> APIRouter:
    router = APIRouter()
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""

    def refused(request: Request) -> Response | None:
        if _allowed(request, token):
            return None
        if token:
            message = _("Send the metrics token: Authorization: Bearer <DATELINE_METRICS_TOKEN>.")
        else:
            message = _(
                "Only this machine may ask. Set DATELINE_METRICS_TOKEN to ask from elsewhere."
            )
        return problem(403, "forbidden", message)

    @router.get("/healthz", name="web.healthz")
    async def healthz() -> Response:
        return JSONResponse({"status": "alive"}, headers=NO_STORE)

    @router.get("/readyz", name="web.readyz")
    async def readyz(request: Request) -> Response:
        if (refusal := refused(request)) is not None:
            return refusal
        found = await readiness(metrics.db, settings.broker_url)
        body = {"status": "ready" if found.ready else "unready", "checks": found.checks}
        return JSONResponse(body, status_code=200 if found.ready else 503, headers=NO_STORE)

    @router.get("/metrics", name="web.metrics")
    async def metrics_text(request: Request) -> Response:
        if (refusal := refused(request)) is not None:
            return refusal
        return Response(await metrics.exposition(), media_type=PROMETHEUS_TEXT, headers=NO_STORE)

    return router


def _allowed(request: Request, token: str) -> bool:
    if token:
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.encode()
        )
    client = request.client
    if client is None:
        return False
    try:
        return ip_address(client.host).is_loopback
    except ValueError:
        return False
