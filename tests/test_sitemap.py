"""Routes have names, links are built from them, and the site map in the docs is the app's."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
from fastapi import APIRouter

from dateline.accounts.service import User
from dateline.app import create_app
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog.models import Blog
from dateline.web import sitemap
from tests.helpers import log_in, make_user, parse, post

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
NAME = re.compile(r"^(reader|admin|api|web)\.[a-z][a-z_]*$")
NEWSROOM_DOORS = {"/login", "/logout", "/invite/{token}"}  # admin pages outside /admin


def test_the_site_map_in_the_architecture_doc_is_the_apps(app: object) -> None:
    document = ARCHITECTURE.read_text()
    assert document == sitemap.with_table(document, app), "run: make sitemap"  # type: ignore[arg-type]


def test_a_route_added_without_regenerating_makes_the_site_map_stale(settings: Settings) -> None:
    application = create_app(settings)
    document = sitemap.with_table(ARCHITECTURE.read_text(), application)
    extra = APIRouter()
    extra.add_api_route("/admin/new-page", lambda: None, name="admin.new_page")
    application.include_router(extra)
    assert sitemap.with_table(document, application) != document
    assert "`/admin/new-page` | `admin.new_page`" in sitemap.with_table(document, application)


def test_every_route_has_a_unique_name_that_says_its_kind(app: object) -> None:
    entries = [e for e in sitemap.entries(app) if e.name != "openapi"]  # type: ignore[arg-type]
    paths_by_name: dict[str, set[str]] = {}
    for entry in entries:
        assert NAME.match(entry.name), entry
        kind = entry.name.split(".")[0]
        if entry.path.startswith("/api/"):
            assert kind == "api", entry
        elif entry.path.startswith("/admin") or entry.path in NEWSROOM_DOORS:
            assert kind == "admin", entry
        else:
            assert kind in ("reader", "web"), entry
        paths_by_name.setdefault(entry.name, set()).add(entry.path)
    assert all(len(paths) == 1 for paths in paths_by_name.values()), paths_by_name


def _route_for(app: object, path: str, method: str) -> str | None:
    """The name of the route that answers `method path`, if any."""
    for entry in sitemap.entries(app):  # type: ignore[arg-type]
        pattern = re.sub(r"\\\{\w+:path\\\}", ".+", re.escape(entry.path))
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", pattern)
        if entry.method == method and re.fullmatch(pattern, path):
            return entry.name
    return None


async def test_every_link_and_form_on_the_pages_leads_to_a_route(
    app: object, client: httpx.AsyncClient, db: Database, editor: User, blog: Blog
) -> None:
    admin = await make_user(db, "admin", "chief@example.org")
    await post(db, blog, editor, "First update from the scene.", key_event=True)
    pages = ["/", f"/live/{blog.slug}", "/login"]
    admin_pages = [
        "/admin",
        f"/admin/live/{blog.slug}",
        f"/admin/live/{blog.slug}/recap",
        f"/admin/live/{blog.slug}/team",
        f"/admin/live/{blog.slug}/inbox",
        "/admin/account",
        "/admin/users",
        "/admin/sources",
        "/admin/webhooks",
    ]
    links = 0
    for page in [*pages, "log in", *admin_pages]:
        if page == "log in":
            await log_in(client, admin.email)
            continue
        answer = await client.get(page)
        assert answer.status_code == 200, page
        html = parse(answer)
        targets = [("GET", a.attributes.get("href")) for a in html.css("a[href], link[href]")]
        targets += [("GET", i.attributes.get("src")) for i in html.css("img[src], script[src]")]
        targets += [("POST", f.attributes.get("action")) for f in html.css("form[method=post]")]
        for method, target in targets:
            if not target or not target.startswith("/") or target.startswith("//"):
                continue
            path = target.split("#")[0].split("?")[0]
            assert _route_for(app, path, method), f"{page}: {method} {target} has no route"
            links += 1
    assert links > 50


def test_features_never_import_each_others_http_modules_nor_make_a_cycle() -> None:
    """The import contracts of pyproject.toml hold (`make lint` runs the same check)."""
    done = subprocess.run(
        [Path(sys.executable).parent / "lint-imports"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
