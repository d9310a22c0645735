"""JSON API v1: token auth, the documented shapes, and a JSON 4xx for every bad request."""

from __future__ import annotations

import httpx
import pytest

from dateline.accounts.service import User
from dateline.db import Database
from dateline.liveblog import service
from dateline.liveblog.models import Blog
from tests.helpers import png_bytes, post


def assert_problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error", "detail"}
    assert body["detail"]
    return body  # type: ignore[no-any-return]


async def test_create_blog_then_read_it(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/api/v1/blogs",
        json={
            "slug": "harbour-fire",
            "title": "Harbour fire – live",
            "standfirst": "Crews fight a blaze at the docks.",
            "category": "News",
            "time_zone": "Europe/Lisbon",
        },
    )
    assert answer.status_code == 201
    blog = (await api.get("/api/v1/blogs/harbour-fire")).json()
    assert {k: blog[k] for k in ("slug", "title", "category", "time_zone", "status")} == {
        "slug": "harbour-fire",
        "title": "Harbour fire – live",
        "category": "News",
        "time_zone": "Europe/Lisbon",
        "status": "live",
    }
    assert blog["standfirst"] == "Crews fight a blaze at the docks."


async def test_post_update_answers_201_with_the_update(api: httpx.AsyncClient, blog: Blog) -> None:
    answer = await api.post(
        f"/api/v1/blogs/{blog.slug}/updates",
        json={"body": "Fire is **under control**.", "headline": "Contained", "key_event": True},
    )
    assert answer.status_code == 201
    update = answer.json()
    assert update["headline"] == "Contained"
    assert update["body"] == "Fire is **under control**."
    assert update["body_html"] == "<p>Fire is <strong>under control</strong>.</p>\n"
    assert update["key_event"] is True
    assert update["pinned"] is False
    assert update["images"] == []
    assert update["published_at"].endswith("Z")
    page = await api.get(f"/live/{blog.slug}")
    assert f'id="update-{update["id"]}"' in page.text


async def test_update_with_uploaded_image(api: httpx.AsyncClient, blog: Blog) -> None:
    image = await api.post("/api/v1/images", files={"file": ("a.png", png_bytes(), "image/png")})
    assert image.status_code == 201
    answer = await api.post(
        f"/api/v1/blogs/{blog.slug}/updates",
        json={
            "body": "Smoke over the docks.",
            "images": [
                {
                    "id": image.json()["id"],
                    "alt": "Smoke",
                    "caption": "Smoke rises",
                    "credit": "A/B",
                }
            ],
        },
    )
    assert answer.status_code == 201
    [picture] = answer.json()["images"]
    assert picture["caption"] == "Smoke rises"
    assert picture["credit"] == "A/B"
    assert (await api.get(picture["url"].removeprefix("http://testserver"))).status_code == 200


async def test_an_image_without_alt_text_is_refused_unless_the_client_says_so(
    api: httpx.AsyncClient, blog: Blog
) -> None:
    image = await api.post("/api/v1/images", files={"file": ("a.png", png_bytes(), "image/png")})
    picture = {"id": image.json()["id"], "caption": "Smoke rises"}
    url = f"/api/v1/blogs/{blog.slug}/updates"
    refused = assert_problem(await api.post(url, json={"body": "Docks.", "images": [picture]}), 422)
    assert list(refused["detail"]) == ["images.0.alt"]  # type: ignore[call-overload]
    assert "publish_without_alt_text" in refused["detail"]["images.0.alt"]  # type: ignore[index]
    page = await api.get(f"/live/{blog.slug}")
    assert "Docks." not in page.text

    blank = {**picture, "alt": "   "}
    assert_problem(await api.post(url, json={"body": "Docks.", "images": [blank]}), 422)
    breaking = {"body": "Docks.", "images": [picture], "publish_without_alt_text": True}
    sent = await api.post(url, json=breaking)
    assert sent.status_code == 201, sent.text
    update_id = sent.json()["id"]

    again = {"images": [picture]}
    assert_problem(await api.patch(f"{url}/{update_id}", json=again), 422)
    described = {"images": [{**picture, "alt": "Smoke over the docks"}]}
    edited = await api.patch(f"{url}/{update_id}", json=described)
    assert edited.status_code == 200
    assert edited.json()["images"][0]["alt"] == "Smoke over the docks"


async def test_patch_changes_only_the_fields_sent(
    api: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Two engines on scene.", headline="Engines")
    answer = await api.patch(
        f"/api/v1/blogs/{blog.slug}/updates/{update.id}", json={"key_event": True}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["headline"], body["body"], body["key_event"]) == (
        "Engines",
        "Two engines on scene.",
        True,
    )
    assert body["edited_at"] is not None


async def test_delete_with_correction_note(
    api: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Wrong street named.")
    answer = await api.request(
        "DELETE",
        f"/api/v1/blogs/{blog.slug}/updates/{update.id}",
        json={"correction_note": "We named the wrong street."},
    )
    assert answer.status_code == 204
    listing = (await api.get(f"/api/v1/blogs/{blog.slug}/updates")).json()
    assert listing["items"] == []
    assert "We named the wrong street." in (await api.get(f"/live/{blog.slug}")).text
    assert_problem(await api.delete(f"/api/v1/blogs/{blog.slug}/updates/{update.id}"), 409)


async def test_list_updates_paginates_with_a_cursor_and_filters_key_events(
    api: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    posted = [await post(db, blog, editor, f"Item {n}", key_event=n % 3 == 0) for n in range(7)]
    first = (await api.get(f"/api/v1/blogs/{blog.slug}/updates?limit=3")).json()
    assert [u["body"] for u in first["items"]] == ["Item 6", "Item 5", "Item 4"]
    second = (await api.get(first["next"])).json()
    assert [u["body"] for u in second["items"]] == ["Item 3", "Item 2", "Item 1"]
    third = (await api.get(second["next"])).json()
    assert [u["body"] for u in third["items"]] == ["Item 0"]
    assert third["next"] is None
    keys = (await api.get(f"/api/v1/blogs/{blog.slug}/updates?key_events=true")).json()
    assert [u["id"] for u in keys["items"]] == [posted[6].id, posted[3].id, posted[0].id]


async def test_put_recap(api: httpx.AsyncClient, blog: Blog) -> None:
    answer = await api.put(
        f"/api/v1/blogs/{blog.slug}/recap", json={"items": ["Fire contained", " ", "No injuries"]}
    )
    assert answer.json() == {"items": ["Fire contained", "No injuries"]}
    assert (await api.get(f"/api/v1/blogs/{blog.slug}")).json()["recap"]["items"] == [
        "Fire contained",
        "No injuries",
    ]


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "Send an API token"), ({"Authorization": "Bearer dl_forged"}, "unknown or revoked")],
)
async def test_changes_without_a_valid_token_are_refused(
    client: httpx.AsyncClient, db: Database, blog: Blog, headers: dict[str, str], message: str
) -> None:
    answer = await client.post(
        f"/api/v1/blogs/{blog.slug}/updates", json={"body": "Defaced"}, headers=headers
    )
    assert message in str(assert_problem(answer, 401)["detail"])
    listing = (await client.get(f"/api/v1/blogs/{blog.slug}/updates")).json()
    assert listing["items"] == []


async def test_malformed_json_is_a_400_problem(api: httpx.AsyncClient, blog: Blog) -> None:
    answer = await api.post(
        f"/api/v1/blogs/{blog.slug}/updates",
        content=b'{"body": "unterminated',
        headers={"content-type": "application/json"},
    )
    assert assert_problem(answer, 400)["error"] == "malformed_json"


@pytest.mark.parametrize(
    "payload",
    [
        {"body": 42},
        {"body": "ok", "key_event": "yes"},
        {"headline": "no body"},
        {"body": "ok", "surprise": 1},
        {"body": "ok", "images": [{"id": 5}]},
        ["not", "an", "object"],
    ],
)
async def test_wrong_types_are_422_problems_naming_the_field(
    api: httpx.AsyncClient, blog: Blog, payload: object
) -> None:
    body = assert_problem(await api.post(f"/api/v1/blogs/{blog.slug}/updates", json=payload), 422)
    assert body["error"] == "invalid"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "ok", "headline": "h" * 201}, "headline"),
        ({"body": "ok", "images": [{"id": "0" * 64, "alt": "Smoke"}]}, "images"),
    ],
)
async def test_invalid_content_is_a_422_naming_the_field(
    api: httpx.AsyncClient, blog: Blog, payload: dict[str, object], field: str
) -> None:
    body = assert_problem(await api.post(f"/api/v1/blogs/{blog.slug}/updates", json=payload), 422)
    assert field in body["detail"]  # type: ignore[operator]


async def test_unknown_blog_and_update_are_404_problems(api: httpx.AsyncClient, blog: Blog) -> None:
    assert_problem(await api.get("/api/v1/blogs/nope"), 404)
    assert_problem(await api.post("/api/v1/blogs/nope/updates", json={"body": "x"}), 404)
    assert_problem(await api.patch(f"/api/v1/blogs/{blog.slug}/updates/999", json={}), 404)
    assert_problem(await api.get("/api/v1/no-such-route"), 404)


async def test_posting_to_an_ended_blog_is_a_409(
    api: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await service.end_coverage(db, blog.slug, editor)
    body = assert_problem(
        await api.post(f"/api/v1/blogs/{blog.slug}/updates", json={"body": "x"}), 409
    )
    assert "ended" in str(body["detail"])


async def test_duplicate_slug_and_bad_time_zone_are_422(api: httpx.AsyncClient, blog: Blog) -> None:
    body = assert_problem(
        await api.post("/api/v1/blogs", json={"slug": blog.slug, "title": "Again"}), 422
    )
    assert "taken" in body["detail"]["slug"]  # type: ignore[index]
    body = assert_problem(
        await api.post(
            "/api/v1/blogs", json={"slug": "ok", "title": "T", "time_zone": "Moon/Base"}
        ),
        422,
    )
    assert "time_zone" in body["detail"]  # type: ignore[operator]


async def test_non_image_upload_is_a_422(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/api/v1/images", files={"file": ("x.png", b"GIF89a nope", "image/png")}
    )
    assert_problem(answer, 422)


async def test_openapi_schema_lists_the_routes(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    paths = schema["paths"]
    assert set(paths["/api/v1/blogs/{slug}/updates"]) == {"get", "post"}
    assert set(paths["/api/v1/blogs/{slug}/updates/{update_id}"]) >= {"patch", "delete"}
    assert "put" in paths["/api/v1/blogs/{slug}/recap"]
    assert all(path.startswith("/api/v1/") for path in paths), "pages are not API"
