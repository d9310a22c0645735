"""Incidents at a place GeoNames does not know merge by the place's name (merge.py): the same
incident reported twice in one blog is one row with the range of its counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from dateline.accounts.service import User
from dateline.db import Database
from dateline.facts import merge
from dateline.facts.merge import Source, StoredFact
from dateline.facts.worker import FactsExtractor
from dateline.liveblog import service
from dateline.liveblog.models import Blog, Update, UpdateDraft

TUESDAY = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)
MONDAY = date(2025, 6, 2)
# "Vale" is a village in Georgia, Romania and Oregon: with nothing in the text to choose,
# the extractor keeps the name as written and gives it no GeoNames place.
FIRST = "A flood killed two people in Vale on Monday."
SECOND = "A flood killed three people in Vale on Monday, officials said."


async def publish(db: Database, blog: Blog, editor: User, body: str) -> Update:
    draft = UpdateDraft(body=body)
    return await service.post_update(db, blog.slug, draft, editor, published_at=TUESDAY)


async def test_two_reports_from_an_unknown_place_are_one_incident_with_their_range(
    db: Database, blog: Blog, editor: User, client: httpx.AsyncClient
) -> None:
    first = await publish(db, blog, editor, FIRST)
    second = await publish(db, blog, editor, SECOND)
    await FactsExtractor(db, clock=lambda: TUESDAY + timedelta(hours=1)).run()
    answer = (await client.get(f"/api/v1/blogs/{blog.slug}/facts")).json()
    (incident,) = [entry for entry in answer["facts"] if entry["type"] == "incident"]
    assert incident["fact"]["place"]["name"] == "Vale"
    assert incident["fact"]["place"]["geonames_id"] is None
    assert incident["fact"]["killed"] == 2  # the most conservative
    assert incident["counts"]["killed"] == {"min": 2, "max": 3}
    assert [source["update_id"] for source in incident["sources"]] == [first.id, second.id]
    page = await client.get(f"/live/{blog.slug}/facts")
    assert page.text.count(">2–3<") == 1  # one row, the range shown once


def fact(
    fact_id: int,
    place: str | None,
    killed: int,
    *,
    kind: str = "shelling",
    day: date | None = MONDAY,
    geonames_id: int | None = None,
    review: str = "suggested",
    aggregate: bool = False,
) -> StoredFact:
    where = {"name": place} if place else None
    found = {
        "kind": kind,
        "killed": killed,
        "injured": None,
        "aggregate": aggregate,
        "place": where,
    }
    source = Source("update", fact_id, None, "blog", "", "", "", None)
    return StoredFact(fact_id, "incident", review, found, day, geonames_id, source)


def grouped(*found: StoredFact) -> list[list[int]]:
    return [[member.id for member in entry.members] for entry in merge.merge(list(found))]


@pytest.mark.parametrize(
    "spelling", ["Nowa Wieś", "nowa wies", "NOWA-WIES.", "Nowa  Wieś,", "Nowa Wies'"]
)
def test_place_names_merge_whatever_their_case_accents_apostrophes_and_punctuation(
    spelling: str,
) -> None:
    merged = merge.merge([fact(1, "Nowa Wieś", 1), fact(2, spelling, 2)])
    assert [len(entry.members) for entry in merged] == [2]
    assert merged[0].fact["killed"] == 1
    assert merged[0].count_range("killed") == (1, 2)


def test_an_unknown_place_merges_only_with_the_same_kind_date_and_name() -> None:
    assert grouped(
        fact(1, "Vale", 1),
        fact(2, "Vale", 2, kind="drone"),  # another kind
        fact(3, "Vale", 1, day=date(2025, 6, 3)),  # another day
        fact(4, "Valea", 1),  # another name
        fact(5, "Vale", 4),  # the first again
    ) == [[1, 5], [2], [3], [4]]


def test_names_never_merge_with_known_places_totals_rejected_or_dateless_facts() -> None:
    assert grouped(
        fact(1, "Kharkiv", 1),
        fact(2, "Kharkiv", 1, geonames_id=706483),  # a GeoNames place: its id decides
        fact(3, "Kharkiv", 5, aggregate=True),
        fact(4, "Kharkiv", 1, review="rejected"),
        fact(5, "Kharkiv", 1, day=None),
        fact(6, None, 1),
        fact(7, None, 1),  # no place at all: never one incident
    ) == [[1], [2], [3], [4], [5], [6], [7]]
