"""The editors' correction form of one fact: which fields it shows, and what was typed read
into the changes the review API takes (`queries.review`), with an error at each field that
is wrong. Only the fields whose value changed are corrections; evidence is never a field.

Empty means "not stated": an empty count is no count, an empty place no place. The fields
are the review API's `CORRECTABLE` ones (a test holds them together).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.datastructures import FormData

from dateline.facts.review_api import WORDS
from dateline.i18n import gettext as _
from dateline.timefmt import number
from dateline.web.forms import text

MAX_COUNT = 10_000_000
MAX_NAME = 200
MAX_PARTIES = 20


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    shape: str  # word (one of WORDS), count, date, place, name, names
    optional: bool = True  # may be left empty


FIELDS: dict[str, tuple[Field, ...]] = {
    "incident": (
        Field("kind", "word", optional=False),
        Field("place", "place"),
        Field("killed", "count"),
        Field("injured", "count"),
        Field("missing", "count"),
        Field("qualifier", "word"),
        Field("date", "date"),
    ),
    "exchange": (
        Field("what", "word", optional=False),
        Field("count", "count"),
        Field("status", "word", optional=False),
        Field("parties", "names"),
    ),
    "ceasefire": (
        Field("proposed_by", "name"),
        Field("min_days", "count"),
        Field("max_days", "count"),
        Field("scope", "word"),
        Field("status", "word", optional=False),
    ),
    "talks": (
        Field("place", "place"),
        Field("start_date", "date"),
        Field("end_date", "date"),
        Field("parties", "names"),
    ),
}


def shown(kind: str, fact: dict[str, Any]) -> dict[str, str]:
    """The fact's fields as the form shows them before anything is typed."""
    values = {}
    for field in FIELDS[kind]:
        value = fact.get(field.name)
        if field.shape == "place":
            value = (value or {}).get("name")
        elif field.shape == "names":
            value = ", ".join(value or [])
        values[field.name] = "" if value is None else str(value)
    return values


def choices(kind: str, name: str) -> list[str]:
    """The words a field may take, for its select box."""
    return sorted(WORDS.get((kind, name), ()))


def read(
    kind: str, fact: dict[str, Any], form: FormData
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """(changes, typed, errors): the changed fields, what was typed, the errors by field."""
    typed = {field.name: text(form, field.name).strip() for field in FIELDS[kind]}
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in FIELDS[kind]:
        raw = typed[field.name]
        try:
            value = _value(kind, field, raw)
        except ValueError as wrong:
            errors[field.name] = str(wrong)
            continue
        if _changed(field, value, fact.get(field.name)):
            changes[field.name] = _place(value, fact) if field.shape == "place" else value
    low, high = changes.get("min_days", fact.get("min_days")), changes.get("max_days")
    if kind == "ceasefire" and isinstance(low, int) and isinstance(high, int) and high < low:
        errors["max_days"] = _("The longest duration cannot be shorter than the shortest.")
    if not errors and not changes:
        errors["form"] = _("Nothing was changed: change a field, or confirm the fact as it is.")
    return changes, typed, errors


def _value(kind: str, field: Field, raw: str) -> Any:
    """The typed value in the fact's shape; ValueError with the field's message."""
    if not raw:
        if not field.optional:
            raise ValueError(_("Choose one of: %(words)s.") % {"words": _words(kind, field)})
        return None
    if field.shape == "word":
        if raw not in WORDS[(kind, field.name)]:
            raise ValueError(_("Choose one of: %(words)s.") % {"words": _words(kind, field)})
        return raw
    if field.shape == "count":
        if not raw.isdigit() or int(raw) > MAX_COUNT:  # isdigit: no sign, no fraction
            message = _("Give a whole number from 0 to %(most)s.") % {"most": number(MAX_COUNT)}
            raise ValueError(message)
        return int(raw)
    if field.shape == "date":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ValueError(_("Give a date like 2025-06-03.")) from None
    if field.shape == "names":
        return _names(raw)
    if len(raw) > MAX_NAME:
        raise ValueError(_("Keep it under %(limit)s characters.") % {"limit": MAX_NAME})
    return raw


def _names(raw: str) -> list[str]:
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if len(names) > MAX_PARTIES or any(len(name) > MAX_NAME for name in names):
        message = _("Name at most %(count)s parties, each under %(limit)s characters.")
        raise ValueError(message % {"count": MAX_PARTIES, "limit": MAX_NAME})
    return names


def _words(kind: str, field: Field) -> str:
    return ", ".join(choices(kind, field.name))


def _changed(field: Field, value: Any, current: Any) -> bool:
    if field.shape == "place":
        return bool(value != ((current or {}).get("name") or None))
    if field.shape == "names":
        return bool((value or []) != (current or []))
    return bool(value != current)


def _place(name: str | None, fact: dict[str, Any]) -> dict[str, Any] | None:
    """A place the editor named: its name as typed, in the sense the fact had ("in" or
    "near"). The GeoNames id and position were the old place's, so they go."""
    if name is None:
        return None
    relation = (fact.get("place") or {}).get("relation") or "in"
    return {"name": name, "relation": relation}
