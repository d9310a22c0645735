"""Does story clustering keep up with ingest? A benchmark that prints figures, asserts nothing.

A synthetic but news-shaped stream: events of a dozen kinds (fires, strikes, rate decisions,
matches, floods, ...) with names, places and numbers drawn at random (fixed seed), each
covered by one to a dozen of 300 feeds (two thirds English, one third German), in wording
drawn from several headline and text templates per language, within hours of the event.
Every figure comes from a fresh process pinned to one core with a one-thread BLAS, so model
loading counts where it should and nothing borrows a second core:

- sustained: items/s of `StoryEngine.add`, one item at a time as the worker places them
  (embedding included), after a warm-up that fills the window; goal ≥ 100 items/s;
- cold: 15,000 items (300 feeds × 50) into a new engine in a new process, imports and model
  loading included (seconds); goal ≤ 180 s;
- memory: resident MiB with 100,000 items in the engine's window (placed with `add_many` in
  batches, which only makes filling faster); goal ≤ 600 MB.

    .venv/bin/python bench/stories_speed.py [--cold N] [--window-items N] [--sustained N]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from dateline.stories.engine import ItemIn
from render import usage

SEED = 15
FEEDS = 300
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
GOAL_ITEMS_PER_SECOND = 100.0
GOAL_COLD_SECONDS = 180.0
GOAL_MEMORY_MB = 600.0
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def split(names: str, separator: str = " ") -> list[str]:
    """A word list written as one string, which reads better than forty quoted words."""
    return names.split(separator)


PLACES = split(
    "Hamburg Bremen Leipzig Dresden Kassel Mainz Ulm Rostock Kiel Augsburg Freiburg Trier "
    "Lyon Porto Gdansk Malmo Graz Linz Basel Turin Seville Bilbao Leeds Bristol Glasgow Cork "
    "Austin Denver Halifax Perth Osaka Busan Izmir Varna Split Tallinn Riga Vilnius Aarhus "
    "Potsdam Erfurt Hannover Bochum Regensburg Passau Innsbruck Salzburg Zurich Bern Lausanne "
    "Nantes Lille Genoa Bologna Valencia Malaga Utrecht Ghent Antwerp Krakow Poznan Brno Ostrava "
    "Bergen Uppsala Turku Tampere Cardiff Belfast Galway Limerick Aberdeen Dundee Calgary Tampa"
)
FIRST_NAMES = split(
    "Anna Jonas Miriam Tomasz Claire Luca Sara Omar Grace Ken Elena Paul Nina David Ruth Felix "
    "Ines Marco Hannah Peter Aylin Mats Greta Pavel Lena Yusuf Carla Henrik Jana Tobias"
)
SURNAMES = split(
    "Berger Falk Saalfeld Nowak Dubois Ferri Lind Haddad Okafor Ito Petrova Brandt Weiss Moreau "
    "Adler Kranz Roth Vidal Kluge Lorenz Demir Holm Sommer Novak Vogt Yilmaz Ruiz Lund Kral Seidel"
)
PEOPLE = [f"{first} {last}" for first in FIRST_NAMES for last in SURNAMES]  # 900 people
ORGS = [
    f"{stem}{suffix}"
    for stem in split("Hallberg Corvane Lumetra Nordwerk Baltica Rheinchem Verdant Alpina Skyvale")
    for suffix in ("", " Group", " Energy", " Logistik", " Bank", " Werke", " Foods", " Rail")
]
TEAMS = split("Rotweiss Blau-Gelb United Athletic Sporting Dynamo Rovers Eintracht Borussia")

# Per kind: English headlines, English texts, German headlines, German texts.
KINDS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "fire": (
        [
            "Fire at {org} warehouse in {place} injures {n}",
            "{n} hurt as blaze tears through {place} warehouse",
            "{place}: firefighters battle {org} warehouse fire",
        ],
        [
            "A fire broke out at a warehouse run by {org} in {place} on {day}, injuring {n} "
            "people, the fire service said. About {m} firefighters were at the scene.",
            "Residents of {place} were told to keep windows shut after a fire at a {org} "
            "warehouse. {n} people were taken to hospital with smoke inhalation.",
        ],
        [
            "Brand in {org}-Lager in {place}: {n} Verletzte",
            "{place}: Großbrand in Lagerhalle von {org}",
            "Feuer in {place} – {m} Einsatzkräfte vor Ort",
        ],
        [
            "In einer Lagerhalle von {org} in {place} ist am {day_de} ein Feuer ausgebrochen. "
            "{n} Menschen wurden verletzt, rund {m} Feuerwehrleute waren im Einsatz.",
            "Nach dem Brand bei {org} in {place} sollen Anwohner Fenster und Türen geschlossen "
            "halten. {n} Menschen kamen mit Rauchvergiftungen ins Krankenhaus.",
        ],
    ),
    "strike": (
        [
            "Workers at {org} in {place} walk out over pay",
            "{org} strike: {m} staff stop work in {place}",
            "Pay dispute at {org} escalates with {place} walkout",
        ],
        [
            "About {m} employees of {org} in {place} went on strike on {day}, demanding a pay "
            "rise of {n}%. Union leader {person} said talks had broken down.",
            "Production at {org}'s {place} site stood still as {m} workers joined a strike "
            "called by {person}'s union over a {n}% pay claim.",
        ],
        [
            "Streik bei {org} in {place}: {m} Beschäftigte legen Arbeit nieder",
            "Tarifstreit bei {org} eskaliert – Warnstreik in {place}",
            "{place}: Belegschaft von {org} streikt für {n} Prozent mehr Lohn",
        ],
        [
            "Rund {m} Beschäftigte von {org} in {place} haben am {day_de} die Arbeit "
            "niedergelegt. Sie fordern {n} Prozent mehr Lohn, sagte Gewerkschafterin {person}.",
            "Im Werk von {org} in {place} stehen die Bänder still. {person} sprach von einem "
            "Warnschuss an die Arbeitgeber.",
        ],
    ),
    "rates": (
        [
            "Central bank of {place} region sets rate at {n}.{m2}%",
            "{person} keeps rates at {n}.{m2}% after split vote",
            "Rate decision: {n}.{m2}% as {person} warns on prices",
        ],
        [
            "The regional central bank chaired by {person} set its key rate at {n}.{m2}% on "
            "{day}, saying prices in {place} were still rising faster than wages.",
            "Policymakers under {person} voted {m2}-3 to set the rate at {n}.{m2}%.",
        ],
        [
            "Notenbank unter {person} legt Leitzins auf {n},{m2} Prozent fest",
            "Zinsentscheid: {n},{m2} Prozent – {person} mahnt zur Geduld",
        ],
        [
            "Die Notenbank unter {person} hat den Leitzins am {day_de} auf {n},{m2} Prozent "
            "festgelegt. Die Preise in {place} stiegen weiter schneller als die Löhne.",
        ],
    ),
    "match": (
        [
            "{team} beat {team2} {n}-{m2} in {place}",
            "{person} double gives {team} win over {team2}",
            "{team2} fall to {team} in {place} thriller",
        ],
        [
            "{person} scored twice as {team} beat {team2} {n}-{m2} in {place} on {day}, "
            "moving up to third in the table in front of {m} fans.",
        ],
        [
            "{team} schlägt {team2} mit {n}:{m2}",
            "Doppelpack von {person}: {team} gewinnt in {place}",
        ],
        [
            "{team} hat das Spiel gegen {team2} in {place} mit {n}:{m2} gewonnen. {person} "
            "traf doppelt, {m} Zuschauer sahen die Partie.",
        ],
    ),
    "flood": (
        [
            "River bursts banks in {place}, {m} homes evacuated",
            "Flood alert in {place} as water rises to {n} metres",
        ],
        [
            "Emergency services evacuated {m} homes in {place} on {day} after the river rose "
            "to {n} metres. Mayor {person} said the dykes were holding for now.",
        ],
        [
            "Hochwasser in {place}: {m} Häuser geräumt",
            "Pegel steigt auf {n} Meter – Alarm in {place}",
        ],
        [
            "In {place} sind am {day_de} {m} Häuser geräumt worden, der Fluss stieg auf {n} "
            "Meter. Bürgermeisterin {person} sagte, die Deiche hielten bislang.",
        ],
    ),
    "company": (
        [
            "{org} to cut {m} jobs at {place} plant",
            "{org} shares fall {n}% on {place} closure plan",
            "{person} confirms {org} will shut {place} site",
        ],
        [
            "{org} said on {day} it would cut {m} jobs at its {place} plant, blaming energy "
            "costs. Chief executive {person} said the decision was painful.",
        ],
        [
            "{org} streicht {m} Stellen in {place}",
            "{org} schließt Werk in {place} – Aktie fällt um {n} Prozent",
        ],
        [
            "{org} will in seinem Werk in {place} {m} Stellen streichen. Vorstandschef "
            "{person} nannte hohe Energiekosten als Grund.",
        ],
    ),
    "election": (
        [
            "{person} wins {place} mayoral race with {n}%",
            "{place} elects {person} as mayor",
        ],
        [
            "{person} won the mayoral election in {place} on {day} with {n}% of the vote, "
            "ahead of {person2}. Turnout was {m2}0%.",
        ],
        [
            "{person} gewinnt Bürgermeisterwahl in {place} mit {n} Prozent",
            "{place} hat gewählt: {person} wird Oberbürgermeister",
        ],
        [
            "{person} hat die Bürgermeisterwahl in {place} mit {n} Prozent gewonnen und "
            "{person2} deutlich hinter sich gelassen.",
        ],
    ),
    "crash": (
        [
            "{n} injured as bus and lorry collide near {place}",
            "Motorway near {place} closed after bus crash",
        ],
        [
            "A bus carrying {m} passengers collided with a lorry near {place} on {day}; {n} "
            "people were injured, police said. The motorway was closed for hours.",
        ],
        [
            "Busunfall bei {place}: {n} Verletzte",
            "Autobahn bei {place} nach Unfall mit Reisebus gesperrt",
        ],
        [
            "Bei {place} ist ein Reisebus mit {m} Fahrgästen mit einem Lastwagen "
            "zusammengestoßen. {n} Menschen wurden verletzt, teilte die Polizei mit.",
        ],
    ),
}
DAYS = split("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
DAYS_DE = split("Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag")
FILLER_EN = (
    "More details were expected later in the day.",
    "A spokesperson declined to comment further.",
    "The report could not be independently verified.",
)
FILLER_DE = (
    "Weitere Einzelheiten sollen im Laufe des Tages folgen.",
    "Ein Sprecher wollte sich zunächst nicht weiter äußern.",
    "Die Angaben ließen sich zunächst nicht unabhängig überprüfen.",
)


@dataclass(frozen=True)
class Stream:
    items: list[ItemIn]  # in published order
    events: int  # how many events they report: the stories a perfect engine would form


def stream(count: int, hours: float, seed: int = SEED) -> Stream:
    """`count` items from FEEDS feeds, events spread over `hours`."""
    rng = random.Random(seed)
    german_feeds = set(rng.sample(range(FEEDS), FEEDS // 3))
    items: list[ItemIn] = []
    events = 0
    while len(items) < count:
        events += 1
        kind = KINDS[rng.choice(list(KINDS))]
        at = START + timedelta(hours=rng.uniform(0, hours))
        person, person2 = rng.sample(PEOPLE, 2)
        team, team2 = rng.sample(TEAMS, 2)
        slots = {
            "place": rng.choice(PLACES),
            "org": rng.choice(ORGS),
            "person": person,
            "person2": person2,
            "team": team,
            "team2": team2,
            "n": str(rng.randint(2, 40)),
            "m": str(rng.randint(50, 4000)),
            "m2": str(rng.randint(0, 9)),
            "day": DAYS[at.weekday()],
            "day_de": DAYS_DE[at.weekday()],
        }
        for feed in rng.sample(range(FEEDS), min(12, int(rng.paretovariate(1.2)))):
            german = feed in german_feeds
            titles, texts = (kind[2], kind[3]) if german else (kind[0], kind[1])
            filler = rng.choice(FILLER_DE if german else FILLER_EN)
            published = at + timedelta(minutes=rng.expovariate(1 / 90))
            number = len(items) + 1
            items.append(
                ItemIn(
                    id=number,
                    source_id=feed,
                    url=f"https://feed{feed}.example.com/{published:%Y/%m/%d}/{number}",
                    title=rng.choice(titles).format(**slots) if rng.random() > 0.05 else "",
                    text=f"{rng.choice(texts).format(**slots)} {filler}",
                    language="de" if german else "en",
                    published_at=published,
                )
            )
    ordered = sorted(items[:count], key=lambda item: (item.published_at, item.id))
    return Stream(ordered, events)


# Measurements, each run in a fresh process on one core -------------------------------------


def sustained(count: int, warm_up: int) -> dict[str, float]:
    from dateline.stories.engine import StoryEngine

    items = stream(warm_up + count, hours=36).items
    engine = StoryEngine()
    engine.add_many(items[:warm_up])
    began, cpu = time.perf_counter(), time.process_time()
    for item in items[warm_up:]:
        engine.add(item)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    return {"rate": count / seconds, "cpu_rate": count / cpu_seconds, "cpu": cpu_seconds / seconds}


def cold(count: int) -> dict[str, float]:
    generated = stream(count, hours=72)
    began = time.perf_counter()
    from dateline.stories.engine import StoryEngine

    engine = StoryEngine()
    for item in generated.items:
        engine.add(item)
    return {
        "seconds": time.perf_counter() - began,
        "stories": len(list(engine.stories())),
        "events": generated.events,
    }


def write_stream(count: int, path: Path) -> None:
    """The memory fill's items as JSON lines, written by the parent: the stream is made
    whole (it is sorted by time), and the measured process should hold only a batch of it."""
    with path.open("w", encoding="utf-8") as out:
        for item in stream(count, hours=40).items:  # all inside the engine's 48-hour window
            fields = {**vars(item), "published_at": item.published_at.isoformat()}
            out.write(json.dumps(fields) + "\n")


def read_batches(path: Path, size: int) -> Iterator[list[ItemIn]]:
    with path.open(encoding="utf-8") as lines:
        batch: list[ItemIn] = []
        for line in lines:
            fields = json.loads(line)
            fields["published_at"] = datetime.fromisoformat(fields["published_at"])
            batch.append(ItemIn(**fields))
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch


def memory(path: Path) -> dict[str, float]:
    from dateline.stories.engine import StoryEngine

    engine = StoryEngine()
    first = next(read_batches(path, 1))
    engine.add_many(first)  # loads the model: "the model and runtime alone"
    before = usage(os.getpid()).rss_mib
    for batch in read_batches(path, 1000):
        engine.add_many([item for item in batch if item.id != first[0].id])
    after = usage(os.getpid())
    return {"model": before, "rss": after.rss_mib, "peak": after.peak_rss_mib}


def _child(
    measure: Callable[..., dict[str, float]], args: tuple[Any, ...], out: Connection
) -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    out.send(measure(*args))


def in_fresh_process(measure: Callable[..., dict[str, float]], *args: Any) -> dict[str, float]:
    """Run `measure` in a new interpreter on one core. Its BLAS gets one thread too: OpenBLAS
    threads spinning on a busy machine made each embedding ten times slower here."""
    os.environ.update(dict.fromkeys(BLAS_THREADS, "1"))
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_child, args=(measure, args, theirs))
    process.start()
    result: dict[str, float] = ours.recv()
    process.join()
    return result


def mark(ok: bool) -> str:
    return "" if ok else "  <-- misses the goal"


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sustained", type=int, default=3000, help="items timed one by one")
    parser.add_argument("--warm-up", type=int, default=3000, help="items in the window first")
    parser.add_argument("--cold", type=int, default=FEEDS * 50, help="items from cold")
    parser.add_argument("--window-items", type=int, default=100_000, help="items in the window")
    return parser.parse_args()


def main() -> None:
    """Each figure is printed as soon as it is measured: the memory fill takes longest."""
    args = options()
    print(f"Story clustering speed, one core, synthetic stream (seed {SEED}, {FEEDS} feeds)")
    print(f"{'measure':<44} {'result':>12} {'goal':>12}", flush=True)
    rate = in_fresh_process(sustained, args.sustained, args.warm_up)
    label = f"sustained add() of {args.sustained:,}, embedding incl."
    print(
        f"{label:<44} {rate['rate']:>10.0f}/s {'≥ 100/s':>12}"
        f"{mark(rate['rate'] >= GOAL_ITEMS_PER_SECOND)}"
    )
    print(
        f"{'  (per CPU-second; share of the core it got)':<44} {rate['cpu_rate']:>10.0f}/s "
        f"{rate['cpu']:>12.0%}",
        flush=True,
    )
    start = in_fresh_process(cold, args.cold)
    label = f"{args.cold:,} items from cold, model load included"
    print(
        f"{label:<44} {start['seconds']:>10.1f} s {'≤ 180 s':>12}"
        f"{mark(start['seconds'] <= GOAL_COLD_SECONDS)}"
    )
    print(
        f"{'  (stories formed; events in the stream)':<44} {start['stories']:>12,.0f} "
        f"{start['events']:>12,.0f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stream.jsonl"
        write_stream(args.window_items, path)
        held = in_fresh_process(memory, path)
    rss_mb = held["rss"] * 1.048576  # MiB to MB, the unit of the goal
    label = f"resident with {args.window_items:,} items in window"
    print(f"{label:<44} {rss_mb:>9.0f} MB {'≤ 600 MB':>12}{mark(rss_mb <= GOAL_MEMORY_MB)}")
    print(
        f"{'  (the model and runtime alone; peak)':<44} "
        f"{held['model'] * 1.048576:>9.0f} MB {held['peak'] * 1.048576:>9.0f} MB"
    )


if __name__ == "__main__":
    main()
