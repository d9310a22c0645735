"""The ASGI application: routers, error pages and JSON problems, security headers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dateline.accounts import account_routes as account_pages
from dateline.accounts import routes as account_routes
from dateline.accounts import throttle
from dateline.accounts.auth import LoginRequired
from dateline.accounts.csrf import Csrf
from dateline.config import Settings
from dateline.db import Database
from dateline.db.migrate import pending_revision
from dateline.distribution import http_cache, webhook_routes
from dateline.distribution import routes as distribution_routes
from dateline.distribution.webhook_worker import WebhookWorker
from dateline.errors import DatelineError
from dateline.idempotency import IdempotencyKeys, IdempotencyMiddleware
from dateline.ingest import api as ingest_api
from dateline.ingest import routes as ingest_routes
from dateline.ingest.worker import IngestWorker
from dateline.limits import BodyLimit, BodyLimits, RefuseNul
from dateline.liveblog import api, editor, reader, team_routes
from dateline.media import routes as media_routes
from dateline.realtime import routes as realtime_routes
from dateline.realtime.broker import MemoryBroker, make_broker
from dateline.realtime.frames import FrameRenderer
from dateline.realtime.hub import Hub
from dateline.realtime.sse import EventStream
from dateline.web import RenderCache, load_static, make_templates, redirect, render
from dateline.web import router as static_routes
from dateline.web.i18n import LanguageMiddleware

log = logging.getLogger("dateline")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]
# /embed/ pages are made to sit in an iframe on partner sites: any ancestor, no X-Frame-Options.
EMBED_PREFIX = "/embed/"
EMBED_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
EMBED_HEADERS = [
    (b"content-security-policy", EMBED_CSP.encode()),
    *(
        header
        for header in SECURITY_HEADERS
        if header[0] not in (b"content-security-policy", b"x-frame-options")
    ),
]


class DatelineApp(FastAPI):
    """FastAPI, except that live event streams skip the middleware stack: thousands stay
    open at once, each would keep the stack's frames alive, and the hub needs the server's
    own `send` to reach the socket (see realtime/sse.py)."""

    event_stream: EventStream | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.event_stream is not None and self.event_stream.wants(scope):
            await self.event_stream(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    db = Database(settings.database_url, settings.sqlite_synchronous)
    static = load_static()
    templates = make_templates(settings, static)
    broker = make_broker(settings.broker_url)
    hub = Hub(db, FrameRenderer(templates), settings.sse_replay_limit)
    db.commit_listeners.append(broker.publish)
    webhook_worker = WebhookWorker(db, settings)
    db.commit_listeners.append(webhook_worker.wake)
    ingest_worker = IngestWorker(db, settings)
    if isinstance(broker, MemoryBroker):
        # One process: nothing to subscribe to, so even tests without a lifespan hear events.
        broker.listen(hub.announce)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        head = await pending_revision(db)
        if head is not None:
            raise RuntimeError(
                f"The database schema is behind ({head}); run `dateline db upgrade`."
            )
        await broker.start(hub.announce)
        heartbeat = await hub.run_heartbeat(settings.sse_heartbeat_seconds)
        await webhook_worker.start()
        if settings.ingest_in_serve:
            await ingest_worker.start()
        yield
        await ingest_worker.stop()
        await webhook_worker.stop()
        await hub.stop(heartbeat)
        await broker.close()
        await db.dispose()

    app = DatelineApp(
        title="Dateline API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.static = static
    app.state.release = http_cache.release_tag(static)
    app.state.templates = templates
    app.state.hub = hub
    app.state.webhook_worker = webhook_worker
    app.state.ingest_worker = ingest_worker
    app.state.page_cache = RenderCache()
    app.state.csrf = Csrf(settings.secret_key.get_secret_value())
    app.state.login_policy = throttle.Policy.of(settings)
    app.state.idempotency = IdempotencyKeys(db)
    app.event_stream = EventStream(hub, SECURITY_HEADERS)
    app.router.routes.append(Route("/live/{slug}/events", app.event_stream, methods=["GET"]))
    for api_router in (api.router, webhook_routes.api_router, ingest_api.router):
        app.include_router(api_router)
    pages = (
        reader,
        editor,
        team_routes,
        account_routes,
        account_pages,
        media_routes,
        realtime_routes,
    )
    for router in (module.router for module in pages):
        app.include_router(router, include_in_schema=False)  # pages, not API
    app.include_router(static_routes, include_in_schema=False)
    app.include_router(distribution_routes.router, include_in_schema=False)
    app.include_router(webhook_routes.router, include_in_schema=False)
    app.include_router(ingest_routes.router, include_in_schema=False)
    _add_error_handlers(app)
    # Inside SecurityHeaders, so a replayed answer gets the same headers as the first.
    app.add_middleware(IdempotencyMiddleware, keys=app.state.idempotency)
    # Outermost after the security headers: nothing reads a body past its route's limit or
    # meets a NUL in a path or query (see limits.py).
    app.add_middleware(RefuseNul)
    app.add_middleware(BodyLimit, limits=BodyLimits.from_settings(settings))
    app.add_middleware(LanguageMiddleware)  # outside the limits: their refusals speak it too
    app.add_middleware(SecurityHeaders)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(status: int, error: str, detail: Any) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DatelineError)
    async def dateline_error(request: Request, exc: DatelineError) -> Response:
        if _wants_json(request):
            detail = getattr(exc, "errors", None) or exc.message
            return problem(exc.status, type(exc).__name__.lower(), detail)
        return render(request, "error.html", {"message": exc.message}, status=exc.status)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, f"/login?next={target}")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem(400, "malformed_json", "The request body is not valid JSON.")
        detail = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg")}
            for e in errors
        ]
        if _wants_json(request):
            return problem(422, "invalid", detail)
        message = "; ".join(f"{d['field']}: {d['message']}" for d in detail)
        return render(request, "error.html", {"message": message}, status=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        words = {404: "There is nothing at this address.", 405: "That method is not allowed here."}
        message = words.get(exc.status_code, str(exc.detail))
        if _wants_json(request):
            return problem(exc.status_code, "http_error", message)
        return render(request, "error.html", {"message": message}, status=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return problem(500, "internal", "Something went wrong on our side; it is logged.")
        message = "Something went wrong on our side; it is logged."
        return render(request, "error.html", {"message": message}, status=500)


class SecurityHeaders:
    """Pure ASGI (no BaseHTTPMiddleware) so it costs nothing on streaming responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = EMBED_HEADERS if scope["path"].startswith(EMBED_PREFIX) else SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
