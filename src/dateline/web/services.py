"""The typed services object: everything a route needs, built once by `create_app`.

Routes reach it through `services(request)` or the `ServicesDep` dependency; nothing else
reads `app.state`, so mypy sees every use. Feature types appear here only for type checking:
the web layer imports no feature at run time (the import contract in pyproject.toml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from dateline.config import Settings
from dateline.db import Database
from dateline.web.csrf import Csrf
from dateline.web.page_cache import RenderCache
from dateline.web.page_extras import PageExtras
from dateline.web.templates import StaticFile

if TYPE_CHECKING:
    from dateline.accounts.throttle import Policy
    from dateline.distribution.webhook_worker import WebhookWorker
    from dateline.idempotency import IdempotencyKeys
    from dateline.ingest.worker import IngestWorker
    from dateline.realtime.hub import Hub


@dataclass(frozen=True)
class Services:
    """What the app holds for its routes; one per app, never changed after start-up."""

    settings: Settings
    db: Database
    templates: Environment
    static: dict[str, StaticFile]
    release: str  # the code and static files' version, part of every page's ETag
    csrf: Csrf
    page_cache: RenderCache
    idempotency: IdempotencyKeys
    hub: Hub
    webhook_worker: WebhookWorker
    ingest_worker: IngestWorker
    login_policy: Policy
    page_extras: PageExtras  # what features add to each other's pages


def install(app: Starlette, built: Services) -> None:
    """Store the services on the app: the one write to `app.state`."""
    app.state.services = built


def of_app(app: Starlette) -> Services:
    """The app's services (for the CLI and tests, which hold the app, not a request)."""
    found: Services = app.state.services
    return found


def services(request: HTTPConnection) -> Services:
    """The services of the app serving this request."""
    return of_app(request.app)


async def _services_of_request(request: HTTPConnection) -> Services:
    """`services` as a FastAPI dependency: async, since FastAPI runs a plain `def`
    dependency in a worker thread (a thread hop on every request for a dictionary read)."""
    return of_app(request.app)


ServicesDep = Annotated[Services, Depends(_services_of_request)]
