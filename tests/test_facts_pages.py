"""A live blog's facts page: a table that sorts without JavaScript, each fact's sentence
under it, CSV and JSON downloads, the blog's language, and no rejected fact for readers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dateline.accounts.service import User
from dateline.db import Database
from dateline.facts import pages, queries
from dateline.facts.worker import FactsExtractor
from dateline.liveblog import service
from dateline.liveblog.models import Blog, BlogDraft, UpdateDraft
from tests.helpers import parse

TUESDAY = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)
UPDATES = {
    "en": [
        "Russian shelling killed two people in Kharkiv on Monday.",
        "A drone attack injured seven people in Odesa on Monday.",
        "An explosion killed five people in Dnipro on Monday.",
        "The delegations agreed to swap 1,000 prisoners of war.",
    ],
    "de": [
        "Bei russischem Beschuss wurden am Montag in Charkiw zwei Menschen getötet.",
        "Bei einem Drohnenangriff wurden am Montag in Odessa sieben Menschen verletzt.",
    ],
}


async def fill(db: Database, blog: Blog, editor: User, language: str = "en") -> None:
    for body in UPDATES[language]:
        draft = UpdateDraft(body=body)
        await service.post_update(db, blog.slug, draft, editor, published_at=TUESDAY)
    await FactsExtractor(db, clock=lambda: TUESDAY).run()


def incident_rows(page: HTMLParser) -> list[list[str]]:
    rows = page.css("#incidents tbody tr")
    return [[cell.text(deep=False).strip() for cell in row.css("td")] for row in rows]


def places(page: HTMLParser) -> list[str]:
    return [row.css("td")[2].text().strip() for row in page.css("#incidents tbody tr")]


async def test_the_facts_page_lists_incidents_and_agreements_with_evidence(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    answer = await client.get(f"/live/{blog.slug}/facts")
    assert answer.status_code == 200
    page = parse(answer)
    assert sorted(places(page)) == ["Dnipro", "Kharkiv", "Odesa"]
    kharkiv = next(r for r in page.css("#incidents tbody tr") if "Kharkiv" in r.text())
    sentence = UPDATES["en"][0]
    assert kharkiv.attributes["title"] == sentence  # on hover
    assert kharkiv.css_first("details summary").text() == "Evidence"  # on focus, no script
    assert kharkiv.css_first("details blockquote").text() == sentence
    source = kharkiv.css_first(".facts__sources a")
    assert f"/live/{blog.slug}/updates/" in (source.attributes["href"] or "")
    assert source.text() == blog.title
    agreements = page.css("#agreements tbody tr")
    assert len(agreements) == 1
    assert "Prisoners: 1,000" in agreements[0].text()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("killed", ["Dnipro", "Kharkiv", "Odesa"]),
        ("injured", ["Odesa"]),  # the others state no injured: any order after it
        ("place", ["Dnipro", "Kharkiv", "Odesa"]),
    ],
)
async def test_sort_links_order_the_table_without_javascript(
    db: Database,
    blog: Blog,
    editor: User,
    client: httpx.AsyncClient,
    sort: str,
    expected: list[str],
) -> None:
    await fill(db, blog, editor)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    link = next(a for a in page.css(".facts__sort a") if a.attributes["href"].endswith(sort))
    sorted_page = parse(await client.get(link.attributes["href"] or ""))
    assert places(sorted_page)[: len(expected)] == expected
    current = sorted_page.css_first(".facts__sort a[aria-current]")
    assert current is not None
    assert (current.attributes["href"] or "").endswith(f"sort={sort}")


async def test_a_long_blogs_facts_come_in_pages_with_the_chart_for_all(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    towns = ["Kharkiv", "Odesa", "Dnipro", "Sumy", "Poltava", "Kherson", "Mykolaiv"]
    shown = pages.ROWS + 3
    for n in range(shown):  # a different day each: no two reports merge into one row
        body = f"Shelling killed {n + 1} people in {towns[n % len(towns)]} overnight."
        when = TUESDAY + timedelta(days=n)
        await service.post_update(db, blog.slug, UpdateDraft(body=body), editor, published_at=when)
    await FactsExtractor(db, clock=lambda: TUESDAY + timedelta(days=shown)).run()
    first = parse(await client.get(f"/live/{blog.slug}/facts?sort=killed"))
    assert len(first.css("#incidents tbody tr")) == pages.ROWS
    assert "Page 1 of 2" in first.css_first(".pagination").text()
    days = first.css(".facts-chart__day[data-incidents]")
    assert sum(int(d.attributes["data-incidents"] or 0) for d in days) == shown  # all, drawn
    more = first.css_first(".pagination a[rel=next]").attributes["href"] or ""
    assert "sort=killed" in more  # the order chosen is kept from page to page
    second = parse(await client.get(more))
    assert len(second.css("#incidents tbody tr")) == 3
    killed = [int(row.css("td")[3].text()) for row in second.css("#incidents tbody tr")]
    assert killed == [3, 2, 1]  # the fewest last, as sorted
    assert (await client.get(f"/live/{blog.slug}/facts?page=3")).status_code == 404


async def test_a_rejected_fact_is_not_shown_to_readers(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    async with db.read() as conn:
        found = await queries.of_blog(conn, blog.id)
    dnipro = next(fact for fact in found if (fact.fact.get("place") or {}).get("name") == "Dnipro")
    await queries.review(db, dnipro.id, "rejected", None, editor.id, TUESDAY)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    assert sorted(places(page)) == ["Kharkiv", "Odesa"]
    downloaded = (await client.get(f"/live/{blog.slug}/facts.json")).json()
    assert dnipro.id not in [entry["id"] for entry in downloaded["facts"]]


async def test_csv_and_json_downloads(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    links = {a.text(): a.attributes["href"] or "" for a in page.css(".facts__downloads a")}
    answer = await client.get(links["CSV"])
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    by_place = {row["place"]: row for row in rows if row["type"] == "incident"}
    assert by_place["Kharkiv"]["killed"] == "2"
    assert by_place["Odesa"]["injured"] == "7"
    assert by_place["Kharkiv"]["evidence"] == UPDATES["en"][0]
    assert [row["kind"] for row in rows if row["type"] == "exchange"] == ["prisoners"]
    data = (await client.get(links["JSON"])).json()
    assert data["blog"] == blog.slug
    assert {entry["type"] for entry in data["facts"]} == {"incident", "exchange"}
    assert all(entry["sources"] for entry in data["facts"])


async def test_a_german_blogs_facts_page_speaks_german(
    db: Database, editor: User, client: httpx.AsyncClient
) -> None:
    draft = BlogDraft(title="Krieg in der Ukraine", slug="ukraine-de", language="de")
    blog = await service.create_blog(db, draft, editor)
    await fill(db, blog, editor, "de")
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    assert page.css_first("html").attributes["lang"] == "de"
    headers = [th.text() for th in page.css("#incidents thead th")]
    assert headers[:5] == ["Datum", "Was", "Ort", "Getötet", "Verletzt"]
    assert sorted(places(page)) == ["Charkiw", "Odessa"]
    assert page.css_first("details summary").text() == "Beleg"
    assert page.css_first("#incidents time").text() == "Mo., 2. Juni 2025"


async def test_dates_read_as_on_the_rest_of_the_site(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    assert {time.text() for time in page.css("#incidents time")} == {"Mon 2 Jun 2025"}
    # One day is "on" that day, not "from" it "to" itself.
    assert page.css_first("#timeline-desc").text() == (
        "On Mon 2 Jun 2025: 3 incidents, 7 killed, 7 injured."
    )
    assert page.css_first(".facts-chart__label").text() == "2 Jun"


async def test_source_links_are_relative_on_the_page_and_absolute_in_downloads(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    await fill(db, blog, editor)
    page = parse(await client.get(f"/live/{blog.slug}/facts"))
    hrefs = [a.attributes["href"] or "" for a in page.css(".facts__sources a")]
    assert hrefs
    assert all(href.startswith(f"/live/{blog.slug}/updates/") for href in hrefs)
    data = (await client.get(f"/live/{blog.slug}/facts.json")).json()
    urls = [source["url"] for entry in data["facts"] for source in entry["sources"]]
    assert urls
    assert all(url.startswith("http") and url.endswith(tuple(hrefs)) for url in urls)
    rows = list(
        csv.DictReader(io.StringIO((await client.get(f"/live/{blog.slug}/facts.csv")).text))
    )
    assert all(row["sources"].startswith("http") for row in rows)


async def test_an_unknown_blog_has_no_facts_page(client: httpx.AsyncClient) -> None:
    for path in ("/live/nothing-here/facts", "/live/nothing-here/facts.csv"):
        assert (await client.get(path)).status_code == 404
    assert (await client.get("/live/nothing-here/facts.json")).status_code == 404
