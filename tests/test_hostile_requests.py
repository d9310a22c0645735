"""Issue 12, findings 2 and 9: request bodies past their limit, NUL characters, hostile integers.

A body larger than its route takes is refused with 413 before it is read (or, sent chunked, as
soon as it passes the limit), shown against a real `dateline serve` on loopback while another
client is answered. A NUL anywhere in an address or a JSON body is a clear 4xx. And every route
of the app (pages and API, every method) is walked with hostile integers in each int parameter
and NUL in each path segment and query value, on SQLite and PostgreSQL: no 5xx, nothing logged
as an error.
"""

from __future__ import annotations

import logging
import random
import socket
import types
from collections.abc import AsyncIterator, Iterator
from typing import Any, Union, get_args, get_origin
from urllib.parse import quote, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from PIL import Image

from dateline.accounts.tokens import create_token_for
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog.models import Blog
from tests.helpers import csrf_from, log_in, make_blog, make_user, parse, post
from tests.live_server import LiveServer, live_server

__all__ = ["live_server"]  # the fixture, imported for this module's real-server tests

FORM_LIMIT = Settings().max_body_bytes
HOSTILE_INTS = [
    str(-(2**63) - 1),
    str(-(2**31) - 1),
    "-99999999999999999999",
    str(2**31),
    str(2**63),
    str(10**30),
    "²",
    "1e9",
    "",
]
NUL = "a\x00b"


# In-process: limits, NUL ------------------------------------------------------------------


async def test_an_anonymous_body_past_the_limit_is_refused_before_anything_reads_it(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    big = b"{" + b" " * (FORM_LIMIT + 1) + b"}"
    api = await client.post("/api/v1/blogs", content=big, headers=JSON)
    assert api.status_code == 413
    assert api.json()["detail"] == "The request is too large: this address takes at most 256 KB."
    page = await client.post(f"/admin/live/{blog.slug}/recap", content=big, headers=FORM)
    assert page.status_code == 413
    assert "too large" in parse(page).css_first("main").text()
    for method in ("GET", "DELETE"):  # a body on a request that takes none: 8 KB at most
        answer = await client.request(method, "/api/v1/blogs", content=b"x" * 8193)
        assert answer.status_code == 413, method


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(
    client: httpx.AsyncClient,
) -> None:
    chunk, sent = b" " * 16384, 0

    async def long_body() -> AsyncIterator[bytes]:
        nonlocal sent
        while sent < 40 * FORM_LIMIT:  # 10 MB, with no Content-Length
            sent += len(chunk)
            yield chunk

    answer = await client.post("/api/v1/blogs", content=long_body(), headers=JSON)
    assert answer.status_code == 413
    assert sent <= FORM_LIMIT + len(chunk)  # read up to the chunk that passed the limit


async def test_an_image_larger_than_a_form_is_still_accepted_where_files_are_taken(
    api: httpx.AsyncClient, editor_client: httpx.AsyncClient, blog: Blog
) -> None:
    photo = _noisy_png()
    assert FORM_LIMIT < len(photo) < Settings().max_upload_bytes
    stored = await api.post("/api/v1/images", files={"file": ("photo.png", photo, "image/png")})
    assert stored.status_code == 201
    page = await editor_client.get(f"/admin/live/{blog.slug}")
    form = {
        "csrf_token": csrf_from(page),
        "body": "Photo from the quay.",
        "new_image_alt": "Boats moored at the quay",
        "action": "publish",
    }
    upload = {"new_image": ("quay.png", photo, "image/png")}
    posted = await editor_client.post(f"/admin/live/{blog.slug}/updates", data=form, files=upload)
    assert posted.status_code == 303
    stream = parse(await editor_client.get(f"/live/{blog.slug}"))
    assert stream.css_first("article.update img") is not None


async def test_a_nul_in_a_path_or_query_is_a_clear_refusal_on_every_backend(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    feed = await client.get("/category/%00/feed.atom")  # once a 500 on PostgreSQL
    assert feed.status_code == 400
    assert "NUL" in parse(feed).css_first("main").text()
    page = await client.get(f"/live/{blog.slug}?filter=key%00events")
    assert page.status_code == 400
    api = await client.get("/api/v1/blogs?before=a%00b")
    assert api.status_code == 422
    assert api.json()["detail"][0]["field"] == "before"


async def test_a_nul_inside_a_json_body_is_refused_naming_the_field(
    api: httpx.AsyncClient, blog: Blog
) -> None:
    image = {"id": "x" * 64, "alt": "a\x00b"}
    answer = await api.post(
        f"/api/v1/blogs/{blog.slug}/updates", json={"body": "Fine.", "images": [image]}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {"field": "images.0.alt", "message": "Text may not contain the NUL character (U+0000)."}
    ]
    escaped = await api.post(f"/api/v1/blogs/{blog.slug}/updates", json={"body": "\\u0000 ok"})
    assert escaped.status_code == 201  # a backslash and "u0000" typed as text are no NUL


# Every route, hostile integers and NUL ---------------------------------------------------


async def test_every_route_answers_hostile_integers_and_nul_without_a_server_error(
    app: FastAPI,
    client: httpx.AsyncClient,
    db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = await make_user(db, "admin", "admin@example.org")
    blog = await make_blog(db, admin, "storm-live")
    await post(db, blog, admin, "The river is rising.")
    await log_in(client, admin.email)
    token = await create_token_for(db, admin.email, "fuzz", "write")
    client.headers["Authorization"] = f"Bearer {token}"
    caplog.set_level(logging.ERROR)
    tried = 0
    for method, url in _hostile_requests(app, blog.slug):
        answer = await client.request(method, url)
        assert answer.status_code < 500, f"{method} {url}: {answer.status_code}"
        tried += 1
    assert tried > 500
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _hostile_requests(app: FastAPI, slug: str) -> Iterator[tuple[str, str]]:
    """(method, url) for each route and method: each int parameter (path or query) given each
    hostile integer, and each path segment and query value given a NUL in turn."""
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        path, methods = route.path, sorted((route.methods or {"GET"}) - {"HEAD"})
        params = _params(dependant) if dependant is not None else []
        fine = {name: _fine_value(name, is_int, slug) for _, name, is_int in params}
        for method in methods:
            for where, name, is_int in params:
                for value in HOSTILE_INTS if is_int else []:
                    yield method, _url(path, params, {**fine, name: value})
                if where == "query":
                    yield method, _url(path, params, {**fine, name: NUL})
            segments = [part for part in path.split("/") if part]
            for index in range(len(segments)):
                hostile = [*segments[:index], quote(NUL), *segments[index + 1 :]]
                yield method, _url("/" + "/".join(hostile), params, fine)


def _params(dependant: Any) -> list[tuple[str, str, bool]]:
    """(where, name, takes an int) of every path and query parameter, dependencies' too."""
    found = [("path", p.name, _is_int(p.field_info.annotation)) for p in dependant.path_params]
    found += [("query", p.name, _is_int(p.field_info.annotation)) for p in dependant.query_params]
    for sub in dependant.dependencies:
        found += _params(sub)
    return found


def _is_int(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return int in get_args(annotation)
    return annotation is int


def _fine_value(name: str, is_int: bool, slug: str) -> str:
    if is_int:
        return "1"
    return {"extension": "atom", "name": "world", "token": "abc", "format": "json"}.get(name, slug)


def _url(path: str, params: list[tuple[str, str, bool]], values: dict[str, str]) -> str:
    for where, name, _ in params:
        if where == "path":
            value = values[name]
            path = path.replace(f"{{{name}:path}}", value).replace(f"{{{name}}}", quote(value))
    query = "&".join(
        f"{name}={quote(values[name])}" for where, name, _ in params if where == "query"
    )
    return path + (f"?{query}" if query else "")


# Against a real server (loopback) -------------------------------------------------------


def test_a_200_mb_body_is_refused_unread_while_other_readers_are_served(
    live_server: LiveServer,
) -> None:
    for method, path in (("GET", "/api/v1/blogs"), ("POST", "/api/v1/blogs"), ("POST", "/login")):
        with _connect(live_server) as attacker:
            head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 200000000\r\n"
            attacker.sendall(head.encode() + b"Content-Type: application/json\r\n\r\n")
            # Not one byte of the body is sent: the answer comes without the server reading it.
            assert httpx.get(live_server.base_url + "/", timeout=10).status_code == 200
            status, headers, _ = _read_answer(attacker)
            assert status == 413, (method, path)
            assert headers["connection"] == "close"
            assert attacker.recv(1) == b""  # and the connection is closed after it


def test_a_chunked_body_stops_being_read_past_the_limit(live_server: LiveServer) -> None:
    chunk = b" " * 65536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    with _connect(live_server) as attacker:
        attacker.sendall(
            b"POST /api/v1/blogs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(FORM_LIMIT // len(chunk) + 1):  # just past the limit, and no last chunk
            attacker.sendall(framed)
        assert httpx.get(live_server.base_url + "/", timeout=10).status_code == 200
        status, headers, body = _read_answer(attacker)
        assert (status, headers["connection"]) == (413, "close")
        assert b"too large" in body
        # The server hung up: the rest of a 200 MB body cannot even be sent.
        with pytest.raises((BrokenPipeError, ConnectionResetError)):  # noqa: PT012 (the loop fails)
            for _ in range(200_000_000 // len(chunk)):
                attacker.sendall(framed)


def _connect(server: LiveServer) -> socket.socket:
    address = urlsplit(server.base_url)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    return sock


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one HTTP/1.1 answer with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        assert more, f"connection closed before an answer: {data!r}"
        data += more
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, body


def _noisy_png() -> bytes:
    """A PNG of about 1 MB (noise does not compress): larger than any form may be."""
    import io

    size = (600, 600)
    noise = random.Random(12).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(buffer, "PNG")
    return buffer.getvalue()


JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
