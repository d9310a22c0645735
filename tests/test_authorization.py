"""Every role × every action, over HTTP: allowed ones work, refused ones change nothing.

The roles: an admin; the editor who made the blog (a team member); an editor of another
blog; a contributor on the blog's team; a contributor who is not; and an anonymous caller.
Authorisation lives in the services, so the API and the pages answer alike.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from dateline.accounts.service import User
from dateline.accounts.tokens import create_token_for
from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.db.tables import images, items, story_items
from dateline.ingest import service as ingest
from dateline.ingest.models import SourceDraft
from dateline.liveblog import drafts, queries, team
from dateline.liveblog.models import Blog, UpdateDraft
from dateline.stories.assign import Assigner
from tests.helpers import csrf_from, log_in, make_blog, make_user, png_bytes, post
from tests.ingest_factories import document, item, store_document
from tests.live_server import LiveServer, live_server  # noqa: F401 (a fixture)

ROLES = ("admin", "member", "outsider", "contributor", "stranger", "anonymous")
PNG = png_bytes(40, 30)


@dataclass
class World:
    db: Database
    http: httpx.AsyncClient
    blog: Blog
    users: dict[str, User]
    update_id: int
    draft_id: int
    source_id: int
    item_id: int
    story_id: int

    async def as_(self, role: str) -> httpx.AsyncClient:
        """The client speaking for `role`: its API token, or none for anonymous."""
        self.http.headers.pop("Authorization", None)
        if role != "anonymous":
            secret = await create_token_for(self.db, self.users[role].email, "matrix", "write")
            self.http.headers["Authorization"] = f"Bearer {secret}"
        return self.http


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Webhooks and sources on 127.0.0.1 are allowed here: this module tests who, not where."""
    return settings.model_copy(
        update={"allow_private_addresses": True, "allow_private_sources": True}
    )


@pytest.fixture
async def world(db: Database, client: httpx.AsyncClient, settings: Settings) -> World:
    users = {
        "admin": await make_user(db, "admin"),
        "member": await make_user(db, "editor"),
        "outsider": await make_user(db, "editor"),
        "contributor": await make_user(db, "contributor"),
        "stranger": await make_user(db, "contributor"),
    }
    blog = await make_blog(db, users["member"])
    async with db.write() as conn:
        await team.join(conn, blog.id, users["contributor"].id, users["member"].id)
    update = await post(db, blog, users["member"], "The count has begun.")
    draft = await drafts.save_draft(
        db, blog.slug, UpdateDraft("Queues at noon."), users["contributor"]
    )
    wire = SourceDraft("http://127.0.0.1:9/wire.xml", "feed", None, blog.slug)
    source = await ingest.add_source(db, settings, wire, users["member"])
    await store_document(db, source, document(item(1)))
    async with db.read() as conn:
        (item_id,) = (await conn.execute(select(items.c.id))).scalars()
    await Assigner(db).run()  # the item in a story, for the stories pages
    async with db.read() as conn:
        story_id = (await conn.execute(select(story_items.c.story_id))).scalar_one()
    return World(db, client, blog, users, update.id, draft.id, source.id, item_id, story_id)


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def _updates(w: World) -> str:
    return f"/api/v1/blogs/{w.blog.slug}/updates"


ACTIONS: dict[str, tuple[Call, dict[str, int]]] = {
    "create a blog": (
        lambda h, w: h.post("/api/v1/blogs", json={"slug": "new-one", "title": "New"}),
        {"admin": 201, "member": 201, "outsider": 201, "contributor": 403, "stranger": 403},
    ),
    "post an update": (
        lambda h, w: h.post(_updates(w), json={"body": "Turnout is 61 per cent."}),
        {"admin": 201, "member": 201, "outsider": 403, "contributor": 201, "stranger": 403},
    ),
    "edit an update": (
        lambda h, w: h.patch(f"{_updates(w)}/{w.update_id}", json={"body": "Changed."}),
        {"admin": 200, "member": 200, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "mark a key event": (
        lambda h, w: h.put(f"{_updates(w)}/{w.update_id}/key-event", json={"on": True}),
        {"admin": 200, "member": 200, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "pin": (
        lambda h, w: h.put(f"{_updates(w)}/{w.update_id}/pin", json={"on": True}),
        {"admin": 200, "member": 200, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "delete an update": (
        lambda h, w: h.delete(f"{_updates(w)}/{w.update_id}"),
        {"admin": 204, "member": 204, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "change the recap": (
        lambda h, w: h.put(f"/api/v1/blogs/{w.blog.slug}/recap", json={"items": ["Hacked"]}),
        {"admin": 200, "member": 200, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "end coverage": (
        lambda h, w: h.post(f"/api/v1/blogs/{w.blog.slug}/end"),
        {"admin": 200, "member": 200, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "list drafts": (
        lambda h, w: h.get(f"/api/v1/blogs/{w.blog.slug}/drafts"),
        {"admin": 200, "member": 200, "outsider": 403, "contributor": 200, "stranger": 403},
    ),
    "publish a draft": (
        lambda h, w: h.post(f"/api/v1/blogs/{w.blog.slug}/drafts/{w.draft_id}/publish"),
        {"admin": 201, "member": 201, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "reject a draft": (
        lambda h, w: h.post(
            f"/api/v1/blogs/{w.blog.slug}/drafts/{w.draft_id}/reject", json={"note": "Source?"}
        ),
        {"admin": 200, "member": 200, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "follow a source": (
        lambda h, w: h.post("/api/v1/sources", json={"url": "http://127.0.0.1:9/feed.xml"}),
        {"admin": 201, "member": 201, "outsider": 201, "contributor": 403, "stranger": 403},
    ),
    "follow a source into this blog's inbox": (
        lambda h, w: h.post(
            "/api/v1/sources", json={"url": "http://127.0.0.1:9/a.xml", "blog": w.blog.slug}
        ),
        {"admin": 201, "member": 201, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "list sources": (
        lambda h, w: h.get("/api/v1/sources"),
        {"admin": 200, "member": 200, "outsider": 200, "contributor": 403, "stranger": 403},
    ),
    "unfollow this blog's source": (
        lambda h, w: h.delete(f"/api/v1/sources/{w.source_id}"),
        {"admin": 204, "member": 204, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
    "upload an image": (
        lambda h, w: h.post("/api/v1/images", files={"file": ("a.png", PNG, "image/png")}),
        {"admin": 201, "member": 201, "outsider": 201, "contributor": 201, "stranger": 403},
    ),
    "register a webhook": (
        lambda h, w: h.post(
            "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["blog.ended"]}
        ),
        {"admin": 201, "member": 403, "outsider": 403, "contributor": 403, "stranger": 403},
    ),
}


async def _public_state(w: World) -> tuple[object, ...]:
    """What readers see: the blog row and its updates; and how many images are stored."""
    async with w.db.read() as conn:
        blog = await queries.blog_by_slug(conn, w.blog.slug)
        updates = await queries.updates_before(conn, blog.id, 100, None, False)
        stored = await conn.scalar(select(func.count()).select_from(images))
    return blog, [(u.id, u.body, u.key_event, u.pinned, u.is_deleted) for u in updates], stored


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
async def test_each_role_may_do_exactly_what_it_should_over_the_api(
    world: World, action: str, role: str
) -> None:
    call, allowed = ACTIONS[action]
    before = await _public_state(world)
    answer = await call(await world.as_(role), world)
    expected = allowed.get(role, 401)
    assert answer.status_code == expected, answer.text
    if expected >= 400:
        problem = answer.json()
        assert problem["error"] in {"forbidden", "unauthorized"}
        assert problem["detail"]
        assert await _public_state(world) == before, "a refused action changed something"


async def test_a_contributors_update_is_a_draft_nobody_reads(world: World) -> None:
    http = await world.as_("contributor")
    answer = await http.post(_updates(world), json={"body": "Recount in Eastfold."})
    assert answer.status_code == 201
    assert answer.json()["status"] == "draft"
    page = await http.get(f"/live/{world.blog.slug}")
    assert "Recount in Eastfold" not in page.text
    listed = await http.get(_updates(world))
    assert all("Recount" not in item["body"] for item in listed.json()["items"])


async def test_a_read_only_token_reads_but_changes_nothing(world: World) -> None:
    secret = await create_token_for(world.db, world.users["member"].email, "reader", "read")
    world.http.headers["Authorization"] = f"Bearer {secret}"
    before = await _public_state(world)
    refused = await world.http.post(_updates(world), json={"body": "Should not appear."})
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert await _public_state(world) == before
    assert (await world.http.get(f"/api/v1/blogs/{world.blog.slug}/drafts")).status_code == 200


PAGES: dict[str, tuple[str, dict[str, int]]] = {
    "accounts": ("/admin/users", {"admin": 200}),
    "team": ("/admin/live/{slug}/team", {"admin": 200, "member": 200}),
    "audit log": ("/admin/live/{slug}/audit", {"admin": 200, "member": 200}),
    "drafts": (
        "/admin/live/{slug}/drafts",
        {"admin": 200, "member": 200, "contributor": 200},
    ),
    "editor page": (
        "/admin/live/{slug}",
        {"admin": 200, "member": 200, "contributor": 200},
    ),
    "webhooks": ("/admin/webhooks", {"admin": 200}),
    "sources": ("/admin/sources", {"admin": 200, "member": 200, "outsider": 200}),
    "inbox": (
        "/admin/live/{slug}/inbox",
        {"admin": 200, "member": 200, "contributor": 200},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
async def test_each_role_sees_exactly_the_newsroom_pages_it_should(
    world: World, page: str, role: str
) -> None:
    path, allowed = PAGES[page]
    if role != "anonymous":
        await log_in(world.http, world.users[role].email)
    answer = await world.http.get(path.format(slug=world.blog.slug))
    if role == "anonymous":
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login")
    else:
        assert answer.status_code == allowed.get(role, 403)


async def test_a_picture_sent_with_the_update_form_of_a_blog_one_is_not_on_is_not_stored(
    world: World,
) -> None:
    """The form's upload is stored before the update is written (so a re-shown form keeps
    it): it must be refused first, or anyone signed in could fill the disk with pictures."""
    await log_in(world.http, world.users["stranger"].email)
    token = csrf_from(await world.http.get("/admin/account"))
    before = await _public_state(world)
    answer = await world.http.post(
        f"/admin/live/{world.blog.slug}/updates",
        data={"csrf_token": token, "body": "Not my blog.", "new_image_alt": "A street"},
        files={"new_image": ("street.png", PNG, "image/png")},
    )
    assert answer.status_code == 403
    assert await _public_state(world) == before


# Every admin page (GET) × every role. The routes are read from the app, so a new page fails
# here until its answers are written down: none can be added without an authorisation check.

ANY_ACCOUNT = {role: 200 for role in ROLES if role != "anonymous"}
EDITORS = {"admin": 200, "member": 200, "outsider": 200}
THE_TEAM = {"admin": 200, "member": 200, "contributor": 200}
ITS_EDITORS = {"admin": 200, "member": 200}
ADMIN_PAGES: dict[str, dict[str, int]] = {
    "/admin": ANY_ACCOUNT,
    "/admin/account": ANY_ACCOUNT,
    "/admin/blogs/new": EDITORS,
    "/admin/users": {"admin": 200},
    "/admin/webhooks": {"admin": 200},
    "/admin/sources": EDITORS,
    "/admin/sources/discover": EDITORS,
    "/admin/sources/import": EDITORS,
    "/admin/sources/export.opml": EDITORS,
    "/admin/live/{slug}": THE_TEAM,
    "/admin/live/{slug}/changes": THE_TEAM,
    "/admin/live/{slug}/updates/{update_id}": {"admin": 303, "member": 303, "contributor": 303},
    "/admin/live/{slug}/updates/{update_id}/edit": ITS_EDITORS,
    "/admin/live/{slug}/updates/{update_id}/delete": ITS_EDITORS,
    "/admin/live/{slug}/recap": ITS_EDITORS,
    "/admin/live/{slug}/recap/draft": ITS_EDITORS,
    "/admin/live/{slug}/facts": ITS_EDITORS,
    "/admin/live/{slug}/end": ITS_EDITORS,
    "/admin/live/{slug}/drafts": THE_TEAM,
    "/admin/live/{slug}/drafts/{draft_id}": THE_TEAM,
    "/admin/live/{slug}/team": ITS_EDITORS,
    "/admin/live/{slug}/audit": ITS_EDITORS,
    "/admin/live/{slug}/inbox": THE_TEAM,
    "/admin/live/{slug}/inbox/items": THE_TEAM,
    "/admin/live/{slug}/inbox/{item_id}/use": THE_TEAM,
    "/admin/live/{slug}/comments": ITS_EDITORS,
    "/admin/live/{slug}/comments/queue": ITS_EDITORS,
    "/admin/stories": EDITORS,
    "/admin/stories/{story_id}": EDITORS,
}


def _admin_get_routes() -> list[str]:
    app = create_app(Settings(secret_key="routes-only"))
    return sorted(
        {
            route.path
            for route in iter_route_contexts(app.routes)
            if route.path.startswith("/admin") and "GET" in (route.methods or ())
        }
    )


def _address(path: str, w: World) -> str:
    ids = {"slug": w.blog.slug, "update_id": w.update_id, "draft_id": w.draft_id}
    ids["item_id"] = w.item_id
    ids["story_id"] = w.story_id
    unknown = set(re.findall(r"{(\w+)}", path)) - set(ids)
    assert not unknown, f"say which value {path} takes for {unknown}"
    return path.format(**ids)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", _admin_get_routes())
async def test_every_admin_page_answers_each_role_as_it_should(
    world: World, path: str, role: str
) -> None:
    assert path in ADMIN_PAGES, f"{path} is new: add who may open it to ADMIN_PAGES"
    if role != "anonymous":
        await log_in(world.http, world.users[role].email)
    answer = await world.http.get(_address(path, world))
    if role == "anonymous":
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login")
        return
    assert answer.status_code == ADMIN_PAGES[path].get(role, 403), answer.text[:300]
    if answer.status_code == 403:
        assert "The count has begun" not in answer.text, "a refused page showed an update"


def test_deleted_text_cannot_be_read_through_admin_forms_on_a_real_server(
    live_server: LiveServer,  # noqa: F811 (the fixture)
) -> None:
    """Issue 12, finding 5, as the attack was made: an account of another team (and nobody
    anonymous) walks the sequential ids of the edit and delete forms of a real server and
    reads retracted text. Now it gets a refusal that does not carry the text."""
    token = live_server.create_api_token()
    secret = "Unverified name of the injured officer"
    with httpx.Client(base_url=live_server.base_url, timeout=30) as owner:
        owner.headers["Authorization"] = f"Bearer {token}"
        assert owner.post(
            "/api/v1/blogs", json={"slug": "retracted", "title": "Retracted"}
        ).is_success
        update = owner.post("/api/v1/blogs/retracted/updates", json={"body": secret}).json()
        deleted = owner.request(
            "DELETE",
            f"/api/v1/blogs/retracted/updates/{update['id']}",
            json={"correction_note": "Removed: the name was not verified."},
        )
        assert deleted.is_success
    live_server.cli(
        "user", "create", "stranger@example.org", "--role", "editor", "--name", "Stranger",
        "--password-stdin", stdin="stranger password 123\n",
    )  # fmt: skip
    forms = [f"/admin/live/retracted/updates/{update['id']}/{page}" for page in ("edit", "delete")]
    with httpx.Client(base_url=live_server.base_url, timeout=30) as anonymous:
        for form in forms:
            answer = anonymous.get(form)
            assert answer.status_code == 303
            assert secret not in answer.text
    with httpx.Client(base_url=live_server.base_url, timeout=30) as stranger:
        login = stranger.get("/login")
        stranger.post(
            "/login",
            data={
                "email": "stranger@example.org",
                "password": "stranger password 123",
                "csrf_token": csrf_from(login),
            },
        )
        assert stranger.get("/admin").status_code == 200  # logged in
        for form in forms:
            answer = stranger.get(form)
            assert answer.status_code == 403
            assert secret not in answer.text
