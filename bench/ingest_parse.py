"""Feed parsing speed: Dateline's parser (fastfeedparser + cleaning) against feedparser alone.

Generates a 50-item RSS 2.0 feed and a 50-item Atom feed (~60 KB each, HTML bodies with links,
images and entities, like a news site's full-content feed) and prints the median time per
feed for each parser, plus feeds per second. The target is ≥300 feeds/s per worker end to end,
so `dateline` should stay under ~3.3 ms per feed.

    .venv/bin/python bench/ingest_parse.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import feedparser

from dateline.ingest.parsers.feeds import parse_feed

ITEMS = 50
PARAGRAPH = (
    "<p>The council met on Tuesday &amp; agreed the <a href='/budget/2025'>budget</a> after a "
    "long debate about <strong>school funding</strong>, road repairs and the new library. "
    "Opposition members said the figures “did not add up” and asked for an audit.</p>"
)


def _body(index: int) -> str:
    image = f"<p><img src='https://example.org/img/{index}.jpg' alt='Photo {index}'></p>"
    return PARAGRAPH * 3 + image


def rss_feed() -> bytes:
    start = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    items = "".join(
        f"<item><title>Council update number {i} &amp; more</title>"
        f"<link>https://example.org/news/{i}?utm_source=rss</link>"
        f"<guid isPermaLink='false'>news-{i}</guid><dc:creator>Reporter {i % 7}</dc:creator>"
        f"<pubDate>{format_datetime(start - timedelta(minutes=7 * i))}</pubDate>"
        f"<description>Short summary of update {i} about the budget.</description>"
        f"<content:encoded><![CDATA[{_body(i)}]]></content:encoded>"
        f"<media:content url='https://example.org/img/{i}.jpg' medium='image'>"
        f"<media:description>Caption {i}</media:description></media:content></item>"
        for i in range(ITEMS)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
        "xmlns:content='http://purl.org/rss/1.0/modules/content/' "
        "xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:media='http://search.yahoo.com/mrss/'>"
        "<channel><title>Example News</title><link>https://example.org/</link>"
        f"<language>en</language>{items}</channel></rss>"
    ).encode()


def atom_feed() -> bytes:
    start = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    entries = "".join(
        f"<entry><title>Council update number {i}</title><id>tag:example.org,2025:{i}</id>"
        f"<link rel='alternate' href='https://example.org/news/{i}'/>"
        f"<updated>{(start - timedelta(minutes=7 * i)).isoformat()}</updated>"
        f"<author><name>Reporter {i % 7}</name></author>"
        f"<summary>Short summary of update {i} about the budget.</summary>"
        f"<content type='html'><![CDATA[{_body(i)}{PARAGRAPH}]]></content></entry>"
        for i in range(ITEMS)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<title>Example News</title><link href='https://example.org/'/>"
        f"<id>tag:example.org,2025:feed</id><updated>{start.isoformat()}</updated>{entries}</feed>"
    ).encode()


def median_ms(parse: Callable[[bytes], object], data: bytes, rounds: int) -> float:
    parse(data)  # warm caches and imports
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        parse(data)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    for name, data in (("RSS 2.0", rss_feed()), ("Atom 1.0", atom_feed())):
        items = len(parse_feed(data).items)
        print(f"{name}: {len(data) / 1000:.0f} KB, {items} items")
        for label, parse in (("dateline", parse_feed), ("feedparser", feedparser.parse)):
            ms = median_ms(parse, data, rounds)
            print(f"  {label:<11} {ms:7.2f} ms/feed  {1000 / ms:7.0f} feeds/s")


if __name__ == "__main__":
    main()
