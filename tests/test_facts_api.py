"""POST /api/v1/facts/extract: any API token reads the facts of a text; bad input is a JSON
problem, never a 500."""

from __future__ import annotations

import httpx

from dateline.accounts.service import User
from dateline.accounts.tokens import create_token_for
from dateline.db import Database


def problem(answer: httpx.Response, status: int) -> object:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "detail"}
    return body["detail"]


async def test_a_read_token_extracts_the_facts_of_a_text(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    token = await create_token_for(db, editor.email, "analyst", "read")
    answer = await client.post(
        "/api/v1/facts/extract",
        json={
            "text": "Bei einem russischen Angriff auf Charkiw sind am Montag zwei Menschen "
            "getötet und fünf verletzt worden.",
            "lang": None,
            "published_at": "2025-06-04T08:30:00+02:00",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    facts = answer.json()
    assert set(facts) == {"lang", "incidents", "exchanges", "ceasefires", "talks"}
    assert facts["lang"] == "de"
    [incident] = facts["incidents"]
    assert (incident["killed"], incident["injured"], incident["date"]) == (2, 5, "2025-06-02")
    assert incident["place"]["name"] == "Charkiw"
    assert set(incident["place"]) == {
        "name", "geonames_id", "lat", "lon", "country", "admin1", "relation"
    }  # fmt: skip
    assert set(incident["evidence"]) == {"start", "end", "text"}


async def test_exchanges_and_ceasefires_come_back_in_their_shape(api: httpx.AsyncClient) -> None:
    text = (
        "The delegations agreed to swap 1,000 prisoners each. Russia proposed a ceasefire "
        "of two to three days."
    )
    facts = (await api.post("/api/v1/facts/extract", json={"text": text})).json()
    [exchange] = facts["exchanges"]
    assert set(exchange) == {"what", "count", "status", "parties", "evidence"}
    assert (exchange["what"], exchange["count"], exchange["status"]) == (
        "prisoners",
        1000,
        "agreed",
    )
    [ceasefire] = facts["ceasefires"]
    assert (ceasefire["min_days"], ceasefire["max_days"], ceasefire["status"]) == (
        2,
        3,
        "proposed",
    )


async def test_text_in_another_language_gives_no_facts(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/api/v1/facts/extract", json={"text": "Dos personas murieron ayer en el ataque."}
    )
    assert answer.status_code == 200
    assert answer.json()["incidents"] == []


async def test_bad_input_is_a_problem_not_a_crash(
    client: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    url = "/api/v1/facts/extract"
    problem(await api.post(url, json={"text": "x" * 20_001}), 422)
    problem(await api.post(url, json={"text": "Two killed.", "lang": "fr"}), 422)
    problem(await api.post(url, json={"text": "Two killed.", "published_at": "Monday"}), 422)
    problem(await api.post(url, json={"text": 42}), 422)
    problem(await api.post(url, json={}), 422)
    problem(
        await api.post(url, content=b"{not json", headers={"Content-Type": "application/json"}), 400
    )
    digits = await api.post(url, json={"text": "9" * 20_000})
    assert digits.status_code == 200
    assert digits.json()["incidents"] == []
    del client.headers["Authorization"]
    problem(await client.post(url, json={"text": "Two people were killed."}), 401)


async def test_the_route_is_in_the_openapi_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    assert "post" in schema["paths"]["/api/v1/facts/extract"]
