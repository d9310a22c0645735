"""A source's last error in the reader's language: the worker keeps it as a code with its
values, and the sources page says it in German to a German browser and in English to an
English one, the API in English with the code, the CLI in its locale. Errors stored before
codes existed are shown as they were written."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from dateline import i18n
from dateline.config import Settings
from dateline.db import Database
from dateline.ingest import schedule, store
from dateline.ingest.fetch import FETCH_PROBLEMS, Fetcher, FetchError
from dateline.ingest.models import Source
from dateline.ingest.worker import IngestWorker
from dateline.net.ssrf import REFUSALS, RefusedURL, parse_url
from tests.helpers import parse
from tests.ingest_factories import add, ingest_settings, shown, store_failure
from tests.ingest_server import IngestServer, ingest_server

__all__ = ["ingest_server"]  # the fixture

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
DATELINE = Path(sys.executable).with_name("dateline")
HINT = "Dateline only sends requests to public internet addresses."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings)


async def run_round(db: Database, settings: Settings) -> None:
    worker = IngestWorker(db, settings)
    try:
        await worker.run_round()
    finally:
        await worker.close()


async def error_shown(client: httpx.AsyncClient, source: Source, headers: dict[str, str]) -> str:
    page = await client.get("/admin/sources", headers=headers)
    assert page.status_code == 200, page.text
    return parse(page).css_first(f"#source-{source.id} .source-error").text()


async def test_a_failed_fetch_reads_german_for_a_german_editor_and_english_for_others(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    missing = await add(db, settings, ingest_server.url("/gone.xml"))
    broken = await add(db, settings, ingest_server.route("/page.xml", "<html><p>Moved</p></html>"))
    await run_round(db, settings)

    assert (
        await error_shown(editor_client, missing, GERMAN) == "Der Server antwortete 404 Not Found"
    )
    assert await error_shown(editor_client, broken, GERMAN) == "Das ist kein RSS- oder Atom-Feed."
    assert await error_shown(editor_client, missing, ENGLISH) == "The server answered 404 Not Found"
    assert await error_shown(editor_client, broken, ENGLISH) == "This is not an RSS or Atom feed."


async def test_the_api_keeps_english_words_and_gives_the_code(
    api: httpx.AsyncClient, db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    missing = await add(db, settings, ingest_server.url("/gone.xml"))
    await run_round(db, settings)
    answer = await api.get(f"/api/v1/sources/{missing.id}", headers=GERMAN)
    state = answer.json()["state"]
    assert state["last_error"] == "The server answered 404 Not Found"
    assert state["last_error_code"] == "http_status"


async def test_a_refused_address_is_read_back_in_german_with_its_reason(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    """The refusal inside "Address refused: …" is a phrase of its own, kept and translated too."""
    source = await add(db, settings, ingest_server.url("/feed.xml"))
    async with Fetcher(allow_private=False) as fetcher:
        with pytest.raises(FetchError) as refused:
            await fetcher.fetch(ingest_server.url("/feed.xml"))
    (claimed,) = await schedule.claim(db, 1, 60, only=[source.id])
    await store.record(db, [store.Outcome(claimed, datetime.now(UTC), error=refused.value.phrase)])

    german = await error_shown(editor_client, source, GERMAN)
    assert german.startswith("Adresse abgelehnt: 127.0.0.1 ist keine öffentliche Adresse")
    english = await error_shown(editor_client, source, ENGLISH)
    assert english.startswith("Address refused: 127.0.0.1 is a loopback address.")
    assert (await shown(db, source))[0].last_error == english  # the API's words


async def test_an_error_stored_before_codes_is_shown_as_it_was_written(
    editor_client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    source = await add(db, settings, "https://wire.example.org/world.rss")
    await store_failure(db, source, "The server answered 503 Service Unavailable")
    shown_german = await error_shown(editor_client, source, GERMAN)
    assert shown_german == "The server answered 503 Service Unavailable"


def test_a_fetch_error_raised_while_german_is_spoken_says_so_in_german() -> None:
    """Refusals raised inside a request (the add-source form) speak the reader's language."""
    with i18n.using("de"), pytest.raises(RefusedURL) as refused:
        parse_url("ftp://wire.example.org/feed.xml")
    assert refused.value.message == "Die Adresse muss mit http:// oder https:// beginnen."
    assert refused.value.phrase == "The address must start with http:// or https://."


def test_a_phrase_from_a_fetch_process_keeps_its_code_and_its_inner_reason() -> None:
    """Fetch processes send their outcomes pickled: the words must arrive still translatable."""
    refused = REFUSALS("not_public", host="10.0.0.7", kind="private")
    packed = pickle.dumps(FETCH_PROBLEMS("address_refused", reason=refused))
    sent = pickle.loads(packed)  # noqa: S301 (bytes made just above)
    assert sent == "Address refused: 10.0.0.7 is a private address. " + HINT
    with i18n.using("de"):
        assert sent.said().startswith("Adresse abgelehnt: 10.0.0.7 ist keine öffentliche Adresse")


def _dateline(database_url: str, tmp_path: Path, lang: str, *args: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": lang,
        "COLUMNS": "300",
        "DATELINE_DATABASE_URL": database_url,
        "DATELINE_DATA_DIR": str(tmp_path / "data"),
        "DATELINE_ALLOW_PRIVATE_SOURCES": "true",
        "DATELINE_FETCH_HOST_DELAY_SECONDS": "0",
    }
    if "PYTHONPATH" in os.environ:  # a checkout other than the installed one
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    done = subprocess.run(
        [str(DATELINE), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return " ".join((done.stdout + done.stderr).split())


def test_the_cli_says_a_sources_error_in_its_locale(
    database_url: str, tmp_path: Path, ingest_server: IngestServer
) -> None:
    url = ingest_server.url("/gone.xml")
    _dateline(database_url, tmp_path, "C", "source", "add", url)
    fetched = _dateline(database_url, tmp_path, "de_DE.UTF-8", "source", "fetch", "--all")
    assert "Der Server antwortete 404 Not Found" in fetched
    german = _dateline(database_url, tmp_path, "de_DE.UTF-8", "source", "list")
    assert "Der Server antwortete 404 Not Found" in german
    english = _dateline(database_url, tmp_path, "C", "source", "list")
    assert "The server answered 404 Not Found" in english
