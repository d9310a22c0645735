"""A worker with fetch processes (DATELINE_INGEST_PROCESSES) against a real HTTP server on
127.0.0.1: it reads sources as one process does, keeps each host's politeness limits across
its processes, survives a process that dies, and leaves no process behind when it stops."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from dateline.config import Settings
from dateline.db import Database
from dateline.ingest import fetch_processes
from dateline.ingest.fetch_processes import GONE
from dateline.ingest.worker import IngestWorker
from tests.ingest_factories import add, ingest_settings, make_due, rss, shown
from tests.ingest_server import IngestServer, Reply, ingest_server

__all__ = ["ingest_server"]  # the fixture


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return ingest_settings(settings).model_copy(update={"ingest_processes": 2})


async def wait_for(condition: object, seconds: float = 60.0) -> None:
    for _ in range(int(seconds * 100)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out waiting")


async def test_feeds_are_read_in_fetch_processes_as_in_one(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    wire = rss(
        "Northwind Wire",
        [("a2", "Bridge reopens", "Traffic flows again."), ("a1", "Storm nears", "Winds rise.")],
    )
    good = await add(db, settings, ingest_server.route("/wire.xml", wire, etag='"v1"'))
    page = "<html><body><p>Moved to our app</p></body></html>"
    broken = await add(db, settings, ingest_server.route("/broken.xml", page))
    missing = await add(db, settings, ingest_server.url("/gone.xml"))
    feeds = [
        await add(
            db,
            settings,
            ingest_server.route(f"/f{n}.xml", rss(f"F{n}", [(f"g{n}", f"Story {n}", "Words.")])),
        )
        for n in range(6)
    ]
    worker = IngestWorker(db, settings)
    try:
        tally = await worker.run_round()
        assert len(worker.fetch_process_ids) == 2  # the work was spread over both
        state, titles = await shown(db, good)
        assert titles == ["Bridge reopens", "Storm nears"]
        assert (state.title, state.status, state.etag, state.last_error) == (
            "Northwind Wire",
            "ok",
            '"v1"',
            "",
        )
        failed, nothing = await shown(db, broken)
        assert nothing == []
        assert (failed.consecutive_failures, failed.last_error) == (
            1,
            "This is not an RSS or Atom feed.",
        )
        assert (await shown(db, missing))[0].last_error == "The server answered 404 Not Found"
        for n, feed in enumerate(feeds):
            assert (await shown(db, feed))[1] == [f"Story {n}"]
        assert sum(tally.new.values()) == 8
        assert tally.failed == {broken.id, missing.id}
        await make_due(db)
        again = await worker.run_round()  # the wire answers 304: nothing parsed, still ok
    finally:
        await worker.close()
    assert ingest_server.seen("/wire.xml")[-1].headers["if-none-match"] == '"v1"'
    assert sum(again.new.values()) == 0
    assert good.id not in again.failed
    assert (await shown(db, good))[0].consecutive_failures == 0


async def test_politeness_per_host_holds_across_fetch_processes(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    polite = settings.model_copy(update={"fetch_per_host": 1})
    for n in range(6):
        body = rss(f"F{n}", [(f"g{n}", f"Story {n}", "Words.")])
        await add(db, polite, ingest_server.route(f"/slow{n}.xml", body, delay=0.1))
    worker = IngestWorker(db, polite)
    try:
        await worker.warm_up()  # both processes up: each would take a fetch at once
        await worker.run_round()
    finally:
        await worker.close()
    assert len(ingest_server.requests) == 6
    assert ingest_server.max_in_flight_total == 1  # one at a time to 127.0.0.1, as asked


async def test_a_fetch_process_that_dies_costs_only_its_fetches_in_flight(
    db: Database, settings: Settings, ingest_server: IngestServer
) -> None:
    wire = rss("Slow Wire", [("s1", "Late story", "Words.")])
    # The first answer takes ten minutes (the process is killed long before, however busy
    # the machine); the next comes at once.
    late = [Reply(wire, delay=600.0), Reply(wire)]
    slow = await add(db, settings, ingest_server.sequence("/slow.xml", late))
    patient = {"ingest_processes": 1, "fetch_timeout_seconds": 1200.0}
    worker = IngestWorker(db, settings.model_copy(update=patient))
    try:
        await worker.warm_up()
        (first,) = worker.fetch_process_ids
        running = asyncio.create_task(worker.run_round())
        await wait_for(lambda: ingest_server.seen("/slow.xml"))
        os.kill(first, signal.SIGKILL)
        tally = await asyncio.wait_for(running, 60)
        assert tally.failed == {slow.id}
        state, titles = await shown(db, slow)
        assert (titles, state.last_error, state.consecutive_failures) == ([], GONE, 1)
        await make_due(db)
        await worker.run_round()  # a new process reads it
        assert worker.fetch_process_ids != [first]
    finally:
        await worker.close()
    state, titles = await shown(db, slow)
    assert (titles, state.last_error, state.consecutive_failures) == (["Late story"], "", 0)


async def test_stopping_a_worker_stops_its_fetch_processes(
    db: Database, settings: Settings
) -> None:
    worker = IngestWorker(db, settings)
    await worker.start()
    children = worker.fetch_process_ids
    assert len(children) == 2
    await worker.stop()
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_when_fetch_processes_cannot_start_the_worker_fetches_itself(
    db: Database,
    settings: Settings,
    ingest_server: IngestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A broken install the children import first: nothing is charged to the sources."""
    broken = tmp_path / "broken" / "dateline"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('half an upgrade')\n")
    monkeypatch.setenv("PYTHONPATH", str(broken.parent))
    await expect_fetched_by_the_worker_itself(db, settings, ingest_server, caplog)


async def test_a_fetch_process_of_another_version_is_refused(
    db: Database,
    settings: Settings,
    ingest_server: IngestServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An upgrade installed under a running worker: its new children fail the handshake."""
    monkeypatch.setattr(fetch_processes, "__version__", "0.0.0-before-the-upgrade")
    await expect_fetched_by_the_worker_itself(db, settings, ingest_server, caplog)


async def expect_fetched_by_the_worker_itself(
    db: Database, settings: Settings, ingest_server: IngestServer, caplog: pytest.LogCaptureFixture
) -> None:
    wire = rss("Wire", [("w1", "Story", "Words.")])
    source = await add(db, settings, ingest_server.route("/wire.xml", wire))
    worker = IngestWorker(db, settings)
    try:
        await worker.warm_up()  # logged, not raised: a server still serves its readers
        tally = await asyncio.wait_for(worker.run_round(), 30)
        assert worker.fetch_process_ids == []
    finally:
        await worker.close()
    assert tally.failed == set()
    state, titles = await shown(db, source)
    assert (titles, state.last_error, state.consecutive_failures) == (["Story"], "", 0)
    assert "a fetch process could not start (it exited at start)" in caplog.text
