"""The ASGI application: routers, error pages and JSON problems, security headers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dateline.accounts import account_routes as account_pages
from dateline.accounts import routes as account_routes
from dateline.accounts import throttle
from dateline.accounts.auth import LoginRequired
from dateline.comments import api as comments_api
from dateline.comments import moderation as comment_moderation
from dateline.comments import pages as comment_pages
from dateline.config import Settings
from dateline.db import Database
from dateline.db.migrate import pending_revision
from dateline.distribution import routes as distribution_routes
from dateline.distribution import webhook_routes
from dateline.distribution.webhook_worker import WebhookWorker
from dateline.facts import api as facts_api
from dateline.facts import editor_pages as facts_editor_pages
from dateline.facts import pages as facts_pages
from dateline.facts import review_api as facts_review_api
from dateline.facts.worker import FactsWorker
from dateline.i18n import LanguageMiddleware
from dateline.idempotency import IdempotencyKeys, IdempotencyMiddleware
from dateline.ingest import api as ingest_api
from dateline.ingest import routes as ingest_routes
from dateline.limits import BodyLimit, BodyLimits, RefuseNul
from dateline.liveblog import answer_routes, api, editor, reader, team_routes
from dateline.media import routes as media_routes
from dateline.ops.instruments import MeteredHub, MeteredIngestWorker
from dateline.ops.logs import use_log_format
from dateline.ops.metrics import Metrics
from dateline.ops.middleware import Observe, RequestIds
from dateline.ops.routes import make_router as ops_router
from dateline.realtime import editor_changes
from dateline.realtime import routes as realtime_routes
from dateline.realtime.broker import MemoryBroker, make_broker
from dateline.realtime.frames import FrameRenderer
from dateline.realtime.sse import EventStream
from dateline.search import api as search_api
from dateline.search import routes as search_routes
from dateline.stories import api as stories_api
from dateline.stories import editor_pages as story_editor_pages
from dateline.stories import pages as story_pages
from dateline.stories.moved import MergedStories
from dateline.stories.worker import StoriesWorker
from dateline.web import http_cache, language, services
from dateline.web.csrf import Csrf
from dateline.web.errors import add_error_handlers
from dateline.web.fast_path import FastPath, Slow
from dateline.web.page_cache import RenderCache
from dateline.web.page_extras import PageExtras
from dateline.web.responses import redirect
from dateline.web.routes import router as static_routes
from dateline.web.templates import bind_routes, load_static, make_templates, path_for

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
    own `send` to reach the socket (see realtime/sse.py). Anonymous reads of pages kept in
    memory skip it too (web/fast_path.py): they cost a dictionary look-up, not the stack."""

    event_stream: EventStream | None = None
    fast_path: FastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.event_stream is not None and self.event_stream.wants(scope):
            await self.event_stream(scope, receive, send)
        elif self.fast_path is not None:
            slow: Slow = super().__call__
            await self.fast_path(scope, receive, send, slow)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    use_log_format(settings.log_format)
    db = Database(settings.database_url, settings.sqlite_synchronous)
    metrics = Metrics(db)
    static = load_static()
    templates = make_templates(settings)
    broker = make_broker(settings.broker_url)
    hub = MeteredHub(metrics, db, FrameRenderer(templates), settings.sse_replay_limit)
    db.commit_listeners.append(broker.publish)
    db.commit_listeners.append(metrics.count_published)
    webhook_worker = WebhookWorker(db, settings)
    db.commit_listeners.append(webhook_worker.wake)
    ingest_worker = MeteredIngestWorker(metrics, db, settings)
    stories_worker = StoriesWorker(db, settings)
    facts_worker = FactsWorker(db)
    fast_path = FastPath(RequestIds().logged, metrics.requests.observe)

    def announce(blog_id: int, seq: int) -> None:
        """Every committed event, from this node or another: live readers, kept pages."""
        hub.announce(blog_id, seq)
        fast_path.announce(blog_id, seq)

    if isinstance(broker, MemoryBroker):
        # One process: nothing to subscribe to, so even tests without a lifespan hear events.
        broker.listen(announce)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        head = await pending_revision(db)
        if head is not None:
            raise RuntimeError(
                f"The database schema is behind ({head}); run `dateline db upgrade`."
            )
        await broker.start(announce)
        heartbeat = await hub.run_heartbeat(settings.sse_heartbeat_seconds)
        await webhook_worker.start()
        if settings.ingest_in_serve:
            await ingest_worker.start()
            await stories_worker.start()
            await facts_worker.start()
        yield
        await facts_worker.stop()
        await stories_worker.stop()
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
    idempotency = IdempotencyKeys(db)
    page_extras = PageExtras()
    facts_editor_pages.add_to(page_extras)  # suggested key events, the drafted recap
    comment_moderation.add_to(page_extras)  # the live queue of readers' comments
    built = services.Services(
        settings=settings,
        db=db,
        templates=templates,
        static=static,
        release=http_cache.release_tag(static),
        csrf=Csrf(settings.secret_key.get_secret_value()),
        page_cache=RenderCache(),
        idempotency=idempotency,
        hub=hub,
        webhook_worker=webhook_worker,
        ingest_worker=ingest_worker,
        login_policy=throttle.Policy.of(settings),
        page_extras=page_extras,
    )
    services.install(app, built)
    app.event_stream = EventStream(hub, SECURITY_HEADERS)
    app.fast_path = fast_path
    app.router.routes.append(
        Route("/live/{slug}/events", app.event_stream, methods=["GET"], name="reader.events")
    )
    for api_router in (
        api.router,
        webhook_routes.api_router,
        ingest_api.router,
        stories_api.router,
        search_api.router,
        facts_api.router,
        facts_review_api.router,
        comments_api.router,
        answer_routes.api_router,
    ):
        app.include_router(api_router)
    pages = (
        reader,
        editor,
        team_routes,
        account_routes,
        account_pages,
        media_routes,
        realtime_routes,
        editor_changes,
        story_pages,
        story_editor_pages,
        search_routes,
        facts_pages,
        facts_editor_pages,
        comment_pages,
        comment_moderation,
        answer_routes,
    )
    for router in (module.router for module in pages):
        app.include_router(router, include_in_schema=False)  # pages, not API
    app.include_router(static_routes, include_in_schema=False)
    app.include_router(language.router, include_in_schema=False)
    app.include_router(distribution_routes.router, include_in_schema=False)
    app.include_router(webhook_routes.router, include_in_schema=False)
    app.include_router(ingest_routes.router, include_in_schema=False)
    app.include_router(ops_router(metrics, settings), include_in_schema=False)
    bind_routes(templates, app, static)
    add_error_handlers(app)
    _add_login_redirect(app)
    app.add_middleware(MergedStories)  # a merged story's addresses lead to where it went
    # Inside SecurityHeaders, so a replayed answer gets the same headers as the first.
    app.add_middleware(IdempotencyMiddleware, keys=idempotency)
    # Outermost after the security headers: nothing reads a body past its route's limit or
    # meets a NUL in a path or query (see limits.py).
    app.add_middleware(RefuseNul)
    app.add_middleware(BodyLimit, limits=BodyLimits.from_settings(settings))
    app.add_middleware(LanguageMiddleware)  # outside the limits: their refusals speak it too
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Observe, metrics=metrics)  # outermost: counts every answer
    return app


def _add_login_redirect(app: FastAPI) -> None:
    """A page that needs a signed-in user sends the browser to log in, then back."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, f"{path_for(request, 'admin.show_login')}?next={quote(target)}")


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
