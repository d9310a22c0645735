"""The facts map: one circle per place where incidents happened, its area growing with the
people killed and injured there, over the borders of the region (an SVG, no tiles, no
script).

Totals (`aggregate`) are left out: their parts are on the map already, and a region's total
has no point to sit on. So are incidents whose place has no coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dateline.facts import atlas
from dateline.facts.merge import Merged
from dateline.facts.projection import Frame, borders, frame_for

LARGEST_RADIUS = 26.0  # the place with the most casualties
SMALLEST_RADIUS = 4.0  # a place where nobody (or nobody counted) was hurt stays visible
LABELLED = 8  # places named on the map itself (all have a title and are in the table)


@dataclass(slots=True)
class Spot:
    """The incidents at one place, added up."""

    name: str
    near: bool  # "near Kupiansk": placed at Kupiansk
    lon: float
    lat: float
    killed: int = 0
    injured: int = 0
    incidents: int = 0

    @property
    def casualties(self) -> int:
        return self.killed + self.injured


@dataclass(frozen=True, slots=True)
class Marker:
    spot: Spot
    x: float
    y: float
    radius: float
    labelled: bool


@dataclass(frozen=True, slots=True)
class MapView:
    frame: Frame
    borders: tuple[str, ...]  # SVG path data, one per country
    markers: tuple[Marker, ...]  # largest first, so smaller circles are drawn on top
    atlas_missing: bool  # no borders installed: the page says so instead of a blank sea


def draw(entries: list[Merged]) -> MapView | None:
    """The map of these facts; None when no incident has a place on the map."""
    spots = _spots(entries)
    if not spots:
        return None
    frame = frame_for((spot.lon, spot.lat) for spot in spots)
    most = max(spot.casualties for spot in spots) or 1
    ranked = sorted(spots, key=lambda spot: (-spot.casualties, spot.name))
    labelled = {id(spot) for spot in ranked[:LABELLED]}
    markers = tuple(
        Marker(spot, *frame.project(spot.lon, spot.lat), _radius(spot, most), id(spot) in labelled)
        for spot in ranked
    )
    return MapView(frame, borders(frame), markers, not atlas.countries())


def _radius(spot: Spot, most: int) -> float:
    """Area for area: twice the casualties, twice the disc (a square-root scale)."""
    return max(SMALLEST_RADIUS, LARGEST_RADIUS * math.sqrt(spot.casualties / most))


def _spots(entries: list[Merged]) -> list[Spot]:
    spots: dict[tuple[str, bool, float, float], Spot] = {}
    for entry in entries:
        fact = entry.fact
        place = fact.get("place") or {}
        where = _on_map(place.get("lon"), place.get("lat"))
        if entry.kind != "incident" or fact.get("aggregate") or where is None:
            continue
        name, near = str(place.get("name") or ""), place.get("relation") == "near"
        spot = spots.setdefault((name, near, *where), Spot(name, near, *where))
        spot.killed += fact.get("killed") or 0
        spot.injured += fact.get("injured") or 0
        spot.incidents += 1
    return list(spots.values())


def _on_map(lon: object, lat: object) -> tuple[float, float] | None:
    """Longitude and latitude when both are numbers the map can show."""
    if not isinstance(lon, int | float) or not isinstance(lat, int | float):
        return None
    return (float(lon), float(lat)) if -180 <= lon <= 180 and -85 <= lat <= 85 else None
