"""Categories as an editor sees them: the right IPTC topic for English and German headlines,
German names for German readers, house sections winning for their keywords, corrections that
steer the next similar story, and no category at all for nonsense. Headlines are our own."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from dateline.stories.categories import (
    TOP_LEVEL,
    Classifier,
    Example,
    HouseSection,
    house_sections_from_setting,
)

POLITICS = "medtop:11000000"
SPORT = "medtop:15000000"
WEATHER = "medtop:17000000"
INFRASTRUCTURE = HouseSection(
    code="infrastruktur",
    names={"de": "Infrastruktur", "en": "Infrastructure"},
    keywords=("Brücke", "Brücken", "~brücke", "Sanierung", "Autobahn", "Schiene", "bridge"),
)


@pytest.mark.parametrize(
    ("title", "text", "language", "code"),
    [
        ("Striker's late goal sends Bristol into cup final", "", "en", SPORT),
        ("Stadtrat wählt neue Oberbürgermeisterin", "", "de", POLITICS),
        ("Amber warning as heavy snow heads for the Pennines", "", "en", WEATHER),
        ("Unwetterwarnung: Starkregen und Hagel im Südwesten", "", "de", WEATHER),
        (
            "Landtagswahl: CDU gewinnt deutlich",
            "Die SPD verliert zwölf Prozentpunkte.",
            "de",
            POLITICS,
        ),
        (
            "Zentralbank senkt den Leitzins",
            "Anleger reagieren erleichtert.",
            "de",
            "medtop:04000000",
        ),
        ("Gunman jailed for life after pub shooting", "", "en", "medtop:02000000"),
        (
            "Papst ruft zu Frieden auf",
            "Beim Gottesdienst im Petersdom erinnerte er an die Opfer.",
            "de",
            "medtop:12000000",
        ),
    ],
)
def test_headlines_get_their_topic_in_both_languages(
    title: str, text: str, language: str, code: str
) -> None:
    assignment = Classifier().classify(title, text, language)
    assert assignment is not None
    assert assignment.code == code
    assert 0 < assignment.confidence <= 1


def test_the_seventeen_iptc_topics_have_english_and_german_names() -> None:
    classifier = Classifier()
    assert [c.code for c in TOP_LEVEL] == [f"medtop:{n:02d}000000" for n in range(1, 18)]
    assert classifier.name(SPORT, "de") == "Sport"
    assert classifier.name("medtop:16000000", "de") == "Konflikt, Krieg und Frieden"
    assert classifier.name("medtop:16000000", "en") == "Conflict, war and peace"
    assert classifier.name("medtop:02000000", "de-AT") == "Kriminalität, Recht und Justiz"
    assert classifier.name("medtop:02000000", "fr") == "Crime, law and justice"
    assert classifier.name("no-such-section", "de") == "No-such-section"


def test_the_shipped_vocabulary_credits_iptc() -> None:
    data = resources.files("dateline.stories") / "data" / "iptc_mediatopics.json"
    about = json.loads(data.read_text(encoding="utf-8"))["about"]
    assert "CC BY 4.0" in about["licence"]
    assert "IPTC" in about["licence"]
    assert about["source"] == "https://cv.iptc.org/newscodes/mediatopic/"


def test_a_house_section_wins_for_its_keywords() -> None:
    title = "Marode Autobahnbrücke muss gesperrt werden"
    text = "Die Sanierung der Brücke soll zwei Jahre dauern, der Verkehr wird umgeleitet."
    plain = Classifier().classify(title, text, "de")
    assert plain is None or plain.code != "infrastruktur"

    classifier = Classifier(house_sections=[INFRASTRUCTURE])
    assignment = classifier.classify(title, text, "de")
    assert assignment is not None
    assert assignment.code == "infrastruktur"
    assert classifier.name("infrastruktur", "de") == "Infrastruktur"
    assert classifier.name("infrastruktur", "en") == "Infrastructure"
    football = classifier.classify("Bayern gewinnt das Derby gegen 1860", "", "de")
    assert football is not None
    assert football.code == SPORT


def test_a_correction_changes_the_next_similar_assignment() -> None:
    corrected = "Scheich kauft Traditionsverein aus der Bundesliga"
    similar = "Scheich kauft zweiten Traditionsverein aus der Bundesliga"
    before = Classifier().classify(similar, "", "de")
    assert before is not None
    assert before.code == SPORT

    correction = Example(title=corrected, text="", language="de", code="medtop:04000000")
    classifier = Classifier(examples=[correction])
    after = classifier.classify(similar, "", "de")
    assert after is not None
    assert after.code == "medtop:04000000"
    unrelated = classifier.classify("Werder gewinnt Nordderby gegen den HSV", "", "de")
    assert unrelated is not None
    assert unrelated.code == SPORT


def test_learning_a_correction_later_works_like_one_given_at_the_start() -> None:
    classifier = Classifier()
    classifier.learn(Example("Royal yacht sold at auction", "", "en", "medtop:01000000"))
    assignment = classifier.classify("Royal yacht sold at auction for £5m", "", "en")
    assert assignment is not None
    assert assignment.code == "medtop:01000000"


@pytest.mark.parametrize(
    ("title", "text"),
    [("", ""), ("   ", "\n\t"), ("Xqzt blorp vrindle", "wobbu zanf"), ("12345 678", "")],
)
def test_nothing_recognisable_gets_no_category(title: str, text: str) -> None:
    assert Classifier().classify(title, text, "en") is None


def test_a_clear_headline_is_surer_than_a_mixed_one() -> None:
    classifier = Classifier()
    clear = classifier.classify(
        "Bundesliga: Dortmund schlägt Leipzig, Guirassy trifft doppelt", "", "de"
    )
    mixed = classifier.classify("Fußballclub-Chef wegen Betrugs vor Gericht", "", "de")
    assert clear is not None
    assert mixed is not None
    assert clear.confidence > mixed.confidence


def test_a_headline_of_unknown_language_is_still_read() -> None:
    assignment = Classifier().classify("Hitzewelle: Bis zu 39 Grad erwartet", "", "")
    assert assignment is not None
    assert assignment.code == WEATHER


def test_a_one_megabyte_text_is_answered_from_its_lead() -> None:
    lead = "Heavy snow and ice are forecast overnight. "
    text = lead + "The council met again to discuss the budget. " * 23_000
    assert len(text) > 1_000_000
    assignment = Classifier().classify("Travel warning for Tuesday", text, "en")
    assert assignment is not None
    assert assignment.code == WEATHER


def test_house_sections_are_read_from_the_setting() -> None:
    raw = [{"code": "infrastruktur", "names": {"de": "Infrastruktur"}, "keywords": ["Brücke"]}]
    (section,) = house_sections_from_setting(raw)
    assert section == HouseSection("infrastruktur", {"de": "Infrastruktur"}, ("Brücke",))


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        ([{"code": "medtop:15000000", "names": {}, "keywords": []}], "code"),
        ([{"code": "", "names": {}, "keywords": []}], "code"),
        ([{"code": "bau", "names": "Bau", "keywords": []}], "names"),
        ([{"code": "bau", "names": {"de": "Bau"}, "keywords": "Kran"}], "keywords"),
    ],
)
def test_a_wrong_house_section_setting_says_what_is_wrong(
    raw: list[dict[str, object]], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        house_sections_from_setting(raw)


def test_a_correction_in_english_guides_a_german_headline_by_meaning() -> None:
    embed_module = pytest.importorskip(
        "dateline.stories.embed", reason="the stories sentence encoder is not installed"
    )
    german = "Investmentfirma kauft Anteile an Fußballclub"
    before = Classifier().classify(german, "", "de")
    assert before is not None
    assert before.code == SPORT

    correction = Example(
        "Hedge fund buys stake in Premier League club", "", "en", "medtop:04000000"
    )
    classifier = Classifier(examples=[correction], embed=embed_module.embed)
    after = classifier.classify(german, "", "de")
    assert after is not None
    assert after.code == "medtop:04000000"
    assert classifier.classify("Xqzt blorp vrindle", "", "de") is None
    derby = classifier.classify("Bayern schlägt Dortmund 3:1", "", "de")
    assert derby is not None
    assert derby.code == SPORT
