"""The daily timeline chart: for each day, the people killed and injured in that day's
incidents, as two bars, and how many incidents there were.

A day counts each incident once (merged across sources, with its most conservative count).
A total ("at least five people were killed … two in Kramatorsk") is never added to its
parts: the day shows the larger of the parts' sum and the total. Days without incidents
between the first and the last stay on the chart as gaps; a long coverage shows its latest
`MAX_DAYS`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateline.facts.merge import Merged

MAX_DAYS = 92
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 16, 40  # room for the count axis and the day labels
LABELS = 10  # day labels at most; the others are in each bar's title
TICKS = 4  # count-axis lines, about


@dataclass(slots=True)
class Tally:
    """One day's incidents: the parts (places) added up, and its totals' largest counts."""

    incidents: int = 0
    killed: int = 0
    injured: int = 0
    totals: list[tuple[int, int]] = field(default_factory=list)

    @property
    def counted(self) -> tuple[int, int, int]:
        """Incidents, killed, injured as the chart shows them."""
        killed = max([self.killed, *(total[0] for total in self.totals)])
        injured = max([self.injured, *(total[1] for total in self.totals)])
        return self.incidents or len(self.totals), killed, injured


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    incidents: int
    killed: Bar
    injured: Bar
    middle: float  # x of the day's centre, for its label
    labelled: bool


@dataclass(frozen=True, slots=True)
class Chart:
    days: tuple[Day, ...]
    ticks: tuple[tuple[float, int], ...]  # (y, count) of each axis line
    width: int
    height: int
    baseline: float
    cut: bool  # earlier days were left out (more than MAX_DAYS)

    @property
    def first(self) -> date:
        return self.days[0].day

    @property
    def last(self) -> date:
        return self.days[-1].day

    @property
    def totals(self) -> tuple[int, int, int]:
        return (
            sum(day.incidents for day in self.days),
            sum(day.killed.count for day in self.days),
            sum(day.injured.count for day in self.days),
        )


def draw(entries: list[Merged]) -> Chart | None:
    """The chart of these facts; None when no incident has a date."""
    tallies = _tallies(entries)
    if not tallies:
        return None
    last = max(tallies)
    first = max(min(tallies), last - timedelta(days=MAX_DAYS - 1))
    span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    counted = [tallies[day].counted if day in tallies else (0, 0, 0) for day in span]
    top = _nice_top(max(max(killed, injured) for _, killed, injured in counted))
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(span)
    every = math.ceil(len(span) / LABELS)

    def bar(x: float, count: int) -> Bar:
        height = plot * count / top
        return Bar(x, TOP + plot - height, slot * 0.4, height, count)

    days = tuple(
        Day(
            day,
            incidents,
            bar(LEFT + slot * (n + 0.1), killed),
            bar(LEFT + slot * (n + 0.5), injured),
            LEFT + slot * (n + 0.5),
            n % every == 0,
        )
        for n, (day, (incidents, killed, injured)) in enumerate(zip(span, counted, strict=True))
    )
    ticks = tuple((TOP + plot - plot * value / top, value) for value in _tick_values(top))
    return Chart(days, ticks, WIDTH, HEIGHT, TOP + plot, first > min(tallies))


def _tallies(entries: list[Merged]) -> dict[date, Tally]:
    tallies: dict[date, Tally] = defaultdict(Tally)
    for entry in entries:
        day = entry.first.fact_date
        if entry.kind != "incident" or day is None:
            continue
        fact, tally = entry.fact, tallies[day]
        killed, injured = fact.get("killed") or 0, fact.get("injured") or 0
        if fact.get("aggregate"):
            tally.totals.append((killed, injured))
        else:
            tally.incidents += 1
            tally.killed += killed
            tally.injured += injured
    return tallies


def _step(top: int) -> int:
    """1, 2 or 5 times a power of ten, so that about `TICKS` lines cover `top`."""
    raw = max(top / TICKS, 1)
    power = int(10 ** math.floor(math.log10(raw)))  # raw >= 1: a whole power
    return next(factor * power for factor in (1, 2, 5, 10) if factor * power >= raw)


def _nice_top(most: int) -> int:
    step = _step(max(most, 1))
    return max(step * math.ceil(most / step), step)


def _tick_values(top: int) -> range:
    return range(0, top + 1, _step(top))
