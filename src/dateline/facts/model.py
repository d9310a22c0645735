"""What the extractor finds, in the shape the API answers (`Facts.to_json()`).

Every fact keeps its evidence: the character span of the sentence it was read from, so an
editor can check it against the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from dateline.facts.gazetteer import Place

Relation = Literal["in", "near", "region"]


@dataclass(frozen=True, slots=True)
class Evidence:
    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place as the text names it (`name`), tied to the gazetteer entry when one fits."""

    name: str
    place: Place | None
    relation: Relation

    @property
    def identity(self) -> tuple[object, ...]:
        if self.place is not None and self.place.geonames_id is not None:
            return (self.place.geonames_id,)
        return (self.name.casefold(),)

    def to_json(self) -> dict[str, Any]:
        place = self.place
        return {
            "name": self.name,
            "geonames_id": place.geonames_id if place else None,
            "lat": place.lat if place else None,
            "lon": place.lon if place else None,
            "country": place.country if place else None,
            "admin1": place.admin1 if place else None,
            "relation": self.relation,
        }


@dataclass(slots=True)
class Incident:
    kind: str
    place: PlaceRef | None
    evidence: Evidence
    killed: int | None = None
    injured: int | None = None
    missing: int | None = None
    qualifier: str | None = None
    date: date | None = None
    aggregate: bool = False
    sentence: int = 0
    total_marker: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "place": self.place.to_json() if self.place else None,
            "killed": self.killed,
            "injured": self.injured,
            "missing": self.missing,
            "qualifier": self.qualifier,
            "date": self.date.isoformat() if self.date else None,
            "aggregate": self.aggregate,
            "evidence": self.evidence.to_json(),
        }


@dataclass(slots=True)
class Exchange:
    what: str
    count: int | None
    status: str | None
    parties: list[str]
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "count": self.count,
            "status": self.status,
            "parties": self.parties,
            "evidence": self.evidence.to_json(),
        }


@dataclass(slots=True)
class Ceasefire:
    proposed_by: str | None
    min_days: int | None
    max_days: int | None
    scope: str | None
    status: str | None
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {
            "proposed_by": self.proposed_by,
            "min_days": self.min_days,
            "max_days": self.max_days,
            "scope": self.scope,
            "status": self.status,
            "evidence": self.evidence.to_json(),
        }


@dataclass(slots=True)
class Talks:
    place: PlaceRef | None
    start_date: date | None
    end_date: date | None
    parties: list[str]
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {
            "place": self.place.to_json() if self.place else None,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "parties": self.parties,
            "evidence": self.evidence.to_json(),
        }


@dataclass(slots=True)
class Facts:
    lang: str | None
    incidents: list[Incident] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    ceasefires: list[Ceasefire] = field(default_factory=list)
    talks: list[Talks] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "incidents": [incident.to_json() for incident in self.incidents],
            "exchanges": [exchange.to_json() for exchange in self.exchanges],
            "ceasefires": [ceasefire.to_json() for ceasefire in self.ceasefires],
            "talks": [talk.to_json() for talk in self.talks],
        }
