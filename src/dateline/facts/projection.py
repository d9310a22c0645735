"""From longitude and latitude to the facts map's pixels, and borders as SVG path data.

An equirectangular projection centred on the map's middle latitude (x shrunk by its cosine),
which keeps the shapes of a region-sized map right without any library. The frame is the
places' extent with a margin, snapped to a grid so that maps of nearby extents share the
borders computed for them (`borders` keeps the latest in memory).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from dateline.facts import atlas
from dateline.facts.atlas import Box, Point

WIDTH = 640  # the SVG's own units; CSS scales it to the column
MIN_HEIGHT, MAX_HEIGHT = 300, 560
MIN_SPAN = 3.0  # degrees: a single town is shown with its surroundings
MARGIN = 0.25  # of the places' span, on each side
GRID = 0.5  # degrees the frame snaps to
SIMPLIFY = 1.0  # pixels: a border point closer than this to the last one drawn is left out
BORDER_CACHE = 64  # frames whose borders stay in memory


@dataclass(frozen=True, slots=True)
class Frame:
    """What the map shows (`box`, degrees) and its size in SVG units."""

    box: Box
    width: int
    height: int

    @property
    def scale(self) -> float:
        return self.width / ((self.box.east - self.box.west) * self._shrink)

    @property
    def _shrink(self) -> float:
        return math.cos(math.radians((self.box.north + self.box.south) / 2))

    def project(self, lon: float, lat: float) -> Point:
        return (
            (lon - self.box.west) * self._shrink * self.scale,
            (self.box.north - lat) * self.scale,
        )


def frame_for(points: Iterable[Point]) -> Frame:
    """The frame around `points` (longitude, latitude): a margin, at least `MIN_SPAN`,
    widened on its short side to a height between about `MIN_HEIGHT` and `MAX_HEIGHT`
    (snapping to the grid moves it a little)."""
    longitudes, latitudes = zip(*points, strict=True)
    west, east = _padded(min(longitudes), max(longitudes), -180, 180)
    south, north = _padded(min(latitudes), max(latitudes), -85, 85)
    shrink = math.cos(math.radians((north + south) / 2))
    ratio = (north - south) / ((east - west) * shrink)
    if ratio < MIN_HEIGHT / WIDTH:  # too flat: more latitude
        south, north = _widened(south, north, (east - west) * shrink * MIN_HEIGHT / WIDTH)
        south, north = max(south, -85), min(north, 85)
    elif ratio > MAX_HEIGHT / WIDTH:  # too tall: more longitude
        west, east = _widened(west, east, (north - south) / shrink * WIDTH / MAX_HEIGHT)
        west, east = max(west, -180), min(east, 180)
    box = Box(_snap(west, math.floor), _snap(south, math.floor), _snap(east, math.ceil),
              _snap(north, math.ceil))  # fmt: skip
    shrink = math.cos(math.radians((box.north + box.south) / 2))
    return Frame(
        box, WIDTH, round(WIDTH * (box.north - box.south) / ((box.east - box.west) * shrink))
    )


def _padded(low: float, high: float, floor: float, ceiling: float) -> tuple[float, float]:
    span = max(high - low, MIN_SPAN)
    middle = (low + high) / 2
    half = span * (0.5 + MARGIN)
    return max(middle - half, floor), min(middle + half, ceiling)


def _widened(low: float, high: float, span: float) -> tuple[float, float]:
    middle = (low + high) / 2
    return middle - span / 2, middle + span / 2


def _snap(value: float, rounding: Callable[[float], int]) -> float:
    return rounding(value / GRID) * GRID


@lru_cache(maxsize=BORDER_CACHE)
def borders(frame: Frame) -> tuple[str, ...]:
    """SVG path data, one per country in the frame, clipped to it and thinned to what
    shows at this size."""
    paths = []
    view = Box(-2.0, -2.0, frame.width + 2.0, frame.height + 2.0)
    for country in atlas.countries():
        if not country.box.meets(frame.box):
            continue
        rings = (_clip([frame.project(*point) for point in ring], view) for ring in country.rings)
        data = " ".join(_path(ring) for ring in rings if len(ring) >= 3)
        if data:
            paths.append(data)
    return tuple(paths)


def _path(ring: list[Point]) -> str:
    kept = [ring[0]]
    for x, y in ring[1:]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) + abs(y - last_y) >= SIMPLIFY:
            kept.append((x, y))
    if len(kept) < 3:
        return ""
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z"


def _clip(ring: list[Point], view: Box) -> list[Point]:
    """Sutherland–Hodgman: the part of a polygon inside a rectangle, one edge at a time."""
    edges: tuple[tuple[Callable[[Point], bool], Callable[[Point, Point], Point]], ...] = (
        (lambda p: p[0] >= view.west, lambda a, b: _at_x(a, b, view.west)),
        (lambda p: p[0] <= view.east, lambda a, b: _at_x(a, b, view.east)),
        (lambda p: p[1] >= view.south, lambda a, b: _at_y(a, b, view.south)),
        (lambda p: p[1] <= view.north, lambda a, b: _at_y(a, b, view.north)),
    )
    for inside, crossing in edges:
        if not ring:
            break
        clipped: list[Point] = []
        previous = ring[-1]
        for point in ring:
            if inside(point):
                if not inside(previous):
                    clipped.append(crossing(previous, point))
                clipped.append(point)
            elif inside(previous):
                clipped.append(crossing(previous, point))
            previous = point
        ring = clipped
    return ring


def _at_x(a: Point, b: Point, x: float) -> Point:
    return (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    return (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)
