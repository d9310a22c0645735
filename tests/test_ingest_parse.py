"""Parsing fetched documents: feeds (checked against feedparser on its own test feeds),
canonical URLs, feed discovery, OPML, articles and the dispatcher."""

from __future__ import annotations

import json
from calendar import timegm
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.ingest.parsers.canonical import canonical_from_html, canonicalize, rebuild
from dateline.ingest.parsers.clean import to_text
from dateline.ingest.parsers.discover import FeedLink, discover_feeds
from dateline.ingest.parsers.feeds import parse_feed
from dateline.ingest.parsers.items import ItemImage, ParseError
from dateline.ingest.parsers.opml import OpmlFeed, parse_opml, write_opml
from dateline.ingest.parsers.parse import guess_kind, parse_document
from tests.helpers import SHARED_FIXTURES, shared_fixture

FEEDPARSER = SHARED_FIXTURES / "feedparser" / "tests"
DATA = Path(__file__).parent / "data" / "ingest"
# Where we knowingly differ from feedparser, and why.
KNOWN_DIFFERENCES = {
    "item_category_image.xml": "feedparser takes an <image> title nested in <category>",
    "entry_id_no_normalization_4.xml": "feedparser uses an id as link; we keep links only",
    "entry_id_with_attributes.xml": "feedparser reads the link's text, not its href",
    "entry_link_no_href.xml": "a link without href: feedparser invents one",
    "entry_link_no_href_link_priority.xml": "a link without href: feedparser invents one",
    "entry_link_rel_enclosure_no_href.xml": "we prefer rel=alternate over an enclosure",
}
SETS = ("wellformed/rss", "wellformed/atom10", "wellformed/rdf", "encoding", "illformed")


def _theirs(raw: bytes) -> list[tuple[str, str, datetime | None]]:
    result = feedparser.parse(raw, resolve_relative_uris=False)
    rows = []
    for entry in result.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        when = datetime.fromtimestamp(timegm(stamp), UTC) if stamp else None
        rows.append((to_text(entry.get("title", "")), entry.get("link", ""), when))
    return rows


def _disagreements(path: Path) -> list[str]:
    raw = path.read_bytes()
    theirs = _theirs(raw)
    try:
        ours = [(i.title, i.url, i.published_at) for i in parse_feed(raw).items]
    except ParseError as exc:
        return [f"{path.name}: {exc.message}"] if theirs else []
    if len(ours) != len(theirs):
        return [f"{path.name}: {len(ours)} items, feedparser {len(theirs)}"]
    return [
        f"{path.name}: {mine} != {other}"
        for mine, other in zip(ours, theirs, strict=True)
        if any(b and a != b for a, b in zip(mine, other, strict=True))
    ]


def test_fast_path_agrees_with_feedparser_on_its_own_test_feeds() -> None:
    if not FEEDPARSER.exists():
        pytest.skip("feedparser's test feeds are absent (see ../shared/fixtures/README.md)")
    paths = [p for s in SETS for p in sorted((FEEDPARSER / s).glob("*.xml"))]
    problems = [
        problem
        for path in paths
        if path.name not in KNOWN_DIFFERENCES
        for problem in _disagreements(path)
    ]
    assert len(paths) > 500
    assert problems == []


def test_fast_path_carries_well_formed_feeds_and_fallback_is_recorded() -> None:
    if not FEEDPARSER.exists():
        pytest.skip("feedparser's test feeds are absent (see ../shared/fixtures/README.md)")
    paths = sorted((FEEDPARSER / "wellformed" / "atom10").glob("*.xml"))
    routed = {p.name for p in paths if "base64" in p.name or p.name.startswith("relative_uri")}
    warned = {p.name: parse_feed(p.read_bytes()).warnings for p in paths}
    # base64 text and xml:base go to feedparser on purpose; everything else stays fast.
    assert all(warned[name][0].startswith("read by feedparser") for name in routed)
    fell_back = [name for name, warnings in warned.items() if warnings and name not in routed]
    assert len(fell_back) < len(paths) / 20, fell_back
    xhtml = parse_feed(
        (FEEDPARSER / "wellformed/atom10/entry_title_inline_markup.xml").read_bytes()
    )
    assert xhtml.items[0].title == "Example Atom"
    assert xhtml.warnings[0].startswith("fell back to feedparser")


def test_ill_formed_feed_still_yields_items() -> None:
    raw = shared_fixture("feedparser/tests/illformed/rss_item_link_corrupted_ampersands.xml")
    assert parse_feed(raw).items


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>City &amp; County News</title><link>https://news.example.org/</link><language>en-GB</language>
<item><title>Bridge reopens</title><link>/2025/bridge?utm_source=rss&amp;id=7</link>
<guid isPermaLink="false">bridge-7</guid><author>desk@example.org (Ana Ruiz)</author>
<pubDate>Tue, 01 Jul 2025 12:00:00 +0200</pubDate>
<description>&lt;p&gt;The bridge is &lt;b&gt;open&lt;/b&gt; again.&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>Open again <script>alert(1)</script>
<a href="/map">map</a></p>]]></content:encoded>
<media:content url="https://img.example.org/bridge.jpg" medium="image">
<media:description>The bridge at dawn</media:description><media:credit>Photo: A. Ruiz</media:credit>
</media:content></item></channel></rss>"""


def test_rss_item_is_clean_and_complete() -> None:
    doc = parse_feed(RSS, "https://news.example.org/feed.xml")
    assert (doc.title, doc.site_url, doc.language) == (
        "City & County News",
        "https://news.example.org/",
        "en-GB",
    )
    (item,) = doc.items
    assert item.title == "Bridge reopens"
    assert item.url == "https://news.example.org/2025/bridge?utm_source=rss&id=7"
    assert item.canonical_url == "https://news.example.org/2025/bridge?id=7"
    assert item.author == "Ana Ruiz"
    assert item.published_at == datetime(2025, 7, 1, 10, 0, tzinfo=UTC)
    assert item.summary == "The bridge is open again."
    assert "<script" not in item.html
    assert "alert" not in item.text
    assert 'href="https://news.example.org/map"' in item.html
    assert item.images[0].caption == "The bridge at dawn"
    assert item.images[0].credit == "Photo: A. Ruiz"
    assert item.external_id == "bridge-7"


ATOM_WITH_BASES = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.org/desk/">
<title>Desk</title><link href="/"/>
<entry xml:base="stories/"><title>Ferry resumes</title><id>urn:1</id><link href="ferry.html"/>
<updated>2025-01-01T10:00:00Z</updated><content type="html">&lt;p&gt;See &lt;a href="map.html"
&gt;the map&lt;/a&gt;&lt;/p&gt;&lt;figure&gt;&lt;img src="ferry.jpg"&gt;&lt;figcaption&gt;The first
crossing&lt;/figcaption&gt;&lt;/figure&gt;</content></entry>
<entry><title>Schools shut</title><id>urn:2</id><link href="schools.html"/>
<updated>2025-01-01T09:00:00Z</updated>
<content type="text/plain" mode="base64">U2Nob29scyBzdGF5IHNodXQgdG9kYXku</content></entry>
</feed>"""


def test_atom_relative_links_follow_xml_base_and_base64_content_is_decoded() -> None:
    doc = parse_feed(ATOM_WITH_BASES, "https://news.example.org/feed.atom")
    ferry, schools = doc.items
    assert ferry.url == "https://news.example.org/desk/stories/ferry.html"
    assert 'href="https://news.example.org/desk/stories/map.html"' in ferry.html
    assert ferry.images[0].url == "https://news.example.org/desk/stories/ferry.jpg"
    assert ferry.images[0].caption == "The first crossing"
    assert schools.url == "https://news.example.org/desk/schools.html"
    assert schools.text == "Schools stay shut today."
    assert doc.site_url == "https://news.example.org/"


def test_relative_links_of_an_rss_feed_resolve_against_the_feed_address() -> None:
    """A feed whose channel link is "/" and whose item links are paths: full addresses."""
    rss = b"""<rss version="2.0"><channel><title>Blog</title><link>/</link><item>
    <title>Water rises</title><link>/water</link><description>&lt;p&gt;&lt;img src="/w.jpg"
    alt="A flooded street"&gt; The river rose overnight.&lt;/p&gt;</description></item>
    </channel></rss>"""
    doc = parse_feed(rss, "https://blog.example.org/feed")
    (item,) = doc.items
    assert doc.site_url == "https://blog.example.org/"
    assert item.url == "https://blog.example.org/water"
    assert item.images == (ItemImage("https://blog.example.org/w.jpg", "A flooded street"),)
    assert item.text == "The river rose overnight."


def test_a_media_rss_feed_stays_on_the_fast_path_and_tracking_pixels_are_not_pictures() -> None:
    rss = b"""<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Wire</title>
    <link>https://wire.example.org/</link>
    <atom:link href="https://wire.example.org/feed" rel="self" type="application/rss+xml"/>
    <item><title>Dam holds</title><link>https://wire.example.org/dam</link>
    <media:content url="https://img.example.org/dam.jpg" type="image/jpeg" medium="image"/>
    <description>The dam held overnight.</description></item>
    <item><title>Roads open</title><link>https://wire.example.org/roads</link>
    <description>&lt;p&gt;Roads are open.&lt;img src="https://pixel.example.org/b.gif?x=1"
    width="1" height="1"&gt;&lt;/p&gt;</description></item>
    <item><title>Bridge shut</title><link>https://wire.example.org/bridge</link>
    <description>&lt;p&gt;Shut.&lt;img src="https://count.example.org/c.gif" width="0"
    height="0"&gt;&lt;img src="https://img.example.org/bridge.jpg" width="&#178;"&gt;&lt;/p&gt;
    </description>
    </item></channel></rss>"""
    doc = parse_feed(rss, "https://wire.example.org/feed")
    assert doc.warnings == ()  # not sent to feedparser: <media:content> is a picture
    dam, roads, bridge = doc.items
    assert dam.images[0].url == "https://img.example.org/dam.jpg"
    assert roads.images == ()
    assert [image.url for image in bridge.images] == ["https://img.example.org/bridge.jpg"]


def test_json_feed() -> None:
    doc = parse_feed(shared_fixture("feedparser/tests/json/example.json"))
    assert doc.title == "My Example Feed"
    assert [item.title for item in doc.items] == ["post 2", "Hello, world!"]
    assert "alert" not in doc.items[1].html
    assert doc.items[1].author == "you"


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>not a feed</body></html>", b"{not json", b'{"items": 3}']
)
def test_not_a_feed_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_document("feed", body, "https://example.org/feed")


def test_canonical_urls() -> None:
    assert (
        canonicalize("HTTPS://Example.ORG:443/a?b=2&utm_medium=x&a=1&fbclid=z#top")
        == "https://example.org/a?a=1&b=2"
    )
    assert canonicalize("http://example.org:8080") == "http://example.org:8080/"
    assert canonicalize("../b#update-9", "https://example.org/x/y", keep_fragment=True) == (
        "https://example.org/b#update-9"
    )
    assert canonicalize("mailto:desk@example.org") == "mailto:desk@example.org"
    page = '<head><link rel="canonical" href="/story?gclid=1"></head>'
    assert canonical_from_html(page, "https://m.example.org/s") == "https://m.example.org/story"
    for spelled in ("https://example.org./a", "https://EXAMPLE.org/a", "https://x.org/a b"):
        assert canonicalize(spelled) != spelled  # not mistaken for already canonical


URL_PARTS = "aZ09-._~!$&'()*+,;=:@/%?#é AB"


@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp"]),
    host=st.from_regex(r"[a-zA-Z0-9.-]{1,20}(:[0-9]{1,5})?", fullmatch=True),
    path=st.text(alphabet=URL_PARTS, max_size=40),
)
def test_canonicalize_shortcut_agrees_with_the_full_rebuild(
    scheme: str, host: str, path: str
) -> None:
    """The shortcut for links that are already canonical gives what taking them apart gives."""
    url = f"{scheme}://{host}/{path}"
    assert canonicalize(url) == rebuild(url.strip())


def test_discover_feeds_from_a_page() -> None:
    page = """<html><head><base href="/news/">
    <link rel="alternate" type="application/rss+xml" title="All  news" href="rss.xml">
    <link rel="alternate" type="application/atom+xml" href="https://example.org/atom">
    <link rel="alternate" type="application/feed+json" href="/feed.json">
    <link rel="stylesheet" type="text/css" href="/s.css"></head></html>"""
    assert discover_feeds(page, "https://example.org/page") == [
        FeedLink("https://example.org/news/rss.xml", "All news", "rss"),
        FeedLink("https://example.org/atom", "", "atom"),
        FeedLink("https://example.org/feed.json", "", "json"),
    ]
    assert discover_feeds("", "https://example.org/") == []


def test_opml_round_trip() -> None:
    feeds = [("https://a.example/rss", "A & B"), ("https://c.example/atom", "C")]
    text = write_opml(feeds, title="Sources")
    assert parse_opml(text) == [OpmlFeed(url, title) for url, title in feeds]
    nested = b"""<opml version="1.0"><body><outline text="Folder">
      <outline text="X" xmlURL="https://x.example/feed" htmlUrl="https://x.example/"/>
      <outline text="not a feed"/></outline></body></opml>"""
    assert parse_opml(nested) == [OpmlFeed("https://x.example/feed", "X", "https://x.example/")]
    with pytest.raises(ParseError):
        parse_opml(b"<html></html>")


def test_article_from_a_real_page_matches_the_expected_text() -> None:
    raw = shared_fixture(
        "fundus/tests/resources/parser/test_data/uk/TheGuardian_2024_02_24.html.gz"
    )
    expected = json.loads(
        shared_fixture("fundus/tests/resources/parser/test_data/uk/TheGuardian.json")
    )
    version = next(iter(expected.values()))
    doc = parse_document("article", raw, "https://www.theguardian.com/x")
    (item,) = doc.items
    assert item.title == version["title"]
    assert item.published_at == datetime(2024, 2, 24, 11, 42, 23, tzinfo=UTC)
    assert item.language == "en"
    assert item.canonical_url.startswith("https://www.theguardian.com/world/2024/feb/24/")
    first = version["body"]["sections"][0]["paragraphs"][0]
    assert first in item.text
    assert item.images
    assert item.images[0].url.startswith("https://i.guim.co.uk/")


def test_page_without_article_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_document("article", b"<html><body></body></html>", "https://example.org/")


def test_guess_kind() -> None:
    assert guess_kind("application/rss+xml", RSS) == "feed"
    assert guess_kind("text/html", RSS) == "feed"  # misconfigured server, still a feed
    assert guess_kind("application/feed+json", b'{"version": "x", "items": []}') == "feed"
    assert guess_kind("text/html", (DATA / "ticker_de.html").read_bytes()) == "liveblog"
    assert guess_kind("text/html", (DATA / "ticker_en.html").read_bytes()) == "liveblog"
    live = b'<html><script type="application/ld+json">{"@type":"LiveBlogPosting"}</script>'
    assert guess_kind("text/html", live) == "liveblog"
    assert guess_kind("text/html", b"<!doctype html><html><p>Story</p></html>") == "article"


def test_a_live_blog_is_known_by_its_type_not_by_the_word() -> None:
    """An article whose scripts only name LiveBlogPosting (a list of types) is an article."""
    typed = '<!doctype html><script type="application/ld+json">{"@type": %s}</script><p>x</p>'
    assert guess_kind("text/html", typed % '"LiveBlogPosting"') == "liveblog"
    assert guess_kind("text/html", typed % '["LiveBlogPosting", "NewsArticle"]') == "liveblog"
    escaped = '<!doctype html><script>var ld = "{\\"@type\\":\\"LiveBlogPosting\\"}";</script>'
    assert guess_kind("text/html", escaped) == "liveblog"
    microdata = '<!doctype html><div itemscope itemtype="https://schema.org/LiveBlogPosting">'
    assert guess_kind("text/html", microdata) == "liveblog"
    named = '<!doctype html><script>var types = ["NewsArticle", "LiveBlogPosting"];</script>'
    assert guess_kind("text/html", named + "<p>An article.</p>") == "article"
