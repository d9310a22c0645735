"""The labelled story set that `bench/stories.py` scores against, and the scorer itself.

A broken label file or a wrong scorer would make every figure the bench prints meaningless, so
both are checked here; the clustering quality itself is printed by the bench, never asserted.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
ITEMS = BENCH / "data" / "stories" / "items.jsonl"
sys.path.insert(0, str(BENCH))

from clustering_scores import bcubed, pairs  # noqa: E402 (bench/ is not a package)

FIELDS = {"id", "source", "url", "title", "text", "lang", "published_at", "story"}


def labelled() -> list[dict[str, object]]:
    with ITEMS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def test_every_labelled_item_has_the_fields_the_bench_feeds_to_the_engine() -> None:
    for item in labelled():
        assert set(item) == FIELDS, item.get("id")
        assert isinstance(item["id"], int)
        assert item["lang"] in {"en", "de"}
        assert ".example" in str(urlsplit(str(item["url"])).hostname)  # invented outlets only
        published = datetime.fromisoformat(str(item["published_at"]))
        assert published.utcoffset() is not None
        assert item["title"] or item["text"], item["id"]


def test_the_set_is_big_and_bilingual_enough_to_measure_cross_language_clustering() -> None:
    items = labelled()
    ids = [item["id"] for item in items]
    languages_of: dict[object, set[object]] = defaultdict(set)
    for item in items:
        languages_of[item["story"]].add(item["lang"])
    assert len(items) >= 320
    assert len(set(ids)) == len(ids)
    assert len(set(str(item["url"]) for item in items)) == len(items)
    assert len(languages_of) >= 45
    assert sum(item["lang"] == "de" for item in items) >= 120
    assert sum(languages == {"en", "de"} for languages in languages_of.values()) >= 12


def test_the_set_has_items_without_a_title_and_items_without_text() -> None:
    items = labelled()
    assert any(not item["title"] for item in items)
    assert any(not item["text"] for item in items)


def test_each_hard_negative_pair_names_two_different_labelled_stories() -> None:
    stories = {item["story"] for item in labelled()}
    negatives = json.loads((ITEMS.parent / "hard_negatives.json").read_text(encoding="utf-8"))
    assert len(negatives) >= 6
    for first, second in negatives:
        assert first != second
        assert {first, second} <= stories


GOLD = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b"}
SPLIT_WRONG = {1: "x", 2: "x", 3: "y", 4: "y", 5: "y"}


def test_bcubed_on_a_hand_computed_case() -> None:
    # item 1, 2: P 2/2, R 2/3; item 3: P 1/3, R 1/3; items 4, 5: P 2/3, R 2/2
    scores = bcubed(GOLD, SPLIT_WRONG)
    assert scores.precision == pytest.approx(11 / 15)
    assert scores.recall == pytest.approx(11 / 15)
    assert scores.f1 == pytest.approx(11 / 15)


def test_pair_scores_on_a_hand_computed_case() -> None:
    # gold links 12 13 23 45, predicted links 12 34 35 45: two of four right each way
    scores = pairs(GOLD, SPLIT_WRONG)
    assert (scores.precision, scores.recall) == (0.5, 0.5)


def test_a_focus_judges_its_items_against_the_whole_clustering() -> None:
    alone = bcubed(GOLD, SPLIT_WRONG, focus={3})
    assert (alone.precision, alone.recall) == pytest.approx((1 / 3, 1 / 3))
    linked = pairs(GOLD, SPLIT_WRONG, focus={3})  # gold 13 23, predicted 34 35
    assert (linked.precision, linked.recall, linked.f1) == (0.0, 0.0, 0.0)


def test_all_singletons_and_one_big_cluster_score_as_expected() -> None:
    singletons = {item: item for item in GOLD}
    assert bcubed(GOLD, singletons).precision == 1.0
    assert bcubed(GOLD, singletons).recall == pytest.approx((1 / 3 * 3 + 1 / 2 * 2) / 5)
    assert (pairs(GOLD, singletons).precision, pairs(GOLD, singletons).recall) == (1.0, 0.0)
    lumped = dict.fromkeys(GOLD, "all")
    assert bcubed(GOLD, lumped).precision == pytest.approx((3 / 5 * 3 + 2 / 5 * 2) / 5)
    assert bcubed(GOLD, lumped).recall == 1.0
    assert (pairs(GOLD, lumped).precision, pairs(GOLD, lumped).recall) == (0.4, 1.0)


def test_a_perfect_clustering_scores_one_whatever_its_labels() -> None:
    renamed = {item: f"engine-{label}" for item, label in GOLD.items()}
    assert bcubed(GOLD, renamed).f1 == 1.0
    assert pairs(GOLD, renamed).f1 == 1.0


def test_clusterings_of_different_items_are_refused() -> None:
    with pytest.raises(ValueError, match="different items"):
        bcubed(GOLD, {1: "x"})
