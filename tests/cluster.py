"""Several real `dateline serve` nodes on one PostgreSQL server: the pieces the multi-node
and deployment tests share (a database of their own, a node process that can be killed).

They need DATELINE_TEST_DATABASE_URL (PostgreSQL) and DATELINE_TEST_REDIS_URL; tests are
skipped, saying so, without them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.live_server import DATELINE, log_tail, stop

PG_URL = os.environ.get("DATELINE_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL", "")
NEEDS_SERVERS = "needs DATELINE_TEST_DATABASE_URL (PostgreSQL) and DATELINE_TEST_REDIS_URL"
# Patience, not a speed claim: several processes import the whole app at once, on a machine
# that may be busy with other work (a minute has been seen on two loaded cores).
START_TIMEOUT = 180.0


def database_url(database: str, port: int | None = None) -> str:
    """A database of its own on the test server (the suite's `test` database stays untouched),
    optionally reached through another port (a relay the test can cut)."""
    url = make_url(PG_URL).set(drivername="postgresql+asyncpg", database=database)
    if port is not None:
        url = url.set(port=port)
    return url.render_as_string(hide_password=False)


async def admin(*statements: str) -> None:
    conn = await asyncpg.connect("postgresql://" + PG_URL.split("://", 1)[1])
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@dataclass
class Node:
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        self.launch()
        self.wait_until_serving()

    def launch(self) -> None:
        """Start the process without waiting: nodes started together import side by side."""
        command = [str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_until_serving(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"node {self.url} exited:\n" + log_tail(self.log_path))
            try:
                if httpx.get(self.url + "/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"node {self.url} did not answer:\n" + log_tail(self.log_path))

    def kill(self) -> None:
        """Gone mid-request, no goodbye: as when a machine dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
