"""Fan-out: how fast do live updates reach thousands of open event streams? Prints, asserts nothing.

For each reader count N (default 1,000, 5,000 and 10,000) and for each of two servers, it

1. starts the server afresh on a free loopback port: Dateline as `dateline serve` over a
   throw-away SQLite database, and the reference, nginx with Debian's nchan module, configured
   here in a temporary folder (one worker process, like Dateline's one process);
2. starts the load generator, this file in `--load` mode, as a process of its own: it opens N
   connections to the event stream (`GET /live/{slug}/events`, or nchan's subscriber URL) on
   asyncio Protocols (uvloop when installed), and waits until every one has its response head;
3. publishes 50 messages 100 ms apart through the real publish path: for Dateline an HTTP POST
   of an update to the JSON API of the same server process (a token from `dateline token
   create`), which commits it, rings the broker, renders the frame and writes it to every
   reader; for nchan a POST to its publisher location. Each message carries the time it was
   sent, `bench-t=<time.time()>`, which comes back inside the frame (for Dateline inside the
   update's rendered HTML). nchan's messages are padded to the size of Dateline's frames;
4. the load generator does the least parsing it can (the `id:` line and the stamp of each
   frame) and stops when every reader has every message, or when after the last publish no
   frame came for 5 s (at most 120 s after it): whatever has not come by then is lost.

One row per run:

- `connected`: readers whose stream opened (200 and headers), of N asked for;
- `delivered/expected`: distinct (reader, SSE id) pairs received, of connected × published;
  `lost` is the difference, `dup` counts frames a reader got twice (same id), `closed` counts
  streams the server closed before the end (Dateline drops a reader whose socket is full);
- `p50/p99/max ms`: publish→receive latency over all deliveries, from the stamp taken just
  before the POST to the moment the frame's bytes reached the load generator;
- `cpu s`: the server's CPU time (user + system, all its processes, from /proc/<pid>/stat)
  from the first publish until the last delivery; `µs/msg` is that divided by deliveries (it
  includes handling the 50 publishes, so it falls as N grows); `sys%`: the kernel's share of
  it (mostly writing to sockets, which costs both servers alike);
- `RSS MiB`: the server's resident memory with N readers connected, after the publishing
  (VmRSS, all its processes); `KiB/rdr` is its growth over the idle server, per reader;
- `conn s`: how long opening the N streams took, `ms/conn` the server's CPU time per stream
  opened; `post ms`: the median time a publish POST took; `gen cpu s`: CPU the load generator
  spent in the publishing window (it shares the 2 cores); `others s`: CPU that everything else
  on the machine took in that window: when it is more than a second or two, the latencies say
  more about the machine than about the server; `B/msg`: bytes received per delivery.

Two nodes (`--servers dateline,2nodes`, issue 18 §7): two `dateline serve` processes over one
PostgreSQL database (a throw-away one made on the server `--postgres` names) with Redis
(`--redis`) as the broker; the readers are split evenly between the nodes, and every update is
published on node A, so node B's readers hear of it through Redis. `cpu s` and `µs/msg` add up
both nodes, `RSS MiB` too. Its figures are set against the one node of the same run
(`dateline`: SQLite and the in-memory broker, one process).

The closing table has, per N, the median of each figure over the `--repeat` runs and the
ratios Dateline / nchan (below 1 is better for Dateline) and two nodes / one node. The
machines here have 2 shared cores: the server, the load generator and whatever else runs
compete for them, so latency moves from run to run; CPU per delivery and memory per reader
move least. Compare ratios within a run rather than absolute numbers between runs. The
reference needs Debian's packages `nginx` and `libnginx-mod-nchan`; without them only
Dateline is measured.

    .venv/bin/python bench/fanout.py [--readers 1000,5000,10000] [--repeat 1] [--messages 50]
                                     [--servers dateline,nchan,2nodes]
                                     [--postgres URL] [--redis URL]

`--dateline-command` runs another command as the Dateline server (for experiments: another
ASGI server, uvicorn flags, a profiler); `{port}` in it is replaced by the port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx

SLUG = "fanout-bench"
EMAIL = "fanout@example.org"
HOST = "127.0.0.1"
STAMP = b"bench-t="
STAMP_SKIP = len(STAMP)
STAMP_END = STAMP_SKIP + 17  # f"{time.time():.6f}" is 17 characters until the year 2286
FRAME_ENDS = (b"\n\n", b"\n\n\r\n")
INTERVAL = 0.1  # seconds between two publishes
CONNECTS_IN_FLIGHT = 100  # connections the load generator opens at once
CONNECT_SECONDS = 30.0  # fixed part of the bound on opening all streams (plus 10 ms a reader)
QUIET_SECONDS = 5.0  # after the last publish, a reader that got nothing for this long is done
LATE_SECONDS = 120.0  # and whatever has not come this long after the last publish is lost
POST_TIMEOUT = 60.0  # a publish POST that has no answer by then counts as published
PUBLISH_SECONDS = 90.0  # bound on publishing all the messages
FIRST_COMPLETED = asyncio.FIRST_COMPLETED
NGINX = "/usr/sbin/nginx"
NCHAN_MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"  # a server to make a database on
REDIS = "redis://127.0.0.1:6379/0"
NCHAN_ID = "1795979300:12"  # what nchan's `id:` lines look like, to pad its frames right
# An update of ordinary length (about 70 words), so frames are the size of real ones.
FILLER = (
    "Crews from three councils worked through the night to clear fallen trees from the ring "
    "road, and the transport authority now expects every lane to reopen before the morning "
    "rush. Residents of the old quarter are asked to keep off the coastal path until the "
    "sea wall has been inspected; the next update from the harbour master is due at noon."
)


# Processes -----------------------------------------------------------------------------------


def raise_open_files() -> int:
    """Lift the soft limit on open files to the hard one; child processes inherit it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float
    sys_seconds: float  # the part of cpu_seconds spent in the kernel
    rss_mib: float


def usage(pids: list[int]) -> Usage:
    """CPU (utime + stime of /proc/<pid>/stat) and VmRSS, added up over the processes."""
    user, system, kib = 0, 0, 0
    for pid in pids:
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            parts = stat[stat.rindex(")") + 2 :].split()  # the name in (…) may hold spaces
            status = Path(f"/proc/{pid}/status").read_text()
            found = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
            user, system = user + int(parts[11]), system + int(parts[12])
            kib += int(found[1]) if found else 0
    tick = os.sysconf("SC_CLK_TCK")
    return Usage((user + system) / tick, system / tick, kib / 1024)


def machine_busy() -> float:
    """CPU seconds all cores of the machine have spent busy since boot (/proc/stat)."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            _, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    sys.exit(f"The server did not come up. Its log:\n{tail(log)}")


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(none)"


def spawn(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out)


# The servers ---------------------------------------------------------------------------------


def dateline_program() -> str:
    beside = Path(sys.executable).parent / "dateline"
    return str(beside) if beside.exists() else shutil.which("dateline") or "dateline"


class Server:
    """One server under test: how to start it, where readers connect, how to publish."""

    name = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.pids: list[int] = []

    async def start(self) -> None:
        raise NotImplementedError

    def stream_path(self, run: int) -> str:
        raise NotImplementedError

    def reader_ports(self) -> list[int]:
        """Where the readers connect, spread evenly: the one port, unless several nodes."""
        return [self.port]

    async def publish(self, client: httpx.AsyncClient, run: int, stamp: str) -> None:
        raise NotImplementedError

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=POST_TIMEOUT, trust_env=False)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


class Dateline(Server):
    name = "dateline"

    def __init__(self, workdir: Path, command: str | None) -> None:
        super().__init__(workdir)
        self.command = command
        self.env = {
            **os.environ,
            "DATELINE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'fanout.sqlite3'}",
            "DATELINE_DATA_DIR": str(workdir),
        }
        self.token = ""
        self.frame_bytes = 0  # the size of one update.published frame, measured at start

    def cli(self, *args: str, stdin: str = "") -> str:
        command = [dateline_program(), *args]
        done = subprocess.run(
            command, input=stdin, env=self.env, capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            sys.exit(f"`dateline {' '.join(args)}` failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def prepare(self) -> None:
        """A database with one editor and an API token (the blog is made over HTTP)."""
        self.cli("db", "upgrade")
        user = ["user", "create", EMAIL, "--role", "editor", "--name", "Fan-out bench"]
        self.cli(*user, "--password-stdin", stdin="fan-out bench password\n")
        self.token = self.cli("token", "create", EMAIL, "--name", "fanout").strip()

    async def start(self) -> None:
        self.port = free_port()
        if self.command:
            command = shlex.split(self.command.replace("{port}", str(self.port)))
        else:
            command = [dateline_program(), "serve", "--host", HOST, "--port", str(self.port)]
        log = self.workdir / "dateline.log"
        self.process = spawn(command, log, self.env)  # uvicorn's access log goes there too
        self.pids = [self.process.pid]
        await wait_for_port(self.process, self.port, log)
        async with self.client() as client:
            found = await client.get(f"/api/v1/blogs/{SLUG}")
            if found.status_code == 404:
                blog = {"slug": SLUG, "title": "Fan-out benchmark – live", "time_zone": "UTC"}
                (await client.post("/api/v1/blogs", json=blog)).raise_for_status()
            self.frame_bytes = await self.warm_up(client)
        # Worker processes (uvicorn --workers, in --dateline-command experiments) count too.
        self.pids = [self.process.pid, *children_of(self.process.pid)]

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=f"http://{HOST}:{self.port}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=POST_TIMEOUT,
            trust_env=False,
        )

    async def warm_up(self, client: httpx.AsyncClient) -> int:
        """Publish one update to one reader: warms the server up and measures a frame."""
        async with client.stream("GET", f"/live/{SLUG}/events") as response:
            chunks = response.aiter_bytes()
            received = await asyncio.wait_for(anext(chunks), 10)  # retry: hint; joined now
            await self.publish(client, 0, f"{time.time():.6f}")
            while STAMP not in received or not received.endswith(b"\n\n"):
                received += await asyncio.wait_for(anext(chunks), 10)
        frame = received[received.index(b"id: ") :]
        return len(frame)

    def stream_path(self, run: int) -> str:
        return f"/live/{SLUG}/events"

    async def publish(self, client: httpx.AsyncClient, run: int, stamp: str) -> None:
        body = f"**Update at bench-t={stamp}.** {FILLER}"
        response = await client.post(f"/api/v1/blogs/{SLUG}/updates", json={"body": body})
        response.raise_for_status()


class TwoNodes(Dateline):
    """Two Dateline nodes over one PostgreSQL database and Redis; publishes go to node A."""

    name = "2nodes"

    def __init__(self, workdir: Path, database_url: str, redis_url: str) -> None:
        folder = workdir / "two-nodes"
        folder.mkdir()
        super().__init__(folder, None)
        self.env.update(DATELINE_DATABASE_URL=database_url, DATELINE_BROKER_URL=redis_url)
        self.second: subprocess.Popen[bytes] | None = None
        self.second_port = 0

    async def start(self) -> None:
        await super().start()  # node A: the blog made, one update published and heard
        self.second_port = free_port()
        command = [dateline_program(), "serve", "--host", HOST, "--port", str(self.second_port)]
        log = self.workdir / "dateline-b.log"
        self.second = spawn(command, log, self.env)
        await wait_for_port(self.second, self.second_port, log)
        self.pids += [self.second.pid, *children_of(self.second.pid)]

    def reader_ports(self) -> list[int]:
        return [self.port, self.second_port]

    def stop(self) -> None:
        super().stop()
        if self.second is not None:
            stop(self.second)
            self.second = None


async def postgres(server_url: str, *statements: str) -> None:
    """Run statements on a PostgreSQL server (making and dropping the bench's database)."""
    conn = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def database_on(server_url: str, name: str) -> str:
    """The SQLAlchemy URL of database `name` on the server `server_url` points at."""
    server = server_url.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{server}/{name}"


class Nchan(Server):
    name = "nchan"

    def __init__(self, workdir: Path, frame_bytes: Callable[[], int]) -> None:
        super().__init__(workdir / "nginx")
        self.frame_bytes = frame_bytes

    @staticmethod
    def available() -> bool:
        return Path(NGINX).exists() and Path(NCHAN_MODULE).exists()

    @staticmethod
    def version() -> str:
        done = subprocess.run([NGINX, "-v"], capture_output=True, text=True, timeout=10)
        return done.stderr.strip().rpartition(" ")[2] or "nginx"

    def config(self, open_files: int) -> str:
        folder = self.workdir
        return f"""
load_module {NCHAN_MODULE};
worker_processes 1;  # one process, as Dateline is measured with one
worker_rlimit_nofile {open_files};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections {open_files - 100}; }}
http {{
    access_log off;
    client_body_buffer_size 64k;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen {HOST}:{self.port} backlog=4096;
        location ~ ^/sub/(\\w+)$ {{
            nchan_subscriber eventsource;
            nchan_channel_id $1;
        }}
        location ~ ^/pub/(\\w+)$ {{
            nchan_publisher;
            nchan_channel_id $1;
            nchan_message_buffer_length 100;
        }}
    }}
}}
"""

    async def start(self) -> None:
        self.workdir.mkdir(exist_ok=True)
        self.workdir.chmod(0o755)  # nginx's worker may run as nobody
        self.port = free_port()
        open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        conf = self.workdir / "nginx.conf"
        conf.write_text(self.config(open_files))
        log = self.workdir / "error.log"
        command = [NGINX, "-p", str(self.workdir), "-c", str(conf), "-e", str(log)]
        self.process = spawn(command, self.workdir / "nginx.out")
        await wait_for_port(self.process, self.port, log)
        self.pids = [self.process.pid, *children_of(self.process.pid)]

    def stream_path(self, run: int) -> str:
        return f"/sub/run{run}"

    async def publish(self, client: httpx.AsyncClient, run: int, stamp: str) -> None:
        head = f"Update at bench-t={stamp}. "
        room = self.frame_bytes() - len(f"id: {NCHAN_ID}\ndata: {head}\n\n")
        body = head + (FILLER + " ") * (room // len(FILLER) + 1)
        body = body[: len(head) + max(0, room)]  # the frame as long as Dateline's
        url = f"http://{HOST}:{self.port}/pub/run{run}"
        response = await client.post(url, content=body.encode())
        response.raise_for_status()


# The load generator (a process of its own) ---------------------------------------------------


class Tally:
    """What the load generator counts, shared by all its connections."""

    def __init__(self, messages: int, done: asyncio.Future[None]) -> None:
        self.messages = messages
        self.done = done
        self.connected = 0
        self.complete = 0  # readers that have every message
        self.cut = 0  # readers whose stream ended before they had every message
        self.duplicates = 0
        self.bytes = 0  # received after the response heads
        self.latencies = array("d")  # one per delivery: distinct (reader, SSE id)

    def check(self) -> None:
        if self.complete + self.cut >= self.connected and not self.done.done():
            self.done.set_result(None)


class Stream(asyncio.Protocol):
    """One event-stream reader. Parses only the `id:` line and the stamp of each frame."""

    def __init__(self, tally: Tally, request: bytes, opened: asyncio.Future[bool]) -> None:
        self.tally = tally
        self.request = request
        self.opened = opened
        self.transport: asyncio.Transport | None = None
        self.head = True
        self.buffer = b""
        self.seen: set[bytes] = set()
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        """Cheap on purpose (the generator shares the cores with the server): in the usual
        read of one whole frame it is three searches, a slice, a set and a float."""
        now = time.time()
        if self.buffer:
            data, self.buffer = self.buffer + data, b""
        if self.head:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = data
                return
            self.head = False
            if not self.opened.done():
                self.opened.set_result(data.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")))
            data = data[end + 4 :]
        # A frame ends with a blank line, and a chunked response (Dateline's) adds "\r\n".
        if not data.endswith(FRAME_ENDS):  # a frame cut in two: keep its start for later
            cut = data.rfind(b"\n\n") + 2
            data, self.buffer = data[:cut], data[cut:]
        tally = self.tally
        tally.bytes += len(data)
        mark = data.find(STAMP)
        while mark >= 0:
            at = data.rfind(b"id: ", 0, mark)  # this frame's id: line, before its data: line
            key = data[at + 4 : data.find(b"\n", at)] if at >= 0 else data[mark : mark + 25]
            if key in self.seen:
                tally.duplicates += 1
            else:
                self.seen.add(key)
                tally.latencies.append(now - float(data[mark + STAMP_SKIP : mark + STAMP_END]))
                if len(self.seen) == tally.messages:
                    tally.complete += 1
                    tally.check()
            mark = data.find(STAMP, mark + STAMP_END)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_result(False)
        elif not self.closing and len(self.seen) < self.tally.messages and not self.head:
            self.tally.cut += 1
            self.tally.check()

    def close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()


def say(**message: Any) -> None:
    print(json.dumps(message), flush=True)


async def load(ports: list[int], path: str, readers: int, messages: int) -> None:
    """The --load mode. Talks to the benchmark over stdin/stdout, one JSON line at a time:
    says "ready" once the streams are open, hears "published" after the last publish, says
    "complete" once every reader has every message (or once nothing came for QUIET_SECONDS),
    hears "close", closes every stream and says "result"."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    tally = Tally(messages, done)
    requests = [
        (
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: text/event-stream\r\n"
            "Cache-Control: no-cache\r\n\r\n"
        ).encode()
        for port in ports
    ]
    streams: list[Stream] = []
    gate = asyncio.Semaphore(CONNECTS_IN_FLIGHT)

    async def connect(index: int) -> None:
        port, request = ports[index % len(ports)], requests[index % len(ports)]
        async with gate:
            opened: asyncio.Future[bool] = loop.create_future()
            stream = Stream(tally, request, opened)
            streams.append(stream)
            try:
                await asyncio.wait_for(loop.create_connection(lambda: stream, HOST, port), 10)
                ok = await asyncio.wait_for(opened, 30)
            except (OSError, TimeoutError):
                ok = False
            if ok:
                tally.connected += 1
            else:
                stream.close()

    began = time.perf_counter()
    connecting = asyncio.gather(*(connect(index) for index in range(readers)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(connecting, CONNECT_SECONDS + readers / 100)
    gc.collect()
    gc.freeze()  # the streams live until the end: keep them out of the collector's way
    say(event="ready", connected=tally.connected, seconds=time.perf_counter() - began)

    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    published = asyncio.ensure_future(commands.readline())
    cpu_window = time.process_time()
    await asyncio.wait([published, done], timeout=PUBLISH_SECONDS + 10, return_when=FIRST_COMPLETED)
    late_until = time.monotonic() + LATE_SECONDS
    while not done.done() and time.monotonic() < late_until:  # frames still coming in?
        before = len(tally.latencies)
        await asyncio.wait([done], timeout=QUIET_SECONDS)
        if len(tally.latencies) == before:
            break
    say(event="complete", delivered=len(tally.latencies))
    cpu_used = time.process_time() - cpu_window
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(published, 10)
        await asyncio.wait_for(commands.readline(), 10)  # "close"
    for stream in streams:
        stream.close()
    latencies = sorted(tally.latencies)

    def quantile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    say(
        event="result",
        connected=tally.connected,
        delivered=len(tally.latencies),
        duplicates=tally.duplicates,
        cut=tally.cut,
        bytes_per_delivery=tally.bytes / max(len(tally.latencies), 1),
        p50=quantile(0.5),
        p99=quantile(0.99),
        max=latencies[-1] if latencies else 0.0,
        loader_cpu=cpu_used,
    )
    await asyncio.sleep(0.2)  # let the closes go out


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


# One run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    readers: int
    server: str
    connected: int
    expected: int
    delivered: int
    lost: int
    duplicates: int
    closed: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_s: float
    us_per_msg: float
    sys_share: float
    rss_mib: float
    kib_per_reader: float
    connect_s: float
    connect_cpu_ms: float
    post_ms: float
    loader_cpu_s: float
    others_cpu_s: float
    bytes_per_delivery: float


class Loader:
    """The load generator process, seen from the benchmark."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, ports: list[int], path: str, readers: int, messages: int) -> Loader:
        settings = json.dumps(
            {"ports": ports, "path": path, "readers": readers, "messages": messages}
        )
        pipe = asyncio.subprocess.PIPE
        command = [sys.executable, __file__, "--load", settings]
        process = await asyncio.create_subprocess_exec(*command, stdin=pipe, stdout=pipe)
        return cls(process)

    async def hear(self, event: str, within: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), within)
        if not line:
            raise RuntimeError(f"the load generator ended before saying {event!r}")
        message: dict[str, Any] = json.loads(line)
        if message.get("event") != event:
            raise RuntimeError(f"the load generator said {message}, not {event!r}")
        return message

    def tell(self, word: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(word.encode() + b"\n")

    async def stop(self) -> None:
        if self.process.returncode is None:
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def measure(server: Server, readers: int, messages: int, run: int) -> Run:
    """One run: a fresh server, N readers, `messages` publishes 100 ms apart."""
    await server.start()
    loader: Loader | None = None
    try:
        await asyncio.sleep(0.5)
        idle = usage(server.pids)
        ports = server.reader_ports()
        loader = await Loader.start(ports, server.stream_path(run), readers, messages)
        ready = await loader.hear("ready", CONNECT_SECONDS + readers / 100 + 30)
        async with server.client() as client:
            before, busy, own = usage(server.pids), machine_busy(), time.process_time()
            post_ms, refused = await publish_all(server, client, run, messages)
        loader.tell("published")
        await loader.hear("complete", LATE_SECONDS + 30)
        after, busy, own = usage(server.pids), machine_busy() - busy, time.process_time() - own
        loader.tell("close")
        result = await loader.hear("result", 60)
    finally:
        if loader is not None:
            await loader.stop()
        server.stop()
    connected = result["connected"]
    expected = connected * (messages - refused)
    cpu = after.cpu_seconds - before.cpu_seconds
    kernel = after.sys_seconds - before.sys_seconds
    return Run(
        readers=readers,
        server=server.name,
        connected=connected,
        expected=expected,
        delivered=result["delivered"],
        lost=expected - result["delivered"],
        duplicates=result["duplicates"],
        closed=result["cut"],
        p50_ms=result["p50"] * 1000,
        p99_ms=result["p99"] * 1000,
        max_ms=result["max"] * 1000,
        cpu_s=cpu,
        us_per_msg=cpu * 1e6 / max(result["delivered"], 1),
        sys_share=100 * kernel / cpu if cpu else 0.0,
        rss_mib=after.rss_mib,
        kib_per_reader=(after.rss_mib - idle.rss_mib) * 1024 / max(connected, 1),
        connect_s=ready["seconds"],
        connect_cpu_ms=(before.cpu_seconds - idle.cpu_seconds) * 1000 / max(connected, 1),
        post_ms=statistics.median(post_ms) if post_ms else 0.0,
        loader_cpu_s=result["loader_cpu"],
        others_cpu_s=max(0.0, busy - cpu - result["loader_cpu"] - own),
        bytes_per_delivery=result["bytes_per_delivery"],
    )


async def publish_all(
    server: Server, client: httpx.AsyncClient, run: int, count: int
) -> tuple[list[float], int]:
    """Publish `count` messages INTERVAL apart, on schedule even when a POST is slow. Returns
    how long each answered POST took (ms) and how many the server refused (an error status:
    no event). A POST that timed out may still have published, so it counts as published."""
    began = time.perf_counter()
    took: list[float] = []
    refused = 0

    async def one(index: int) -> None:
        nonlocal refused
        await asyncio.sleep(max(0.0, began + index * INTERVAL - time.perf_counter()))
        sent = time.perf_counter()
        try:
            await server.publish(client, run, f"{time.time():.6f}")
        except httpx.HTTPStatusError as exc:
            refused += 1
            print(f"  {server.name} refused a publish: {exc!r}", file=sys.stderr)
        except httpx.TransportError as exc:
            print(f"  a publish to {server.name} got no answer: {exc!r}", file=sys.stderr)
        else:
            took.append((time.perf_counter() - sent) * 1000)

    await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(count))), PUBLISH_SECONDS)
    return took, refused


# Printing ------------------------------------------------------------------------------------

COLUMNS = [  # (title, attribute, format, in the ratio row)
    ("readers", "readers", "{:>7}", False),
    ("server", "server", "{:<8}", False),
    ("connected", "connected", "{:>9}", False),
    ("delivered/expected", "", "", False),
    ("lost", "lost", "{:>5}", False),
    ("dup", "duplicates", "{:>4}", False),
    ("closed", "closed", "{:>6}", False),
    ("p50 ms", "p50_ms", "{:>7.1f}", True),
    ("p99 ms", "p99_ms", "{:>7.1f}", True),
    ("max ms", "max_ms", "{:>7.1f}", True),
    ("cpu s", "cpu_s", "{:>6.2f}", True),
    ("µs/msg", "us_per_msg", "{:>6.2f}", True),
    ("sys%", "sys_share", "{:>4.0f}", False),
    ("RSS MiB", "rss_mib", "{:>7.1f}", True),
    ("KiB/rdr", "kib_per_reader", "{:>7.2f}", True),
    ("conn s", "connect_s", "{:>6.1f}", False),
    ("ms/conn", "connect_cpu_ms", "{:>7.2f}", True),
    ("post ms", "post_ms", "{:>7.1f}", False),
    ("gen cpu s", "loader_cpu_s", "{:>9.2f}", False),
    ("others s", "others_cpu_s", "{:>8.2f}", False),
    ("B/msg", "bytes_per_delivery", "{:>6.0f}", False),
]


def width(title: str, form: str) -> int:
    return 19 if title == "delivered/expected" else int(re.sub(r"\D", "", form.split(".")[0]))


def header() -> str:
    cells = []
    for title, _, form, _ in COLUMNS:
        wide = width(title, form)
        cells.append(f"{title:<{wide}}" if "<" in form else f"{title:>{wide}}")
    return "  ".join(cells)


def row(run: Run) -> str:
    cells = []
    for title, attribute, form, _ in COLUMNS:
        if title == "delivered/expected":
            cells.append(f"{f'{run.delivered}/{run.expected}':>19}")
        else:
            cells.append(form.format(getattr(run, attribute)))
    return "  ".join(cells)


def ratio_row(ours: Run, theirs: Run) -> str:
    cells = []
    for title, attribute, form, ratio in COLUMNS:
        wide = width(title, form)
        if attribute == "server":
            cells.append(f"{'÷ ' + theirs.server:<{wide}}")
        elif ratio:
            mine, reference = getattr(ours, attribute), getattr(theirs, attribute)
            cells.append(f"{mine / reference:>{wide}.2f}" if reference else " " * wide)
        else:
            cells.append(" " * wide)
    return "  ".join(cells).rstrip()


def median_run(runs: list[Run]) -> Run:
    """Each figure's median over repeated runs of the same readers and server."""
    values: dict[str, Any] = {}
    for spec in fields(Run):
        column = [getattr(r, spec.name) for r in runs]
        if isinstance(column[0], str):
            values[spec.name] = column[0]
        elif isinstance(column[0], int):
            values[spec.name] = int(statistics.median(column))
        else:
            values[spec.name] = statistics.median(column)
    return Run(**values)


def summary(runs: list[Run], repeat: int) -> Iterator[str]:
    runs_each = f"medians of {repeat} runs each" if repeat > 1 else "one run each"
    yield (
        f"\nSummary ({runs_each}; ratios: ÷ nchan is Dateline over nchan, ÷ dateline is two "
        "nodes over one; below 1 favours the first)"
    )
    yield header()
    for readers in sorted({r.readers for r in runs}):
        by_server: dict[str, Run] = {}
        for name in ("dateline", "nchan", "2nodes"):
            same = [r for r in runs if r.readers == readers and r.server == name]
            if same:
                by_server[name] = median_run(same)
                yield row(by_server[name])
        for ours, theirs in (("dateline", "nchan"), ("2nodes", "dateline")):
            if ours in by_server and theirs in by_server:
                yield ratio_row(by_server[ours], by_server[theirs])


# Main ----------------------------------------------------------------------------------------


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--readers",
        default="1000,5000,10000",
        help="reader counts to measure, comma-separated (default 1000,5000,10000)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (readers, server)")
    parser.add_argument("--messages", type=int, default=50, help="messages per run, 100 ms apart")
    parser.add_argument(
        "--servers",
        default="dateline,nchan",
        help="which to measure, of dateline, nchan and 2nodes (default dateline,nchan)",
    )
    parser.add_argument(
        "--postgres", default=POSTGRES, help=f"2nodes: a PostgreSQL server (default {POSTGRES})"
    )
    parser.add_argument("--redis", default=REDIS, help=f"2nodes: the broker (default {REDIS})")
    parser.add_argument(
        "--dateline-command",
        help="experiments: the command that serves Dateline ({port} is replaced)",
    )
    parser.add_argument("--load", metavar="JSON", help="internal: be the load generator")
    return parser.parse_args()


async def bench(args: argparse.Namespace) -> None:
    open_files = raise_open_files()
    counts = [int(n) for n in args.readers.split(",") if n.strip()]
    if max(counts) + 200 > open_files:
        sys.exit(f"{max(counts)} readers need more open files than the limit of {open_files}.")
    with tempfile.TemporaryDirectory(prefix="dateline-fanout-") as folder:
        workdir = Path(folder)
        dateline = Dateline(workdir, args.dateline_command)
        dateline.prepare()
        wanted = {name.strip() for name in args.servers.split(",")}
        servers: list[Server] = [dateline] if "dateline" in wanted else []
        if "nchan" not in wanted:
            print("nchan: not measured (--servers).")
        elif Nchan.available():
            servers.append(Nchan(workdir, lambda: dateline.frame_bytes))
            print(f"Reference: {Nchan.version()} with nchan (Debian's), one worker process.")
            if "dateline" not in wanted:  # nchan's messages are padded to Dateline's frames
                await dateline.start()
                dateline.stop()
        else:
            print(
                f"nchan: NOT MEASURED, {NGINX} or {NCHAN_MODULE} is missing "
                "(apt-get install nginx libnginx-mod-nchan). Dateline alone follows."
            )
        if "2nodes" in wanted:
            servers.append(await two_nodes(workdir, args))
        uvloop = "uvloop" if _has_uvloop() else "asyncio"
        print(
            f"Fan-out: {args.messages} messages {INTERVAL * 1000:.0f} ms apart to N readers of "
            "one stream; "
            f"load generator: one process on {uvloop}; open files: {open_files}; "
            f"{os.cpu_count()} cores shared by everything (load average now "
            f"{load_average()})."
        )
        print(header())
        runs: list[Run] = []
        number = 0
        for _ in range(args.repeat):
            for readers in counts:
                for server in servers:
                    number += 1
                    try:
                        result = await measure(server, readers, args.messages, number)
                    except (RuntimeError, TimeoutError, httpx.HTTPError) as exc:
                        print(f"{readers:>7}  {server.name:<8}  run failed: {exc!r}", flush=True)
                        continue
                    runs.append(result)
                    print(row(result), flush=True)
        for line in summary(runs, args.repeat):
            print(line)
        print(f"\nDateline's frames: {dateline.frame_bytes} bytes each; nchan's padded to match.")
        if "2nodes" in wanted:
            await postgres(args.postgres, f"DROP DATABASE IF EXISTS {TWO_NODES_DB} WITH (FORCE)")


TWO_NODES_DB = f"dateline_fanout_{os.getpid()}"


async def two_nodes(workdir: Path, args: argparse.Namespace) -> TwoNodes:
    """Two nodes over a fresh PostgreSQL database, Redis between them."""
    drop = f"DROP DATABASE IF EXISTS {TWO_NODES_DB} WITH (FORCE)"
    await postgres(args.postgres, drop, f"CREATE DATABASE {TWO_NODES_DB}")
    nodes = TwoNodes(workdir, database_on(args.postgres, TWO_NODES_DB), args.redis)
    nodes.prepare()
    print(f"Two nodes: PostgreSQL database {TWO_NODES_DB}, broker {args.redis}.")
    return nodes


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    args = options()
    if args.load:
        raise_open_files()
        settings = json.loads(args.load)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        run_loop(
            load(settings["ports"], settings["path"], settings["readers"], settings["messages"])
        )
        return
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
