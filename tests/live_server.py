"""A real `dateline serve` process on a free port, with its own SQLite file and media folder.

Import the `live_server` fixture into a test module; it starts once per module. The server's
output goes to a log file whose tail is shown whenever start-up or a CLI command fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

DATELINE = Path(sys.executable).parent / "dateline"
EDITOR_EMAIL = "editor@example.org"
EDITOR_PASSWORD = "correct horse battery"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    email: str
    password: str
    env: dict[str, str]
    data_dir: Path
    log_path: Path

    def cli(self, *args: str, stdin: str = "") -> str:
        """Run a `dateline` command against this server's database; return its stdout."""
        return run_cli(self.env, self.log_path, *args, stdin=stdin)

    def create_api_token(self) -> str:
        return self.cli("token", "create", self.email, "--name", "browser-tests").strip()

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)


def log_tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no server log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_cli(env: dict[str, str], log_path: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [str(DATELINE), *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )
    with log_path.open("a") as log:
        log.write(f"$ dateline {' '.join(args)}\n{done.stdout}{done.stderr}")
    assert done.returncode == 0, (
        f"`dateline {' '.join(args)}` exited {done.returncode}:\n{done.stdout}{done.stderr}"
    )
    return done.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(root: Path, port: int) -> dict[str, str]:
    """The caller's environment without any DATELINE_* setting, plus this server's own."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DATELINE_")}
    env.update(
        DATELINE_DATABASE_URL=f"sqlite+aiosqlite:///{root / 'db.sqlite3'}",
        DATELINE_DATA_DIR=str(root / "data"),
        DATELINE_SECRET_KEY="browser-test-secret-key",
        DATELINE_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_until_serving(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`dateline serve` exited with {process.returncode} before answering:\n"
                + log_tail(log_path)
            )
        try:
            if httpx.get(base_url + "/", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"`dateline serve` did not answer {base_url} in {START_TIMEOUT:.0f} s:\n"
        + log_tail(log_path)
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, live_server_settings: dict[str, str]
) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("live-server")
    port = free_port()
    env = server_env(root, port) | live_server_settings
    log_path = root / "server.log"
    server = LiveServer(
        base_url=f"http://127.0.0.1:{port}",
        email=EDITOR_EMAIL,
        password=EDITOR_PASSWORD,
        env=env,
        data_dir=root / "data",
        log_path=log_path,
    )
    server.cli("db", "upgrade")
    command = [str(DATELINE), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            # The account is made while the server starts: each CLI run costs ~2 s of imports.
            server.cli(
                "user", "create", EDITOR_EMAIL, "--role", "editor", "--name", "Ada Reporter",
                "--password-stdin", stdin=EDITOR_PASSWORD + "\n",
            )  # fmt: skip
            wait_until_serving(process, server.base_url, log_path)
            yield server
        finally:
            stop(process)
