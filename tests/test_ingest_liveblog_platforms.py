"""Live blogs written by the platforms many publishers share: WordPress VIP Liveblog (its
normal and AMP pages), AMP live lists, liveblog.pro (Sourcefabric Live Blog), CNN's live
stories, 24liveblog embeds with their plugin's JSON-LD; and each update's own permalink and
last change. Each page here is small and written by hand in the shape those platforms'
templates print, so that every publisher on them is read right: every update and none extra,
right times, key events, the author named but not in the words, the real picture and not the
writer's face."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dateline.ingest.parsers.items import ParsedDocument
from dateline.ingest.parsers.liveblogs import parse_liveblog

URL = "https://news.example.org/live/event"


def page(body: str, head: str = "", lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Live</title>'
        f"{head}</head><body><main>{body}</main></body></html>"
    )


def read(html: str) -> ParsedDocument:
    return parse_liveblog(html, URL)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# WordPress VIP Liveblog: a meta header (avatar, author, date and time as text) above each
# entry's words; key events carry the class "type-key".


def wordpress_entry(n: int, epoch: int, clock: str, words: str, kind: str = "") -> str:
    return f"""<div id="liveblog-entry-{n}" class="liveblog-entry {kind}" data-timestamp="{epoch}">
      <header class="liveblog-meta">
        <span class="liveblog-author-avatar"><img alt="" class="avatar avatar-30 photo"
          src="https://secure.gravatar.com/avatar/{n}?s=30" height="30" width="30"></span>
        <span class="liveblog-author-name"><a href="/author/jane/">Jane Doe</a></span>
        <span class="liveblog-meta-time"><a href="#liveblog-entry-{n}"><span class="date">
          September 9, 2024</span><span class="time">{clock}</span></a></span>
      </header>
      <div class="liveblog-entry-text">{words}</div>
    </div>"""


WORDPRESS = "".join(
    [
        wordpress_entry(
            3,
            1725906000,
            "18:20",
            '<p>The phone is official.</p><p><img src="/uploads/phone.jpg" width="800" '
            'height="600" alt="The new phone"></p>',
            "type-key",
        ),
        wordpress_entry(2, 1725904800, "18:00", "<p>The keynote starts.</p>"),
    ]
)


def test_wordpress_liveblog_key_events_are_flagged_by_their_type_key_class() -> None:
    doc = read(page(f'<div id="liveblog-entries">{WORDPRESS}</div>'))
    assert [(item.key_event, item.pinned) for item in doc.items] == [(True, False), (False, False)]


def test_the_entry_s_byline_and_shown_time_name_the_author_and_stay_out_of_its_words() -> None:
    doc = read(page(f'<div id="liveblog-entries">{WORDPRESS}</div>'))
    assert [item.text for item in doc.items] == ["The phone is official.", "The keynote starts."]
    assert [item.title for item in doc.items] == ["The phone is official.", "The keynote starts."]
    assert [item.author for item in doc.items] == ["Jane Doe", "Jane Doe"]
    assert [item.published_at for item in doc.items] == [
        utc(2024, 9, 9, 18, 20),
        utc(2024, 9, 9, 18, 0),
    ]


def test_the_writer_s_avatar_is_no_picture_of_the_update() -> None:
    doc = read(page(f'<div id="liveblog-entries">{WORDPRESS}</div>'))
    assert [[image.url for image in item.images] for item in doc.items] == [
        ["https://news.example.org/uploads/phone.jpg"],
        [],
    ]


# AMP live lists (WordPress Liveblog's AMP pages, among others): `data-sort-time` written as
# YYYYMMDDhhmmss, deleted items kept in the list with `data-tombstone`.


def amp_item(stamp: str, words: str, extra: str = "") -> str:
    return f"""<div class="liveblog-entry" id="post{stamp}" data-sort-time="{stamp}" {extra}>
      <aside class="liveblog-entry-aside"><a class="liveblog-meta-time" href="#">
        <span>5 minutes ago</span></a></aside>
      <div class="liveblog-entry-main"><header class="liveblog-header">
        <div class="liveblog-meta-authors"><span class="liveblog-author-name">John Roe</span>
        </div></header>
      <div class="liveblog-entry-content"><p>{words}</p></div></div></div>"""


AMP = f"""<amp-live-list layout="container" data-poll-interval="15000" id="live-list">
  <button update on="tap:live-list.update">You have updates</button>
  <div items>
    {amp_item("20241106021500", "Polls close in California.")}
    {amp_item("20241106015500", "This entry was deleted.", "data-tombstone")}
    {amp_item("20241106014500", "Turnout in Ohio is above 2020.")}
  </div></amp-live-list>"""


def test_an_amp_sort_time_written_as_digits_of_a_date_is_that_date() -> None:
    doc = read(page(AMP, lang="en-GB"))
    assert [item.published_at for item in doc.items] == [
        utc(2024, 11, 6, 2, 15),  # November: London is on UTC
        utc(2024, 11, 6, 1, 45),
    ]


def test_items_an_amp_live_list_marks_deleted_are_no_updates() -> None:
    doc = read(page(AMP, lang="en-GB"))
    assert [item.text for item in doc.items] == [
        "Polls close in California.",
        "Turnout in Ohio is above 2020.",
    ]
    assert [item.author for item in doc.items] == ["John Roe", "John Roe"]


# liveblog.pro (Sourcefabric Live Blog): posts with `data-post-id` and no `id`, times in
# `data-js-timestamp`, highlighted posts as key events, a credit label before the credit.


def lb_post(post: str, stamp: str, words: str, kind: str = "", more: str = "") -> str:
    return f"""<article class="lb-post list-group-item show-author-avatar text {kind}"
        data-post-id="{post}" data-post-sticky="false">
      <div class="lb-post-header"><div class="lb-post-metadata">
        <span class="lb-post-metadata__time"><span class="relativeDate"
          data-js-timestamp="{stamp}" data-js-format="LT">{stamp}</span> <span>Uhr</span></span>
        <span class="lb-post-metadata__date relativeDate" data-js-timestamp="{stamp}"
          data-js-format="LL">{stamp}</span></div>
        <div class="lb-author"><span class="lb-author__name">Anna Schmidt</span>
          <img class="lb-author__avatar" src="https://lb.example.org/avatars/anna.jpg"></div>
      </div>
      <div class="lb-items-container"><div class="lb-item text"><article><p>{words}</p>
      </article></div>{more}</div>
      <div class="lb-post-updated"><span>Aktualisiert</span> <span
        class="lb-post-updated-time relativeDate" data-js-timestamp="{stamp}">{stamp}</span></div>
    </article>"""


PICTURE = """<div class="lb-item image"><figure><img src="https://lb.example.org/thumb.jpg"
  srcset="https://lb.example.org/base.jpg 810w, https://lb.example.org/thumb.jpg 240w,
  https://lb.example.org/view.jpg 540w" alt="Wahlparty">
  <figcaption><span class="caption">Wahlparty in Dresden</span>&nbsp;<span>Foto:</span>
  <span class="credit">dpa</span></figcaption></figure></div>"""

LIVEBLOG_PRO = (
    '<section data-timeline-normal class="lb-posts list-group normal">'
    + lb_post("urn:post:b", "2024-09-01T17:10:00+00:00", "Erste Hochrechnung.",
              "lb-post--highlighted", PICTURE)
    + lb_post("urn:post:a", "2024-09-01T16:00:00+00:00", "Die Wahllokale sind zu.")
    + "</section>"
)  # fmt: skip


def test_liveblog_pro_posts_are_found_by_their_post_id_and_script_timestamp() -> None:
    doc = read(page(LIVEBLOG_PRO, lang="de"))
    assert [item.external_id for item in doc.items] == ["urn:post:b", "urn:post:a"]
    assert [item.url for item in doc.items] == [f"{URL}#urn:post:b", f"{URL}#urn:post:a"]
    assert [item.published_at for item in doc.items] == [
        utc(2024, 9, 1, 17, 10),
        utc(2024, 9, 1, 16, 0),
    ]
    assert [item.text for item in doc.items] == ["Erste Hochrechnung.", "Die Wahllokale sind zu."]
    assert [(item.key_event, item.pinned) for item in doc.items] == [(True, False), (False, False)]
    assert [item.author for item in doc.items] == ["Anna Schmidt", "Anna Schmidt"]


def test_the_largest_listed_size_and_the_credit_without_its_label_are_taken() -> None:
    doc = read(page(LIVEBLOG_PRO, lang="de"))
    [image] = doc.items[0].images
    assert (image.url, image.caption, image.credit) == (
        "https://lb.example.org/base.jpg",
        "Wahlparty in Dresden",
        "dpa",
    )


# What these rules must leave alone.


def test_a_src_the_srcset_does_not_list_is_kept_as_the_original() -> None:
    body = "".join(
        f'<article id="u{n}"><time datetime="2025-05-01T1{n}:00:00Z">1{n}:00</time>'
        f'<p>Update {n}.</p><img src="https://img.example.org/original-{n}.jpg" '
        f'srcset="https://img.example.org/resized-{n}.jpg 960w"></article>'
        for n in (2, 1)
    )
    doc = read(page(body))
    assert doc.items[0].images[0].url == "https://img.example.org/original-2.jpg"


def test_a_duration_named_time_and_a_long_block_named_author_stay_words() -> None:
    body = "".join(
        f'<div id="heat-{n}" class="result author-box"><time datetime="2025-05-01T1{n}:00:00Z">'
        f'</time><span class="result__time">6{n}.06 sek.</span><p>Heat {n}: a clean start '
        "from the tapes, and the home pair led from the first bend to the flag.</p></div>"
        for n in (2, 1)
    )
    doc = read(page(body))
    assert [item.text for item in doc.items] == [
        f"6{n}.06 sek. Heat {n}: a clean start from the tapes, and the home pair led from the "
        "first bend to the flag."
        for n in (2, 1)
    ]


def test_a_short_update_whose_own_class_names_its_author_keeps_its_picture() -> None:
    body = "".join(
        f'<article id="u{n}" class="post author-jane"><time datetime="2025-05-01T1{n}:00:00Z">'
        f'</time><p>Update {n}.</p><img src="https://img.example.org/scene-{n}.jpg"></article>'
        for n in (2, 1)
    )
    doc = read(page(body))
    assert [item.text for item in doc.items] == ["Update 2.", "Update 1."]
    assert doc.items[0].images[0].url == "https://img.example.org/scene-2.jpg"


# A stream of posts whose contributor and role follow the words and whose footer holds the
# share tools (BBC's live pages), the time a bare clock in a <time>.


def stream_post(n: int, clock: str, title: str, words: str, name: str, role: str) -> str:
    return f"""<li class="lx-stream__post-container"><article id="post_{n}" class="lx-stream-post">
      <div class="lx-stream-post__meta"><time class="lx-stream-post__meta-time"><span
        class="qa-post-auto-meta">{clock}</span><span class="gs-u-vh">posted at {clock}</span>
      </time></div>
      <header class="lx-stream-post__header"><h3 class="lx-stream-post__header-title"><span
        class="lx-stream-post__header-text">{title}</span></h3></header>
      <div class="lx-stream-post__body"><div class="lx-stream-post-body"><p>{words}</p></div>
        <p class="qa-contributor-name lx-stream-post__contributor-name">{name}</p>
        <p class="qa-contributor-role lx-stream-post__contributor-description">{role}</p></div>
      <footer class="lx-stream-post__footer"><div class="lx-share-tools"><button>Share</button>
        <ul><li><a href="#">share on Facebook</a></li><li><a href="#">share on X</a></li></ul>
      </div></footer></article></li>"""


STREAM = (
    '<ol class="lx-stream__feed">'
    + stream_post(2, "13:01", "Trees down", "Roads are blocked.", "Jane Doe", "BBC News, Truro")
    + stream_post(1, "12:45", "Red warning", "Gusts of 90mph.", "John Roe", "Weather presenter")
    + "</ol>"
)


def test_contributor_lines_and_share_tools_stay_out_of_the_words() -> None:
    head = '<meta property="article:modified_time" content="2023-11-02T13:05:00+00:00">'
    doc = read(page(STREAM, head, "en-GB"))
    assert [(item.title, item.text, item.author) for item in doc.items] == [
        ("Trees down", "Roads are blocked.", "Jane Doe"),
        ("Red warning", "Gusts of 90mph.", "John Roe"),
    ]
    assert [item.published_at for item in doc.items] == [
        utc(2023, 11, 2, 13, 1),  # November: London is on UTC
        utc(2023, 11, 2, 12, 45),
    ]


def test_a_byline_s_by_is_dropped_and_a_social_list_is_no_part_of_the_words() -> None:
    body = "".join(
        f"""<div id="liveblog-entry-{n}" class="liveblog-entry">
          <div class="liveblog-date"><a href="/e/{n}/"><span data-timestamp="{epoch}">{shown}
          </span></a></div>
          <div class="liveblog-paragraph"><h4><a href="/e/{n}/">Headline {n}</a></h4>
            <div class="byline">By Emanuel Fabian</div><p>Words of update {n}.</p>
            <ul class="social liveblog-social"><li><a href="#">Facebook</a></li>
              <li><a href="#">Email</a></li></ul></div></div>"""
        for n, epoch, shown in ((2, 1700163000, "9:30 pm"), (1, 1700160000, "8:40 pm"))
    )
    doc = read(page(body, lang="en-US"))
    assert [(item.title, item.text, item.author) for item in doc.items] == [
        ("Headline 2", "Words of update 2.", "Emanuel Fabian"),
        ("Headline 1", "Words of update 1.", "Emanuel Fabian"),
    ]
    assert [item.published_at for item in doc.items] == [
        utc(2023, 11, 16, 19, 30),
        utc(2023, 11, 16, 18, 40),
    ]


def test_a_quote_s_author_stays_with_the_quote_and_names_no_writer() -> None:
    body = "".join(
        f'<article id="u{n}"><time datetime="2025-05-01T1{n}:00:00Z"></time><p>Update {n}.</p>'
        '<blockquote class="quote"><p>We will rebuild.</p>'
        '<span class="quote-author">The mayor</span></blockquote></article>'
        for n in (2, 1)
    )
    doc = read(page(body))
    assert doc.items[0].text == "Update 2. We will rebuild. The mayor"
    assert doc.items[0].author == ""


def test_a_phrase_marked_highlighted_in_the_text_is_no_key_event() -> None:
    body = "".join(
        f'<article id="u{n}"><time datetime="2025-05-01T1{n}:00:00Z"></time><p>Update {n} '
        '<span class="highlighted">in bold colour</span>.</p></article>'
        for n in (2, 1)
    )
    doc = read(page(body))
    assert [item.key_event for item in doc.items] == [False, False]


# An update's own permalink and when it last changed.
# WordPress Liveblog's AMP entry template (Automattic/liveblog templates/amp/entry.php) names
# an entry `id="post<update time>"`, a new id at every edit; its share buttons carry the
# entry's permalink, `<amp-social-share data-param-url="…?liveblog_id=<entry id>">`
# (class-wpcom-liveblog-amp.php, build_single_entry_permalink).

AMP_PAGE = "https://news.example.org/2024/11/05/election/amp/"


def wordpress_amp_entry(entry_id: int, sort: int, update: int, words: str) -> str:
    share = "".join(
        f'<amp-social-share type="{kind}" width="45" height="33" '
        f'data-param-url="{AMP_PAGE}?liveblog_id={entry_id}"></amp-social-share>'
        for kind in ("twitter", "facebook")
    )
    return f"""<div class="liveblog-entry" id="post{update}" data-sort-time="{sort}">
      <aside class="liveblog-entry-aside"><a class="liveblog-meta-time" href="#"
        target="_blank"><span>5 mins ago</span><span>November 5, 2024 </span></a></aside>
      <div class="liveblog-entry-main"><header class="liveblog-meta-authors">
        <span class="liveblog-author-name">Jane Doe</span></header>
      <div class="liveblog-entry-content"><p>{words}</p>{share}</div></div></div>"""


def wordpress_amp_page(edited: bool) -> str:
    first = wordpress_amp_entry(
        4711, 1730842200, 1730844300 if edited else 1730842200,
        "Polls close at 8 p.m. (corrected)." if edited else "Polls close at 9 p.m.",
    )  # fmt: skip
    second = wordpress_amp_entry(4710, 1730840400, 1730840400, "Polls open.")
    return page(
        f'<amp-live-list id="live" data-poll-interval="15000" data-max-items-per-page="10">'
        f"<div items>{first}{second}</div></amp-live-list>",
        lang="en-US",
    )


def test_an_edited_amp_entry_keeps_its_address_from_its_share_permalink() -> None:
    before = parse_liveblog(wordpress_amp_page(edited=False), AMP_PAGE)
    after = parse_liveblog(wordpress_amp_page(edited=True), AMP_PAGE)
    assert [item.url for item in before.items] == [
        f"{AMP_PAGE}?liveblog_id=4711",
        f"{AMP_PAGE}?liveblog_id=4710",
    ]
    assert [item.canonical_url for item in after.items] == [
        item.canonical_url for item in before.items
    ]
    assert after.items[0].text == "Polls close at 8 p.m. (corrected)."


def test_an_amp_live_list_item_s_update_time_is_when_it_last_changed() -> None:
    # amp-live-list's items: `data-sort-time` required, `data-update-time` optional, "when
    # the entry was last updated" (the AMP component's documentation).
    body = "".join(
        f'<div id="entry-{n}" data-sort-time="{sort}" data-update-time="{update}">'
        f"<p>Entry {n}.</p></div>"
        for n, sort, update in ((2, 1730844000, 1730847600), (1, 1730840400, 1730840400))
    )
    doc = read(page(f'<amp-live-list id="live"><div items>{body}</div></amp-live-list>'))
    assert [(item.published_at, item.updated_at) for item in doc.items] == [
        (utc(2024, 11, 5, 22, 0), utc(2024, 11, 5, 23, 0)),
        (utc(2024, 11, 5, 21, 0), utc(2024, 11, 5, 21, 0)),
    ]


# CNN's live stories, as scrapers of them read them: `article.live-story-post` with
# `data-last-updated` ("2023-10-27T02:52:53.364Z"), a `<time>` in the post, the headline
# `h2.live-story-post__headline`, a byline `span.live-story-post__byline` whose first two
# words they drop ("From CNN's"), the words in `div.live-story-post__content`, and share
# buttons of which "copy link to clipboard" holds the post's own address in `data-url`
# (`…?post-id=…`).

CNN_PAGE = "https://edition.cnn.com/2024/11/05/politics/live-news/election-day/index.html"


def cnn_post(post: str, updated: str, clock: str, title: str, words: str) -> str:
    return f"""<article class="live-story-post liveStoryPost" id="{post}"
        data-last-updated="{updated}"><div class="live-story-post__wrapper">
      <header class="live-story-post__header"><span class="live-story-post__timestamp">
        <time>{clock}</time></span>
        <h2 class="live-story-post__headline inline-placeholder">{title}</h2>
        <span class="live-story-post__byline inline-placeholder">From CNN's Jane Doe</span>
      </header>
      <section class="live-story-post__body"><div class="live-story-post__content">
        <p class="paragraph inline-placeholder vossi-paragraph">{words}</p></div></section>
      <div class="social-share_compact__share-links">
        <button class="social-share_compact__share" aria-label="share on facebook"
          data-url="https://www.facebook.com/sharer.php?u=https://cnn.it/x"></button>
        <button class="social-share_compact__share" aria-label="copy link to clipboard"
          data-url="{CNN_PAGE}?post-id={post}"></button></div></div></article>"""


CNN = (
    '<div class="live-story__items-container">'
    + cnn_post("cm3b", "2024-11-06T00:05:00.000Z", "5:52 p.m. ET, November 5, 2024",
               "Polls close in Georgia", "Voting has ended in Georgia.")
    + cnn_post("cm3a", "2024-11-05T21:10:00.000Z", "4:10 p.m. ET, November 5, 2024",
               "Lines in Atlanta", "Voters wait in the rain.")
    + "</div>"
)  # fmt: skip


def test_a_cnn_post_is_at_its_own_address_by_its_writer_and_says_when_it_changed() -> None:
    doc = parse_liveblog(page(CNN, lang="en"), CNN_PAGE)
    assert [item.url for item in doc.items] == [
        f"{CNN_PAGE}?post-id=cm3b",
        f"{CNN_PAGE}?post-id=cm3a",
    ]
    assert [(item.title, item.text, item.author) for item in doc.items] == [
        ("Polls close in Georgia", "Voting has ended in Georgia.", "Jane Doe"),
        ("Lines in Atlanta", "Voters wait in the rain.", "Jane Doe"),
    ]
    assert [(item.published_at, item.updated_at) for item in doc.items] == [
        (utc(2024, 11, 5, 22, 52), utc(2024, 11, 6, 0, 5)),  # 5:52 p.m. EST
        (utc(2024, 11, 5, 21, 10), utc(2024, 11, 5, 21, 10)),
    ]


def test_a_headline_linking_elsewhere_a_page_turn_or_a_tweet_is_no_permalink() -> None:
    body = "".join(
        f"""<article id="u{n}"><time datetime="2025-05-01T1{n}:00:00Z"></time>
          <h2><a href="https://news.example.org/2025/05/01/story-{n}">Story {n}</a></h2>
          <p>Update {n}.</p><a class="permalink" href="{URL}?page={n + 1}">Older posts</a>
          <button class="share" data-url="https://twitter.com/intent/tweet?url={URL}%23u{n}">
          X</button></article>"""
        for n in (2, 1)
    )
    doc = read(page(body))
    assert [item.url for item in doc.items] == [f"{URL}#u2", f"{URL}#u1"]


def test_a_link_every_post_shares_is_the_page_s_and_no_post_s_permalink() -> None:
    body = "".join(
        f"""<article id="u{n}"><time datetime="2025-05-01T1{n}:00:00Z"></time>
          <p>Update {n}.</p><button aria-label="copy link" data-url="{URL}?share=live">
          Copy</button></article>"""
        for n in (2, 1)
    )
    doc = read(page(body))
    assert [item.url for item in doc.items] == [f"{URL}#u2", f"{URL}#u1"]


# 24liveblog: the page holds only `<div id="LB24_LIVE_CONTENT" data-eid>` for the platform's
# script to fill; publishers' plugins (ZuidWest's WordPress plugin) print its updates as
# LiveBlogPosting JSON-LD, plain-text bodies with `url` = page + `#liveblog-<nid>`.


def test_a_24liveblog_embed_is_read_from_the_updates_its_plugin_declares() -> None:
    updates = [
        {"@type": "BlogPosting", "articleBody": "De stembureaus zijn gesloten.\nHet tellen "
         "begint.", "datePublished": "2025-03-19T21:00:00+01:00",
         "url": f"{URL}#liveblog-9001", "headline": "Stembureaus dicht"},
        {"@type": "BlogPosting", "articleBody": "Opkomst om vijf uur: 41 procent.",
         "datePublished": "2025-03-19T17:05:00+01:00", "url": f"{URL}#liveblog-9000"},
    ]  # fmt: skip
    schema = {"@context": "https://schema.org", "@type": "LiveBlogPosting",
              "headline": "Verkiezingen live", "liveBlogUpdate": updates}  # fmt: skip
    head = f'<script type="application/ld+json">{json.dumps(schema)}</script>'
    body = '<div id="LB24_LIVE_CONTENT" data-eid="3260367258858776128"></div>'
    doc = read(page(body, head, "nl-NL"))
    assert [(item.url, item.title, item.text, item.published_at) for item in doc.items] == [
        (f"{URL}#liveblog-9001", "Stembureaus dicht",
         "De stembureaus zijn gesloten. Het tellen begint.", utc(2025, 3, 19, 20, 0)),
        (f"{URL}#liveblog-9000", "Opkomst om vijf uur: 41 procent.",
         "Opkomst om vijf uur: 41 procent.", utc(2025, 3, 19, 16, 5)),
    ]  # fmt: skip


def test_a_shown_time_with_the_month_s_name_is_on_that_day_in_the_page_s_zone() -> None:
    body = "".join(
        f'<article id="u{n}"><time>{clock}</time><p>Update {n}.</p></article>'
        for n, clock in ((2, "12:31, 5 November 2024"), (1, "Nov. 4, 2024 9:05 p.m."))
    )
    doc = read(page(body, lang="en-GB"))
    assert [item.published_at for item in doc.items] == [
        utc(2024, 11, 5, 12, 31),  # November: London is on UTC
        utc(2024, 11, 4, 21, 5),
    ]


def test_an_entry_whose_headline_and_time_link_to_one_page_is_at_that_page() -> None:
    # Times of Israel: an entry's time and headline both link to the entry's own page,
    # `/liveblog_entry/<slug>/`, beside the day's live page `/liveblog-november-16-2023/`.
    day = "https://www.timesofisrael.example/liveblog-november-16-2023/"
    body = "".join(
        f"""<div id="liveblog-entry-{n}" class="liveblog-entry">
          <div class="liveblog-date"><a href="/liveblog_entry/entry-{n}/"><span
            data-timestamp="{epoch}">{shown}</span></a></div>
          <div class="liveblog-paragraph"><h4><a href="/liveblog_entry/entry-{n}/">Headline
            {n}</a></h4><p>Words of update {n}.</p>
            <p>Read <a href="/liveblog_entry/older/">an earlier entry</a>.</p></div></div>"""
        for n, epoch, shown in ((2, 1700163000, "9:30 pm"), (1, 1700160000, "8:40 pm"))
    )
    doc = parse_liveblog(page(body, lang="en-US"), day)
    assert [item.url for item in doc.items] == [
        "https://www.timesofisrael.example/liveblog_entry/entry-2/",
        "https://www.timesofisrael.example/liveblog_entry/entry-1/",
    ]
