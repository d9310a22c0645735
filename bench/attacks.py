"""Does an attack stall the server for everyone else? A benchmark that prints figures.

It seeds a throw-away SQLite database (one editor, one live blog with ~500 key events), starts
the real server (`dateline serve`) on a free loopback port and, while each attack of
docs/security.md runs, a *steady reader* in a separate process asks for a small page every
20 ms over a fresh connection and records how long each answer took. The reader's worst
latency during an attack, against its latency in a quiet window of the same run, is the stall
every other reader of the node would have seen. Goal: no stall above 100 ms.

Attacks (each also reports what the attacker got back):

- bomb-br, bomb-gz: a followed feed served on 127.0.0.1 as 1 GB of zeros compressed with
  Brotli (~1.6 KB) or gzip (~1 MB); the server's in-process ingest worker fetches it.
- body: an anonymous POST to the API announcing a 200 MB body and sending as fast as it can.
- preview: a logged-in editor asks for a preview of a 900 KB update (Starlette's form
  parser refuses a field over 1 MB by itself).
- replay: 20 anonymous `/live/{slug}/changes?since=N` requests, each N different, on a blog
  with ~500 key events.
- image: 4 uploads at once of a 6300×6300 PNG (a few KB on the wire).
- connections: 2,000 half-open connections (half a request line) and 500 idle ones, held
  15 s; the reader connects anew each time, so it also shows whether new clients still get in.

    .venv/bin/python bench/attacks.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import multiprocessing
import re
import resource
import socket
import statistics
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

import brotli
import httpx
from PIL import Image

from dateline.accounts.service import create_user
from dateline.accounts.tokens import create_token_for
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.liveblog import service
from dateline.liveblog.models import BlogDraft, UpdateDraft
from render import free_port, start_server, stop_server, usage, wait_until_up

SLUG = "attack-live"
EMAIL = "attack-bench@example.org"
PASSWORD = "attack bench password"  # noqa: S105 (the bench's own throw-away account)
KEY_EVENTS = 497
PROBE_PATH = "/static/dateline.css"
PROBE_EVERY = 0.02  # seconds between the steady reader's requests
QUIET_SECONDS = 3.0
GOAL_MS = 100.0
BOMB_BYTES = 1 << 30


# Seeding -------------------------------------------------------------------------------------


async def seed(url: str) -> str:
    """One editor with an API token and one live blog of KEY_EVENTS key events."""
    db = Database(url)
    try:
        await upgrade(db)
        user = await create_user(db, EMAIL, PASSWORD, "editor", "Attack Bench")
        start = datetime.now(UTC) - timedelta(hours=24)
        draft = BlogDraft("Attack bench – live", SLUG, "", "News", "Europe/London")
        await service.create_blog(db, draft, user, start=start)
        for index in range(KEY_EVENTS + 3):
            body = f"Update {index}: crews reported progress on the coast road."
            update = UpdateDraft(body=body, headline=f"Event {index}", key_event=index >= 3)
            at = start + timedelta(minutes=2 * index)
            await service.post_update(db, SLUG, update, user, published_at=at)
        return await create_token_for(db, EMAIL, "attack bench", "write")
    finally:
        await db.dispose()


# The steady reader ---------------------------------------------------------------------------


def probe(port: int, out: Connection) -> None:
    """Runs in its own process: GET PROBE_PATH every PROBE_EVERY s on a new connection and
    send back (start, milliseconds or None for a failure) pairs when told to stop."""
    request = f"GET {PROBE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    samples: list[tuple[float, float | None]] = []
    while not out.poll():
        began = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(request.encode())
                while sock.recv(65536):
                    pass
            samples.append((began, (time.perf_counter() - began) * 1000))
        except OSError:
            samples.append((began, None))
        time.sleep(max(0.0, PROBE_EVERY - (time.perf_counter() - began)))
    out.send(samples)


@dataclass
class Window:
    name: str
    outcome: str
    samples: list[tuple[float, float | None]]
    peak_rss_mib: float

    @property
    def latencies(self) -> list[float]:
        return [ms for _, ms in self.samples if ms is not None]

    @property
    def failures(self) -> int:
        return sum(1 for _, ms in self.samples if ms is None)


@contextlib.contextmanager
def steady_reader(port: int) -> Iterator[list[tuple[float, float | None]]]:
    """Run the steady reader for the duration of the block; its samples land in the list."""
    ours, theirs = multiprocessing.Pipe()
    reader = multiprocessing.Process(target=probe, args=(port, theirs), daemon=True)
    reader.start()
    samples: list[tuple[float, float | None]] = []
    try:
        time.sleep(0.3)  # let it start sampling before the attack begins
        yield samples
    finally:
        ours.send("stop")
        samples.extend(ours.recv())
        reader.join(timeout=10)


# Attacks -------------------------------------------------------------------------------------


class Bombs(ThreadingHTTPServer):
    """Serves /bomb.br and /bomb.gz: BOMB_BYTES of zeros, compressed once at start."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), BombHandler)
        zeros = bytes(1 << 20)
        br = brotli.Compressor(quality=5)
        gz = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunks = BOMB_BYTES // len(zeros)
        self.bodies = {
            "br": b"".join([*(br.process(zeros) for _ in range(chunks)), br.finish()]),
            "gzip": b"".join([*(gz.compress(zeros) for _ in range(chunks)), gz.flush()]),
        }


class BombHandler(BaseHTTPRequestHandler):
    server: Bombs

    def do_GET(self) -> None:
        encoding = "br" if self.path.endswith(".br") else "gzip"
        body = self.server.bodies[encoding]
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def bomb(api: httpx.Client, bombs: Bombs, suffix: str) -> str:
    """Follow the bomb as a feed and wait until the server's worker has tried it."""
    url = f"http://127.0.0.1:{bombs.server_address[1]}/{time.monotonic_ns()}/bomb.{suffix}"
    added = api.post("/api/v1/sources", json={"url": url, "kind": "feed"})
    if added.status_code != 201:
        return f"adding the source answered {added.status_code}"
    source_id = added.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = api.get(f"/api/v1/sources/{source_id}").json()["state"]
        if state["last_fetch_at"]:
            return f"source error: {state.get('last_error') or 'none (it was stored!)'}"
        time.sleep(0.2)
    return "the worker did not fetch it within 60 s"


def raw_exchange(port: int, head: bytes, body_bytes: int) -> str:
    """Send `head`, then up to `body_bytes` as fast as the server takes them; report the
    answer's status line and how much of the body the server let us send."""
    sent = 0
    chunk = b"a" * (1 << 20)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        answer = b""
        while sent < body_bytes:
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(65536)
            if answer:
                break
            try:
                sent += sock.send(chunk[: min(len(chunk), body_bytes - sent)])
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                break
        sock.setblocking(True)
        sock.settimeout(30)
        with contextlib.suppress(OSError):
            answer += sock.recv(65536)
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "connection closed"
    return f"{status}; {sent / 1e6:.1f} MB of the body sent"


def big_body(port: int) -> str:
    size = 200_000_000
    head = (
        f"POST /api/v1/blogs/{SLUG}/updates HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    )
    return raw_exchange(port, head.encode(), size)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


def preview(base: str) -> str:
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as browser:
        token = csrf_of(browser.get("/login").text)
        browser.post("/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
        token = csrf_of(browser.get(f"/admin/live/{SLUG}").text)
        form = {"csrf_token": token, "body": "storm " * 150_000, "action": "preview"}
        answer = browser.post(f"/admin/live/{SLUG}/updates", data=form)
        return f"{answer.status_code}, {len(answer.content) / 1e3:.0f} KB answer"


def replay(base: str) -> str:
    async def run() -> list[int]:
        async with httpx.AsyncClient(base_url=base, timeout=120, trust_env=False) as client:
            answers = await asyncio.gather(
                *(client.get(f"/live/{SLUG}/changes?since={n}") for n in range(2, 22))
            )
        return [len(a.content) for a in answers]

    sizes = asyncio.run(run())
    return f"20 answers, {sum(sizes) / 1e6:.1f} MB in all"


def image(base: str, token: str) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (6300, 6300), (40, 90, 160)).save(buffer, "PNG")
    png = buffer.getvalue()

    async def run() -> list[int]:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, timeout=300, trust_env=False) as client:
            answers = await asyncio.gather(
                *(
                    client.post("/api/v1/images", headers=headers, files={"file": ("a.png", png)})
                    for _ in range(4)
                )
            )
        return [a.status_code for a in answers]

    statuses = asyncio.run(run())
    return f"{len(png) / 1e3:.0f} KB each, answers {', '.join(map(str, statuses))}"


def connections(port: int) -> str:
    """2,000 half-open and 500 idle connections held for 15 s; how many did the server close?"""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    held: list[socket.socket] = []
    refused = 0
    for index in range(2500):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            refused += 1
            continue
        if index < 2000:
            sock.sendall(b"GET /live/")  # half a request line, never finished
        sock.setblocking(False)
        held.append(sock)
    time.sleep(15)
    closed = 0
    for sock in held:
        try:
            closed += sock.recv(1) == b""
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        sock.close()
    return f"{len(held)} opened, {refused} refused, {closed} closed by the server within 15 s"


# Running -------------------------------------------------------------------------------------


def window(name: str, port: int, pid: int, attack: Callable[[], str]) -> Window:
    with steady_reader(port) as samples:
        began = time.monotonic()
        try:
            outcome = attack()
        except (httpx.HTTPError, OSError) as error:  # the attack itself may time out
            outcome = f"{type(error).__name__} after {time.monotonic() - began:.0f} s"
        time.sleep(0.3)
    return Window(name, outcome, samples, usage(pid).peak_rss_mib)


def quiet() -> str:
    time.sleep(QUIET_SECONDS)
    return "nothing"


def report(windows: list[Window]) -> None:
    base = windows[0]
    base_median = statistics.median(base.latencies)
    print(f"\nSteady reader: GET {PROBE_PATH} every {PROBE_EVERY * 1000:.0f} ms, new connection")
    print(f"{'window':<12} {'median':>8} {'max':>9} {'x quiet':>8} {'fails':>6} {'peak RSS':>9}")
    for w in windows:
        lat = w.latencies
        median = statistics.median(lat) if lat else float("nan")
        worst = max(lat) if lat else float("nan")
        mark = "" if worst <= GOAL_MS and not w.failures else "  <-- above the goal"
        print(
            f"{w.name:<12} {median:7.1f}ms {worst:8.1f}ms {median / base_median:7.1f}x "
            f"{w.failures:>6} {w.peak_rss_mib:7.0f}MiB{mark}"
        )
    print("\nWhat each attacker got back:")
    for w in windows[1:]:
        print(f"  {w.name:<12} {w.outcome}")


ATTACKS = ["bomb-br", "bomb-gz", "body", "preview", "replay", "image", "connections"]


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=ATTACKS, default=ATTACKS)
    return parser.parse_args()


def main() -> None:
    args = options()
    with tempfile.TemporaryDirectory(prefix="dateline-attacks-") as folder:
        workdir = Path(folder)
        url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        print(f"Seeding a blog with {KEY_EVENTS} key events ...", flush=True)
        token = asyncio.run(seed(url))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        extra = {"DATELINE_ALLOW_PRIVATE_SOURCES": "true", "DATELINE_INGEST_POLL_SECONDS": "0.2"}
        server = start_server(workdir, url, port, extra)
        bombs = Bombs()
        threading.Thread(target=bombs.serve_forever, daemon=True).start()
        try:
            wait_until_up(server, base, workdir / "server.log")
            api = httpx.Client(
                base_url=base,
                timeout=60,
                trust_env=False,
                headers={"Authorization": f"Bearer {token}"},
            )
            attacks: dict[str, Callable[[], str]] = {
                "bomb-br": lambda: bomb(api, bombs, "br"),
                "bomb-gz": lambda: bomb(api, bombs, "gz"),
                "body": lambda: big_body(port),
                "preview": lambda: preview(base),
                "replay": lambda: replay(base),
                "image": lambda: image(base, token),
                "connections": lambda: connections(port),
            }
            windows = [window("quiet", port, server.pid, quiet)]
            for name in args.only:
                print(f"  {name} ...", flush=True)
                windows.append(window(name, port, server.pid, attacks[name]))
            report(windows)
        finally:
            bombs.shutdown()
            stop_server(server)


if __name__ == "__main__":
    main()
