"""One fact said in one line, in the current language: "Shelling in Kramatorsk: at least
2 killed, 3 injured (2 June)", "Exchange of 1,000 prisoners agreed (3 June)".

Editors read these lines where a fact suggests a key event, and they make the drafted "What
you need to know" recap (recap.py), so they are whole phrases a newsroom could publish after
a look, not the table's codes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from dateline import i18n
from dateline.facts.labels import label
from dateline.i18n import N_, ngettext
from dateline.i18n import gettext as _
from dateline.timefmt import number

QUALIFIED = {
    "at least": N_("at least %(num)s"),
    "more than": N_("more than %(num)s"),
    "about": N_("about %(num)s"),
    "up to": N_("up to %(num)s"),
}
EXCHANGED = {  # what is exchanged, inside a sentence ("Exchange of 1,000 prisoners agreed")
    "prisoners": N_("prisoners"),
    "bodies": N_("bodies"),
    "children": N_("children"),
    "wounded": N_("wounded people"),
    "hostages": N_("hostages"),
    "civilians": N_("civilians"),
}
SOMEONE = N_("people")  # exchanged, when the text does not say who
EXCHANGE = {
    "agreed": N_("Exchange of %(what)s agreed"),
    "completed": N_("Exchange of %(what)s completed"),
    "proposed": N_("Exchange of %(what)s proposed"),
    "demanded": N_("Exchange of %(what)s demanded"),
}
CEASEFIRE = {
    "proposed": N_("Ceasefire proposed"),
    "agreed": N_("Ceasefire agreed"),
    "rejected": N_("Ceasefire rejected"),
    "violated": N_("Ceasefire violated"),
    "in force": N_("Ceasefire in force"),
}
ANY_CEASEFIRE = N_("Ceasefire")  # in a state the extractor does not name
SCOPE = {"partial": N_("partial"), "full": N_("full")}
DAY = {"en": "d MMMM", "de": "d. MMMM"}  # as British and German papers write it


def describe(kind: str, fact: dict[str, Any], day: date | None) -> str:
    """The fact (`kind`: incident, exchange, ceasefire, talks) and its day, in one line."""
    sayers = {"incident": _incident, "exchange": _exchange, "ceasefire": _ceasefire}
    line = sayers.get(kind, _talks)(fact)
    if day is None:
        return line
    language = i18n.current()
    return f"{line} ({format_date(day, DAY[language], locale=language)})"


def _incident(fact: dict[str, Any]) -> str:
    what = label(fact.get("kind")) or _("Incident")
    place = fact.get("place") or {}
    if place.get("name"):
        where = N_("%(what)s near %(place)s") if place.get("relation") == "near" else None
        what = _(where or N_("%(what)s in %(place)s")) % {"what": what, "place": place["name"]}
    counts = _counts(fact)
    return _("%(what)s: %(counts)s") % {"what": what, "counts": counts} if counts else what


def _counts(fact: dict[str, Any]) -> str:
    """ "at least 2 killed, 3 injured": the qualifier belongs to the first count stated."""
    qualifier = QUALIFIED.get(fact.get("qualifier") or "")
    said: list[str] = []
    for name in ("killed", "injured", "missing"):
        count = fact.get(name)
        if not isinstance(count, int):
            continue
        shown = number(count)
        if qualifier and not said:
            shown = _(qualifier) % {"num": shown}
        said.append(_count(name, count) % {"num": shown})
    return ", ".join(said)


def _count(name: str, count: int) -> str:
    if name == "killed":
        return ngettext("%(num)s killed", "%(num)s killed", count)
    if name == "injured":
        return ngettext("%(num)s injured", "%(num)s injured", count)
    return ngettext("%(num)s missing", "%(num)s missing", count)


def _exchange(fact: dict[str, Any]) -> str:
    what = _(EXCHANGED.get(fact.get("what") or "", SOMEONE))
    count = fact.get("count")
    if isinstance(count, int):
        what = _("%(count)s %(what)s") % {"count": number(count), "what": what}
    sentence = EXCHANGE.get(fact.get("status") or "", N_("Exchange of %(what)s"))
    return _(sentence) % {"what": what}


def _ceasefire(fact: dict[str, Any]) -> str:
    line = _(CEASEFIRE.get(fact.get("status") or "", ANY_CEASEFIRE))
    details = []
    if fact.get("scope") in SCOPE:
        details.append(_(SCOPE[fact["scope"]]))
    low, high = fact.get("min_days"), fact.get("max_days")
    if isinstance(low, int) and isinstance(high, int) and high != low:
        details.append(_("%(low)s to %(high)s days") % {"low": low, "high": high})
    elif isinstance(low, int):
        details.append(ngettext("%(num)s day", "%(num)s days", low) % {"num": low})
    if fact.get("proposed_by"):
        details.append(_("proposed by %(who)s") % {"who": fact["proposed_by"]})
    return f"{line} ({', '.join(details)})" if details else line


def _talks(fact: dict[str, Any]) -> str:
    place = (fact.get("place") or {}).get("name")
    line = _("Talks in %(place)s") % {"place": place} if place else _("Talks")
    parties = [str(party) for party in fact.get("parties") or []]
    return f"{line}: {', '.join(parties)}" if parties else line
