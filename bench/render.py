"""How fast does a big live blog render? A benchmark that prints figures and asserts nothing.

It seeds a throw-away SQLite database with one live blog of 1,000 updates (every 10th a key
event, some with headlines, Markdown bodies of 60–120 words, published two minutes apart),
starts the real server (`dateline serve`) on a free loopback port and measures, over HTTP:

- latency (median, p90, min) of sequential keep-alive requests to the reader page: page 1,
  the key events only view and a deep page, plus the server's CPU time per request;
- throughput (requests per second) of page 1 under a load generator with 8 connections, run
  as a separate process (`wrk` when installed, else the small asyncio loader in this file),
  with the CPU time the server and the loader spent per request;
- the server's CPU seconds and resident memory at the end;
- side by side with nginx (issue 18 §6), when Debian's nginx is installed (`make bench`
  installs it): page 1 from the same Dateline process (routing, version, headers: the fast
  path of web/fast_path.py) against nginx with one worker serving the same bytes from disk,
  both loaded by wrk with 64 connections; then a 304 (If-None-Match) against the 200. The
  runs alternate, several rounds, and the table prints each figure's median. Goals: Dateline
  at ≥ 0.8× nginx, its 304s at ≥ 2× its 200s.

Why the /static/dateline.css baseline: machines here are small and shared, so absolute
figures move a lot from run to run. Every figure is also measured for the cheapest route of
the same server in the same run (a static file held in memory: routing, middleware, the
HTTP stack and nothing else). Compare the ratios to that baseline between runs, not the
milliseconds. The server's CPU time per request moves least with the noise; latency and
req/s move most, since the server waits for a core whenever the machine is busy.

    .venv/bin/python bench/render.py [--updates N] [--requests N] [--seconds S] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from dateline.accounts.service import create_user
from dateline.db import Database
from dateline.db.migrate import upgrade
from dateline.liveblog import service
from dateline.liveblog.models import BlogDraft, UpdateDraft

SLUG = "bench-live"
PAGE_SIZE = 20  # the default of DATELINE_PAGE_SIZE
DEEP_PAGE = 25
WARM_UP = 20
CONCURRENCY = 8
MAX_LOAD_REQUESTS = 200_000  # the loader also stops after this many, whatever the time
BASELINE = "/static/dateline.css"
SIDE_BY_SIDE_CONNECTIONS = 64
NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/nginx-access.log;
    server {{
        listen 127.0.0.1:{port};
        root {folder}/root;
        location = {path} {{ default_type text/html; try_files /page.html =404; }}
    }}
}}
"""


# Filler text ---------------------------------------------------------------------------------

# fmt: off
PLACES = [
    "Harbourside", "the ring road", "Kestrel Bridge", "the old quarter", "Millbrook",
    "the coastal path", "the eastern suburbs", "Station Square", "the valley towns",
]
ACTORS = [
    "The council", "Emergency crews", "The transport authority", "Residents", "Police",
    "A spokesperson for the utility", "Forecasters", "The mayor's office", "Volunteers",
    "The regional health board",
]
VERBS = [
    "confirmed", "warned", "said", "reported", "announced", "estimated", "denied",
    "acknowledged", "expected", "repeated",
]
THINGS = [
    "that the road would stay closed overnight", "that power was back in most homes",
    "a second briefing later this evening", "that the river level was still rising",
    "that no one had been seriously hurt", "delays of up to two hours",
    "that the shelters at the school were nearly full", "a review of the response",
    "that trains would run a reduced timetable", "that more rain was on the way",
]
TAILS = [
    "according to figures released this afternoon", "though details remain unclear",
    "and urged people to check on neighbours", "as crews worked through the night",
    "after a meeting that ran late", "with more information expected within the hour",
]
HEADLINES = [
    "Roads reopen in {place}", "Update on closures near {place}",
    "What we know so far about {place}", "Fresh warning issued for {place}",
    "Clean-up begins in {place}", "Residents return to {place}",
]
# fmt: on


def sentence(rng: random.Random) -> str:
    text = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(THINGS)}"
    if rng.random() < 0.5:
        text += f" in {rng.choice(PLACES)}"
    if rng.random() < 0.4:
        text += f", {rng.choice(TAILS)}"
    return text + "."


def paragraph(rng: random.Random, words: int) -> str:
    parts: list[str] = []
    while sum(len(p.split()) for p in parts) < words:
        parts.append(sentence(rng))
    if rng.random() < 0.3:
        parts[0] = f"**{parts[0]}**"
    if rng.random() < 0.2:
        parts[-1] = (
            f"{parts[-1]} [Read the statement](https://example.org/statements/{rng.randrange(999)})."
        )
    return " ".join(parts)


def markdown_body(rng: random.Random) -> str:
    """60–120 words of Markdown: paragraphs, sometimes a list or a quote."""
    target = rng.randint(60, 120)
    blocks = []
    while target > 0:
        size = min(target, rng.randint(25, 50))
        blocks.append(paragraph(rng, size))
        target -= size
    if rng.random() < 0.15:
        blocks.append("\n".join(f"- {rng.choice(THINGS).capitalize()}" for _ in range(3)))
    if rng.random() < 0.1:
        blocks.insert(1, f"> {sentence(rng)}")
    return "\n\n".join(blocks)


def draft(rng: random.Random, index: int, count: int) -> UpdateDraft:
    headline = ""
    if index % 10 == 0 or rng.random() < 0.2:
        headline = rng.choice(HEADLINES).format(place=rng.choice(PLACES))
    return UpdateDraft(
        body=markdown_body(rng),
        headline=headline,
        key_event=index % 10 == 0,
        pinned=index == count // 2,
    )


# Seeding -------------------------------------------------------------------------------------


async def seed(url: str, count: int) -> None:
    """One user, one live blog with a recap and `count` updates two minutes apart."""
    rng = random.Random(20_261_129)
    db = Database(url)
    try:
        await upgrade(db)
        user = await create_user(db, "bench@example.org", "bench password", "editor", "Bench")
        start = datetime.now(UTC) - timedelta(minutes=2 * count + 5)
        blog = BlogDraft(
            title="Storm clean-up across the region – live",
            slug=SLUG,
            standfirst="Closures, power cuts and the clean-up as they happen.",
            category="News",
            time_zone="Europe/London",
        )
        await service.create_blog(db, blog, user, start=start)
        await service.set_recap(db, SLUG, [sentence(rng) for _ in range(4)], user)
        for index in range(count):
            at = start + timedelta(minutes=2 * index, seconds=rng.randint(0, 90))
            await service.post_update(db, SLUG, draft(rng, index, count), user, published_at=at)
    finally:
        await db.dispose()


# The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def dateline_command() -> str:
    beside = Path(sys.executable).parent / "dateline"
    return str(beside) if beside.exists() else shutil.which("dateline") or "dateline"


def start_server(
    workdir: Path, url: str, port: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATELINE_DATABASE_URL": url, "DATELINE_DATA_DIR": str(workdir)}
    env.update(extra_env or {})
    command = [dateline_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with (workdir / "server.log").open("wb") as log:  # uvicorn's access log goes here
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 90  # start-up imports a lot; a busy machine takes its time
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(base + BASELINE, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"The server did not come up. Its log:\n{log.read_text(errors='replace')[-3000:]}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@dataclass(frozen=True)
class ProcessUsage:
    cpu_seconds: float
    rss_mib: float
    peak_rss_mib: float


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (nginx's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def usage(pid: int) -> ProcessUsage:
    """CPU (user + system) from /proc/<pid>/stat, memory from /proc/<pid>/status."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the name in (…) may hold spaces
    ticks = int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of stat
    status = Path(f"/proc/{pid}/status").read_text()
    kib = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, re.M)}
    return ProcessUsage(ticks / os.sysconf("SC_CLK_TCK"), kib["VmRSS"] / 1024, kib["VmHWM"] / 1024)


# Latency -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    path: str
    median_ms: float
    p90_ms: float
    min_ms: float
    kib: float
    server_cpu_ms: float  # server CPU time per request


def measure_latency(client: httpx.Client, path: str, requests: int, pid: int) -> Latency:
    for _ in range(WARM_UP):
        response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}; nothing to measure.")
    cpu_before = usage(pid).cpu_seconds
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
    cpu_ms = (usage(pid).cpu_seconds - cpu_before) * 1000 / requests
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    size = len(response.content) / 1024
    return Latency(path, statistics.median(times), p90, min(times), size, cpu_ms)


def print_latency(rows: list[Latency]) -> None:
    base = rows[0].median_ms
    print(
        f"{'route':<36} {'median ms':>9} {'p90 ms':>8} {'min ms':>8} {'× base':>7} "
        f"{'cpu ms/req':>10} {'KiB':>7}"
    )
    for row in rows:
        print(
            f"{row.path:<36} {row.median_ms:>9.2f} {row.p90_ms:>8.2f} {row.min_ms:>8.2f} "
            f"{row.median_ms / base:>7.1f} {row.server_cpu_ms:>10.2f} {row.kib:>7.1f}"
        )


# Throughput ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    requests: int
    errors: int
    seconds: float
    loader_cpu_seconds: float
    server_cpu_seconds: float = 0.0
    p99_ms: float = 0.0  # from wrk --latency; 0 when not measured

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def load(url: str, seconds: float, concurrency: int) -> Load:
    """The --load mode: keep `concurrency` keep-alive connections busy for `seconds`.

    Plain HTTP/1.1 on asyncio streams, not an HTTP client library: the loader shares the two
    cores with the server, so it must spend far less CPU per request than the server does.
    """
    target = urlsplit(url)
    path = f"{target.path}?{target.query}" if target.query else target.path
    request = f"GET {path} HTTP/1.1\r\nHost: {target.netloc}\r\n\r\n".encode()
    counts = {"requests": 0, "errors": 0}
    cpu_before, began = time.process_time(), time.perf_counter()
    deadline = began + seconds

    def more() -> bool:
        return time.perf_counter() < deadline and sum(counts.values()) < MAX_LOAD_REQUESTS

    async def connection() -> None:
        while more():
            try:
                reader, writer = await asyncio.open_connection(target.hostname, target.port)
            except OSError:
                counts["errors"] += 1
                await asyncio.sleep(0.1)
                continue
            try:
                while more():
                    writer.write(request)
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
                    if length is None:
                        raise ValueError("a response without Content-Length")
                    await reader.readexactly(int(length[1]))
                    counts["requests" if head.startswith(b"HTTP/1.1 200 ") else "errors"] += 1
            except (OSError, ValueError, asyncio.IncompleteReadError):
                counts["errors"] += 1
            finally:
                writer.close()

    workers = asyncio.gather(*(connection() for _ in range(concurrency)))
    await asyncio.wait_for(workers, seconds + 15)
    elapsed = time.perf_counter() - began
    return Load(counts["requests"], counts["errors"], elapsed, time.process_time() - cpu_before)


def run_loader(url: str, seconds: float) -> Load:
    """wrk when installed, else this file in --load mode; both in a process of their own."""
    wrk = shutil.which("wrk")
    if wrk:
        command = [wrk, "-t2", f"-c{CONCURRENCY}", f"-d{seconds:g}s", url]
    else:
        command = [sys.executable, __file__, "--load", url, str(seconds), str(CONCURRENCY)]
    cpu_before = children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        sys.exit(f"The load generator failed:\n{done.stderr[-2000:]}")
    if not wrk:
        return Load(**json.loads(done.stdout))
    return read_wrk(done.stdout, children_cpu() - cpu_before)


def read_wrk(output: str, cpu_seconds: float, p99_ms: float = 0.0) -> Load:
    total = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
    if total is None:
        sys.exit(f"Could not read wrk's output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    broken = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    not_ok = int(bad[1]) if bad else 0  # answered, but not with 2xx or 3xx
    failed = not_ok + (sum(map(int, broken.groups())) if broken else 0)
    elapsed = float(total[2]) / (1000 if total[3] == "ms" else 1)
    return Load(int(total[1]) - not_ok, failed, elapsed, cpu_seconds, p99_ms=p99_ms)


def children_cpu() -> float:
    """CPU seconds of the finished child processes: the load generators run so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure_load(url: str, seconds: float, pid: int) -> Load:
    before = usage(pid).cpu_seconds
    result = run_loader(url, seconds)
    return replace(result, server_cpu_seconds=usage(pid).cpu_seconds - before)


def print_load(rows: list[tuple[str, Load]]) -> None:
    """Server and loader CPU per request: a loader near 100 % of a core caps the req/s."""
    base = rows[0][1].per_second
    print(
        f"{'route':<36} {'req/s':>9} {'× base':>7} {'requests':>9} {'errors':>7} "
        f"{'server cpu ms/req':>17} {'loader cpu ms/req':>17}"
    )
    for path, row in rows:
        server_ms = row.server_cpu_seconds * 1000 / max(row.requests, 1)
        loader_ms = row.loader_cpu_seconds * 1000 / max(row.requests, 1)
        ratio = row.per_second / base if base else 0.0
        print(
            f"{path:<36} {row.per_second:>9.1f} {ratio:>7.3f} {row.requests:>9} "
            f"{row.errors:>7} {server_ms:>17.2f} {loader_ms:>17.2f}"
        )


# Side by side with nginx ---------------------------------------------------------------------


def nginx_command() -> str | None:
    """Debian puts nginx in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.access(found, os.X_OK) else None


def start_nginx(workdir: Path, path: str, body: bytes) -> tuple[subprocess.Popen[bytes], str]:
    """nginx with one worker, serving `body` from a file at `path` (its own ETag and 304s)."""
    folder = workdir / "nginx"
    (folder / "root").mkdir(parents=True)
    (folder / "root" / "page.html").write_bytes(body)
    for each in (workdir, folder, folder / "root"):  # readable by the worker's user
        each.chmod(0o755)
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(folder=folder, port=port, path=path))
    command = [str(nginx_command()), "-c", str(conf), "-p", str(folder), "-e", "stderr"]
    with (folder / "nginx.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(base + path, timeout=1, trust_env=False).content == body:
                return server, base
        time.sleep(0.1)
    stop_server(server)
    sys.exit(f"nginx did not come up:\n{(folder / 'nginx.log').read_text()[-2000:]}")


def wrk_side_by_side(url: str, seconds: float, headers: dict[str, str], pids: list[int]) -> Load:
    """One wrk run with SIDE_BY_SIDE_CONNECTIONS connections, two threads, with latencies,
    and the CPU time the server's processes (`pids`) spent meanwhile."""
    before = sum(usage(pid).cpu_seconds for pid in pids)
    command = ["wrk", "-t2", f"-c{SIDE_BY_SIDE_CONNECTIONS}", f"-d{seconds:g}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        sys.exit(f"wrk failed:\n{done.stderr[-2000:]}")
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", done.stdout, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    result = read_wrk(done.stdout, 0.0, float(p99[1]) * scale[p99[2]] if p99 else 0.0)
    spent = sum(usage(pid).cpu_seconds for pid in pids) - before
    return replace(result, server_cpu_seconds=spent)


def side_by_side(args: argparse.Namespace, workdir: Path, base: str, pid: int) -> None:
    """Page 1 from Dateline and from nginx, 200s and 304s, rounds alternating; medians."""
    if nginx_command() is None or shutil.which("wrk") is None:
        print(
            "\nSide by side with nginx: skipped, needs nginx and wrk (`make bench` installs them)"
        )
        return
    path = f"/live/{SLUG}"
    page = httpx.get(base + path, timeout=10, trust_env=False)
    nginx, nginx_base = start_nginx(workdir, path, page.content)
    try:
        nginx_etag = httpx.get(nginx_base + path, trust_env=False).headers["etag"]
        workers = children_of(nginx.pid)  # the one worker does the serving
        runs = {
            "Dateline 200": (base + path, {}, [pid]),
            "nginx 200": (nginx_base + path, {}, workers),
            "Dateline 304": (base + path, {"If-None-Match": page.headers["etag"]}, [pid]),
            "nginx 304": (nginx_base + path, {"If-None-Match": nginx_etag}, workers),
        }
        results: dict[str, list[Load]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, (url, headers, pids) in runs.items():
                results[name].append(wrk_side_by_side(url, args.seconds, headers, pids))
    finally:
        stop_server(nginx)
    print_side_by_side(args, len(page.content), results)


def print_side_by_side(args: argparse.Namespace, size: int, results: dict[str, list[Load]]) -> None:
    print(
        f"\nSide by side with nginx (one worker, same bytes from disk): page 1, "
        f"{size / 1024:.0f} KiB, wrk -t2 -c{SIDE_BY_SIDE_CONNECTIONS}, "
        f"{args.rounds} rounds of {args.seconds:g} s each, medians"
    )
    print(
        f"{'server':<14} {'req/s':>9} {'p99 ms':>8} {'errors':>7} {'cpu µs/req':>10}  "
        "each round's req/s"
    )
    rate: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for name, loads in results.items():
        rates = [load.per_second for load in loads]
        rate[name] = statistics.median(rates)
        cpu[name] = statistics.median(
            load.server_cpu_seconds * 1e6 / max(load.requests, 1) for load in loads
        )
        p99 = statistics.median(load.p99_ms for load in loads)
        errors = sum(load.errors for load in loads)
        each = " ".join(f"{one:.0f}" for one in rates)
        print(f"{name:<14} {rate[name]:>9.0f} {p99:>8.1f} {errors:>7} {cpu[name]:>10.0f}  {each}")
    for ours, theirs, goal in (
        ("Dateline 200", "nginx 200", 0.8),
        ("Dateline 304", "Dateline 200", 2),
    ):
        by_rate = rate[ours] / max(rate[theirs], 1e-9)
        by_cpu = cpu[theirs] / max(cpu[ours], 1e-9)
        print(
            f"{ours} / {theirs}: {by_rate:.2f}× the req/s, {by_cpu:.2f}× by CPU per request "
            f"(goal ≥ {goal}×)"
        )


# Main ----------------------------------------------------------------------------------------


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000, help="updates in the blog")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per route")
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=5, help="side-by-side rounds with nginx")
    parser.add_argument(
        "--load",
        nargs=3,
        metavar=("URL", "SECONDS", "CONCURRENCY"),
        help="internal: be the load generator",
    )
    return parser.parse_args()


def routes(updates: int) -> list[str]:
    """The baseline first, then the reader page three ways (the deep page exists)."""
    deep = max(1, min(DEEP_PAGE, -(-updates // PAGE_SIZE)))
    page = f"/live/{SLUG}"
    return [BASELINE, page, f"{page}?filter=key-events", f"{page}?page={deep}"]


def bench(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as folder:
        workdir = Path(folder)
        url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        began = time.perf_counter()
        asyncio.run(seed(url, args.updates))
        print(
            f"Seeded {args.updates} updates ({len(range(0, args.updates, 10))} key events) "
            f"in {time.perf_counter() - began:.1f} s "
            f"({(workdir / 'bench.sqlite3').stat().st_size / 2**20:.1f} MiB of SQLite)"
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(workdir, url, port)
        try:
            wait_until_up(server, base, workdir / "server.log")
            measure_server(args, base, server.pid)
            side_by_side(args, workdir, base, server.pid)
        finally:
            stop_server(server)


def measure_server(args: argparse.Namespace, base: str, pid: int) -> None:
    paths = routes(args.updates)
    print(
        f"\nLatency: {args.requests} sequential keep-alive requests per route "
        f"after {WARM_UP} to warm up"
    )
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
        print_latency([measure_latency(client, path, args.requests, pid) for path in paths])
    loader = "wrk" if shutil.which("wrk") else "the asyncio loader of this file"
    print(f"\nThroughput: {CONCURRENCY} connections for {args.seconds:g} s each, by {loader}")
    print_load([(path, measure_load(base + path, args.seconds, pid)) for path in paths[:2]])
    end = usage(pid)
    print(
        f"\nServer process at the end: {end.cpu_seconds:.1f} s of CPU, "
        f"RSS {end.rss_mib:.0f} MiB (peak {end.peak_rss_mib:.0f} MiB)"
    )


def main() -> None:
    args = options()
    if args.load:
        url, seconds, concurrency = args.load
        result = asyncio.run(load(url, float(seconds), int(concurrency)))
        print(json.dumps(asdict(result)))
        return
    bench(args)


if __name__ == "__main__":
    main()
