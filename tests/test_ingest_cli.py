"""`dateline source …` and `dateline worker` as an operator uses them, against the fixture
HTTP server on 127.0.0.1 and a real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dateline.cli import app as cli
from tests.ingest_factories import rss
from tests.ingest_server import IngestServer, ingest_server

__all__ = ["ingest_server"]  # the fixture

FEED = rss(
    "Northwind Wire", [("a2", "Bridge reopens", "Traffic flows."), ("a1", "Storm nears", "Wind.")]
)


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "DATELINE_DATABASE_URL": database_url,
        "DATELINE_DATA_DIR": str(tmp_path / "data"),
        "DATELINE_ALLOW_PRIVATE_SOURCES": "1",
        "DATELINE_FETCH_HOST_DELAY_SECONDS": "0",
        "DATELINE_INGEST_POLL_SECONDS": "0.1",
        "COLUMNS": "300",  # rich wraps tables and messages to the terminal width
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def wait_until(condition: Callable[[], object], what: str, seconds: float = 60.0) -> None:
    """Poll `condition` until true; the deadline is generous, for a busy machine."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_add_fetch_list_and_export(env: dict[str, str], ingest_server: IngestServer) -> None:
    url = ingest_server.route("/feed.xml", FEED, content_type="application/rss+xml")
    assert "Following source #1 (feed) every 10 min." in run(
        "source", "add", url, "--interval", "10m"
    )
    out = run("source", "fetch", "--all")
    assert "Fetched 1 sources: 2 new items, 0 updated, 0 failed." in out
    assert "Northwind Wire" in run("source", "list")
    exported = run("source", "export")
    assert f'xmlUrl="{url}"' in exported
    assert 'title="Northwind Wire"' in exported
    again = run("source", "fetch", "1")
    assert "0 new items, 0 updated, 0 failed." in again


def test_add_without_a_kind_follows_a_ticker_page_as_a_live_blog(
    env: dict[str, str], ingest_server: IngestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ticker page added from the shell is read as the live blog it is, not refused as
    "not an RSS feed"; its updates arrive at the first fetch."""
    monkeypatch.setenv("DATELINE_ITEM_RETENTION_DAYS", "0")  # the page's updates are from 2025
    page = (Path(__file__).parent / "data" / "ingest" / "ticker_de.html").read_bytes()
    url = ingest_server.route("/ticker", page, content_type="text/html; charset=utf-8")
    assert "Following source #1 (liveblog)" in run("source", "add", url)
    assert "Fetched 1 sources: 3 new items, 0 updated, 0 failed." in run("source", "fetch", "1")


def test_fetch_reports_failures_in_plain_words(
    env: dict[str, str], ingest_server: IngestServer
) -> None:
    run("source", "add", ingest_server.url("/gone.xml"))
    out = run("source", "fetch", "1")
    assert "#1: The server answered 404 Not Found" in out
    assert "0 new items, 0 updated, 1 failed." in out
    assert "The server answered 404 Not Found" in run("source", "list")
    assert "There is no source #7." in run("source", "fetch", "7", code=1)
    assert "Give a source number or --all." in run("source", "fetch", code=2)


def test_add_refuses_bad_input(env: dict[str, str]) -> None:
    out = run("source", "add", "http://127.0.0.1:9/f.xml", "--blog", "nope", code=1)
    assert "There is no live blog at /live/nope." in out
    assert "interval" in run("source", "add", "http://127.0.0.1:9/f", "--interval", "soon", code=1)


def test_import_an_opml_file(
    env: dict[str, str], tmp_path: Path, ingest_server: IngestServer
) -> None:
    first = ingest_server.route("/one.xml", FEED)
    run("source", "add", first)
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Wires</title></head><body>'
        f'<outline text="One" xmlUrl="{first}"/>'
        f'<outline text="Two" xmlUrl="{ingest_server.url("/two.xml")}"/>'
        f'<outline text="Three" xmlUrl="{ingest_server.url("/three.xml")}"/>'
        "</body></opml>"
    )
    out = run("source", "import", str(opml))
    assert "Imported 2 feeds; skipped 1." in out
    assert "is already followed" in out
    listed = run("source", "list")
    assert "Two" in listed
    assert "Three" in listed
    broken = tmp_path / "broken.opml"
    broken.write_text("<html>no</html>")
    assert "This is not an OPML file" in run("source", "import", str(broken), code=1)


@pytest.mark.parametrize("processes", [[], ["--processes", "2"]], ids=["inline", "processes"])
def test_worker_runs_standalone_and_stops_on_sigterm(
    env: dict[str, str], ingest_server: IngestServer, processes: list[str]
) -> None:
    run("source", "add", ingest_server.route("/feed.xml", FEED))
    process = subprocess.Popen(
        [sys.executable, "-c", "from dateline.cli import app; app()", "worker", *processes],
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: "Northwind Wire" in run("source", "list"), "the worker never stored the source"
        )
        children = children_of(process.pid)
        assert len(children) == (2 if processes else 0)
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, errors
    assert "Worker stopped" in errors
    assert [pid for pid in children if Path(f"/proc/{pid}").exists()] == []  # none left behind
    assert "Storm nears" not in run("source", "list")  # list shows sources, not items
    assert "Northwind Wire" in run("source", "list")


def test_ctrl_c_stops_a_worker_and_its_fetch_processes_and_hands_fetches_back(
    env: dict[str, str], ingest_server: IngestServer
) -> None:
    """Ctrl-C reaches the whole process group: the fetch processes must leave the stopping
    to the worker, which hands the fetch in flight back (still due, no failure recorded)."""
    slow = ingest_server.route("/slow.xml", FEED, delay=600.0)
    run("source", "add", slow, "--kind", "feed")  # a kind given: no fetch to detect it
    patient = {"DATELINE_FETCH_TIMEOUT_SECONDS": "1200"}  # the fetch is in flight at Ctrl-C
    process = subprocess.Popen(
        [sys.executable, "-c", "from dateline.cli import app; app()", "worker", "--processes=2"],
        env={**os.environ, **env, **patient},
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    try:
        wait_until(lambda: ingest_server.seen("/slow.xml"), "the worker never fetched the source")
        children = children_of(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does
        _, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, errors
    assert "Worker stopped" in errors
    assert "Traceback" not in errors  # the children did not take the Ctrl-C themselves
    assert len(children) == 2
    assert [pid for pid in children if Path(f"/proc/{pid}").exists()] == []
    listed = run("source", "list")
    assert "failed" not in listed  # no "ok, 1 failed": the fetch was handed back
    assert "due" in listed
    assert "stopped" not in listed


def children_of(parent: int) -> list[int]:
    """Process ids whose parent is `parent` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent:
                found.append(int(entry.name))
    return found
