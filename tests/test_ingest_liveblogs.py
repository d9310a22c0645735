"""Other sites' live blogs split into updates: what an editor sees in the inbox (headlines,
times, order, key events, pinned posts, images with captions)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dateline.ingest.fetch import Fetcher
from dateline.ingest.parsers.liveblogs import parse_liveblog
from tests.helpers import SHARED_FIXTURES, shared_fixture
from tests.ingest_server import IngestServer, Reply, ingest_server

__all__ = ["ingest_server"]

DATA = Path(__file__).parent / "data" / "ingest"


def test_german_ticker_times_headlines_and_key_event() -> None:
    doc = parse_liveblog((DATA / "ticker_de.html").read_bytes(), "https://example.de/ticker")
    titles = [item.title for item in doc.items]
    assert titles == ["Pegel sinkt langsam", "Brücke gesperrt", "Der Krisenstab tagt im Rathaus"]
    berlin = timezone(timedelta(hours=1))
    assert [item.published_at for item in doc.items] == [
        datetime(2025, 3, 14, 16, 5, tzinfo=berlin),
        datetime(2025, 3, 14, 12, 31, tzinfo=berlin),
        datetime(2025, 3, 14, 9, 15, tzinfo=berlin),
    ]
    bridge = doc.items[1]
    assert bridge.key_event
    assert not doc.items[0].key_event
    assert "Augustusbrücke" in bridge.text
    assert bridge.images[0].url == "https://example.de/bilder/bruecke.jpg"
    assert bridge.images[0].caption == "Die gesperrte Brücke am Mittag"
    assert "16.50 Euro" in doc.items[2].text  # a price, not a new update
    assert doc.language == "de"


def test_english_ticker_with_bare_times_crosses_midnight_backwards() -> None:
    doc = parse_liveblog((DATA / "ticker_en.html").read_bytes(), "https://example.com/latest")
    eastern = timezone(timedelta(hours=-4))
    times = [item.published_at for item in doc.items]
    assert times == [
        datetime(2025, 10, 2, 23, 50, tzinfo=eastern),
        datetime(2025, 10, 2, 16, 14, tzinfo=eastern),
        datetime(2025, 10, 2, 9, 0, tzinfo=eastern),
    ]
    assert doc.items[1].title == "Evacuation order lifted"
    assert doc.items[0].text.startswith("Power has been restored")


def modified(stamp: str) -> str:
    return f'<meta property="article:modified_time" content="{stamp}">'


def test_ticker_on_a_page_that_states_utc_only_is_read_in_the_zone_its_updates_imply() -> None:
    """The site stores times as "…Z" while its ticker says local times: the newest update
    went up just before the page last changed, so 11:50 p.m. is 03:50 UTC (UTC−4)."""
    page = (
        (DATA / "ticker_en.html")
        .read_text()
        .replace(
            '"2025-10-02T09:00:00-04:00">',
            f'"2025-10-02T13:00:00Z">{modified("2025-10-03T03:52:10Z")}',
        )
    )
    doc = parse_liveblog(page, "https://example.com/latest")
    assert [item.published_at for item in doc.items] == [
        datetime(2025, 10, 3, 3, 50, tzinfo=UTC),
        datetime(2025, 10, 2, 20, 14, tzinfo=UTC),
        datetime(2025, 10, 2, 13, 0, tzinfo=UTC),
    ]


def test_ticker_update_just_before_midnight_on_a_page_changed_after_it() -> None:
    """Newest update at 11:50 p.m., page modified five past midnight: yesterday's 11:50 p.m."""
    page = (
        (DATA / "ticker_en.html")
        .read_text()
        .replace(
            '"2025-10-02T09:00:00-04:00">',
            f'"2025-10-02T09:00:00-04:00">{modified("2025-10-03T00:05:00-04:00")}',
        )
    )
    doc = parse_liveblog(page, "https://example.com/latest")
    eastern = timezone(timedelta(hours=-4))
    assert doc.items[0].published_at == datetime(2025, 10, 2, 23, 50, tzinfo=eastern)
    assert doc.items[-1].published_at == datetime(2025, 10, 2, 9, 0, tzinfo=eastern)


def test_explicit_time_zone_wins_over_the_page_offset() -> None:
    doc = parse_liveblog(
        (DATA / "ticker_en.html").read_bytes(), "https://example.com/latest", tz=UTC
    )
    assert doc.items[-1].published_at == datetime(2025, 10, 2, 9, 0, tzinfo=UTC)


def test_ticker_ids_stay_the_same_when_the_page_grows() -> None:
    page = (DATA / "ticker_de.html").read_text()
    grown = page.replace(
        "<h3>16.05 Uhr", "<h3>17.20 Uhr: Entwarnung</h3><p>Alles ruhig.</p><h3>16.05 Uhr"
    )
    before = parse_liveblog(page, "https://example.de/ticker")
    after = parse_liveblog(grown, "https://example.de/ticker")
    assert [i.external_id for i in after.items[1:]] == [i.external_id for i in before.items]
    assert after.items[0].title == "Entwarnung"


def test_html_blocks_with_time_ids_markers() -> None:
    doc = parse_liveblog((DATA / "blocks.html").read_bytes(), "https://news.example.org/live")
    assert [item.external_id for item in doc.items] == ["post-3", "post-2", "post-1"]
    pinned, exit_poll, polls = doc.items
    assert pinned.pinned
    assert not pinned.key_event
    assert exit_poll.key_event
    assert not exit_poll.pinned
    assert exit_poll.title == "Exit poll published"
    assert exit_poll.url == "https://news.example.org/live#post-2"
    assert 'href="https://news.example.org/results"' in exit_poll.html
    assert exit_poll.images[0].caption == "The exit poll on screen"
    assert "The exit poll on screen" not in exit_poll.text
    # a time without offset is read in the page's zone (+01:00)
    assert pinned.published_at == datetime(2025, 5, 1, 21, 40, tzinfo=UTC)
    assert polls.title == "Polls close in five minutes."


async def test_live_page_growing_between_two_fetches(ingest_server: IngestServer) -> None:
    page = (DATA / "blocks.html").read_text()
    newer = page.replace(
        '<article id="post-3"',
        '<article id="post-4" class="live-post"><time datetime="2025-05-01T23:05:00+01:00">'
        "23:05</time><h2>Turnout up</h2><p>Turnout is higher.</p></article>"
        '<article id="post-3"',
    )
    url = ingest_server.sequence("/live", [Reply(page.encode()), Reply(newer.encode())])
    async with Fetcher(allow_private=True, host_delay=0) as fetcher:
        first = parse_liveblog((await fetcher.fetch(url)).text, url)
        second = parse_liveblog((await fetcher.fetch(url)).text, url)
    known = {item.external_id for item in first.items}
    new = [item.title for item in second.items if item.external_id not in known]
    assert new == ["Turnout up"]


def test_mirror_live_blog_from_json_ld_with_key_events() -> None:
    raw = shared_fixture("fundus/tests/resources/parser/test_data/uk/TheMirror_2024_08_05.html.gz")
    doc = parse_liveblog(raw, "https://www.mirror.co.uk/news/uk-news/live")
    assert len(doc.items) == 428  # the JSON-LD lists the whole blog
    assert sum(item.key_event for item in doc.items) == 9  # the 9 key events shown on the page
    times = [item.published_at for item in doc.items]
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]
    newest = doc.items[0]
    assert newest.external_id == "751105"
    assert newest.title == "Loud bang heard at Plymouth scene"
    assert '"loud bang"' in newest.text
    key = next(item for item in doc.items if item.external_id == "751101")
    assert key.key_event
    assert key.title.startswith("Plymouth protests erupt in violence")


def test_corkbeo_live_blog_has_26_updates_and_one_key_event() -> None:
    raw = shared_fixture("trafilatura/tests/eval/corkbeo.ie.level.html")
    doc = parse_liveblog(raw, "https://www.corkbeo.ie/news/live")
    assert len(doc.items) == 26
    assert sum(item.key_event for item in doc.items) == 1
    assert doc.items[0].title == "Goodnight"


def test_guardian_live_blog_linked_data() -> None:
    base = "guardian-dotcom-rendering"
    matches = (
        sorted((SHARED_FIXTURES / base).rglob("Live.json"))
        if (SHARED_FIXTURES / base).exists()
        else []
    )
    if not matches:
        pytest.skip("Guardian Live.json fixture is absent (see ../shared/fixtures/README.md)")
    model = json.loads(matches[0].read_text())
    linked = json.dumps(model.get("linkedData") or model.get("frontendData", {}).get("linkedData"))
    page = f'<html><head><script type="application/ld+json">{linked}</script></head></html>'
    doc = parse_liveblog(page, model.get("webURL") or "https://www.theguardian.com/live")
    assert len(doc.items) >= 5
    assert all(item.published_at is not None for item in doc.items)
    assert len({item.external_id for item in doc.items}) == len(doc.items)


def test_ap_the_latest_page_with_bare_time_paragraphs() -> None:
    folder = SHARED_FIXTURES / "article-extraction-benchmark" / "html"
    pages = sorted(folder.glob("5caf91b8*.html.gz")) if folder.exists() else []
    if not pages:
        pytest.skip("AP 'The Latest' page is absent (see ../shared/fixtures/README.md)")
    doc = parse_liveblog(gzip.decompress(pages[0].read_bytes()), "https://apnews.com/latest")
    assert len(doc.items) >= 2
    assert doc.items[-1].text.startswith("A California transit chief says")
    # The page states UTC only (modified 2019-11-20T06:01:20Z); "4:14 p.m." on "Tuesday
    # afternoon" in California is 00:14 UTC on the Wednesday, and the newest update (10 p.m.)
    # went up a minute before the page last changed: Pacific time, not UTC.
    assert doc.items[-1].published_at == datetime(2019, 11, 20, 0, 14, tzinfo=UTC)
    assert doc.items[0].published_at == datetime(2019, 11, 20, 6, 0, tzinfo=UTC)


MICRODATA = """<!doctype html><html lang="en"><head><title>Harbour fire: live</title></head>
<body><main itemscope itemtype="https://schema.org/LiveBlogPosting">
<h1 itemprop="headline">Harbour fire: live</h1>
<article itemprop="liveBlogUpdate" itemscope itemtype="https://schema.org/BlogPosting" id="u3">
  <h2 itemprop="headline">Fire under control</h2>
  <meta itemprop="datePublished" content="2025-06-01T18:40:00+02:00">
  <div itemprop="articleBody"><p>Crews say the fire at pier 4 is under control.</p></div>
</article>
<article itemprop="liveBlogUpdate" itemscope itemtype="https://schema.org/BlogPosting" id="u2"
  class="key-event">
  <h2 itemprop="headline">Pier evacuated</h2>
  <time itemprop="datePublished" datetime="2025-06-01T17:05:00+02:00">17:05</time>
  <div itemprop="articleBody"><p>Everyone on pier 4 has been moved to safety.</p>
  <figure><img src="/img/pier.jpg"><figcaption>The pier at five</figcaption></figure></div>
</article>
<article itemprop="liveBlogUpdate" itemscope itemtype="https://schema.org/BlogPosting" id="u1">
  <meta itemprop="datePublished" content="2025-06-01T16:50:00+02:00">
  <div itemprop="articleBody"><p>Smoke is rising over the harbour.</p></div>
</article>
</main></body></html>"""


def test_live_blog_in_microdata_with_its_own_updates() -> None:
    doc = parse_liveblog(MICRODATA, "https://news.example.org/live/fire")
    assert [item.title for item in doc.items] == [
        "Fire under control",
        "Pier evacuated",
        "Smoke is rising over the harbour.",
    ]
    assert [item.published_at for item in doc.items] == [
        datetime(2025, 6, 1, 16, 40, tzinfo=UTC),
        datetime(2025, 6, 1, 15, 5, tzinfo=UTC),
        datetime(2025, 6, 1, 14, 50, tzinfo=UTC),
    ]
    evacuated = doc.items[1]
    assert evacuated.key_event
    assert not doc.items[0].key_event
    assert evacuated.text == "Everyone on pier 4 has been moved to safety."
    assert evacuated.images[0].url == "https://news.example.org/img/pier.jpg"
    assert evacuated.images[0].caption == "The pier at five"
    assert evacuated.url == "https://news.example.org/live/fire#u2"


def test_microdata_wrapper_of_a_real_sports_ticker() -> None:
    """sportowefakty.wp.pl: a bare LiveBlogPosting wrapper whose children are the updates,
    timed by <time>19:30</time> on the day the title states (28.09.2020)."""
    page = shared_fixture("trafilatura/tests/eval/sportowefakty.wp.pl.falubaz.html")
    doc = parse_liveblog(page, "https://sportowefakty.wp.pl/zuzel/relacja/110331")
    assert len(doc.items) > 40
    assert doc.items[0].text.startswith("Koniec. Fogo Unia Leszno")  # the last word first
    texts = [item.text for item in doc.items]
    assert sum("W Lesznie zaczął mocno padać deszcz." in text for text in texts) == 1
    assert not any("Grupa WP" in text or "Zobacz również" in text for text in texts)
    moments = [item.published_at for item in doc.items]
    assert all(
        moment is not None and moment.date().isoformat() == "2020-09-28" for moment in moments
    )
    assert moments == sorted(moments, reverse=True)  # type: ignore[type-var]
    assert "Bieg 15" in [item.title for item in doc.items]  # a heat's result box
    assert len({item.external_id for item in doc.items}) == len(doc.items)


def test_ap_here_s_the_latest_page_splits_at_its_subheads() -> None:
    """National Post's copy of an AP story: no times, no blocks, only <h3> subheads each
    wrapped on its own. The independent expected output (fundus, key V1_1) lists the story's
    sections: one update per subhead, in the page's order, with the section's paragraphs."""
    folder = "fundus/tests/resources/parser/test_data/ca"
    page = shared_fixture(f"{folder}/NationalPost_2025_05_08.html.gz")
    expected = json.loads(shared_fixture(f"{folder}/NationalPost.json"))["V1_1"]["body"]
    sections = [section for section in expected["sections"] if section["headline"]]
    doc = parse_liveblog(page, "https://nationalpost.com/news/world/india-pakistan-latest")
    assert [item.title for item in doc.items] == [s["headline"][0] for s in sections]
    for item, section in zip(doc.items, sections, strict=True):
        assert section["paragraphs"][0] in item.text
        assert section["paragraphs"][-1] in item.text
    texts = " ".join(item.text for item in doc.items)
    assert "Share this Story" not in texts
    assert "Postmedia is committed" not in texts
    changed = datetime(2025, 5, 7, 13, 50, 10, tzinfo=UTC)  # the page's last change
    assert {item.published_at for item in doc.items} == {changed}


def test_two_subheads_are_an_article_not_a_live_page() -> None:
    page = (
        "<html><body><article><p>Lead.</p><h3>Background</h3><p>One.</p>"
        "<h3>What next</h3><p>Two.</p></article></body></html>"
    )
    assert parse_liveblog(page, "https://news.example.org/story").items == ()


def test_microdata_wrapper_skips_scripts_figures_and_asides_among_its_children() -> None:
    page = """<html><head><title>Derby live, 03.05.2025</title></head><body>
    <div itemscope itemtype="https://schema.org/LiveBlogPosting https://schema.org/NewsArticle">
    <script id="cfg">window.config = 1;</script>
    <aside id="ad">Advertisement</aside>
    <figure id="f1"><img src="/a.jpg"><figcaption>Kick-off</figcaption></figure>
    <div id="e2"><time>17:40</time><p>Second goal for the visitors.</p></div>
    <div id="e1"><time>17:05</time><p>Kick-off in the rain.</p></div>
    </div></body></html>"""
    doc = parse_liveblog(page, "https://sport.example.org/derby")
    assert [item.external_id for item in doc.items] == ["e2", "e1"]
    assert doc.items[0].published_at == datetime(2025, 5, 3, 17, 40, tzinfo=UTC)


def test_subheads_in_any_script_and_repeated_ones_stay_separate_updates() -> None:
    sections = "".join(
        f"<h3>{title}</h3><p>{text}</p>"
        for title, text in [
            ("Обстрел Харькова", "Ночью город снова обстреляли."),
            ("Переговоры", "Делегации встретятся в Стамбуле."),
            ("Update", "First update."),
            ("Update", "Second update."),
        ]
    )
    page = f"<html><body><article><p>Lead.</p>{sections}</article></body></html>"
    doc = parse_liveblog(page, "https://news.example.org/live")
    assert len(doc.items) == 4
    assert len({item.canonical_url for item in doc.items}) == 4
    assert doc.items[0].url.endswith("#обстрел-харькова")
    assert [item.text for item in doc.items[2:]] == ["First update.", "Second update."]


def test_a_pinned_update_on_top_does_not_move_the_ticker_s_zone() -> None:
    """A pinned 8 a.m. note above the newest update (4:14 p.m.) on a page that states UTC
    only: the zone comes from the newest update, not from the pinned one."""
    page = f"""<html><head>{modified("2025-10-02T20:15:00Z")}</head><body><article>
    <p>8 a.m.</p><p><strong>Pinned</strong> Read our guide to the storm.</p>
    <p>4:14 p.m.</p><p>The evacuation order is lifted.</p>
    <p>11 a.m.</p><p>The storm reaches the coast.</p>
    </article></body></html>"""
    doc = parse_liveblog(page, "https://example.com/latest")
    lifted = next(item for item in doc.items if "evacuation" in item.text)
    assert lifted.published_at == datetime(2025, 10, 2, 20, 14, tzinfo=UTC)  # UTC−4
    pinned = next(item for item in doc.items if item.pinned)
    assert pinned.published_at == datetime(2025, 10, 2, 12, 0, tzinfo=UTC)


def test_a_utc_offset_of_zero_is_no_evidence_of_the_ticker_s_zone() -> None:
    """ "+00:00" is what many CMSs write whatever their clocks say: like "Z", it leaves the
    zone to the page's other evidence (here its last change, just after 11:50 p.m. UTC−4)."""
    page = (
        (DATA / "ticker_en.html")
        .read_text()
        .replace(
            '"2025-10-02T09:00:00-04:00">',
            f'"2025-10-02T13:00:00+00:00">{modified("2025-10-03T03:52:00+00:00")}',
        )
    )
    doc = parse_liveblog(page, "https://example.com/latest")
    assert doc.items[0].published_at == datetime(2025, 10, 3, 3, 50, tzinfo=UTC)
    assert doc.items[-1].published_at == datetime(2025, 10, 2, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "header",
    [
        "Tue, 18 Mar 2025 07:00:00 GMT",  # the server made the file four days later
        "Thu, 01 Jan 1970 00:00:00 GMT",  # a file stamped with time 0
        "Fri, 31 Dec 9999 23:59:59 -0100",  # past the end of the calendar in UTC
    ],
)
def test_a_last_modified_header_does_not_move_a_ticker_off_its_stated_day(header: str) -> None:
    page = (DATA / "ticker_de.html").read_text()
    page = page.replace(
        '<meta property="article:modified_time" content="2025-03-14T16:10:00+01:00">', ""
    )
    doc = parse_liveblog(page, "https://example.de/ticker", last_modified=header)
    berlin = timezone(timedelta(hours=1))
    assert [item.published_at for item in doc.items] == [
        datetime(2025, 3, 14, 16, 5, tzinfo=berlin),
        datetime(2025, 3, 14, 12, 31, tzinfo=berlin),
        datetime(2025, 3, 14, 9, 15, tzinfo=berlin),
    ]
