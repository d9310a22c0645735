"""Embedding and sharing: the frameable /embed/ view, oEmbed, Open Graph and JSON-LD.

The embed in a real browser inside an iframe on another port belongs with the browser tests
(tests/test_browser.py); here the headers that allow it and the markup are checked.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from urllib.parse import quote, urljoin

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from dateline.accounts.service import User
from dateline.config import Settings
from dateline.db import Database
from dateline.liveblog import service
from dateline.liveblog.models import Blog, ImageRef
from dateline.media.service import store_image
from dateline.web.services import of_app
from tests.helpers import make_blog, parse, png_bytes, post


def meta(page: LexborHTMLParser, key: str) -> str | None:
    node = page.css_first(f'meta[property="{key}"]') or page.css_first(f'meta[name="{key}"]')
    return None if node is None else node.attributes["content"]


def oembed_url(address: str, **params: str) -> str:
    extra = "".join(f"&{name}={value}" for name, value in params.items())
    return f"/oembed?url={quote(address, safe='')}{extra}"


# The embed view ----------------------------------------------------------------------------


async def test_embed_is_frameable_by_any_site_while_the_blog_page_is_not(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    embed = (await client.get(f"/embed/{blog.slug}")).headers
    assert "x-frame-options" not in embed
    policy = embed["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "script-src 'self'" in policy, "only the framing rule is relaxed"
    assert "object-src 'none'" in policy
    assert embed["x-content-type-options"] == "nosniff"

    for url in (f"/live/{blog.slug}", "/", f"/live/{blog.slug}/feed.atom", "/embedded"):
        page = (await client.get(url)).headers
        assert page["x-frame-options"] == "DENY", url
        assert "frame-ancestors 'none'" in page["content-security-policy"], url


async def test_embed_shows_the_latest_updates_up_to_the_limit(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    for n in range(12):
        await post(db, blog, editor, f"Update {n}", key_event=n % 4 == 0)
    gone = await post(db, blog, editor, "Withdrawn.")
    await service.delete_update(db, blog.slug, gone.id, editor, "Posted in error.")

    page = parse(await client.get(f"/embed/{blog.slug}"))
    bodies = [node.text().strip() for node in page.css(".update__body")]
    assert bodies == [f"Update {n}" for n in range(11, 1, -1)], "ten by default, newest first"
    assert page.css_first("h1").text() == blog.title
    assert page.css_first(".badge--live").text() == "Live"
    assert page.css_first("header.site-header") is None, "compact: no site chrome"

    three = parse(await client.get(f"/embed/{blog.slug}?limit=3"))
    assert [n.text().strip() for n in three.css(".update__body")] == [
        "Update 11",
        "Update 10",
        "Update 9",
    ]
    keys = parse(await client.get(f"/embed/{blog.slug}?filter=key-events&limit=50"))
    assert [n.text().strip() for n in keys.css(".update__body")] == [
        "Update 8",
        "Update 4",
        "Update 0",
    ]
    assert keys.css_first(".label--key") is not None


async def test_embed_links_open_the_full_blog_in_a_new_tab(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "See [the results](https://example.org/results).")
    page = parse(await client.get(f"/embed/{blog.slug}"))
    assert page.css_first("base").attributes == {"target": "_blank"}, "body links leave too"
    own = [a for a in page.css("a") if "example.org" not in (a.attributes["href"] or "")]
    assert len(own) >= 3
    for link in own:
        assert link.attributes.get("target", "_blank") == "_blank", "never inside the frame"
        href = urljoin(f"http://testserver/embed/{blog.slug}", link.attributes["href"] or "")
        assert href.startswith(f"http://testserver/live/{blog.slug}")
    permalink = page.css_first(f"#update-{update.id} .update__time")
    assert urljoin(f"http://testserver/embed/{blog.slug}", permalink.attributes["href"]) == (
        f"http://testserver/live/{blog.slug}/updates/{update.id}"
    )
    assert (
        page.css_first('link[rel="stylesheet"]')
        .attributes["href"]
        .startswith("/static/dateline.css?v=")
    )
    assert not page.css("[style]"), "the CSP forbids inline styles"


async def test_embed_of_an_ended_blog_says_so(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await service.end_coverage(db, blog.slug, editor)
    page = parse(await client.get(f"/embed/{blog.slug}"))
    assert page.css_first(".badge--live") is None
    assert page.css_first(".badge--ended").text() == "Coverage ended"
    assert page.css_first(".empty").text() == "No updates yet."


@pytest.mark.parametrize("limit", ["0", "51", "ten"])
async def test_embed_limit_outside_one_to_fifty_is_refused(
    client: httpx.AsyncClient, blog: Blog, limit: str
) -> None:
    assert (await client.get(f"/embed/{blog.slug}?limit={limit}")).status_code == 400


async def test_embed_of_an_unknown_blog_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/embed/no-such-blog")).status_code == 404


async def test_embed_revalidates_by_etag(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    first = await client.get(f"/embed/{blog.slug}")
    etag = first.headers["etag"]
    assert (
        await client.get(f"/embed/{blog.slug}", headers={"If-None-Match": etag})
    ).status_code == 304
    assert (
        await client.get(f"/embed/{blog.slug}?limit=5", headers={"If-None-Match": etag})
    ).status_code == 200, "another limit is another variant"
    await post(db, blog, editor, "New.")
    assert (
        await client.get(f"/embed/{blog.slug}", headers={"If-None-Match": etag})
    ).status_code == 200


# oEmbed ------------------------------------------------------------------------------------


async def test_oembed_describes_a_blog_as_a_rich_iframe(
    client: httpx.AsyncClient, blog: Blog
) -> None:
    answer = await client.get(oembed_url(f"http://testserver/live/{blog.slug}", format="json"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    data = answer.json()
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert data["title"] == blog.title
    assert data["provider_name"] == "Dateline"
    assert data["provider_url"] == "http://testserver/"
    assert (data["width"], data["height"]) == (480, 640)
    frame = LexborHTMLParser(data["html"]).css_first("iframe")
    assert frame.attributes["src"] == f"http://testserver/embed/{blog.slug}"
    assert frame.attributes["width"] == "480"
    assert frame.attributes["height"] == "640"
    assert frame.attributes["title"] == blog.title  # "… – live" already: not said twice
    assert (await client.get(frame.attributes["src"] or "")).status_code == 200


async def test_oembed_honours_max_sizes_filter_and_permalinks(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    update = await post(db, blog, editor, "Polls have closed.")
    address = f"https://TESTSERVER/live/{blog.slug}?filter=key-events"
    data = (await client.get(oembed_url(address, maxwidth="300", maxheight="9999"))).json()
    assert (data["width"], data["height"]) == (300, 640)
    odd = await client.get(oembed_url(address, maxwidth="²", maxheight="9" * 5000))
    assert (odd.json()["width"], odd.json()["height"]) == (480, 640)  # the defaults
    src = LexborHTMLParser(data["html"]).css_first("iframe").attributes["src"]
    assert src == f"http://testserver/embed/{blog.slug}?filter=key-events"
    permalink = f"http://testserver/live/{blog.slug}/updates/{update.id}"
    assert (await client.get(oembed_url(permalink))).json()["title"] == blog.title


@pytest.mark.parametrize(
    "address",
    [
        "http://testserver/live/no-such-blog",
        "http://elsewhere.example/live/election-night",
        "http://testserver/admin/live/election-night",
        "javascript:alert(1)",
        "",
    ],
)
async def test_oembed_for_anything_but_a_blog_here_is_a_json_404(
    client: httpx.AsyncClient, blog: Blog, address: str
) -> None:
    answer = await client.get(oembed_url(address))
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


async def test_oembed_as_xml_is_not_implemented(client: httpx.AsyncClient, blog: Blog) -> None:
    answer = await client.get(oembed_url(f"http://testserver/live/{blog.slug}", format="xml"))
    assert answer.status_code == 501
    assert answer.json()["error"] == "not_implemented"


async def test_blog_page_advertises_its_oembed(client: httpx.AsyncClient, blog: Blog) -> None:
    page = parse(await client.get(f"/live/{blog.slug}"))
    link = page.css_first('head link[type="application/json+oembed"]')
    assert link.attributes["rel"] == "alternate"
    href = link.attributes["href"] or ""
    assert href.startswith("http://testserver/oembed?")
    assert (await client.get(href)).json()["title"] == blog.title


async def test_editor_snippet_is_the_same_iframe_oembed_gives(
    app: object, client: httpx.AsyncClient, blog: Blog, settings: Settings
) -> None:
    """The lead includes distribution/snippet.html in the editor page; it must match oEmbed."""
    fake_request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=settings)))
    templates = of_app(app).templates  # type: ignore[arg-type]
    html = templates.get_template("distribution/snippet.html").render(
        request=fake_request, blog=blog
    )
    code = LexborHTMLParser(html).css_first("textarea").text()
    data = (await client.get(oembed_url(f"http://testserver/live/{blog.slug}"))).json()
    assert code == data["html"]


# Sharing: Open Graph, Twitter card, JSON-LD -------------------------------------------------


async def test_blog_page_has_open_graph_and_a_large_twitter_card_for_its_latest_image(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User, settings: Settings
) -> None:
    older = await store_image(db, settings, png_bytes(640, 400))
    newer = await store_image(db, settings, png_bytes(1800, 900))
    await post(db, blog, editor, "Older photo.", images=[ImageRef(older.hash, "Old")])
    await post(db, blog, editor, "Newer photo.", images=[ImageRef(newer.hash, "Rescue boats")])
    await post(db, blog, editor, "No photo.")

    page = parse(await client.get(f"/live/{blog.slug}"))
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:title") == blog.title
    assert meta(page, "og:description") == blog.standfirst
    assert meta(page, "og:url") == f"http://testserver/live/{blog.slug}"
    assert meta(page, "og:site_name") == "Dateline"
    assert meta(page, "og:image") == f"http://testserver/media/{newer.hash}-1600.webp"
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1600", "800")
    assert meta(page, "og:image:alt") == "Rescue boats"
    assert meta(page, "twitter:card") == "summary_large_image"


async def test_twitter_card_is_a_summary_when_there_is_no_image(
    client: httpx.AsyncClient, db: Database, blog: Blog, editor: User
) -> None:
    await post(db, blog, editor, "Words only.")
    page = parse(await client.get(f"/live/{blog.slug}"))
    assert meta(page, "og:image") is None
    assert meta(page, "twitter:card") == "summary"


async def test_editor_page_has_no_share_tags(editor_client: httpx.AsyncClient, blog: Blog) -> None:
    answer = await editor_client.get(f"/admin/live/{blog.slug}")
    assert answer.status_code == 200
    page = parse(answer)
    assert page.css_first("h1").text() == blog.title
    assert meta(page, "og:title") is None
    assert page.css_first('link[type="application/json+oembed"]') is None


async def test_json_ld_is_complete_and_leaves_withdrawn_text_out(
    client: httpx.AsyncClient, db: Database, editor: User, settings: Settings
) -> None:
    blog = await make_blog(db, editor, slug="storm", category="Weather")
    stored = await store_image(db, settings, png_bytes(800, 500))
    shown = await post(db, blog, editor, "Boats out.", images=[ImageRef(stored.hash, "Boats")])
    withdrawn = await post(db, blog, editor, "The bridge has collapsed.")
    await service.delete_update(db, blog.slug, withdrawn.id, editor, "The bridge is standing.")
    await service.end_coverage(db, blog.slug, editor)

    page = parse(await client.get(f"/live/{blog.slug}"))
    data = json.loads(page.css_first('script[type="application/ld+json"]').text())
    page_url = f"http://testserver/live/{blog.slug}"
    image_url = f"http://testserver/media/{stored.hash}-800.webp"
    assert data["@type"] == "LiveBlogPosting"
    assert data["mainEntityOfPage"] == page_url
    assert data["headline"] == blog.title
    assert data["description"] == blog.standfirst
    assert data["coverageStartTime"]
    assert data["coverageEndTime"]
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "Dateline",
        "url": "http://testserver/",
    }
    assert data["author"] == [{"@type": "Person", "name": "Reporter editor"}]
    assert data["image"] == [image_url]
    assert data["articleSection"] == "Weather"
    (posting,) = data["liveBlogUpdate"]
    assert posting["headline"] == "Boats out."
    assert posting["articleBody"] == "Boats out."
    assert posting["datePublished"]
    assert posting["author"] == {"@type": "Person", "name": "Reporter editor"}
    assert posting["image"] == [image_url]
    assert posting["url"] == f"{page_url}/updates/{shown.id}"
    assert "collapsed" not in json.dumps(data), "a withdrawn update leaves no trace"
