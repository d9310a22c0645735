"""One incident reported by several sources is shown once.

Incidents merge when their kind, place and date agree. The place is its GeoNames id; a place
the gazetteer does not know (a village too small for it, a name it could not place) is its
name, folded (`place_key`: case, accents, apostrophes and punctuation), so two reports of
the same incident in the same unknown village are one. Merging only ever joins the facts of
one blog or one story (the facts it is given). The merged incident keeps every source, shows
the range of each count, and states the most conservative count (the lowest): of the
editors' decisions when there are any, else of all its sources. Totals (`aggregate`),
incidents without a place or date, agreements and rejected facts are never merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from dateline.facts.names import exact_key

COUNTS = ("killed", "injured", "missing")
DECIDED = ("corrected", "confirmed")
SORTS = ("date", "place", "killed", "injured")
_PUNCTUATION = re.compile(r"[^\w\s]")  # after `exact_key` folded apostrophes and accents


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact was read: an update of a blog of ours, or a followed source's item."""

    kind: str  # update, item
    update_id: int | None
    item_id: int | None
    blog_slug: str | None
    url: str
    title: str
    source_title: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredFact:
    id: int
    kind: str  # incident, exchange, ceasefire, talks
    review: str
    fact: dict[str, Any]
    fact_date: date | None
    geonames_id: int | None
    source: Source

    def count(self, name: str) -> int | None:
        value = self.fact.get(name)
        return value if isinstance(value, int) else None


@dataclass(frozen=True)  # no slots: `fact` is worked out once, on first use
class Merged:
    """One fact as readers see it, with every source that reported it."""

    members: tuple[StoredFact, ...]

    @property
    def first(self) -> StoredFact:
        return self.members[0]

    @property
    def kind(self) -> str:
        return self.first.kind

    @property
    def review(self) -> str:
        states = {member.review for member in self.members}
        return next((state for state in DECIDED if state in states), self.first.review)

    @cached_property
    def fact(self) -> dict[str, Any]:
        """The first source's fact with the most conservative counts (a page asks for it
        dozens of times: the table, the chart, the map)."""
        deciding = [m for m in self.members if m.review in DECIDED] or list(self.members)
        fact = dict(deciding[0].fact)
        if self.kind == "incident":
            for name in COUNTS:
                fact[name] = _lowest(member.count(name) for member in deciding)
        return fact

    def count_range(self, name: str) -> tuple[int, int] | None:
        found = [count for m in self.members if (count := m.count(name)) is not None]
        return (min(found), max(found)) if found else None

    @property
    def place_name(self) -> str:
        place = self.fact.get("place") or {}
        return str(place.get("name") or "")


def _lowest(counts: Any) -> int | None:
    found = [count for count in counts if count is not None]
    return min(found) if found else None


def merge(found: list[StoredFact]) -> list[Merged]:
    """Facts in the order given, those of one incident joined at the first's position."""
    groups: dict[object, list[StoredFact]] = {}
    for fact in found:
        groups.setdefault(_identity(fact), []).append(fact)
    return [Merged(tuple(members)) for members in groups.values()]


def _identity(fact: StoredFact) -> object:
    where = place_key(fact)
    mergeable = (
        fact.kind == "incident"
        and fact.review != "rejected"
        and not fact.fact.get("aggregate")
        and where is not None
        and fact.fact_date is not None
    )
    if not mergeable:
        return ("own", fact.id)
    return ("incident", fact.fact.get("kind"), where, fact.fact_date)


def place_key(fact: StoredFact) -> int | str | None:
    """Where a fact happened, as merging compares it: the GeoNames id, else the place's name
    folded ("Nowa Wieś", "nowa wies", "Nowa-Wieś." are one); None without a place."""
    if fact.geonames_id is not None:
        return fact.geonames_id
    place = fact.fact.get("place") or {}
    name = _PUNCTUATION.sub(" ", exact_key(str(place.get("name") or "")))
    return " ".join(name.split()) or None


def sort(merged: list[Merged], by: str, descending: bool | None = None) -> list[Merged]:
    """Newest or most casualties first, places A to Z, unless `descending` says otherwise.
    Unknown values go last either way."""
    down = by != "place" if descending is None else descending
    known = [(key, m) for m in merged if (key := _sort_key(m, by)) is not None]
    known.sort(key=lambda pair: pair[0], reverse=down)
    return [m for _, m in known] + [m for m in merged if _sort_key(m, by) is None]


def _sort_key(merged: Merged, by: str) -> Any:
    if by == "place":
        return merged.place_name.casefold() or None
    if by in COUNTS:
        value = merged.fact.get(by)
        return value if isinstance(value, int) else None
    return merged.first.fact_date
