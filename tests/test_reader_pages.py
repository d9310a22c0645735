"""What an anonymous reader sees: front page, live blog page, filter, pagination, permalinks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update as sql_update

from dateline.accounts.service import User
from dateline.db import Database
from dateline.db.tables import updates as updates_table
from dateline.liveblog import service
from dateline.liveblog.models import Blog, ImageRef
from dateline.media.service import store_image
from tests.helpers import make_blog, parse, png_bytes, post


async def backdate(db: Database, update_id: int, when: datetime) -> None:
    async with db.write() as conn:
        await conn.execute(
            sql_update(updates_table)
            .where(updates_table.c.id == update_id)
            .values(published_at=when)
        )


async def test_front_page_lists_blogs_with_status_age_count_and_category(
    client: httpx.AsyncClient, db: Database, editor: User
) -> None:
    live = await make_blog(db, editor, slug="count-live", title="Count night", category="Politics")
    ended = await make_blog(db, editor, slug="storm-over", title="Storm passes", category="Weather")
    for text in ("Polls closed.", "First result in.", "Second result in."):
        update = await post(db, live, editor, text)
        await backdate(db, update.id, datetime.now(UTC) - timedelta(days=1, hours=2))
    await post(db, ended, editor, "All clear.")
    await service.end_coverage(db, ended.slug, editor)

    cards = parse(await client.get("/")).css(".blog-card")
    text = {card.css_first("h2").text(): " ".join(card.text().split()) for card in cards}
    assert "Live Politics" in text["Count night"]
    assert "3 updates" in text["Count night"]
    assert "Ended Weather" in text["Storm passes"]
    assert "1 update" in text["Storm passes"]
    assert "Last update 1 day ago" in text["Count night"]
    assert "Last update just now" in text["Storm passes"]
    assert cards[0].css_first("h2").text() == "Count night", "live blogs come first"
    assert cards[0].css_first("h2 a").attributes["href"] == "/live/count-live"


async def test_live_blog_page_shows_header_recap_key_events_pinned_and_stream(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    key = await post(db, blog, editor, "The first seat has declared.", key_event=True)
    plain = await post(db, blog, editor, "Queues at **Harbour Street**.", headline="Long queues")
    pinned = await post(db, blog, editor, "How to follow the count.", pinned=True)
    await service.set_recap(db, blog.slug, ["Polls closed at 22:00", "Turnout 64%"], editor)

    page = parse(await client.get(f"/live/{blog.slug}"))
    assert page.css_first("h1").text() == blog.title
    assert page.css_first(".standfirst").text() == blog.standfirst
    assert page.css_first(".badge--live").text() == "Live"
    assert "Last update" in page.css_first(".last-updated").text()
    assert [li.text() for li in page.css(".recap li")] == ["Polls closed at 22:00", "Turnout 64%"]
    key_links = page.css(".key-events a")
    assert len(key_links) == 1
    assert key_links[0].attributes["href"] == f"/live/{blog.slug}/updates/{key.id}"
    assert "The first seat has declared." in key_links[0].text()
    assert "How to follow the count." in page.css_first(".pinned").text()
    ids = [node.attributes["id"] for node in page.css(".updates article")]
    assert ids == [f"update-{pinned.id}", f"update-{plain.id}", f"update-{key.id}"]
    plain_node = page.css_first(f"#update-{plain.id}")
    assert plain_node.css_first(".update__headline").text() == "Long queues"
    assert plain_node.css_first(".update__body strong").text() == "Harbour Street"
    assert page.css_first(f"#update-{key.id} .label--key").text() == "Key event"
    assert plain_node.css_first(".label--key") is None


async def test_update_times_are_shown_in_the_blogs_time_zone(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Midnight in Kyiv.")
    await backdate(db, update.id, datetime(2026, 6, 1, 21, 0, tzinfo=UTC))  # 00:00 in Kyiv
    node = parse(await client.get(f"/live/{blog.slug}")).css_first(f"#update-{update.id} time")
    assert node.text() == "2 Jun 00:00"  # Kyiv's date, not UTC's 1 June; an earlier day's
    assert node.attributes["datetime"] == "2026-06-01T21:00:00+00:00"


async def test_images_render_as_figures_with_srcset_and_credit(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, settings: object
) -> None:
    stored = await store_image(db, settings, png_bytes(1400, 800))  # type: ignore[arg-type]
    picture = ImageRef(
        stored.hash, "Boats on a flooded street", "Rescue boats in Sallowmere", "Ana Roe/Northwind"
    )
    update = await post(db, blog, editor, "Boats are out.", images=[picture])

    page = parse(await client.get(f"/live/{blog.slug}"))
    figure = page.css_first(f"#update-{update.id} figure")
    img = figure.css_first("img")
    assert img.attributes["alt"] == "Boats on a flooded street"
    assert figure.css_first("figcaption").text() == (
        "Rescue boats in Sallowmere. Photograph: Ana Roe/Northwind"
    )
    widths = [part.split()[1] for part in img.attributes["srcset"].split(", ")]
    assert widths == ["320w", "640w", "1024w", "1400w"]
    served = await client.get(img.attributes["src"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.content[:4] == b"RIFF"


async def test_key_events_filter_works_without_javascript(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    for n in range(6):
        await post(db, blog, editor, f"Declaration {n}", key_event=n % 2 == 0)
    page = parse(await client.get(f"/live/{blog.slug}?filter=key-events"))
    bodies = [node.text().strip() for node in page.css(".updates .update__body")]
    assert bodies == ["Declaration 4", "Declaration 2", "Declaration 0"]
    toggle = page.css_first("[data-key-events-toggle]")
    assert toggle.attributes["aria-checked"] == "true"
    assert toggle.attributes["href"] == f"/live/{blog.slug}", "the switch links back to all"
    unfiltered = parse(await client.get(f"/live/{blog.slug}"))
    assert unfiltered.css_first("[data-key-events-toggle]").attributes["href"] == (
        f"/live/{blog.slug}?filter=key-events"
    )
    assert len(unfiltered.css(".updates .update")) == 6


async def test_twenty_updates_a_page_with_older_updates_link(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    for n in range(25):
        await post(db, blog, editor, f"Update number {n}")
    first = parse(await client.get(f"/live/{blog.slug}"))
    assert len(first.css(".updates .update")) == 20
    older = first.css_first(".pagination a[rel=next]")
    assert older.text() == "Older updates"
    assert older.attributes["href"] == f"/live/{blog.slug}?page=2"
    second = parse(await client.get(older.attributes["href"]))
    assert [n.text().strip() for n in second.css(".update__body")] == [
        f"Update number {n}" for n in range(4, -1, -1)
    ]
    assert second.css_first(".pagination a[rel=prev]").text() == "Newer updates"


async def test_permalink_redirects_to_the_page_holding_the_update(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    posted = [await post(db, blog, editor, f"Item {n}") for n in range(23)]
    oldest, newest = posted[0], posted[-1]
    answer = await client.get(f"/live/{blog.slug}/updates/{oldest.id}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/live/{blog.slug}?page=2#update-{oldest.id}"
    answer = await client.get(f"/live/{blog.slug}/updates/{newest.id}")
    assert answer.headers["location"] == f"/live/{blog.slug}#update-{newest.id}"


async def test_deleted_update_shows_its_correction_note_or_disappears(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    corrected = await post(db, blog, editor, "The bridge at Amberhithe has collapsed.")
    removed = await post(db, blog, editor, "Duplicate post.")
    await service.delete_update(db, blog.slug, corrected.id, editor, "The bridge is standing.")
    await service.delete_update(db, blog.slug, removed.id, editor)
    page = parse(await client.get(f"/live/{blog.slug}"))
    assert page.css_first(f"#update-{corrected.id} .correction").text() == (
        "Correction: The bridge is standing."
    )
    assert "collapsed" not in page.body.text()
    corrected_at = page.css_first(f"#update-{corrected.id} .meta")
    assert corrected_at.text().startswith("Corrected ")  # when, as newspapers say
    assert corrected_at.css_first("time").attributes["datetime"].endswith("+00:00")
    assert page.css_first(f"#update-{removed.id}") is None
    assert (await client.get(f"/live/{blog.slug}/updates/{removed.id}")).status_code == 404


async def test_the_live_page_counts_updates_as_the_front_page_does(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    for n in range(3):
        await post(db, blog, editor, f"Item {n}")
    corrected = await post(db, blog, editor, "The bridge at Amberhithe has collapsed.")
    await service.delete_update(db, blog.slug, corrected.id, editor, "The bridge is standing.")
    page = parse(await client.get(f"/live/{blog.slug}"))
    assert page.css_first(f"#update-{corrected.id} .correction") is not None  # shown...
    assert page.css_first(".filter-bar__count").text() == "3 updates"  # ...but not counted
    front = parse(await client.get("/"))
    assert "3 updates" in front.body.text()


async def test_ended_blog_shows_coverage_ended_instead_of_live(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await service.end_coverage(db, blog.slug, editor)
    page = parse(await client.get(f"/live/{blog.slug}"))
    assert page.css_first(".badge--live") is None
    assert page.css_first(".badge--ended").text() == "Coverage ended"


async def test_page_embeds_live_blog_posting_json_ld(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, settings: object
) -> None:
    stored = await store_image(db, settings, png_bytes(700, 400))  # type: ignore[arg-type]
    update = await post(
        db, blog, editor, "Turnout is up </script><script>alert(1)</script>",
        headline="Turnout", images=[ImageRef(stored.hash, "Queue")],
    )  # fmt: skip
    await service.end_coverage(db, blog.slug, editor)
    page = parse(await client.get(f"/live/{blog.slug}"))
    script = page.css_first('script[type="application/ld+json"]')
    data = json.loads(script.text())
    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == blog.title
    assert data["description"] == blog.standfirst
    for field in ("coverageStartTime", "coverageEndTime", "datePublished", "dateModified"):
        assert datetime.fromisoformat(data[field]).tzinfo is not None, field
    posting = data["liveBlogUpdate"][0]
    assert posting["@type"] == "BlogPosting"
    assert posting["headline"] == "Turnout"
    assert posting["articleBody"].startswith("Turnout is up")
    assert posting["url"] == f"http://testserver/live/{blog.slug}/updates/{update.id}"
    assert posting["image"] == [f"http://testserver/media/{stored.hash}-700.webp"]
    inline = [s for s in page.css("script") if "src" not in s.attributes]
    assert len(inline) == 1, "the body text cannot open a script element"


async def test_unknown_blog_page_or_bad_page_number_is_a_clear_404(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    pages = ("7", "x", "²", "9" * 5000)  # "²" is a digit to str.isdigit; int() refuses both
    for url in ("/live/no-such-blog", *(f"/live/{blog.slug}?page={page}" for page in pages)):
        answer = await client.get(url)
        assert answer.status_code == 404, url
        assert parse(answer).css_first(".error-message").text()
    assert (await client.get("/live/x/updates/abc")).status_code in (400, 404)


async def test_pages_send_security_headers(client: httpx.AsyncClient, blog: Blog) -> None:
    headers = (await client.get(f"/live/{blog.slug}")).headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


async def test_a_change_shows_at_once_even_though_pages_are_served_from_cache(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "First dispatch.")
    first = await client.get(f"/live/{blog.slug}")
    assert (await client.get(f"/live/{blog.slug}")).text == first.text
    await post(db, blog, editor, "Second dispatch.")
    fresh = parse(await client.get(f"/live/{blog.slug}"))
    assert [n.text().strip() for n in fresh.css(".update__body")] == [
        "Second dispatch.",
        "First dispatch.",
    ]
