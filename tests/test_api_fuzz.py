"""Issue 3: schemathesis against the JSON API's OpenAPI schema: no 5xx, answers as documented.

Every operation of /api/v1/openapi.json runs with generated inputs (valid and invalid) against a
real, migrated database seeded with a blog `storm-live`, its updates and drafts, a webhook and
a source with items, so generated path parameters are swapped, some of the time, for ids and
slugs of real objects. One run sends an admin's write token, a second one sends no token.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Receive, Scope, Send

from dateline.accounts.tokens import create_token_for
from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.distribution.webhooks import WebhookDraft, create_webhook
from dateline.liveblog import drafts, team
from dateline.liveblog.models import UpdateDraft
from dateline.web.services import of_app
from tests.helpers import make_blog, make_user, png_bytes, post
from tests.ingest_factories import add, document, item, store_document

SLUG = "storm-live"
ENDING = "harbour-fire"  # the blog that POST /end may end: storm-live stays open for updates
PUBLIC_ADDRESS = "93.184.215.14"  # what every host name resolves to here (see hermetic_dns)

# What issue 3 asks: no 5xx, and every answer as documented (status, content type, headers,
# body). Also: data the schema calls invalid is refused with a 4xx. Not checked:
# positive_data_acceptance, which wants a 2xx for any schema-valid request, while the API
# answers 422 by design for what a schema cannot say (a blank update body, an unknown time
# zone, `before` with `after`) and 404/409 for ids and states that do not fit.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no saved failing examples to replay: derandomized runs repeat anyway
    derandomize=True,  # the same inputs on every run: CI fails on a change, not on luck
    suppress_health_check=list(HealthCheck),
)

# Requests that succeed, for the operations whose generated (or documented) inputs almost never
# do: a free slug, a source address not followed yet, an update on an open blog, a real image.
# And text holding U+0000, which PostgreSQL cannot store or compare (once a 500, now a 422).
NUL = "storm\x00live"
EXPLICIT: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("POST", "/api/v1/blogs"): [{"body": {"slug": "river-watch", "title": "River watch – live"}}],
    ("GET", "/api/v1/blogs/{slug}"): [{"path_parameters": {"slug": NUL}}],
    ("POST", "/api/v1/blogs/{slug}/updates"): [
        {
            "path_parameters": {"slug": SLUG},
            "body": {"body": "Rescue crews reached **Sallowmere**.", "key_event": True},
        },
        {"path_parameters": {"slug": SLUG}, "body": {"body": NUL}},
    ],
    ("POST", "/api/v1/sources"): [
        {"body": {"url": "https://wire.example.org/extra.rss"}},
        {"body": {"url": "https://wire.example.org/nul.rss", "blog": NUL}},
    ],
    ("POST", "/api/v1/webhooks"): [
        {"body": {"url": "https://hooks.example.org/nul", "blog": NUL, "events": ["blog.ended"]}}
    ],
    ("POST", "/api/v1/images"): [{"body": {"file": png_bytes(64, 40)}}],
    # Issue 17: whatever is typed into search is read as words; a 10 KB query is a 422.
    ("GET", "/api/v1/search"): [
        {"query": {"q": "Sallowmere"}},
        {"query": {"q": "x" * 10240}},
        {"query": {"q": "\x01\x1f ctrl \x7f"}},
        {"query": {"q": "'; DROP TABLE updates; -- OR 1=1"}},
        {"query": {"q": 'NEAR(a b) "unclosed * -* title:x ^y ) ( & | ! <-> :*'}},
        {"query": {"q": "rescue", "blog": ["storm-live"] * 1000, "type": ["update"] * 1000}},
        {"query": {"q": "rescue", "cursor": "not-a-cursor"}},
    ],
}


@dataclass
class Seeded:
    """What the seed made: the admin's token and, per path parameter, ids of real objects."""

    token: str = ""
    real: dict[str, list[object]] = field(default_factory=dict)

    def choices(self, method: str, path: str, name: str) -> list[object]:
        """Real values for one path parameter. The destructive operations get objects of their
        own, so that deleting or ending one does not turn the other operations into 404s/409s."""
        key = name
        if name == "slug" and path.endswith("/end"):
            key = "ending_slug"
        elif name == "update_id" and method == "DELETE":
            key = "doomed_update_id"
        elif name == "source_id" and method == "DELETE":
            key = "doomed_source_id"
        return self.real.get(key, [])


class SeededApp:
    """The app as schemathesis reaches it.

    schemathesis runs an ASGI app's lifespan on its own event loop, the one every request then
    runs on. The app's lifespan (background workers) is not needed for API calls, so this one
    replaces it: startup seeds the database and shutdown closes the pool, both on that loop
    (asyncpg connections belong to the loop that opened them). `seeded_app` ends the lifespan
    when the test ends, before the database fixtures are torn down.
    """

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app: ASGIApp = app
        self.db: Database = of_app(app).db
        self.settings = settings
        self.seeded = Seeded()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.seed()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.db.dispose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def seed(self) -> None:
        db = self.db
        admin = await make_user(db, "admin", "admin@example.org")
        contributor = await make_user(db, "contributor", "contributor@example.org")
        blog = await make_blog(db, admin, SLUG, title="Storm Idris: live updates")
        await make_blog(db, admin, ENDING, title="Harbour fire – live")
        await team.add_member(db, SLUG, contributor.email, admin)
        updates = [
            await post(db, blog, admin, f"Update number **{n}**.", key_event=n % 2 == 0)
            for n in range(1, 7)
        ]
        waiting = [
            await drafts.save_draft(
                db, SLUG, UpdateDraft(f"Draft {n} from the scene."), contributor
            )
            for n in range(1, 4)
        ]
        hook, _ = await create_webhook(
            db,
            WebhookDraft(
                url="https://hooks.example.org/dateline", blog=SLUG, events=["update.published"]
            ),
            admin,
            allow_private=False,
        )
        wire = await add(db, self.settings, "https://wire.example.org/world.rss", blog=SLUG)
        await store_document(db, wire, document(*(item(n) for n in range(1, 6))))
        doomed = await add(db, self.settings, "https://other.example.org/feed.xml")
        self.seeded = Seeded(
            token=await create_token_for(db, admin.email, "fuzz", "write"),
            real={
                "slug": [SLUG],
                "ending_slug": [ENDING],
                "update_id": [u.id for u in updates[:4]],
                "doomed_update_id": [u.id for u in updates[4:]],
                "draft_id": [d.id for d in waiting],
                "webhook_id": [hook.id],
                "source_id": [wire.id],
                "doomed_source_id": [doomed.id],
            },
        )


@pytest.fixture
def hermetic_dns(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Webhook and source addresses are checked by resolving their host (SSRF rules); fuzzed
    host names must not reach a real resolver, so every name resolves to one public address.
    Numeric hosts, localhost and the database server's host still go to the real resolver."""
    real = socket.getaddrinfo
    database_host = make_url(settings.database_url).host

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name in (None, "localhost", database_host) or _numeric(name):
            return real(host, port, *args, **kwargs)
        number = int(port) if str(port).isdigit() else 443
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_ADDRESS, number))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def _numeric(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return False
    return True


@pytest.fixture
def seeded_app(settings: Settings, hermetic_dns: None) -> Iterator[SeededApp]:
    seeded = SeededApp(create_app(settings), settings)
    yield seeded
    # The schemathesis pytest plugin does it too after each test; this does not depend on that.
    # Shutdown closes the pool, on the loop that opened it, before the database is torn down.
    asgi.shutdown_lifespans()


def operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the schema documents, so that a new route is fuzzed
    without anyone adding it here (the app is built only for its schema: no connection)."""
    app = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key="schema-only"))
    return [
        (method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops
    ]


@pytest.mark.parametrize(("method", "path"), operations())
@pytest.mark.parametrize("with_token", [True, False], ids=["admin-token", "no-token"])
def test_api_conforms_to_its_schema(
    seeded_app: SeededApp, method: str, path: str, with_token: bool
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", seeded_app)  # seeds
    operation = schema[path][method]
    seeded = seeded_app.seeded
    headers = {"Authorization": f"Bearer {seeded.token}"} if with_token else {}
    # The schema's own request examples (the happy paths: a valid update, recap, webhook...)
    # next to generated valid and invalid requests.
    examples = operation.get_strategies_from_examples()
    examples += [operation.as_strategy(**fixed) for fixed in EXPLICIT.get((method, path), [])]
    cases = st.one_of(*examples, *(operation.as_strategy(mode) for mode in GenerationMode))

    @FUZZ
    @given(case=cases, data=st.data())
    def fuzz(case: schemathesis.Case, data: st.DataObject) -> None:
        component = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
        if case.path_parameters and (
            component is None or component.mode is GenerationMode.POSITIVE
        ):
            # Some of the time, a path parameter names a real object instead of a made-up one
            # (only in valid paths: an invalid one must stay invalid).
            case.path_parameters = {
                name: data.draw(st.sampled_from([value, *seeded.choices(method, path, name)]))
                for name, value in case.path_parameters.items()
            }
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()
