"""How well does the facts extractor read coverage? A quality benchmark that prints figures.

It reads the labelled passages of bench/data/facts/passages.jsonl (English and German, own
writing plus passages of real coverage read in place from ../shared/fixtures/ by reference),
runs Dateline's extractor and a plain regular-expression baseline on each, and prints
precision, recall and F1 by language and overall for:

- casualties: (place, killed, injured) triples of incidents that are not aggregates;
- aggregates: totals whose parts the passage also gives, scored on their own;
- exchanges: (what, count, status);
- ceasefires: (min_days, max_days, status).

A predicted place matches when its name, normalised (casefold, no diacritics, no
apostrophes), equals the label's place or one of its aliases; a label without a place only
matches a prediction without one, except for aggregates, whose scope a passage often leaves
implicit: there a label without a place accepts any place. Predicted incidents that state
neither killed nor injured (missing persons only) are not casualty triples and are ignored.
Each labelled fact matches at most one predicted fact. Goals (issue 16): F1 ≥ 0.90 for
casualties, ≥ 0.85 for exchanges and ceasefires. Labelling rules: bench/data/facts/README.md.

    .venv/bin/python bench/facts.py [--errors N]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "bench" / "data" / "facts" / "passages.jsonl"
FIXTURES = ROOT.parent / "shared" / "fixtures"
GOALS = {"casualties": 0.90, "exchanges": 0.85, "ceasefires": 0.85}

Json = dict[str, Any]
Extractor = Callable[[str, str, datetime], Json]


# The labelled passages -----------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    id: str
    lang: str
    published_at: datetime
    text: str
    labels: Json

    @property
    def negative(self) -> bool:
        return not (
            self.labels["incidents"] or self.labels["exchanges"] or self.labels["ceasefires"]
        )


def fixture_paragraphs(markup: str) -> list[str]:
    """The <p> paragraphs of an HTML string, as the labels' `paragraph` index counts them."""
    return [html.unescape(p).strip() for p in re.findall(r"<p>(.*?)</p>", markup, re.S)]


def resolve_ref(ref: Json, fixtures: Path) -> str:
    """The text a reference points at inside ../shared/fixtures; LookupError says why not."""
    path = fixtures / ref["file"]
    if not path.exists():
        raise LookupError(f"{ref['file']} is absent (see ../shared/fixtures/README.md)")
    value: Any = json.loads(path.read_text(encoding="utf-8"))
    try:
        for key in ref["json_path"]:
            value = value[key]
        if ref.get("paragraph") is not None:
            value = fixture_paragraphs(value)[ref["paragraph"]]
    except (KeyError, IndexError, TypeError) as error:
        raise LookupError(f"{ref['file']}: {ref['how']} not found ({error!r})") from error
    if hashlib.sha1(value.encode()).hexdigest() != ref["sha1"]:  # noqa: S324 (a checksum)
        raise LookupError(f"{ref['file']}: {ref['how']} changed (sha1 differs)")
    return str(value)


def load_passages(
    labels: Path = LABELS, fixtures: Path = FIXTURES
) -> tuple[list[Passage], list[str]]:
    """Every labelled passage with its text, and a message for each one that was skipped."""
    passages, skipped = [], []
    for line in labels.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        if text is None:
            try:
                text = resolve_ref(record["ref"], fixtures)
            except LookupError as error:
                skipped.append(f"{record['id']}: {error}")
                continue
        at = datetime.fromisoformat(record["published_at"])
        passages.append(Passage(record["id"], record["lang"], at, text, record))
    return passages, skipped


# Matching ------------------------------------------------------------------------------------

APOSTROPHES = str.maketrans("", "", "'’ʼ‘`´ʹ")


def normalise_place(name: str) -> str:
    """Casefolded, without diacritics or apostrophes: Kup’jansk, Kupjansk → kupjansk."""
    decomposed = unicodedata.normalize("NFKD", name.translate(APOSTROPHES).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


def predicted_place(incident: Json) -> str | None:
    place = incident.get("place")
    return place.get("name") if isinstance(place, dict) else None


def place_matches(predicted: str | None, label: Json, *, any_if_unlabelled: bool = False) -> bool:
    if label["place"] is None:
        return any_if_unlabelled or predicted is None
    if predicted is None:
        return False
    names = {normalise_place(label["place"]), *map(normalise_place, label["place_aliases"])}
    return normalise_place(predicted) in names


def same_counts(predicted: Json, label: Json) -> bool:
    killed, injured = predicted.get("killed"), predicted.get("injured")
    return bool(killed == label["killed"] and injured == label["injured"])


def same_casualties(predicted: Json, label: Json) -> bool:
    return same_counts(predicted, label) and place_matches(predicted_place(predicted), label)


def same_aggregate(predicted: Json, label: Json) -> bool:
    place = predicted_place(predicted)
    return same_counts(predicted, label) and place_matches(place, label, any_if_unlabelled=True)


def same_exchange(predicted: Json, label: Json) -> bool:
    what = str(predicted.get("what") or "").casefold()
    return (what, predicted.get("count"), predicted.get("status")) == (
        label["what"],
        label["count"],
        label["status"],
    )


def same_ceasefire(predicted: Json, label: Json) -> bool:
    keys = ("min_days", "max_days", "status")
    return all(predicted.get(key) == label[key] for key in keys)


def matched_pairs(
    predicted: list[Json], labels: list[Json], same: Callable[[Json, Json], bool]
) -> int:
    """The most labels that can each be paired with a different matching prediction."""
    owner: dict[int, int] = {}  # prediction index -> label index

    def claim(label: int, seen: set[int]) -> bool:
        for index, guess in enumerate(predicted):
            if index in seen or not same(guess, labels[label]):
                continue
            seen.add(index)
            if index not in owner or claim(owner[index], seen):
                owner[index] = label
                return True
        return False

    return sum(claim(label, set()) for label in range(len(labels)))


# Scoring -------------------------------------------------------------------------------------


@dataclass
class Score:
    matched: int = 0
    predicted: int = 0
    labelled: int = 0

    def add(self, other: Score) -> None:
        self.matched += other.matched
        self.predicted += other.predicted
        self.labelled += other.labelled

    @property
    def precision(self) -> float:
        """Nothing found is perfect precision only when there was nothing to find."""
        if not self.predicted:
            return 0.0 if self.labelled else 1.0
        return self.matched / self.predicted

    @property
    def recall(self) -> float:
        if not self.labelled:
            return 0.0 if self.predicted else 1.0
        return self.matched / self.labelled

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


MEASURES = ("casualties", "aggregates", "exchanges", "ceasefires")


def casualty_incidents(incidents: Iterable[Json], *, aggregate: bool) -> list[Json]:
    return [
        incident
        for incident in incidents
        if bool(incident.get("aggregate")) == aggregate
        and (incident.get("killed") is not None or incident.get("injured") is not None)
    ]


def score_passage(predicted: Json, labels: Json) -> dict[str, Score]:
    """Scores of one passage's predicted facts (the API shape) against its labels."""
    found = predicted.get("incidents", [])
    pairs = {
        "casualties": (
            casualty_incidents(found, aggregate=False),
            [i for i in labels["incidents"] if not i["aggregate"]],
            same_casualties,
        ),
        "aggregates": (
            casualty_incidents(found, aggregate=True),
            [i for i in labels["incidents"] if i["aggregate"]],
            same_aggregate,
        ),
        "exchanges": (predicted.get("exchanges", []), labels["exchanges"], same_exchange),
        "ceasefires": (predicted.get("ceasefires", []), labels["ceasefires"], same_ceasefire),
    }
    return {
        measure: Score(matched_pairs(guesses, wanted, same), len(guesses), len(wanted))
        for measure, (guesses, wanted, same) in pairs.items()
    }


# The regular-expression baseline -------------------------------------------------------------

NUMBER = r"(?:at least |more than |mindestens |mehr als )?(\d[\d,.]*)"
WHO_WERE = r"(?:people |civilians |others )?(?:were |have been |had been )?"
KILLED = {
    "en": rf"{NUMBER} {WHO_WERE}(?:killed|dead|died)|(?:killing|killed) {NUMBER}",
    "de": rf"{NUMBER} (?:Menschen |Personen |Zivilisten )?(?:getötet|ums Leben|Tote|starben)",
}
INJURED = {
    "en": rf"{NUMBER} {WHO_WERE}(?:injured|wounded)|(?:injuring|wounding) {NUMBER}",
    "de": rf"{NUMBER} (?:Menschen |Personen |weitere )?(?:verletzt|verwundet|Verletzte)",
}
PLACE = {"en": r"\b(?:in|near) ([A-Z][\w'-]+)", "de": r"\b(?:in|bei) ([A-ZÄÖÜ][\w'-]+)"}
EXCHANGED = {
    "prisoners": r"prisoners|Kriegsgefangene\w*|Gefangene\w*|Häftlinge",
    "bodies": r"bodies|Leichen",
    "children": r"children|Kinder",
    "hostages": r"hostages|Geiseln",
}
EXCHANGE_STATUS = (
    ("demanded", r"demand|forder"),
    ("proposed", r"propos|vorgeschlagen|schlug"),
    ("agreed", r"agreed|vereinbart|geeinigt"),
)
CEASEFIRE = r"ceasefire|truce|Waffenruhe|Feuerpause"
CEASEFIRE_DAYS = r"(\d+)-(?:day|tägige)"
CEASEFIRE_STATUS = (
    ("rejected", r"reject|abgelehnt|lehnte"),
    ("violated", r"violat|gebrochen"),
    ("in force", r"in force|in Kraft"),
    ("agreed", r"agreed|geeinigt|zugestimmt|stimmte"),
)


def as_int(digits: str) -> int:
    return int(re.sub(r"\D", "", digits))


def count_of(found: re.Match[str]) -> int:
    """The number of a pattern whose alternatives each capture it in their own group."""
    return as_int(next(group for group in found.groups() if group))


def first_status(sentence: str, rules: tuple[tuple[str, str], ...], default: str) -> str:
    return next((status for status, pattern in rules if re.search(pattern, sentence)), default)


def baseline_sentence(sentence: str, lang: str, facts: Json) -> None:
    killed = re.search(KILLED[lang], sentence)
    injured = re.search(INJURED[lang], sentence)
    if killed or injured:
        place = re.search(PLACE[lang], sentence)
        facts["incidents"].append(
            {
                "place": {"name": place.group(1)} if place else None,
                "killed": count_of(killed) if killed else None,
                "injured": count_of(injured) if injured else None,
                "aggregate": False,
            }
        )
    for what, words in EXCHANGED.items():
        for count in re.finditer(rf"{NUMBER} (?:\w+ )?(?:{words})\b", sentence):
            status = first_status(sentence, EXCHANGE_STATUS, "completed")
            facts["exchanges"].append(
                {"what": what, "count": as_int(count.group(1)), "status": status}
            )
    if re.search(CEASEFIRE, sentence):
        days = re.search(CEASEFIRE_DAYS, sentence)
        length = int(days.group(1)) if days else None
        status = first_status(sentence, CEASEFIRE_STATUS, "proposed")
        facts["ceasefires"].append({"min_days": length, "max_days": length, "status": status})


def baseline(text: str, lang: str, published_at: datetime) -> Json:
    """Digits next to 'killed'/'getötet' and the first 'in Place' of the same sentence."""
    facts: Json = {"lang": lang, "incidents": [], "exchanges": [], "ceasefires": [], "talks": []}
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        baseline_sentence(sentence, lang, facts)
    return facts


def dateline_extractor() -> Extractor:
    from dateline.facts.extract import extract

    def run(text: str, lang: str, published_at: datetime) -> Json:
        facts: Json = extract(text, lang, published_at).to_json()
        return facts

    return run


# Report --------------------------------------------------------------------------------------


def evaluate(
    passages: list[Passage], extractor: Extractor
) -> tuple[dict[tuple[str, str], Score], list[tuple[Passage, Json]]]:
    """Scores by (measure, language or 'all') and the passages the extractor got wrong."""
    totals = {(m, lang): Score() for m in MEASURES for lang in ("en", "de", "all")}
    wrong = []
    for passage in passages:
        predicted = extractor(passage.text, passage.lang, passage.published_at)
        scores = score_passage(predicted, passage.labels)
        for measure, score in scores.items():
            totals[measure, passage.lang].add(score)
            totals[measure, "all"].add(score)
        if any(s.matched != s.predicted or s.matched != s.labelled for s in scores.values()):
            wrong.append((passage, predicted))
    return totals, wrong


def print_table(systems: dict[str, dict[tuple[str, str], Score]]) -> None:
    names = list(systems)
    print(" " * 17 + "".join(f"{name:>27}" for name in names))
    print(f"{'measure':12}{'lang':5}" + f"{'P':>7}{'R':>7}{'F1':>7}{'n':>6}" * len(names))
    for measure in MEASURES:
        for lang in ("en", "de", "all"):
            row = f"{measure if lang == 'en' else '':12}{lang:5}"
            for name in names:
                score = systems[name][measure, lang]
                row += (
                    f"{score.precision:7.2f}{score.recall:7.2f}{score.f1:7.2f}{score.labelled:6d}"
                )
            print(row)


def describe_errors(wrong: list[tuple[Passage, Json]], limit: int) -> None:
    for passage, predicted in wrong[:limit]:
        print(f"\n{passage.id} ({passage.lang}): {passage.text[:300]}")
        for key in ("incidents", "exchanges", "ceasefires"):
            label = passage.labels[key]
            found = [
                {k: v for k, v in fact.items() if k != "evidence"}
                for fact in predicted.get(key, [])
            ]
            if label or found:
                print(f"  {key} labelled: {json.dumps(label, ensure_ascii=False)}")
                print(f"  {key} found:    {json.dumps(found, ensure_ascii=False)}")
        if passage.labels["note"]:
            print(f"  note: {passage.labels['note']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", type=int, default=0, help="show N passages Dateline got wrong")
    args = parser.parse_args()
    passages, skipped = load_passages()
    for message in skipped:
        print(f"skipped {message}")
    dateline, wrong = evaluate(passages, dateline_extractor())
    regex, _ = evaluate(passages, baseline)
    by_lang = {lang: sum(p.lang == lang for p in passages) for lang in ("en", "de")}
    negatives = sum(p.negative for p in passages)
    print(
        f"Facts extraction on {len(passages)} labelled passages (en {by_lang['en']}, "
        f"de {by_lang['de']}; {negatives} without facts; {len(skipped)} skipped); "
        "n = labelled facts\n"
    )
    print_table({"dateline": dateline, "regex baseline": regex})
    goals = ", ".join(f"{m} F1 ≥ {goal:.2f}" for m, goal in GOALS.items())
    print(f"\nGoals: {goals}. Passages with any difference: {len(wrong)} of {len(passages)}.")
    describe_errors(wrong, args.errors)


if __name__ == "__main__":
    main()
