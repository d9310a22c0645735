"""Reading other sites' live blogs faithfully (issue 14, section 2): each fault as the editor
saw it in the inbox, on small pages written the ways different CMSs write them, and on the
real pages in ../shared/fixtures/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from dateline.ingest.parsers.credits import split_credit
from dateline.ingest.parsers.items import ParsedDocument, ParsedItem
from dateline.ingest.parsers.liveblogs import parse_liveblog
from dateline.ingest.parsers.parse import parse_document
from tests.helpers import SHARED_FIXTURES, shared_fixture

URL = "https://news.example.org/live/storm"


def page(body: str, head: str = "", lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Live</title>'
        f"{head}</head><body><main>{body}</main></body></html>"
    )


def meta(name: str, stamp: str) -> str:
    return f'<meta property="article:{name}_time" content="{stamp}">'


def read(html: str, url: str = URL) -> ParsedDocument:
    return parse_liveblog(html, url)


def by_text(doc: ParsedDocument, words: str) -> ParsedItem:
    return next(item for item in doc.items if words in item.text or words in item.title)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# 1. Times shifted by hours --------------------------------------------------------------

GERMAN_TICKER = """<h1>Sturm über Hamburg</h1>
<h3>16.05 Uhr: Der Wind lässt nach</h3><p>Die Böen werden schwächer.</p>
<h3>12.31 Uhr: Hafen gesperrt</h3><p>Die Fähren fahren nicht.</p>"""


@pytest.mark.parametrize(
    ("lang", "day", "expected"),
    [
        ("de", "2025-03-14", [utc(2025, 3, 14, 15, 5), utc(2025, 3, 14, 11, 31)]),  # CET
        ("de-DE", "2025-07-14", [utc(2025, 7, 14, 14, 5), utc(2025, 7, 14, 10, 31)]),  # CEST
        ("de-AT", "2025-07-14", [utc(2025, 7, 14, 14, 5), utc(2025, 7, 14, 10, 31)]),
        ("de-CH", "2025-01-09", [utc(2025, 1, 9, 15, 5), utc(2025, 1, 9, 11, 31)]),
        ("en-GB", "2025-07-14", [utc(2025, 7, 14, 15, 5), utc(2025, 7, 14, 11, 31)]),  # BST
        ("en-GB", "2025-01-09", [utc(2025, 1, 9, 16, 5), utc(2025, 1, 9, 12, 31)]),  # GMT
    ],
)
def test_a_plus_zero_offset_is_a_server_default_and_the_page_s_country_sets_the_zone(
    lang: str, day: str, expected: list[datetime]
) -> None:
    """Metadata says +00:00 (or Z), the ticker's clocks are local: "12.31 Uhr" on a German
    page is 11:31 UTC in winter and 10:31 UTC in summer, not 12:31 UTC."""
    for offset in ("+00:00", "Z"):
        head = meta("published", f"{day}T08:00:00{offset}")
        doc = read(page(GERMAN_TICKER, head, lang))
        assert [item.published_at for item in doc.items] == expected


def test_a_blog_across_the_change_to_summer_time_is_right_on_both_sides() -> None:
    body = """<h3>03.30 Uhr: Nach der Umstellung</h3><p>Die Uhren gehen vor.</p>
    <h3>01.30 Uhr: Vor der Umstellung</h3><p>Noch Winterzeit.</p>"""
    doc = read(page(body, meta("published", "2025-03-30T00:10:00+00:00"), "de"))
    assert [item.published_at for item in doc.items] == [
        utc(2025, 3, 30, 1, 30),  # 03:30 CEST
        utc(2025, 3, 30, 0, 30),  # 01:30 CET
    ]


def test_a_non_zero_offset_on_the_page_is_believed_over_its_language() -> None:
    """An English page (no country) whose byline's <time> says +05:30: India's clocks."""
    body = (
        '<p class="byline">Updated <time datetime="2025-02-03T18:20:00+05:30">6.20 pm</time></p>'
        "<p>6:15 p.m.</p><p>The match is over.</p><p>2 p.m.</p><p>The toss is won.</p>"
    )
    doc = read(page(body, meta("published", "2025-02-03T08:00:00+00:00"), "en-GB"))
    assert [item.published_at for item in doc.items] == [
        utc(2025, 2, 3, 12, 45),
        utc(2025, 2, 3, 8, 30),
    ]


def test_a_country_with_several_zones_is_narrowed_by_the_page_s_last_change() -> None:
    """en-US: the newest update (4:14 p.m.) went up just before the page changed at 23:15
    UTC, which is Pacific time, not New York's."""
    body = "<p>4:14 p.m.</p><p>Evacuation lifted.</p><p>9 a.m.</p><p>Storm nears.</p>"
    head = meta("published", "2025-10-02T15:00:00Z") + meta("modified", "2025-10-02T23:15:00Z")
    doc = read(page(body, head, "en-US"))
    assert doc.items[0].published_at == utc(2025, 10, 2, 23, 14)
    assert doc.items[1].published_at == utc(2025, 10, 2, 16, 0)


def test_block_times_without_an_offset_are_local_on_a_plus_zero_page() -> None:
    body = "".join(
        f'<article id="e{n}"><time datetime="2025-03-14T{clock}:00">{clock}</time>'
        f"<p>Eintrag {n}.</p></article>"
        for n, clock in ((2, "12:31"), (1, "09:15"))
    )
    doc = read(page(body, meta("published", "2025-03-14T08:00:00+00:00"), "de"))
    assert [item.published_at for item in doc.items] == [
        utc(2025, 3, 14, 11, 31),
        utc(2025, 3, 14, 8, 15),
    ]


def test_json_ld_update_times_without_an_offset_are_local() -> None:
    updates = [
        {"@type": "BlogPosting", "@id": f"#u{n}", "headline": f"Eintrag {n}",
         "articleBody": f"Text {n}.", "datePublished": f"2025-07-14T{clock}:00"}
        for n, clock in ((2, "12:31"), (1, "09:15"))
    ]  # fmt: skip
    posting = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "datePublished": "2025-07-14T06:00:00+00:00",
        "liveBlogUpdate": updates,
    }
    head = f'<script type="application/ld+json">{json.dumps(posting)}</script>'
    doc = read(page("<p>Ticker</p>", head, "de-DE"))
    assert [item.published_at for item in doc.items] == [
        utc(2025, 7, 14, 10, 31),
        utc(2025, 7, 14, 7, 15),
    ]


def test_a_page_s_domain_names_its_country_when_its_language_does_not() -> None:
    doc = read(
        page(GERMAN_TICKER.replace("Uhr", ""), meta("published", "2025-07-14T08:00:00Z")),
        "https://www.example.ie/live",
    )
    assert doc.items[0].published_at == utc(2025, 7, 14, 15, 5)  # Dublin, summer: UTC+1


# 2. Update blocks timed by data attributes or a <time>'s text ----------------------------


def block(stamp_attribute: str, time_element: str, n: int, extra: str = "") -> str:
    return (
        f'<div class="post" id="post-{n}" {stamp_attribute}>{time_element}'
        f"<h2>Headline {n}</h2><p>Words of update {n}.</p>{extra}</div>"
    )


PICTURE = (
    '<figure><img src="https://img.example.org/{n}.jpg"><figcaption>Scene {n}</figcaption></figure>'
)


@pytest.mark.parametrize(
    ("attribute", "element"),
    [
        ('data-time="2025-05-01T{clock}:00+02:00"', ""),
        ('data-sort-time="{epoch}"', ""),
        ('data-timestamp="{epoch}000"', ""),
        ('data-post-time="{epoch}000"', ""),
        ("", '<span class="meta"><time>{clock}</time></span>'),
        ("", "<time>01.05.2025, {clock} Uhr</time>"),
    ],
)
def test_update_blocks_are_found_whatever_holds_their_time(attribute: str, element: str) -> None:
    times = {2: ("21:40", 1746128400), 1: ("20:55", 1746125700)}
    body = "".join(
        block(
            attribute.format(clock=clock, epoch=epoch),
            element.format(clock=clock),
            n,
            PICTURE.format(n=n) + ('<span data-key-event="true"></span>' if n == 2 else ""),
        )
        for n, (clock, epoch) in times.items()
    )
    head = meta("published", "2025-05-01T18:00:00+02:00")
    doc = read(page(f'<div class="feed">{body}</div>', head, "en"))
    assert [item.title for item in doc.items] == ["Headline 2", "Headline 1"]
    assert [item.published_at for item in doc.items] == [
        utc(2025, 5, 1, 19, 40),
        utc(2025, 5, 1, 18, 55),
    ]
    assert [image.caption for image in doc.items[0].images] == ["Scene 2"]
    assert [(item.key_event, item.pinned) for item in doc.items] == [(True, False), (False, False)]
    assert doc.items[1].text == "Words of update 1."


# 3. Flags read from values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "key_event", "pinned"),
    [
        ('data-key-event="false"', False, False),
        ('data-key-event="0" data-pinned="no"', False, False),
        ('data-key-event="true"', True, False),
        ("data-key-event", True, False),
        ('data-key-event="1" data-pinned="false"', True, False),
        ('data-is-pinned="yes"', False, True),
        ('data-type="key-event"', True, False),
        ('class="post post--pinned"', False, True),
        ('data-type="default" data-sticky="false"', False, False),
    ],
)
def test_key_event_and_pinned_flags_follow_attribute_values(
    attributes: str, key_event: bool, pinned: bool
) -> None:
    body = (
        f'<article id="u2" {attributes}><time datetime="2025-05-01T12:00:00Z">12:00</time>'
        f"<p>Second.</p></article>"
        '<article id="u1" data-key-event="false"><time datetime="2025-05-01T11:00:00Z">'
        "11:00</time><p>First.</p></article>"
    )
    doc = read(page(body))
    assert (doc.items[0].key_event, doc.items[0].pinned) == (key_event, pinned)
    assert (doc.items[1].key_event, doc.items[1].pinned) == (False, False)


# 4. Lazy-loaded pictures -------------------------------------------------------------------

REAL = "https://img.example.org/harbour-1600.jpg"


@pytest.mark.parametrize(
    "image",
    [
        f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="{REAL}">',
        f'<img src="/static/blank.gif" srcset="/small.jpg 400w, {REAL} 1600w, /mid.jpg 800w">',
        f'<img src="/img/placeholder.png" data-srcset="/small.jpg 1x, {REAL} 2x">',
        f'<img src="/spacer.gif" width="1" height="1" data-lazy-src="{REAL}">',
        '<img class="lazy" src="data:image/svg+xml,%3Csvg%3E">'
        f'<noscript><img src="{REAL}"></noscript>',
        f'<picture><source srcset="/a.webp 600w, {REAL} 1600w"><img src="/pixel.gif"></picture>',
    ],
)
def test_lazy_loaded_pictures_are_taken_from_where_the_real_one_is(image: str) -> None:
    body = "".join(
        f'<article id="u{n}"><time datetime="2025-05-01T1{n}:00:00Z">1{n}:00</time>'
        f"<p>Update {n}.</p>{image if n == 2 else ''}</article>"
        for n in (2, 1)
    )
    doc = read(page(body))
    assert [image.url for image in doc.items[0].images] == [REAL]


def test_a_picture_whose_name_only_starts_like_a_placeholder_is_kept() -> None:
    body = "".join(
        f'<article id="u{n}"><time datetime="2025-05-01T1{n}:00:00Z">1{n}:00</time>'
        f'<p>Update {n}.</p><img src="/img/pixel-art-show-{n}.jpg"></article>'
        for n in (2, 1)
    )
    doc = read(page(body))
    assert [image.url for image in doc.items[0].images] == [
        "https://news.example.org/img/pixel-art-show-2.jpg"
    ]


# 5. Captions and credits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Firefighters at work. Photograph: Jane Doe/AFP/Getty Images",
         ("Firefighters at work.", "Jane Doe/AFP/Getty Images")),
        ("Crowds at the vigil (Image: Getty)", ("Crowds at the vigil", "Getty")),
        ("Die gesperrte Brücke am Mittag. Foto: dpa", ("Die gesperrte Brücke am Mittag.", "dpa")),
        ("Der Bergsturz oberhalb des Dorfes. Bild: Keystone",
         ("Der Bergsturz oberhalb des Dorfes.", "Keystone")),
        ("Voters queue in Ohio. (AP Photo/John Doe)",
         ("Voters queue in Ohio.", "AP Photo/John Doe")),
        ("Smoke over the harbour on Tuesday AP", ("Smoke over the harbour on Tuesday", "AP")),
        ("Protesters in the square. Jane Doe / Reuters",
         ("Protesters in the square.", "Jane Doe / Reuters")),
        ("The new bridge © Stadt Dresden", ("The new bridge", "Stadt Dresden")),
        ("Photo: Jane Smith", ("", "Jane Smith")),
        ("The AP reporter at the scene", ("The AP reporter at the scene", "")),
    ],
)  # fmt: skip
def test_credit_is_split_from_the_caption(caption: str, expected: tuple[str, str]) -> None:
    assert split_credit(caption) == expected


def test_credit_elements_and_captions_stay_out_of_a_ticker_entry_s_text() -> None:
    body = """<p>The latest on the storm:</p>
    <p><strong>16:05</strong> – The pier is closed.</p>
    <figure><img src="https://img.example.org/pier.jpg">
      <figcaption><span class="caption-text">The closed pier</span>
      <span class="image-credit">Photo: Jane Doe / Reuters</span></figcaption></figure>
    <p>Police ask people to stay away.</p>
    <p><strong>09:15</strong> – The storm nears.</p>
    <div class="img-wrap"><img src="https://img.example.org/sky.jpg"></div>
    <p class="photo-caption">Dark clouds over the bay. Foto: dpa</p>
    <p>Winds reach 90 km/h.</p>"""
    doc = read(page(body, meta("published", "2025-05-01T08:00:00+02:00")))
    pier, sky = doc.items
    assert [(i.caption, i.credit) for i in pier.images] == [
        ("The closed pier", "Jane Doe / Reuters")
    ]
    assert [(i.caption, i.credit) for i in sky.images] == [("Dark clouds over the bay.", "dpa")]
    assert pier.text == "The pier is closed. Police ask people to stay away."
    assert sky.text == "The storm nears. Winds reach 90 km/h."


def test_mirror_captions_and_credits_match_the_independent_expected_output() -> None:
    """The Mirror page (Reach CMS: `span.caption` and `span.credit "(Image: …)"` in a
    figcaption beside the figure): fundus' expected output gives each picture's caption and
    credit ("authors") separately."""
    folder = "fundus/tests/resources/parser/test_data/uk"
    raw = shared_fixture(f"{folder}/TheMirror_2024_08_05.html.gz")
    expected = json.loads(shared_fixture(f"{folder}/TheMirror.json"))["V1_1"]["images"]
    doc = read(raw.decode(), "https://www.mirror.co.uk/news/uk-news/live")
    found = {image.url: image for item in doc.items for image in item.images}
    compared = 0
    for picture in expected:
        url = picture["versions"][0]["url"]
        if not picture["authors"] or url not in found:
            continue
        assert (found[url].caption, found[url].credit) == (
            picture["caption"],
            picture["authors"][0],
        )
        compared += 1
    assert compared >= 5
    assert not any("Image:" in image.caption for image in found.values())


def _caption_credit_pairs(data: object) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        if isinstance(data.get("caption"), str) and isinstance(data.get("credit"), str):
            yield data["caption"], data["credit"]
        for value in data.values():
            yield from _caption_credit_pairs(value)
    elif isinstance(data, list):
        for value in data:
            yield from _caption_credit_pairs(value)


def test_guardian_credits_as_the_guardian_prints_them_are_split_off() -> None:
    """The Guardian's page model keeps caption and credit ("Photograph: NASA/AFP/Getty
    Images") apart and prints them one after the other: reading the printed line back gives
    the two again."""
    folder = SHARED_FIXTURES / "guardian-dotcom-rendering"
    models = sorted(folder.rglob("LiveBlog*.json")) + sorted(folder.rglob("Live.json"))
    if not models:
        pytest.skip("Guardian live-blog fixtures are absent (see ../shared/fixtures/README.md)")
    pairs = {
        (caption.strip(), credit.strip())
        for model in models
        for caption, credit in _caption_credit_pairs(json.loads(model.read_text()))
        if caption.strip() and credit.strip().startswith("Photograph:")
    }
    assert len(pairs) >= 5
    for caption, credit in pairs:
        assert split_credit(f"{caption} {credit}") == (caption, credit.split(":", 1)[1].strip())


# 6. The ticker's end -----------------------------------------------------------------------


def test_the_last_ticker_entry_does_not_swallow_what_follows_the_ticker() -> None:
    body = """<div class="article-body">
    <p>Wir berichten im Ticker:</p>
    <h3>16.05 Uhr: Pegel sinkt</h3><p>Der Pegel fällt weiter.</p>
    <h3>12.31 Uhr: Brücke gesperrt</h3><p>Die Brücke ist zu.</p>
    <p>(dpa/AFP)</p>
    <div class="share-box"><a href="/share">Teilen</a> <a href="/mail">E-Mail</a></div>
    <ul class="list"><li><a href="/a">Hochwasser 2013: was die Stadt lernte</a>
      <time>12.03.2025</time> · Von Anna Beispiel</li>
    <li><a href="/b">Deiche werden erhöht</a> <time>01.02.2025</time></li></ul>
    <p>Mehr zum Thema</p></div>"""
    doc = read(page(body, meta("published", "2025-03-14T08:00:00+01:00"), "de"))
    assert [item.title for item in doc.items] == ["Pegel sinkt", "Brücke gesperrt"]
    assert doc.items[1].text == "Die Brücke ist zu."


def test_a_paragraph_ticker_stops_at_the_related_stories_after_it() -> None:
    body = """<article><p>The latest:</p>
    <p>4:14 p.m.</p><p>The order is lifted.</p>
    <p>9 a.m.</p><p>The storm nears.</p>
    <p>With reporting by Jane Doe in Miami.</p>
    <h2>Related stories</h2>
    <p><a href="/x">Storm season: what to know</a> Oct. 1, 2025</p></article>
    <section class="related-articles"><p><a href="/y">Older story</a></p></section>"""
    doc = read(page(body, meta("published", "2025-10-02T09:00:00-04:00")))
    assert [item.text for item in doc.items] == ["The order is lifted.", "The storm nears."]


def test_an_entry_s_own_paragraphs_that_name_sources_do_not_end_it() -> None:
    body = """<p>4:14 p.m.</p><p>The order is lifted.</p>
    <p>Sources say the governor will speak at five.</p>
    <p>9 a.m.</p><p>The storm nears.</p>"""
    doc = read(page(body, meta("published", "2025-10-02T09:00:00-04:00")))
    assert doc.items[0].text == "The order is lifted. Sources say the governor will speak at five."


def test_advertisements_between_an_entry_s_paragraphs_do_not_end_it() -> None:
    body = """<p>4:14 p.m.</p><p>The order is lifted.</p>
    <div class="ad-slot"><script>ads()</script></div><!-- text -->
    <p>Residents may return.</p>
    <p>9 a.m.</p><p>The storm nears.</p>"""
    doc = read(page(body, meta("published", "2025-10-02T09:00:00-04:00")))
    assert doc.items[0].text == "The order is lifted. Residents may return."


# 7. Labels used as flags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "key_event", "pinned"),
    [
        ("<mark>KEY EVENT</mark>", True, False),
        ('<span class="badge">Key event</span>', True, False),
        ("<strong>Wichtiges Ereignis</strong>", True, False),
        ('<div class="tag">Pinned</div>', False, True),
        ("<b>Angepinnt:</b>", False, True),
    ],
)
def test_a_label_used_as_the_flag_sets_it_and_leaves_the_text(
    label: str, key_event: bool, pinned: bool
) -> None:
    blocks = (
        f'<article id="u2"><time datetime="2025-05-01T12:00:00Z">12:00</time>{label}'
        "<h2>Dam holds</h2><p>The dam is holding.</p></article>"
        '<article id="u1"><time datetime="2025-05-01T11:00:00Z">11:00</time>'
        "<p>Rain starts.</p></article>"
    )
    ticker = (
        f"<h3>16.05 Uhr: Damm hält</h3><p>{label} Der Damm hält.</p>"
        "<h3>12.31 Uhr: Regen</h3><p>Es regnet.</p>"
    )
    for body, text in ((blocks, "The dam is holding."), (ticker, "Der Damm hält.")):
        doc = read(page(body, meta("published", "2025-05-01T08:00:00+02:00")))
        flagged, other = sorted(doc.items, key=lambda item: text != item.text)
        assert (flagged.key_event, flagged.pinned) == (key_event, pinned)
        assert flagged.text == text
        assert (other.key_event, other.pinned) == (False, False)


def test_corkbeo_updates_hold_the_story_and_nothing_around_it() -> None:
    """trafilatura's evaluation data says which sentences of this page are its text and
    which (newsletter box, corrections link, teasers) are not. Its first sentence opens the
    blog's lead ("Tonight at midnight …"), which is no update."""
    url = "https://www.corkbeo.ie/news/local-news/level-3-live-cork-ireland-19056312"
    expected = json.loads(shared_fixture("trafilatura/tests/evaldata.json"))[url]
    doc = read(shared_fixture("trafilatura/tests/eval/corkbeo.ie.level.html").decode(), url)
    texts = " ".join(f"{item.title} {item.text}" for item in doc.items)
    assert all(snippet in texts for snippet in expected["with"][1:])
    assert not any(snippet in texts for snippet in expected["without"])
    assert sum(item.key_event for item in doc.items) == 1
    assert not any(item.text.upper().startswith("KEY EVENT") for item in doc.items)


def test_sportowefakty_times_stay_on_its_local_clock() -> None:
    """A Polish page (lang pl) whose updates say "19:30" in a <time>: Warsaw time."""
    raw = shared_fixture("trafilatura/tests/eval/sportowefakty.wp.pl.falubaz.html")
    doc = read(raw.decode(), "https://sportowefakty.wp.pl/zuzel/relacja/110331")
    moments = [item.published_at for item in doc.items if item.published_at is not None]
    assert min(moments).astimezone(UTC).hour >= 15  # an evening meeting, 17:00+ CEST


# 8. JSON-LD beside the blocks the page shows -------------------------------------------------


def posting(updates: list[dict[str, object]], **page: object) -> str:
    data = {"@context": "https://schema.org", "@type": "LiveBlogPosting", **page}
    data["liveBlogUpdate"] = [{"@type": "BlogPosting", **update} for update in updates]
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def two_updates(newer: tuple[str, str], older: tuple[str, str]) -> list[dict[str, object]]:
    """JSON-LD updates p2 (12:00) and p1 (11:00) with these headlines and bodies."""
    return [
        {"url": f"{URL}#p{n}", "headline": headline, "articleBody": text,
         "datePublished": f"2025-05-01T1{n}:00:00Z"}
        for n, (headline, text) in ((2, newer), (1, older))
    ]  # fmt: skip


def entry(bid: str, stamp: str, inner: str, cls: str = "live-entry") -> str:
    return f'<article id="{bid}" class="{cls}"><time datetime="{stamp}"></time>{inner}</article>'


def test_an_update_the_page_shows_keeps_its_list_and_paragraphs_not_the_json_ld_text() -> None:
    """JSON-LD bodies are plain text, often cut short: the block the page shows is read."""
    updates = two_updates(("Closures", "The council lists what closes."), ("Rain", "It rains."))
    body = entry(
        "p2", "2025-05-01T12:00:00Z",
        "<h2>Closures</h2><p>The council lists what closes.</p>"
        "<ul><li>Libraries</li><li>Museums</li></ul><p>Schools stay open.</p>",
    ) + entry("p1", "2025-05-01T11:00:00Z", "<h2>Rain</h2><p>It rains.</p>")  # fmt: skip
    doc = read(page(body, posting(updates, headline="Storm live")))
    closures = by_text(doc, "Closures")
    assert closures.html.count("<li>") == 2
    assert closures.html.count("<p>") == 2
    assert "Schools stay open." in closures.text


def test_a_block_shown_collapsed_leaves_the_fuller_json_ld_body() -> None:
    long = "Officials said the river would crest overnight. " * 6
    updates = two_updates(("Crest", long), ("Rain", "It rains."))
    body = entry("p2", "2025-05-01T12:00:00Z", "<h2>Crest</h2><p>Officials said…</p>") + entry(
        "p1", "2025-05-01T11:00:00Z", "<h2>Rain</h2><p>It rains.</p>"
    )
    doc = read(page(body, posting(updates)))
    assert by_text(doc, "Crest").text == long.strip()


def test_page_values_copied_onto_every_update_give_way_to_the_blocks() -> None:
    """A CMS that gives every update the page's headline, time and authors: the blocks'
    headings, times and bylines are the updates' own."""
    page_time, page_title = "2025-05-01T17:25:00Z", "Storm live: all the latest"
    copied = {"headline": page_title, "datePublished": page_time,
              "author": [{"name": "Ann Desk"}, {"name": "Ben Desk"}]}  # fmt: skip
    updates = [{"url": f"{URL}#p{n}", **copied, "articleBody": f"Entry {n}."} for n in (3, 2, 1)]
    body = "".join(
        entry(f"p{n}", f"2025-05-01T1{n}:00:00Z",
              f'<h2>Heading {n}</h2><p class="byline">By Cara Field</p><p>Entry {n}.</p>')
        for n in (3, 2, 1)
    )  # fmt: skip
    doc = read(page(body, posting(updates, headline=page_title, dateModified=page_time)))
    assert [item.title for item in doc.items] == ["Heading 3", "Heading 2", "Heading 1"]
    assert [item.published_at for item in doc.items] == [
        utc(2025, 5, 1, 13, 0), utc(2025, 5, 1, 12, 0), utc(2025, 5, 1, 11, 0)
    ]  # fmt: skip
    assert {item.author for item in doc.items} == {"Cara Field"}


def test_a_pinned_post_left_out_of_the_json_ld_is_still_read_but_not_a_teaser() -> None:
    updates = [
        {"url": f"{URL}#p{n}", "headline": f"Entry {n}", "articleBody": f"Text {n}.",
         "datePublished": f"2025-05-01T1{n}:00:00Z"}
        for n in (2, 1)
    ]  # fmt: skip
    body = (
        entry(
            "pin",
            "2025-05-01T09:00:00Z",
            "<p>Pinned</p><h2>Summary</h2><p>What we know.</p>",
            cls="live-entry is-pinned",
        )
        + "".join(entry(f"p{n}", f"2025-05-01T1{n}:00:00Z", f"<p>Text {n}.</p>") for n in (2, 1))
        + entry("t9", "2025-04-30T08:00:00Z", "<h3>Older story</h3>", cls="teaser-card")
    )
    doc = read(page(body, posting(updates)))
    assert sorted(item.title for item in doc.items) == ["Entry 1", "Entry 2", "Summary"]
    assert by_text(doc, "Summary").pinned


def test_json_ld_updates_without_an_id_are_each_kept() -> None:
    updates = [
        {"headline": "Bridge shut", "datePublished": "2025-05-01T12:00:00Z", "text": "Shut."},
        {"headline": "Ferry stops", "datePublished": "2025-05-01T11:00:00Z", "text": "Stop."},
    ]
    doc = read(page("<p>Follow the storm.</p>", posting(updates)))
    assert [item.title for item in doc.items] == ["Bridge shut", "Ferry stops"]
    assert len({item.canonical_url for item in doc.items}) == 2  # each its own address
    assert read(page("<p>Follow the storm.</p>", posting(updates))) == doc  # and keeps it


def test_corkbeo_updates_keep_their_lists() -> None:
    """A real page whose JSON-LD bodies are plain text: the council's list of closures is a
    list of nine in the update the page shows."""
    url = "https://www.corkbeo.ie/news/local-news/level-3-live-cork-ireland-19056312"
    doc = read(shared_fixture("trafilatura/tests/eval/corkbeo.ie.level.html").decode(), url)
    council = by_text(doc, "Cork County Council share update on services")
    assert council.html.count("<li>") == 9
    assert "click and collect" in council.text


@pytest.mark.parametrize("order", ["newest first", "oldest first"])
def test_a_ticker_across_midnight_is_dated_either_way_it_runs(order: str) -> None:
    """00:15 after 23:40 is 35 minutes later, not 23 hours earlier: with three entries the
    direction is no tie, and no entry is dated after the page last changed."""
    entries = [("00.15", "Pegel sinkt"), ("23.40", "Brücke gesperrt"), ("22.05", "Keller voll")]
    if order == "oldest first":
        entries.reverse()
    body = "".join(f"<h3>{clock} Uhr: {words}</h3><p>{words}.</p>" for clock, words in entries)
    head = meta("published", "2025-03-14T20:00:00+01:00") + meta(
        "modified", "2025-03-15T00:20:00+01:00"
    )
    doc = read(page(body, head, "de"))
    assert [(item.title, item.published_at) for item in doc.items] == [
        ("Pegel sinkt", utc(2025, 3, 14, 23, 15)),
        ("Brücke gesperrt", utc(2025, 3, 14, 22, 40)),
        ("Keller voll", utc(2025, 3, 14, 21, 5)),
    ]


def test_read_more_pointers_to_other_stories_are_no_part_of_an_update() -> None:
    updates = two_updates(
        ("Arrests", 'Arrests are ongoing. Read more: <b><a href="/other">Riot spreads</a></b>'),
        ("Roads", "Roads are shut."),
    )
    body = entry(
        "p1", "2025-05-01T11:00:00Z",
        '<h2>Roads</h2><p>Roads are shut.</p><p>Lesen Sie auch: <a href="/x">Was wir wissen</a></p>'
        '<p>Read more about detours in <a href="/d">our guide</a>, updated each hour.</p>',
    ) + entry("p2", "2025-05-01T12:00:00Z", "<h2>Arrests</h2>")  # fmt: skip
    doc = read(page(body, posting(updates)))
    assert by_text(doc, "Arrests").text == "Arrests are ongoing."
    roads = by_text(doc, "Roads")
    assert "Was wir wissen" not in roads.text
    assert "Read more about detours" in roads.text  # a sentence of the update, kept


def test_the_mirror_s_updates_end_without_their_read_more_links() -> None:
    raw = shared_fixture("fundus/tests/resources/parser/test_data/uk/TheMirror_2024_08_05.html.gz")
    doc = read(raw.decode(), "https://www.mirror.co.uk/news/uk-news/live")
    assert len(doc.items) == 428
    assert not [item.external_id for item in doc.items if "Read more" in item.text]


def test_a_block_is_an_update_s_only_when_its_id_is_that_update_s() -> None:
    """ "post-12" shows update "12", never update "2"; a teaser beside class-less updates
    is no update."""
    updates = [
        {"url": f"{URL}#{n}", "headline": f"Head {n}", "articleBody": f"Body {n}.",
         "datePublished": f"2025-05-01T{n:02d}:00:00Z"}
        for n in range(12, 0, -1)
    ]  # fmt: skip
    body = "".join(
        f'<div id="post-{n}"><time datetime="2025-05-01T{n:02d}:00:00Z"></time>'
        f"<h2>Head {n}</h2><p>Body {n}, as the page shows it.</p></div>"
        for n in (12, 11, 10)
    ) + (
        '<aside><div id="story-987" class="teaser-card">'
        '<time datetime="2025-04-30T08:00:00Z"></time><h3>Another story</h3></div></aside>'
    )
    doc = read(page(body, posting(updates)))
    assert len(doc.items) == 12
    texts = {item.title: item.text for item in doc.items}
    assert texts["Head 12"] == "Body 12, as the page shows it."
    assert texts["Head 2"] == "Body 2."
    assert texts["Head 1"] == "Body 1."


def test_read_more_inside_a_sentence_is_left_alone() -> None:
    body = entry(
        "p1", "2025-05-01T11:00:00Z",
        '<h2>Fire</h2><p>The fire could spread more <a href="/m">quickly tonight</a></p>'
        '<p>Residents can read more <a href="/g">in the council guide</a></p>',
    ) + entry("p2", "2025-05-01T12:00:00Z", "<h2>Smoke</h2><p>Smoke rises.</p>")  # fmt: skip
    fire = by_text(read(page(body)), "Fire")
    assert "spread more quickly tonight" in fire.text
    assert "read more in the council guide" in fire.text


def test_a_same_day_ticker_with_a_long_gap_stays_on_its_day() -> None:
    """21.30, 20.15, 07.40 on a page last changed at 21.35: one day, newest first."""
    entries = [("21.30", "Abend"), ("20.15", "Später"), ("07.40", "Morgen")]
    body = "".join(f"<h3>{clock} Uhr: {words}</h3><p>{words}.</p>" for clock, words in entries)
    head = meta("published", "2025-03-14T07:30:00+01:00") + meta(
        "modified", "2025-03-14T21:35:00+01:00"
    )
    for shown in (entries, entries[1:]):
        body = "".join(f"<h3>{c} Uhr: {w}</h3><p>{w}.</p>" for c, w in shown)
        doc = read(page(body, head, "de"))
        assert {item.published_at.date() for item in doc.items if item.published_at} == {
            datetime(2025, 3, 14).date()
        }


def test_a_subhead_page_s_last_update_ends_before_the_credits_and_promo() -> None:
    """National Post's AP "latest" page: after the last subhead's paragraphs come a reporting
    credit and a newsletter promo, which are no part of that update."""
    raw = shared_fixture(
        "fundus/tests/resources/parser/test_data/ca/NationalPost_2025_05_08.html.gz"
    )
    doc = parse_document("liveblog", raw.decode(), "https://nationalpost.com/news/world/live")
    assert len(doc.items) == 32
    last = by_text(doc, "calls Indian action an ‘act of war’")
    assert last.text.endswith("succeed in its nefarious objectives.”")
    assert not [item.title for item in doc.items if "newsletter" in item.text]


def test_captions_lose_the_separator_their_credit_stood_behind() -> None:
    raw = shared_fixture(
        "fundus/tests/resources/parser/test_data/ca/NationalPost_2025_05_08.html.gz"
    )
    doc = parse_document("liveblog", raw.decode(), "https://nationalpost.com/news/world/live")
    images = [image for item in doc.items for image in item.images]
    assert len(images) >= 10
    assert not [image.caption for image in images if image.caption.endswith("/")]
    assert {image.credit for image in images} >= {"Asim Tanveer / AP", "AFP via Getty Images"}


def test_the_rule_between_ap_entries_is_no_part_of_an_update() -> None:
    """SFGate's copy of AP's "The Latest" puts "___" between its entries."""
    name = "5caf91b8a4423735f866b089d2611ea14503584cf3b6f487c6d26eb7b9521fca.html.gz"
    raw = shared_fixture(f"article-extraction-benchmark/html/{name}")
    doc = parse_document("liveblog", raw.decode(), "https://www.sfgate.com/news/article/latest")
    assert len(doc.items) == 2
    assert not [item.text for item in doc.items if "___" in item.text]
