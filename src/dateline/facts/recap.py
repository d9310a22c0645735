"""A drafted "What you need to know" recap from a blog's facts, in the blog's language.

Only ever a suggestion: the editor's recap form offers it, the editor edits it and saves it
through the recap form like any recap; nothing here publishes. The draft leads with the
newest incidents that have casualties (each once, with the most conservative counts of its
sources, merge.py; of one day, the latest reported first), then the newest state of each
exchange, ceasefire and talks.
"""

from __future__ import annotations

from datetime import date

from dateline import i18n
from dateline.facts import merge
from dateline.facts.merge import COUNTS, Merged, StoredFact
from dateline.facts.wording import describe

MAX_INCIDENTS = 5
MAX_AGREEMENTS = 3


def draft(found: list[StoredFact], language: str) -> list[str]:
    """The recap's points, newest first within incidents and within agreements."""
    merged = merge.merge(found)
    incidents = [entry for entry in merged if entry.kind == "incident" and _casualties(entry)]
    incidents = sorted(incidents, key=_when, reverse=True)[:MAX_INCIDENTS]
    agreements = _latest_of_each([entry for entry in merged if entry.kind != "incident"])
    with i18n.using(language):
        return [describe(e.kind, e.fact, e.first.fact_date) for e in incidents + agreements]


def _casualties(entry: Merged) -> bool:
    return any(entry.fact.get(name) for name in COUNTS)


def _latest_of_each(agreements: list[Merged]) -> list[Merged]:
    """The newest exchange of each kind of people, the newest ceasefire, the newest talks:
    a recap says where things stand, not every step that led there."""
    newest: dict[tuple[str, object], Merged] = {}
    for entry in sorted(agreements, key=_when):
        newest[(entry.kind, entry.fact.get("what"))] = entry
    return sorted(newest.values(), key=_when, reverse=True)[:MAX_AGREEMENTS]


def _when(entry: Merged) -> tuple[date, int]:
    return (entry.first.fact_date or date.min, entry.first.id)
