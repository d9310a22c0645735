"""The fetcher against a real server on 127.0.0.1: what a newsroom user would see when a
source is fetched (text, caching, compression, limits, and the words of every error)."""

from __future__ import annotations

import asyncio
import functools
import gzip
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from ipaddress import ip_address

import brotli
import pytest

from dateline.config import Settings
from dateline.db import Database
from dateline.ingest.fetch import Fetcher, FetchError, parse_retry_after, user_agent
from dateline.ingest.worker import IngestWorker
from dateline.net.ssrf import IPAddress
from tests.ingest_factories import add, ingest_settings, rss, shown
from tests.ingest_server import IngestServer, Reply, ingest_server

__all__ = ["ingest_server"]  # the fixture, imported for pytest

RSS = "<?xml version='1.0' encoding='utf-8'?><rss><channel><title>Nachrichten für alle</title>"


def fetcher(**limits: float) -> Fetcher:
    options: dict[str, float] = {"host_delay": 0.0, **limits}
    return Fetcher(allow_private=True, **options)  # type: ignore[arg-type]


async def test_fetch_returns_text_type_and_validators(ingest_server: IngestServer) -> None:
    url = ingest_server.route(
        "/feed", RSS, content_type="application/rss+xml; charset=utf-8", etag='"v1"'
    )
    async with fetcher() as client:
        result = await client.fetch(url)
    assert result.status == 200
    assert "Nachrichten für alle" in result.text
    assert result.content_type == "application/rss+xml"
    assert result.etag == '"v1"'
    assert not result.not_modified
    assert ingest_server.seen("/feed")[0].headers["user-agent"].startswith("Dateline/0.1")


async def test_the_user_agent_names_the_newsroom_that_fetches(
    ingest_server: IngestServer,
) -> None:
    url = ingest_server.route("/feed", RSS, content_type="application/rss+xml")
    agent = user_agent("https://news.example.org")
    async with Fetcher(allow_private=True, host_delay=0.0, user_agent=agent) as client:
        await client.fetch(url)
    sent = ingest_server.seen("/feed")[0].headers["user-agent"]
    assert sent == "Dateline/0.1.0 (news aggregator; +https://news.example.org)"


async def test_conditional_get_gives_not_modified_without_body(
    ingest_server: IngestServer,
) -> None:
    stamp = "Tue, 01 Jul 2025 10:00:00 GMT"
    url = ingest_server.route("/feed", RSS, etag='"v1"', last_modified=stamp)
    async with fetcher() as client:
        first = await client.fetch(url)
        again = await client.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified
    assert again.status == 304
    assert again.body == b""
    second_request = ingest_server.seen("/feed")[1].headers
    assert second_request["if-none-match"] == '"v1"'
    assert second_request["if-modified-since"] == stamp


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, gzip", "x-gzip"])
async def test_compressed_responses_are_unpacked(
    ingest_server: IngestServer, encoding: str
) -> None:
    url = ingest_server.route("/z", RSS * 50, encoding=encoding, content_type="text/xml")
    async with fetcher() as client:
        result = await client.fetch(url)
    assert result.text == RSS * 50
    sent = ingest_server.seen("/z")[0].headers["accept-encoding"]
    assert sent == "gzip, deflate, br"


async def test_header_charset_is_used(ingest_server: IngestServer) -> None:
    body = "<p>Größe und Maße</p>".encode("iso-8859-1")
    url = ingest_server.route("/latin", body, content_type="text/html; charset=iso-8859-1")
    async with fetcher() as client:
        result = await client.fetch(url)
    assert "Größe und Maße" in result.text
    assert result.encoding == "iso8859-1" or result.encoding == "iso-8859-1"


async def test_wrong_header_charset_falls_back_to_document_declaration(
    ingest_server: IngestServer,
) -> None:
    body = '<?xml version="1.0" encoding="windows-1252"?><title>Café – Öffnung</title>'
    url = ingest_server.route(
        "/wrong", body.encode("cp1252"), content_type="text/xml; charset=utf-8"
    )
    async with fetcher() as client:
        result = await client.fetch(url)
    assert "Café – Öffnung" in result.text


async def test_meta_charset_and_guess_when_header_says_nothing(
    ingest_server: IngestServer,
) -> None:
    page = '<html><head><meta charset="koi8-r"></head><body>Привет, мир</body></html>'
    ingest_server.route("/meta", page.encode("koi8-r"), content_type="text/html")
    guessed = "Zürich, Genève und Neuchâtel: Grüße aus der Schweiz. " * 20
    ingest_server.route("/guess", guessed.encode("cp1252"), content_type="text/plain")
    async with fetcher() as client:
        meta = await client.fetch(ingest_server.url("/meta"))
        guess = await client.fetch(ingest_server.url("/guess"))
    assert "Привет, мир" in meta.text
    assert "Grüße aus der Schweiz" in guess.text


async def test_error_status_is_said_in_plain_words(ingest_server: IngestServer) -> None:
    async with fetcher() as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(ingest_server.url("/missing"))
    assert caught.value.message == "The server answered 404 Not Found"
    assert caught.value.http_status == 404
    assert caught.value.retry_after is None


async def test_429_carries_retry_after_seconds(ingest_server: IngestServer) -> None:
    url = ingest_server.route("/busy", status=429, headers={"Retry-After": "120"})
    async with fetcher() as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(url)
    assert caught.value.message == "The server answered 429 Too Many Requests"
    assert caught.value.retry_after == 120.0


async def test_503_carries_retry_after_date(ingest_server: IngestServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    url = ingest_server.route("/down", status=503, headers={"Retry-After": later})
    async with fetcher() as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(url)
    assert caught.value.retry_after is not None
    assert 300 <= caught.value.retry_after <= 600  # ten minutes, less however long the fetch took


def test_retry_after_forms() -> None:
    now = datetime(2025, 7, 1, 10, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Tue, 01 Jul 2025 10:01:00 GMT", now) == 60.0
    assert parse_retry_after("Tue, 01 Jul 2025 09:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("²", now) is None  # a digit to str.isdigit, not to float()
    assert parse_retry_after("9" * 5000, now) is None
    assert parse_retry_after("99999999999", now) == 7 * 86400.0  # at most a week
    assert parse_retry_after("Tue, 01 Jul 9999 10:01:00 GMT", now) == 7 * 86400.0


async def test_read_timeout_is_reported(ingest_server: IngestServer) -> None:
    url = ingest_server.route("/slow", delay=60.0)  # the client gives up long before
    async with fetcher(read_timeout=0.2) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(url)
    assert caught.value.message == "Timed out after 0.2 s while reading"


async def test_slow_drip_hits_the_total_timeout(ingest_server: IngestServer) -> None:
    url = ingest_server.route("/drip", b"x" * 1200, drip=0.05)  # a minute, a byte at a time
    async with fetcher(read_timeout=30.0, total_timeout=0.5) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(url)
    assert caught.value.message == "Timed out after 0.5 s in total"


async def test_body_over_the_cap_is_refused(ingest_server: IngestServer) -> None:
    ingest_server.route("/huge", b"a" * 6_000_000, content_type="text/plain")
    ingest_server.route("/huge-unsized", b"a" * 300_000, omit_length=True)
    ingest_server.route("/bomb", b"\0" * 3_000_000, encoding="gzip")
    async with fetcher(max_bytes=5_000_000) as client:
        with pytest.raises(FetchError, match=r"^Response larger than 5 MB$"):
            await client.fetch(ingest_server.url("/huge"))
    async with fetcher(max_bytes=100_000) as client:
        with pytest.raises(FetchError, match=r"^Response larger than 100 KB$"):
            await client.fetch(ingest_server.url("/huge-unsized"))
        with pytest.raises(FetchError, match=r"^Response larger than 100 KB$"):
            await client.fetch(ingest_server.url("/bomb"))  # 3 KB gzip, 3 MB unpacked


BOMB = 128 * 2**20  # bytes of zeros each bomb unpacks to: 25 times the 5 MB cap
BOMBS = {  # what the test calls it: the Content-Encoding the server sends
    "gzip": "gzip",
    "zlib deflate": "deflate",
    "raw deflate": "deflate",
    "br": "br",
    "double gzip": "gzip, gzip",
}


@functools.cache
def bomb(kind: str) -> bytes:
    """BOMB zeros packed into at most 600 KB (Brotli: 400 bytes), packed a MB at a time."""
    zeros, times = bytes(2**20), BOMB // 2**20
    if kind == "double gzip":
        return gzip.compress(bomb("gzip"))
    if kind == "br":
        packer = brotli.Compressor(quality=5)
        return b"".join([packer.process(zeros) for _ in range(times)] + [packer.finish()])
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "zlib deflate": zlib.MAX_WBITS}.get(kind, -15)
    deflater = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join([deflater.compress(zeros) for _ in range(times)] + [deflater.flush()])


@pytest.mark.parametrize("kind", list(BOMBS))
async def test_a_compression_bomb_is_refused_without_unpacking_it(
    ingest_server: IngestServer, kind: str
) -> None:
    """Unpacking stops at the 5 MB cap: the process never holds the bomb's 128 MB (it did
    with httpx's decoders, which unpack a whole network chunk, or a whole Brotli body)."""
    headers = {"Content-Encoding": BOMBS[kind]}
    url = ingest_server.route("/bomb", bomb(kind), content_type="text/xml", headers=headers)
    tracemalloc.start()
    try:
        async with fetcher(max_bytes=5_000_000) as client:
            with pytest.raises(FetchError) as caught:
                await client.fetch(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.message == "Response larger than 5 MB"
    assert peak < BOMB // 8, f"{peak / 2**20:.0f} MB held while refusing a bomb"


async def test_raw_deflate_is_unpacked_as_servers_send_it(ingest_server: IngestServer) -> None:
    deflater = zlib.compressobj(6, zlib.DEFLATED, -15)  # no zlib header: a common mistake
    packed = deflater.compress(RSS.encode() * 50) + deflater.flush()
    url = ingest_server.route("/raw", packed, headers={"Content-Encoding": "deflate"})
    async with fetcher() as client:
        result = await client.fetch(url)
    assert result.text == RSS * 50


async def test_unknown_corrupt_or_too_deeply_packed_bodies_are_refused_in_plain_words(
    ingest_server: IngestServer,
) -> None:
    ingest_server.route("/zstd", b"(\xb5/\xfd...", headers={"Content-Encoding": "zstd"})
    ingest_server.route("/corrupt", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    ingest_server.route("/deep", RSS, encoding="gzip, gzip, gzip")
    async with fetcher() as client:
        messages = []
        for path in ("/zstd", "/corrupt", "/deep"):
            with pytest.raises(FetchError) as caught:
                await client.fetch(ingest_server.url(path))
            messages.append(caught.value.message)
    assert messages == [
        "The server packed the response as 'zstd', which Dateline cannot unpack",
        "The server sent a compressed response that could not be unpacked",
        "The server packed the response 3 times; Dateline unpacks at most 2 layers",
    ]


@pytest.mark.parametrize("processes", [0, 1], ids=["in the worker", "in a fetch process"])
async def test_a_source_serving_a_bomb_is_marked_failing_with_the_size_message(
    db: Database, settings: Settings, ingest_server: IngestServer, processes: int
) -> None:
    settings = ingest_settings(settings).model_copy(update={"ingest_processes": processes})
    assert settings.fetch_max_bytes == 5_000_000
    headers = {"Content-Encoding": "br"}
    bombing = await add(db, settings, ingest_server.route("/b.xml", bomb("br"), headers=headers))
    feed = rss("Northwind Wire", [("a1", "Storm nears", "Winds rise.")])
    fine = await add(db, settings, ingest_server.route("/w.xml", feed, encoding="br"))
    worker = IngestWorker(db, settings)
    try:
        tally = await worker.run_round()
    finally:
        await worker.close()
    assert tally.failed == {bombing.id}
    failed, nothing = await shown(db, bombing)
    assert (failed.consecutive_failures, failed.last_error, nothing) == (
        1,
        "Response larger than 5 MB",
        [],
    )
    assert (await shown(db, fine))[1] == ["Storm nears"]


async def test_redirects_are_followed_to_the_final_url(ingest_server: IngestServer) -> None:
    ingest_server.route("/final", RSS)
    ingest_server.redirect("/a", "/b", status=301)
    ingest_server.redirect("/b", ingest_server.url("/final"), status=308)
    async with fetcher() as client:
        result = await client.fetch(ingest_server.url("/a"))
    assert result.url == ingest_server.url("/final")
    assert "Nachrichten" in result.text


async def test_too_many_redirects(ingest_server: IngestServer) -> None:
    for hop in range(8):
        ingest_server.redirect(f"/r{hop}", f"/r{hop + 1}")
    async with fetcher(max_redirects=5) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(ingest_server.url("/r0"))
    assert caught.value.message == "Too many redirects (more than 5)"
    assert len(ingest_server.requests) == 6


async def test_redirect_loop(ingest_server: IngestServer) -> None:
    ingest_server.redirect("/ping", "/pong")
    ingest_server.redirect("/pong", "/ping")
    async with fetcher() as client:
        with pytest.raises(FetchError, match=r"^Redirect loop: .*/pong sends us back to .*/ping"):
            await client.fetch(ingest_server.url("/ping"))


async def test_redirect_to_another_scheme_is_refused(ingest_server: IngestServer) -> None:
    ingest_server.redirect("/ftp", "ftp://example.org/feed.xml")
    async with fetcher() as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(ingest_server.url("/ftp"))
    assert caught.value.message.startswith("Address refused: The address must start with http")


async def test_private_address_is_refused_without_allow_private(
    ingest_server: IngestServer,
) -> None:
    url = ingest_server.route("/feed", RSS)
    async with Fetcher(allow_private=False) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(url)
    assert caught.value.message.startswith("Address refused: 127.0.0.1 is a loopback address.")
    assert ingest_server.requests == []


async def test_connection_refused_is_said_plainly(ingest_server: IngestServer) -> None:
    url = ingest_server.url("/feed")
    ingest_server.stop()
    async with fetcher() as client:
        with pytest.raises(FetchError, match=r"^Could not connect to 127\.0\.0\.1"):
            await client.fetch(url)


class StoppedClock:
    """A clock that stands still until the gate asks it to wait, then moves on at once.

    The waits it was asked for are the gaps the gate keeps between requests, however slow
    the machine is: a busy machine only adds time between requests, never takes it away.
    """

    def __init__(self) -> None:
        self.time = 1000.0
        self.waits: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.time += seconds
        await asyncio.sleep(0)  # let the other fetches run, as a real wait would


async def other_host_is_loopback(host: str, port: int) -> list[IPAddress]:
    """The test server under a second name ("other.test"): a second host to the gate."""
    assert host == "other.test"
    return [ip_address("127.0.0.1")]


async def test_politeness_delay_between_requests_to_one_host(
    ingest_server: IngestServer,
) -> None:
    url = ingest_server.route("/feed", RSS)
    clock = StoppedClock()
    async with Fetcher(allow_private=True, host_delay=0.3, clock=clock) as client:
        await asyncio.gather(client.fetch(url), client.fetch(url), client.fetch(url))
    assert len(ingest_server.seen("/feed")) == 3
    assert clock.waits == [pytest.approx(0.3), pytest.approx(0.3)]  # after the first, each waits


async def test_politeness_delay_is_per_host_and_only_as_long_as_needed(
    ingest_server: IngestServer,
) -> None:
    here = ingest_server.route("/feed", RSS)
    there = here.replace("127.0.0.1", "other.test")
    clock = StoppedClock()
    async with Fetcher(
        allow_private=True, host_delay=0.3, clock=clock, resolver=other_host_is_loopback
    ) as client:
        await client.fetch(here)
        await client.fetch(there)  # another host: no wait
        assert clock.waits == []
        clock.time += 0.2
        await client.fetch(here)  # 0.2 s after the last request here: waits the other 0.1 s
        clock.time += 5.0
        await client.fetch(here)  # long after: no wait
    assert len(ingest_server.seen("/feed")) == 4
    assert clock.waits == [pytest.approx(0.1)]


async def test_per_host_concurrency_limit(ingest_server: IngestServer) -> None:
    url = ingest_server.route("/slow", RSS, delay=0.2)
    async with fetcher(per_host_concurrency=1) as client:
        await asyncio.gather(*(client.fetch(url) for _ in range(3)))
    assert len(ingest_server.seen("/slow")) == 3
    assert ingest_server.max_in_flight["/slow"] == 1


async def test_live_page_grows_between_fetches(ingest_server: IngestServer) -> None:
    first = Reply(b"<article id='u1'>One</article>")
    second = Reply(b"<article id='u2'>Two</article><article id='u1'>One</article>")
    url = ingest_server.sequence("/live", [first, second])
    async with fetcher() as client:
        before = await client.fetch(url)
        after = await client.fetch(url)
    assert "u2" not in before.text
    assert after.text.index("u2") < after.text.index("u1")
