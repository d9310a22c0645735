"""Scores of a clustering against gold labels: B-cubed and pair precision/recall/F1.

Both views are printed because they disagree in telling ways: B-cubed averages over items, so a
big story and a story of one weigh the same per item; pair scores count links, so big stories
dominate. Clusterings are given as {item id: cluster label}; labels are only compared for
equality, so gold names and engine keys can be mixed freely.

A `focus` set restricts the average to some items (e.g. those of cross-language stories) while
still judging them against the whole clustering: a focused item wrongly joined to an unfocused
one costs precision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def bcubed(
    gold: Mapping[int, Hashable],
    predicted: Mapping[int, Hashable],
    focus: Iterable[int] | None = None,
) -> Scores:
    """Per item: precision = share of its predicted cluster that is in its gold story, recall =
    share of its gold story that is in its predicted cluster; both averaged over the items."""
    _same_items(gold, predicted)
    items = list(gold) if focus is None else list(focus)
    if not items:
        return Scores(1.0, 1.0)
    gold_sizes = Counter(gold.values())
    predicted_sizes = Counter(predicted.values())
    both = Counter((gold[item], predicted[item]) for item in gold)
    precision = recall = 0.0
    for item in items:
        common = both[gold[item], predicted[item]]
        precision += common / predicted_sizes[predicted[item]]
        recall += common / gold_sizes[gold[item]]
    return Scores(precision / len(items), recall / len(items))


def pairs(
    gold: Mapping[int, Hashable],
    predicted: Mapping[int, Hashable],
    focus: Iterable[int] | None = None,
) -> Scores:
    """Over all pairs of items (with `focus`, the pairs touching a focused item): precision =
    share of predicted same-story pairs that are gold same-story pairs, recall the converse.
    A clustering that links nothing makes no wrong claim: its precision is 1."""
    _same_items(gold, predicted)
    wanted = set(gold) if focus is None else set(focus)
    true_positive = predicted_links = gold_links = 0
    for first, second in combinations(sorted(gold), 2):
        if first not in wanted and second not in wanted:
            continue
        same_gold = gold[first] == gold[second]
        same_predicted = predicted[first] == predicted[second]
        gold_links += same_gold
        predicted_links += same_predicted
        true_positive += same_gold and same_predicted
    precision = true_positive / predicted_links if predicted_links else 1.0
    recall = true_positive / gold_links if gold_links else 1.0
    return Scores(precision, recall)


def _same_items(gold: Mapping[int, Hashable], predicted: Mapping[int, Hashable]) -> None:
    if set(gold) != set(predicted):
        missing = len(set(gold) ^ set(predicted))
        raise ValueError(f"gold and predicted label different items ({missing} differ)")
