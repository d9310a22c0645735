"""Facts as stored rows: what the extractor found, flattened into the columns a table sorts
and merges by, and an editor's correction applied to a stored fact.

Pure (no database): the worker and the review API share it, so a corrected fact's columns
are computed exactly as an extracted one's.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from dateline.facts.model import Facts

# Bump when the extractor reads differently: every update and item is then read again
# (editors' decisions stay).
EXTRACTOR_VERSION = "2"
KINDS = ("incident", "exchange", "ceasefire", "talks")
REVIEW_STATES = ("suggested", "confirmed", "corrected", "rejected")
SHOWN_TO_READERS = ("suggested", "confirmed", "corrected")
MAX_PLACE_NAME = 200


def fact_rows(found: Facts, published: date | None) -> list[dict[str, Any]]:
    """One row of columns per fact, in the order the extractor found them."""
    groups = (
        ("incident", found.incidents),
        ("exchange", found.exchanges),
        ("ceasefire", found.ceasefires),
        ("talks", found.talks),
    )
    return [
        columns(kind, fact.to_json(), published)
        for kind, facts_of_kind in groups
        for fact in facts_of_kind
    ]


def columns(kind: str, fact: dict[str, Any], published: date | None) -> dict[str, Any]:
    """The stored columns of one fact (its JSON in the API shape among them)."""
    place = fact.get("place") or {}
    evidence = fact["evidence"]
    own_date = fact.get("date") or fact.get("start_date")
    return {
        "kind": kind,
        "fact": fact,
        "fingerprint": fingerprint(kind, fact),
        "place_name": (place.get("name") or None) and place["name"][:MAX_PLACE_NAME],
        "geonames_id": place.get("geonames_id"),
        "lat": place.get("lat"),
        "lon": place.get("lon"),
        "killed": fact.get("killed"),
        "injured": fact.get("injured"),
        "fact_date": date.fromisoformat(own_date) if own_date else published,
        "evidence_start": evidence["start"],
        "evidence_end": evidence["end"],
        "evidence_text": evidence["text"],
    }


def fingerprint(kind: str, fact: dict[str, Any]) -> str:
    """The same fact read again from the same sentence: kind, place and evidence agree.
    A reviewed fact keeps the fingerprint it was extracted with, so a later reading of
    it is recognised and not suggested a second time."""
    place = fact.get("place") or {}
    where = place.get("geonames_id") or (place.get("name") or "").casefold()
    key = f"{kind}\x1f{where}\x1f{fact['evidence']['text'].strip()}"
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


def corrected(kind: str, fact: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The fact with an editor's changed fields; evidence is the source's, never changed."""
    place = changes.get("place")
    merged = {**fact, **{name: value for name, value in changes.items() if name != "place"}}
    if "place" in changes:
        merged["place"] = None if place is None else {**_blank_place(), **place}
    return merged


def _blank_place() -> dict[str, Any]:
    return {
        "name": None,
        "geonames_id": None,
        "lat": None,
        "lon": None,
        "country": None,
        "admin1": None,
        "relation": "in",
    }
