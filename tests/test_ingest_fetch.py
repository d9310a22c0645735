"""The fetcher against a real server on 127.0.0.1: what a newsroom user would see when a
source is fetched (text, caching, compression, limits, and the words of every error)."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from dateline.ingest.fetch import Fetcher, FetchError, parse_retry_after, user_agent
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


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_compressed_responses_are_unpacked(
    ingest_server: IngestServer, encoding: str
) -> None:
    url = ingest_server.route("/z", RSS * 50, encoding=encoding, content_type="text/xml")
    async with fetcher() as client:
        result = await client.fetch(url)
    assert result.text == RSS * 50
    assert encoding in ingest_server.seen("/z")[0].headers["accept-encoding"]


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
    assert 590 <= caught.value.retry_after <= 600


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
    url = ingest_server.route("/slow", delay=1.0)
    async with fetcher(read_timeout=0.2) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch(url)
    assert caught.value.message == "Timed out after 0.2 s while reading"


async def test_slow_drip_hits_the_total_timeout(ingest_server: IngestServer) -> None:
    url = ingest_server.route("/drip", b"x" * 100, drip=0.05)
    async with fetcher(read_timeout=1.0, total_timeout=0.5) as client:
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


async def test_politeness_delay_between_requests_to_one_host(
    ingest_server: IngestServer,
) -> None:
    url = ingest_server.route("/feed", RSS)
    async with fetcher(host_delay=0.3) as client:
        await asyncio.gather(client.fetch(url), client.fetch(url), client.fetch(url))
    starts = [seen.started for seen in ingest_server.seen("/feed")]
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert all(gap >= 0.28 for gap in gaps), gaps


async def test_per_host_concurrency_limit(ingest_server: IngestServer) -> None:
    url = ingest_server.route("/slow", RSS, delay=0.2)
    began = time.monotonic()
    async with fetcher(per_host_concurrency=1) as client:
        await asyncio.gather(*(client.fetch(url) for _ in range(3)))
    assert ingest_server.max_in_flight["/slow"] == 1
    assert time.monotonic() - began >= 0.6


async def test_live_page_grows_between_fetches(ingest_server: IngestServer) -> None:
    first = Reply(b"<article id='u1'>One</article>")
    second = Reply(b"<article id='u2'>Two</article><article id='u1'>One</article>")
    url = ingest_server.sequence("/live", [first, second])
    async with fetcher() as client:
        before = await client.fetch(url)
        after = await client.fetch(url)
    assert "u2" not in before.text
    assert after.text.index("u2") < after.text.index("u1")
