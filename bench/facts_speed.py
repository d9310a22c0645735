"""How fast is the facts extractor, and what does its gazetteer cost? Prints figures.

Runs dateline.facts.extract over the labelled passages of bench/data/facts/passages.jsonl
(own writing; English and German) on one core, and prints passages per second, the median
time per passage, the time of one gazetteer look-up (cold, then cached), and the resident
memory the gazetteer adds to the process. Goals (issue 16): ≥ 200 passages/s, median update
< 5 ms, look-up < 1 ms, gazetteer ≤ 150 MB.

    .venv/bin/python bench/facts_speed.py
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime
from pathlib import Path

from dateline.facts import gazetteer
from dateline.facts.extract import extract

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "bench" / "data" / "facts" / "passages.jsonl"
NAMES = ["Kharkiv", "Charkiw", "Kupjansk", "Куп’янськ", "Kramatorsk", "Essen", "Valencia"]
NAMES += ["Gaza City", "Khan Younis", "Marhanets", "Nowhereville", "Saporischschja", "Lviv"]


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def passages() -> list[tuple[str, str, datetime]]:
    found = []
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["text"]:
            at = datetime.fromisoformat(record["published_at"])
            found.append((record["text"], record["lang"], at))
    return found


def main() -> None:
    before = resident_mb()
    opened = time.perf_counter()
    places = gazetteer.open_gazetteer()
    opened = time.perf_counter() - opened
    cold = []
    for name in NAMES:
        started = time.perf_counter()
        places.lookup(name)
        cold.append(time.perf_counter() - started)
    warm_started = time.perf_counter()
    for _ in range(100):
        for name in NAMES:
            places.lookup(name)
    warm = (time.perf_counter() - warm_started) / (100 * len(NAMES))
    texts = passages()
    extract(texts[0][0], texts[0][1], texts[0][2])
    times = []
    total_started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(3):
        for text, lang, at in texts:
            started = time.perf_counter()
            extract(text, lang, at)
            times.append(time.perf_counter() - started)
    total, cpu = time.perf_counter() - total_started, time.process_time() - cpu_started
    print(f"Facts extraction speed on {len(texts)} passages x 3 (one core)")
    print(f"  passages per second      {len(times) / total:10.0f}   (goal ≥ 200)")
    print(f"  per CPU second           {len(times) / cpu:10.0f}   (what a busy machine hides)")
    print(f"  median per passage       {statistics.median(times) * 1000:10.2f} ms (goal < 5 ms)")
    print(f"  slowest passage          {max(times) * 1000:10.2f} ms")
    print(f"  gazetteer open           {opened * 1000:10.2f} ms (file {places.path.name})")
    print(f"  look-up, cold (median)   {statistics.median(cold) * 1000:10.3f} ms (goal < 1 ms)")
    print(f"  look-up, cached          {warm * 1000:10.4f} ms")
    print(f"  resident memory added    {resident_mb() - before:10.1f} MB (goal ≤ 150 MB)")


if __name__ == "__main__":
    main()
