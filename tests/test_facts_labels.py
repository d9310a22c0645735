"""The labelled passages of the facts benchmark are well-formed, and its scorer matches facts
the way bench/data/facts/README.md says (normalised places, aliases, aggregates apart)."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.helpers import SHARED_FIXTURES

BENCH = Path(__file__).resolve().parents[1] / "bench" / "facts.py"
LABELS = BENCH.parent / "data" / "facts" / "passages.jsonl"
EXCHANGE_WHAT = {"prisoners", "bodies", "children", "wounded", "hostages", "civilians"}
EXCHANGE_STATUS = {"agreed", "completed", "proposed", "demanded"}
CEASEFIRE_STATUS = {"proposed", "agreed", "rejected", "violated", "in force"}


def load_bench() -> ModuleType:
    """bench/facts.py as a module (bench/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("facts_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]


def is_count(value: object) -> bool:
    return value is None or (type(value) is int and value >= 0)


# The labelled file ---------------------------------------------------------------------------


def check_incident(incident: dict[str, Any]) -> None:
    assert set(incident) == {"place", "place_aliases", "killed", "injured", "aggregate"}
    assert incident["place"] is None or (isinstance(incident["place"], str) and incident["place"])
    assert all(isinstance(alias, str) and alias for alias in incident["place_aliases"])
    assert is_count(incident["killed"])
    assert is_count(incident["injured"])
    assert incident["killed"] is not None or incident["injured"] is not None
    assert type(incident["aggregate"]) is bool


def check_exchange(exchange: dict[str, Any]) -> None:
    assert set(exchange) == {"what", "count", "status"}
    assert exchange["what"] in EXCHANGE_WHAT
    assert is_count(exchange["count"])
    assert exchange["status"] in EXCHANGE_STATUS


def check_ceasefire(ceasefire: dict[str, Any]) -> None:
    assert set(ceasefire) == {"proposed_by", "min_days", "max_days", "status"}
    assert ceasefire["proposed_by"] is None or isinstance(ceasefire["proposed_by"], str)
    assert is_count(ceasefire["min_days"])
    assert is_count(ceasefire["max_days"])
    if ceasefire["min_days"] is not None and ceasefire["max_days"] is not None:
        assert ceasefire["min_days"] <= ceasefire["max_days"]
    assert ceasefire["status"] in CEASEFIRE_STATUS


def check_source(record: dict[str, Any]) -> None:
    if record["text"] is None:
        ref = record["ref"]
        assert {"file", "how", "json_path", "sha1"} <= set(ref)
        assert not Path(ref["file"]).is_absolute()
        assert ".." not in Path(ref["file"]).parts
        assert len(ref["sha1"]) == 40
    else:
        assert isinstance(record["text"], str)
        assert record["text"].strip()
        assert record["ref"] is None


def test_every_labelled_line_is_a_well_formed_passage() -> None:
    ids = set()
    for record in records():
        assert set(record) == {
            "id", "lang", "published_at", "text", "ref",
            "incidents", "exchanges", "ceasefires", "note",
        }, record["id"]  # fmt: skip
        assert record["id"] not in ids, record["id"]
        ids.add(record["id"])
        assert record["lang"] in {"en", "de"}, record["id"]
        assert datetime.fromisoformat(record["published_at"]).tzinfo is not None, record["id"]
        assert isinstance(record["note"], str), record["id"]
        check_source(record)
        for incident in record["incidents"]:
            check_incident(incident)
        for exchange in record["exchanges"]:
            check_exchange(exchange)
        for ceasefire in record["ceasefires"]:
            check_ceasefire(ceasefire)


def test_the_set_is_large_bilingual_and_has_negatives() -> None:
    passages = records()
    negatives = [r for r in passages if not (r["incidents"] or r["exchanges"] or r["ceasefires"])]
    assert len(passages) >= 250
    assert sum(r["lang"] == "de" for r in passages) >= 80
    assert len(negatives) >= 60
    assert any(r["exchanges"] for r in passages)
    assert any(r["ceasefires"] for r in passages)
    assert any(i["aggregate"] for r in passages for i in r["incidents"])


def test_passages_of_real_coverage_are_found_in_the_shared_fixtures() -> None:
    if not SHARED_FIXTURES.exists():
        pytest.skip("../shared/fixtures is absent (see its README.md)")
    passages, skipped = bench.load_passages(LABELS, SHARED_FIXTURES)
    assert skipped == []
    by_id = {passage.id: passage for passage in passages}
    assert "seven people died in Indian-controlled Kashmir" in by_id["ref-001"].text


def test_a_missing_fixture_skips_its_passages_with_a_reason(tmp_path: Path) -> None:
    passages, skipped = bench.load_passages(LABELS, tmp_path)
    refs = [r for r in records() if r["text"] is None]
    assert len(skipped) == len(refs)
    assert "is absent" in skipped[0]
    assert len(passages) == len(records()) - len(refs)


# The scorer ----------------------------------------------------------------------------------


def label(place: str | None, killed: int | None, injured: int | None, **fields: Any) -> Any:
    return {
        "place": place,
        "place_aliases": fields.get("aliases", []),
        "killed": killed,
        "injured": injured,
        "aggregate": fields.get("aggregate", False),
    }


def found(place: str | None, killed: int | None, injured: int | None, **fields: Any) -> Any:
    return {
        "place": {"name": place, "relation": "in"} if place else None,
        "killed": killed,
        "injured": injured,
        "missing": fields.get("missing"),
        "aggregate": fields.get("aggregate", False),
    }


def score(predicted: list[Any], labelled: list[Any], **others: Any) -> Any:
    """Scores of predicted incidents against labelled ones; `others` holds labelled exchanges
    and ceasefires and, under `found_facts`, the predicted ones."""
    found_facts = others.pop("found_facts", {})
    labels = {"incidents": labelled, "exchanges": [], "ceasefires": [], **others}
    return bench.score_passage({"incidents": predicted, **found_facts}, labels)


def test_places_match_when_case_diacritics_and_apostrophes_differ() -> None:
    maras = label("Kahramanmaras", 1092, None)
    assert score([found("KAHRAMANMARAŞ", 1092, None)], [maras])["casualties"].matched == 1
    kupiansk = label("Kupiansk", 2, None, aliases=["Kupyansk"])
    assert score([found("Kup’yansk", 2, None)], [kupiansk])["casualties"].matched == 1
    assert score([found("Kupjansk", 2, None)], [kupiansk])["casualties"].matched == 0


def test_a_place_matches_any_alias_of_the_label() -> None:
    kharkiv = label("Kharkiv", 3, 21, aliases=["Charkiw", "Kharkov"])
    result = score([found("Charkiw", 3, 21)], [kharkiv])["casualties"]
    assert (result.precision, result.recall, result.f1) == (1.0, 1.0, 1.0)
    assert score([found("Kharkiv Oblast", 3, 21)], [kharkiv])["casualties"].matched == 0


def test_a_triple_needs_place_killed_and_injured_all_right() -> None:
    kyiv = label("Kyiv", 4, 16)
    assert score([found("Kyiv", 4, None)], [kyiv])["casualties"].matched == 0
    assert score([found("Kyiv", 4, 17)], [kyiv])["casualties"].matched == 0
    assert score([found(None, 4, 16)], [kyiv])["casualties"].matched == 0
    assert score([found(None, 7, 30)], [label(None, 7, 30)])["casualties"].matched == 1
    assert score([found("Poonch", 7, 30)], [label(None, 7, 30)])["casualties"].matched == 0


def test_aggregates_are_scored_apart_from_the_parts() -> None:
    labelled = [
        label("Kramatorsk", 1, 2),
        label("Illinivka", 2, 3),
        label(None, 5, None, aggregate=True),
    ]
    predicted = [
        found("Kramatorsk", 1, 2),
        found("Illinivka", 2, 3),
        found("Ukraine", 5, None, aggregate=True),
    ]
    scores = score(predicted, labelled)
    assert (scores["casualties"].matched, scores["casualties"].predicted) == (2, 2)
    assert (scores["aggregates"].matched, scores["aggregates"].labelled) == (1, 1)


def test_a_total_given_as_an_incident_counts_against_the_extractor() -> None:
    labelled = [label("Kramatorsk", 1, 2), label(None, 5, None, aggregate=True)]
    scores = score([found("Kramatorsk", 1, 2), found(None, 5, None)], labelled)
    assert scores["casualties"].precision == 0.5
    assert scores["aggregates"].recall == 0.0


def test_each_label_matches_one_prediction_only() -> None:
    scores = score([found("Sumy", 2, 3), found("Sumy", 2, 3)], [label("Sumy", 2, 3)])
    assert (scores["casualties"].matched, scores["casualties"].precision) == (1, 0.5)


def test_incidents_with_only_missing_people_are_not_casualty_triples() -> None:
    scores = score([found("Ischia", None, None, missing=12)], [])
    assert scores["casualties"].predicted == 0
    assert scores["casualties"].f1 == 1.0


def test_exchanges_and_ceasefires_match_on_their_scored_fields() -> None:
    predicted = {
        "exchanges": [{"what": "Bodies", "count": 6000, "status": "agreed", "parties": []}],
        "ceasefires": [
            {"proposed_by": "Moscow", "min_days": 2, "max_days": 3, "status": "proposed"},
            {"proposed_by": None, "min_days": 30, "max_days": 30, "status": "agreed"},
        ],
    }
    scores = score(
        [],
        [],
        exchanges=[{"what": "bodies", "count": 6000, "status": "agreed"}],
        ceasefires=[{"proposed_by": "Russia", "min_days": 2, "max_days": 3, "status": "proposed"}],
        found_facts=predicted,
    )
    assert scores["exchanges"].matched == 1
    assert (scores["ceasefires"].matched, scores["ceasefires"].predicted) == (1, 2)


def test_the_baseline_reads_digits_and_a_place_in_one_sentence() -> None:
    at = datetime(2025, 6, 2, tzinfo=UTC)
    facts = bench.baseline("At least 12 people were killed in Kharkiv on Monday.", "en", at)
    assert score(facts["incidents"], [label("Kharkiv", 12, None)])["casualties"].matched == 1
    german = bench.baseline("In Cherson wurden zwei Menschen getötet.", "de", at)
    assert german["incidents"] == []
