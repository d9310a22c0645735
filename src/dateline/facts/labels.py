"""The words readers see for the extractor's codes (incident kinds, exchanges, statuses,
review states), in the catalogue; a code without a label is shown as it is."""

from __future__ import annotations

from dateline.i18n import N_
from dateline.i18n import gettext as _

LABELS = {
    # incident kinds
    "shelling": N_("Shelling"),
    "missile": N_("Missile"),
    "drone": N_("Drone"),
    "air strike": N_("Air strike"),
    "attack": N_("Attack"),
    "explosion": N_("Explosion"),
    "earthquake": N_("Earthquake"),
    "flood": N_("Flood"),
    "fire": N_("Fire"),
    "crash": N_("Crash"),
    "other": N_("Other"),
    # fact types
    "incident": N_("Incident"),
    "exchange": N_("Exchange"),
    "ceasefire": N_("Ceasefire"),
    "talks": N_("Talks"),
    # what is exchanged
    "prisoners": N_("Prisoners"),
    "bodies": N_("Bodies"),
    "children": N_("Children"),
    "wounded": N_("Wounded"),
    "hostages": N_("Hostages"),
    "civilians": N_("Civilians"),
    # statuses of exchanges and ceasefires
    "agreed": N_("Agreed"),
    "completed": N_("Completed"),
    "proposed": N_("Proposed"),
    "demanded": N_("Demanded"),
    "rejected": N_("Rejected"),
    "violated": N_("Violated"),
    "in force": N_("In force"),
    "partial": N_("Partial"),
    "full": N_("Full"),
    # review states
    "suggested": N_("Suggested"),
    "confirmed": N_("Confirmed"),
    "corrected": N_("Corrected"),
}


def label(code: str | None) -> str:
    if not code:
        return ""
    return _(LABELS[code]) if code in LABELS else code
