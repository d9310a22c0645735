"""Category quality and speed: Dateline's classifier against a one-keyword baseline.

Reads the labelled headlines in bench/data/categories/ (English and German, written for this
project, each with its IPTC Media Topic; see the README there) and prints top-level accuracy,
accuracy per language, macro-F1 over the 17 topics, how often the classifier abstains, and
accuracy above and below confidence 0.5 — next to a baseline that looks for one obvious word
per topic ("football", "Krieg", ...) and otherwise guesses the most common topic. Then the
held-out set again with the tuned set given as editors' corrections (compared by shared words,
and by meaning through the stories sentence encoder when it is installed), and headlines per
second: keywords alone, first pass (cold word caches) and later passes; and with corrections
by meaning when the item's sentence vector is at hand (the story engine has it already).

    .venv/bin/python bench/categories.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from dateline.stories.categories import TOP_LEVEL, Classifier, Example

DATA = Path(__file__).parent / "data" / "categories"
SETS = {
    "headlines.jsonl": "the set the keyword lists were tuned on",
    "holdout.jsonl": "written after tuning, never tuned on",
}
BASELINE_WORDS = {
    "medtop:01000000": ("film", "film"),
    "medtop:02000000": ("police", "polizei"),
    "medtop:03000000": ("fire", "brand"),
    "medtop:04000000": ("economy", "wirtschaft"),
    "medtop:05000000": ("school", "schule"),
    "medtop:06000000": ("climate", "klima"),
    "medtop:07000000": ("health", "gesundheit"),
    "medtop:08000000": ("zoo", "zoo"),
    "medtop:09000000": ("strike", "streik"),
    "medtop:10000000": ("travel", "urlaub"),
    "medtop:11000000": ("election", "wahl"),
    "medtop:12000000": ("church", "kirche"),
    "medtop:13000000": ("research", "forscher"),
    "medtop:14000000": ("poverty", "armut"),
    "medtop:15000000": ("football", "fußball"),
    "medtop:16000000": ("war", "krieg"),
    "medtop:17000000": ("weather", "wetter"),
}

Item = dict[str, str]
Predict = Callable[[Item], str | None]


def load(name: str) -> list[Item]:
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def baseline(majority: str) -> Predict:
    """First topic whose one word appears in the title or lead, else the commonest topic."""

    def predict(item: Item) -> str | None:
        text = f"{item['title']} {item['text']}".lower()
        column = 1 if item["lang"] == "de" else 0
        for code, words in BASELINE_WORDS.items():
            if words[column] in text:
                return code
        return majority

    return predict


def macro_f1(pairs: list[tuple[str, str | None]]) -> float:
    scores = []
    for code in (category.code for category in TOP_LEVEL):
        tp = sum(1 for gold, got in pairs if gold == code and got == code)
        fp = sum(1 for gold, got in pairs if gold != code and got == code)
        fn = sum(1 for gold, got in pairs if gold == code and got != code)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def accuracy(pairs: list[tuple[str, str | None]]) -> float:
    return sum(1 for gold, got in pairs if gold == got) / len(pairs) if pairs else 0.0


def report(name: str, items: list[Item], predict: Predict) -> None:
    pairs = [(item["code"], predict(item)) for item in items]
    by_language = {
        lang: accuracy([p for p, item in zip(pairs, items, strict=True) if item["lang"] == lang])
        for lang in ("en", "de")
    }
    abstained = sum(1 for _, got in pairs if got is None)
    print(
        f"{name:<12} accuracy {accuracy(pairs):.3f}  en {by_language['en']:.3f}  "
        f"de {by_language['de']:.3f}  macro-F1 {macro_f1(pairs):.3f}  "
        f"no category {abstained}/{len(pairs)}"
    )


def confidence_split(items: list[Item], classifier: Classifier) -> None:
    """A confidence that means something: sure answers should be right more often."""
    sure, unsure = [], []
    for item in items:
        assignment = classifier.classify(item["title"], item["text"], item["lang"])
        if assignment is None:
            continue
        target = sure if assignment.confidence >= 0.5 else unsure
        target.append((item["code"], assignment.code))
    print(
        f"{'':<12} confidence ≥ 0.5: {len(sure)} items, accuracy {accuracy(sure):.3f};  "
        f"< 0.5: {len(unsure)} items, accuracy {accuracy(unsure):.3f}"
    )


def speed(items: list[Item], rounds: int) -> None:
    classifier = Classifier()
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            classifier.classify(item["title"], item["text"], item["lang"])
        timings.append(time.perf_counter() - start)
    cold, warm = timings[0], min(timings[1:] or timings)
    print(
        f"speed        {len(items) / cold:,.0f} headlines/s first pass (cold caches), "
        f"{len(items) / warm:,.0f} headlines/s after (target ≥ 1,000)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    classifier = Classifier()
    everything = []
    for name, meaning in SETS.items():
        items = load(name)
        everything += items
        languages = Counter(item["lang"] for item in items)
        topics = Counter(item["code"] for item in items)
        print(
            f"\ncategories, {name} ({meaning}): {len(items)} headlines ({languages['en']} "
            f"English, {languages['de']} German), {len(topics)} topics; goal accuracy ≥ 0.85"
        )
        report("dateline", items, lambda i: _code(classifier, i))
        confidence_split(items, classifier)
        report("baseline", items, baseline(topics.most_common(1)[0][0]))
    with_corrections(load("headlines.jsonl"), load("holdout.jsonl"))
    print()
    speed(everything, args.rounds)


def with_corrections(corrections: list[Item], items: list[Item]) -> None:
    """What an installation gains once editors have corrected (or confirmed) many stories."""
    examples = [Example(i["title"], i["text"], i["lang"], i["code"]) for i in corrections]
    print(f"\nholdout.jsonl with the {len(examples)} tuned headlines as editors' corrections:")
    by_words = Classifier(examples=examples)
    report("by words", items, lambda i: _code(by_words, i))
    try:
        from dateline.stories.embed import embed
    except ImportError:
        print("by meaning   skipped: the stories sentence encoder is not installed")
        return
    by_meaning = Classifier(examples=examples, embed=embed)
    vectors = embed([f"{i['title']}. {i['text']}" for i in items])
    vector_of = {id(item): vector for item, vector in zip(items, vectors, strict=True)}
    report("by meaning", items, lambda i: _code(by_meaning, i, vector_of[id(i)]))
    start = time.perf_counter()
    for item in items:
        by_meaning.classify(item["title"], item["text"], item["lang"], vector_of[id(item)])
    elapsed = time.perf_counter() - start
    print(f"{'':<12} {len(items) / elapsed:,.0f} headlines/s with the item's vector given")


def _code(classifier: Classifier, item: Item, vector: object = None) -> str | None:
    assignment = classifier.classify(item["title"], item["text"], item["lang"], vector)
    return assignment.code if assignment else None


if __name__ == "__main__":
    main()
