"""Stored facts as the API and the downloads give them: JSON, and CSV rows for spreadsheets.

`link` turns a source into its address (an update's permalink needs the app's routes,
which this module does not know).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from dateline.facts.merge import COUNTS, Merged, Source, StoredFact

Link = Callable[[Source], str]
CSV_COLUMNS = (
    "id",
    "type",
    "review",
    "date",
    "kind",
    "place",
    "geonames_id",
    "lat",
    "lon",
    "killed",
    "killed_max",
    "injured",
    "injured_max",
    "missing",
    "missing_max",
    "qualifier",
    "aggregate",
    "sources",
    "evidence",
)


def merged_json(merged: Merged, link: Link) -> dict[str, Any]:
    counts = {name: _range(merged, name) for name in COUNTS} if merged.kind == "incident" else {}
    return {
        "id": merged.first.id,
        "type": merged.kind,
        "review": merged.review,
        "date": merged.first.fact_date.isoformat() if merged.first.fact_date else None,
        "fact": merged.fact,
        "counts": counts,
        "sources": [source_json(member, link) for member in merged.members],
    }


def _range(merged: Merged, name: str) -> dict[str, int] | None:
    found = merged.count_range(name)
    return {"min": found[0], "max": found[1]} if found else None


def source_json(member: StoredFact, link: Link) -> dict[str, Any]:
    source = member.source
    published = source.published_at
    return {
        "fact_id": member.id,
        "review": member.review,
        "kind": source.kind,
        "update_id": source.update_id,
        "item_id": source.item_id,
        "url": link(source),
        "title": source.title,
        "source_title": source.source_title,
        "published_at": published.isoformat().replace("+00:00", "Z") if published else None,
        **{name: member.count(name) for name in COUNTS if member.kind == "incident"},
        "evidence": member.fact.get("evidence"),
    }


def to_csv(merged: list[Merged], link: Link) -> str:
    """One row per fact as readers see it; a count's range in `…_max`; sources' addresses
    separated by spaces."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in merged:
        writer.writerow(_csv_row(entry, link))
    return out.getvalue()


def _csv_row(merged: Merged, link: Link) -> list[object]:
    fact = merged.fact
    place = fact.get("place") or {}
    evidence = fact.get("evidence") or {}
    counts: list[object] = []
    for name in COUNTS:
        found = merged.count_range(name)
        counts += [fact.get(name), found[1] if found else None]
    return [
        merged.first.id,
        merged.kind,
        merged.review,
        merged.first.fact_date.isoformat() if merged.first.fact_date else "",
        fact.get("kind") or fact.get("what") or fact.get("status") or "",
        place.get("name") or "",
        place.get("geonames_id"),
        place.get("lat"),
        place.get("lon"),
        *counts,
        fact.get("qualifier") or "",
        fact.get("aggregate", ""),
        " ".join(link(member.source) for member in merged.members),
        _safe(evidence.get("text", "")),
    ]


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is quoted as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
