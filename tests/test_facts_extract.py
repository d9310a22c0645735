"""The facts extractor on passages written for these tests (English and German): who was
killed or injured where and when, totals and their parts, exchanges, ceasefires, and input
that must give no facts and no error."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dateline.facts.extract import extract
from dateline.facts.gazetteer import open_gazetteer
from dateline.facts.text import sentences
from tests.live_server import run_cli

PUBLISHED = datetime(2025, 6, 4, 8, 30, tzinfo=UTC)  # a Wednesday


def incidents(text: str, lang: str | None = None) -> list[tuple[Any, ...]]:
    found = extract(text, lang, PUBLISHED).to_json()["incidents"]
    return [
        ((i["place"] or {}).get("name"), i["killed"], i["injured"], i["aggregate"]) for i in found
    ]


def test_a_casualty_report_gives_place_counts_kind_date_and_evidence() -> None:
    text = (
        "Officials said on Wednesday that Russian shelling killed three people in Kherson "
        "on Monday and wounded 11 others."
    )
    facts = extract(text, "en", PUBLISHED).to_json()
    assert facts["lang"] == "en"
    [incident] = facts["incidents"]
    assert incident["kind"] == "shelling"
    assert (incident["killed"], incident["injured"], incident["aggregate"]) == (3, 11, False)
    assert incident["place"]["name"] == "Kherson"
    assert incident["place"]["country"] == "UA"
    assert incident["place"]["relation"] == "in"
    assert isinstance(incident["place"]["geonames_id"], int)
    assert incident["date"] == "2025-06-02"
    evidence = incident["evidence"]
    assert text[evidence["start"] : evidence["end"]] == evidence["text"]


def test_german_numerals_and_nouns_are_counted() -> None:
    assert incidents("In Charkiw gab es nach dem Angriff zwei Tote und drei Verletzte.") == [
        ("Charkiw", 2, 3, False)
    ]
    assert incidents("Bei dem Beschuss von Cherson wurden einundzwanzig Menschen verletzt.") == [
        ("Cherson", None, 21, False)
    ]
    assert incidents("Nach dem Erdbeben in der Türkei stieg die Zahl der Toten auf 1.200.") == [
        ("Türkei", 1200, None, False)
    ]


def test_parts_of_a_count_add_up_and_qualifiers_are_kept() -> None:
    text = "Nine children and 11 adults were injured when a missile hit a school in Sumy."
    assert incidents(text) == [("Sumy", None, 20, False)]
    facts = extract("At least 1,200 people died after the earthquake in Turkey.", "en")
    assert facts.to_json()["incidents"][0]["qualifier"] == "at least"
    dozens = extract("Dozens of people were injured in the blast in Beirut.", "en")
    assert dozens.to_json()["incidents"][0]["injured"] == 12  # conservatively, as ACLED codes it


def test_a_total_and_its_parts_are_never_counted_twice() -> None:
    text = (
        "Russian attacks killed at least five people on Monday, officials said. "
        "One death was in Kramatorsk, where two others were injured, and two deaths were in "
        "the town of Illinivka, where another three were injured. Two women were killed in a "
        "village south of Kupiansk."
    )
    found = extract(text, "en", PUBLISHED).to_json()["incidents"]
    parts = {(i["place"]["name"], i["killed"], i["injured"]) for i in found if not i["aggregate"]}
    assert parts == {("Kramatorsk", 1, 2), ("Illinivka", 2, 3), ("Kupiansk", 2, None)}
    [total] = [i for i in found if i["aggregate"]]
    assert (total["killed"], total["place"]) == (5, None)
    kupiansk = next(i for i in found if i["place"] and i["place"]["name"] == "Kupiansk")
    assert kupiansk["place"]["relation"] == "near"


def test_transliterations_find_the_same_place() -> None:
    ids = {
        extract(f"Two people were killed in {name} on Monday.", "en").incidents[0].place
        for name in ("Kupiansk", "Kupjansk", "Kupyansk", "Куп’янськ")
    }
    assert len({ref.place.geonames_id for ref in ids if ref and ref.place}) == 1


def test_a_region_is_a_region() -> None:
    found = extract("Im Gebiet Donezk wurden zwei Zivilisten getötet.", "de").to_json()
    assert found["incidents"][0]["place"]["relation"] == "region"
    assert found["incidents"][0]["place"]["name"] == "Donezk"


def test_place_names_that_are_also_words_need_a_place_context() -> None:
    assert incidents("Nice work by the rescuers: two people were injured, police said.") == [
        (None, None, 2, False)
    ]
    assert incidents("In Essen sind bei einem Brand zwei Menschen ums Leben gekommen.") == [
        ("Essen", 2, None, False)
    ]
    assert extract("In Essen wurden zwei Menschen verletzt.", "de").incidents[0].place
    essen = extract("In Essen wurden zwei Menschen verletzt.", "de").incidents[0].place
    assert essen is not None
    assert essen.place is not None
    assert essen.place.country == "DE"


def test_numbers_that_are_not_casualties_give_no_incident() -> None:
    negatives = [
        "The motion passed by 312 votes to 190.",
        "The government pledged 2 billion euros for reconstruction.",
        "About 5,000 people were evacuated from the flooded district.",
        "Air defences shot down 40 drones and two missiles overnight.",
        "A 45-year-old man was arrested at 10:30 on Tuesday.",
        "Turnout was 61 percent, up from 2019.",
        "Some 20,000 troops took part in the exercise.",
        "Die Regierung stellte 300 Millionen Euro bereit.",
        "Mehr als 2000 Menschen wurden in Sicherheit gebracht.",
    ]
    for text in negatives:
        assert extract(text, None, PUBLISHED).to_json()["incidents"] == [], text


def test_an_age_is_not_a_count() -> None:
    assert incidents("A 64-year-old man was killed by a drone in Nikopol.") == [
        ("Nikopol", 1, None, False)
    ]
    assert incidents("Eine 73-jährige Frau ist in Cherson ums Leben gekommen.") == [
        ("Cherson", 1, None, False)
    ]


def test_dates_resolve_against_the_publication_time() -> None:
    def date(text: str) -> str | None:
        return extract(text, None, PUBLISHED).to_json()["incidents"][0]["date"]

    assert date("Gestern wurden in Odessa zwei Menschen getötet.") == "2025-06-03"
    assert date("Am Montag wurden in Odessa zwei Menschen getötet.") == "2025-06-02"
    assert date("Two people were killed in Odesa overnight.") == "2025-06-04"
    assert date("Two people were killed in Odesa on 28 May.") == "2025-05-28"
    assert extract("Two people were killed in Odesa on Monday.", "en").incidents[0].date is None


def test_exchanges_keep_what_count_and_status() -> None:
    def exchanges(text: str) -> list[tuple[Any, ...]]:
        return [(e.what, e.count, e.status) for e in extract(text, None).exchanges]

    assert exchanges("The delegations agreed to swap 6,000 bodies of fallen soldiers.") == [
        ("bodies", 6000, "agreed")
    ]
    assert exchanges("Russland und die Ukraine haben je 390 Kriegsgefangene ausgetauscht.") == [
        ("prisoners", 390, "completed")
    ]
    assert exchanges("Kyiv proposed an exchange of 1,200 wounded servicemen.") == [
        ("wounded", 1200, "proposed")
    ]


def test_ceasefires_keep_duration_scope_and_status() -> None:
    [proposed] = extract(
        "Moscow proposed a partial ceasefire of two to three days.", "en"
    ).ceasefires
    assert (proposed.min_days, proposed.max_days, proposed.scope) == (2, 3, "partial")
    assert (proposed.status, proposed.proposed_by) == ("proposed", "Russia")
    [rejected] = extract(
        "Ukraine said Russia had rejected its offer of an unconditional ceasefire.", "en"
    ).ceasefires
    assert (rejected.status, rejected.scope, rejected.min_days) == ("rejected", "full", None)
    [agreed] = extract("Beide Seiten einigten sich auf eine 30-tägige Waffenruhe.", "de").ceasefires
    assert (agreed.min_days, agreed.max_days, agreed.status) == (30, 30, "agreed")


def ceasefire(text: str, lang: str) -> tuple[object, ...]:
    [found] = extract(text, lang, PUBLISHED).ceasefires
    return (found.proposed_by, found.min_days, found.scope, found.status)


def test_who_proposed_a_ceasefire_is_not_who_might_agree_or_who_refused() -> None:
    assert ceasefire(
        "Zelensky said Ukraine was ready for a 30-day ceasefire if Russia agreed.", "en"
    ) == ("Ukraine", 30, None, "proposed")
    assert ceasefire(
        "Russia, which rejected an earlier plan, proposed a 30-day ceasefire.", "en"
    ) == ("Russia", 30, None, "proposed")
    assert ceasefire("The Kremlin rejected calls for an immediate 30-day truce.", "en") == (
        None,
        30,
        None,
        "rejected",
    )
    assert ceasefire(
        "Selenskyj schlug eine 30-tägige Waffenruhe für Angriffe auf Energieanlagen vor.", "de"
    ) == ("Ukraine", 30, "partial", "proposed")


def test_talks_keep_place_and_dates() -> None:
    [talks] = extract(
        "Talks between the delegations will be held in Istanbul between 20 and 30 June.",
        "en",
        PUBLISHED,
    ).talks
    assert talks.place is not None
    assert talks.place.name == "Istanbul"
    assert (str(talks.start_date), str(talks.end_date)) == ("2025-06-20", "2025-06-30")


def test_other_languages_give_no_facts_and_no_error() -> None:
    facts = extract("La policía dijo que dos personas murieron en el ataque de ayer.")
    assert facts.to_json() == {
        "lang": None, "incidents": [], "exchanges": [], "ceasefires": [], "talks": []
    }  # fmt: skip
    assert extract("Two people were killed in Kharkiv.", "fr").to_json()["incidents"] == []


def test_hostile_input_is_answered_and_invents_nothing() -> None:
    digits = "7" * 20_000
    assert extract(digits, "en").to_json()["incidents"] == []
    groups = ",".join(["000"] * 5000)
    assert extract(f"1,{groups} people were killed in Kharkiv.", "en").incidents == []
    assert extract("1000000000000 people were killed in Kharkiv.", "en").incidents == []
    brackets = "(" * 5000 + "two people were killed" + ")" * 5000
    assert [i.killed for i in extract(brackets, "en").incidents] == [2]
    assert extract("", None).to_json()["incidents"] == []


def test_the_cli_prints_the_facts_of_a_file_or_standard_input(tmp_path: Path) -> None:
    text = "Zwei Menschen wurden am Montag in Saporischschja getötet."
    story = tmp_path / "story.txt"
    story.write_text(text, encoding="utf-8")
    env = dict(os.environ)
    log = tmp_path / "cli.log"
    from_file = run_cli(env, log, "facts", "extract", "--lang", "de", str(story))
    from_stdin = run_cli(env, log, "facts", "extract", "-", stdin=text)
    assert from_file == from_stdin
    assert '"killed": 2' in from_file
    assert '"Saporischschja"' in from_file


def kinds(text: str, lang: str) -> list[str]:
    return [incident.kind for incident in extract(text, lang, PUBLISHED).incidents]


def test_responders_and_gunfire_are_no_fire() -> None:
    assert kinds("Fire crews said two people were killed by the flooding in Kherson.", "en") == [
        "flood"
    ]
    assert kinds("Bei dem Hochwasser in Passau hat die Feuerwehr zwei Tote geborgen.", "de") == [
        "flood"
    ]
    assert kinds("Gunmen opened fire on a market in Kano, killing five people.", "en") == ["attack"]
    assert kinds("Unbekannte eröffneten in Kano das Feuer und töteten fünf Menschen.", "de") == [
        "other"
    ]
    assert kinds("A fire in a block of flats in Kherson killed two people.", "en") == ["fire"]


def test_a_strike_named_by_its_weapon_is_of_that_kind() -> None:
    assert kinds("An Israeli air strike on a house in Khan Younis killed nine people.", "en") == [
        "air strike"
    ]
    assert kinds("A Russian missile strike on Kyiv killed three people.", "en") == ["missile"]
    assert kinds("An artillery strike on a market in Donetsk killed seven people.", "en") == [
        "shelling"
    ]
    assert kinds("A rocket-attack on Sderot injured two people.", "en") == ["missile"]
    assert kinds("Gunmen attacked a bus in Kano, killing five people.", "en") == ["attack"]
    assert kinds("Ein Drohnenangriff auf Odessa hat zwei Menschen getötet.", "de") == ["drone"]


def test_an_article_before_the_toll_is_not_a_count_of_one() -> None:
    text = (
        "The death toll from the collapse of a residential building in Odesa has risen to 12, "
        "including three children, the emergency service said."
    )
    assert incidents(text, "en") == [("Odesa", 12, None, False)]


def test_a_bus_plunging_is_a_crash_and_a_stabbing_an_attack() -> None:
    assert kinds("Nine people died when a bus plunged into a ravine near Shimla.", "en") == [
        "crash"
    ]
    assert kinds("Three people were stabbed in Solingen; two of them died.", "en") == ["attack"]
    assert kinds("In Solingen wurden zwei Menschen erstochen.", "de") == ["attack"]
    crash = "Bei einem Frontalzusammenstoß bei Tübingen sind zwei Menschen gestorben."
    assert kinds(crash, "de") == ["crash"]
    knife = "Ein 19-Jähriger ist in Köln bei einer Messerattacke verletzt worden."
    assert kinds(knife, "de") == ["attack"]
    assert kinds("Ein Drohnenangriff auf Odessa hat zwei Menschen getötet.", "de") == ["drone"]


def test_an_age_among_the_victims_does_not_hide_their_number() -> None:
    text = (
        "Three people, including a 12-year-old girl, were killed when a Russian guided bomb "
        "hit a residential area of Kharkiv on Friday evening, officials said."
    )
    assert incidents(text, "en") == [("Kharkiv", 3, None, False)]
    assert kinds(text, "en") == ["air strike"]


def test_a_wars_running_toll_is_no_incident() -> None:
    text = (
        "Health officials said at least 70 people had been killed in the past day, bringing "
        "the death toll since the start of the war to 44,500."
    )
    assert incidents(text, "en") == [(None, 70, None, False)]
    german = "Seit Kriegsbeginn ist die Zahl der Toten auf 44.500 gestiegen."
    assert incidents(german, "de") == []


def test_a_part_named_by_who_died_is_a_part_of_the_total() -> None:
    text = (
        "Israeli strikes killed at least 21 people across Gaza on Tuesday, according to local "
        "hospitals, including five members of one family in Khan Younis."
    )
    assert incidents(text, "en") == [(None, 21, None, True), ("Khan Younis", 5, None, False)]


def test_a_dateline_names_the_place_of_the_news() -> None:
    ticker = "Kiew: In der Nacht gab es erneut Luftalarm. Zwei Menschen wurden verletzt."
    assert incidents(ticker, "de") == [("Kiew", None, 2, False)]
    wire = "KYIV, Ukraine (AP) — A Russian drone attack injured two people overnight."
    assert incidents(wire, "en") == [("KYIV", None, 2, False)]
    assert incidents("Update: Two people were injured in a drone attack.", "en") == [
        (None, None, 2, False)
    ]


def test_injuries_left_behind_a_landmine_and_a_past_months_disaster() -> None:
    bus = "A school bus crash in Pennsylvania left 14 children with minor injuries."
    assert incidents(bus, "en") == [("Pennsylvania", None, 14, False)]
    mine = "Nine soldiers were killed when their vehicle hit a landmine in Kidal, the army said."
    assert kinds(mine, "en") == ["explosion"]
    past = "The earthquake killed more than 50,000 people in Turkey and Syria in February 2023."
    assert incidents(past, "en") == []
    assert incidents("Das Beben im Februar 2023 tötete mehr als 50.000 Menschen.", "de") == []


def test_a_run_on_text_is_read_in_pieces_with_true_evidence() -> None:
    """2,000 words without a full stop (a list, hostile input) are read in pieces of at most
    1,000 characters, and a fact found in one points at its own words in the text."""
    filler = "and the crews worked on " * 60
    text = f"{filler}while two people were killed in Kharkiv {filler}"
    pieces = sentences(text)
    assert len(pieces) >= 3
    assert all(len(p.text) <= 1_000 and text[p.start : p.end] == p.text for p in pieces)
    [incident] = extract(text, "en", PUBLISHED).incidents
    assert (incident.place and incident.place.name, incident.killed) == ("Kharkiv", 2)
    evidence = incident.evidence
    assert "two people were killed in Kharkiv" in text[evidence.start : evidence.end]


def test_gunfire_is_an_attack_and_another_wounded_is_one() -> None:
    assert kinds("Israeli fire killed 27 people near an aid site in Rafah.", "en") == ["attack"]
    text = "A Russian attack on Kostiantynivka killed one person and wounded another."
    assert incidents(text, "en") == [("Kostiantynivka", 1, 1, False)]


def test_killed_or_wounded_in_one_figure_is_neither() -> None:
    text = "The ministry said 1,200 soldiers had been killed or wounded since the offensive began."
    assert incidents(text, "en") == []
    assert incidents("Zwei Menschen wurden in Charkiw getötet oder verletzt.", "de") == []
    assert incidents("Two people were killed and three injured in Kharkiv.", "en") == [
        ("Kharkiv", 2, 3, False)
    ]


def test_fire_exchanged_in_fighting_is_no_swap_and_no_blaze() -> None:
    text = (
        "Police say a woman was killed and a girl was wounded in Kupiansk when soldiers "
        "exchanged mortar and gunfire along the front."
    )
    assert incidents(text, "en") == [("Kupiansk", 1, 1, False)]
    returned = "The army returned fire. Seven civilians were killed in the firing."
    assert kinds(returned, "en") == ["attack"]


def test_a_count_since_the_invasion_began_is_a_running_toll() -> None:
    text = "The government says 18 journalists have been killed since Russia's invasion began."
    assert incidents(text, "en") == []


def test_the_united_arab_emirates_agreed_nothing() -> None:
    text = (
        "Unter Vermittlung der Vereinigten Arabischen Emirate haben Russland und die Ukraine "
        "je 95 Kriegsgefangene ausgetauscht."
    )
    [swap] = extract(text, "de", PUBLISHED).exchanges
    assert (swap.what, swap.count, swap.status) == ("prisoners", 95, "completed")


def test_a_toll_across_two_countries_is_a_total_of_its_parts() -> None:
    text = (
        "The death toll from the earthquake in southern Turkey and northern Syria rose above "
        "5,000. In Turkey's Kahramanmaras province alone, 1,092 people were confirmed dead."
    )
    assert incidents(text, "en") == [(None, 5000, None, True), ("Kahramanmaras", 1092, None, False)]
    german = (
        "Nach dem Erdbeben in der Türkei und Syrien ist die Zahl der Toten auf mehr als 11.000 "
        "gestiegen. Allein in der Provinz Kahramanmaraş kamen 1.092 Menschen ums Leben."
    )
    assert incidents(german, "de") == [
        (None, 11000, None, True),
        ("Kahramanmaraş", 1092, None, False),
    ]
    assert incidents("Russian shelling killed two people in Kharkiv, Ukraine.", "en") == [
        ("Kharkiv", 2, None, False)
    ]


def test_a_figure_for_the_region_named_before_is_the_regions() -> None:
    text = (
        "Four people were killed in Russian shelling of the village of Bilozerka in the Kherson "
        "region, the governor said. Eight more were wounded in the region over the day."
    )
    assert incidents(text, "en") == [("Bilozerka", 4, None, False), ("Kherson", None, 8, False)]


def test_a_capital_named_by_its_country_is_that_city() -> None:
    assert incidents("At least 83 people were wounded in the Ukrainian capital.", "en") == [
        ("Kyiv", None, 83, False)
    ]
    german = "In der ukrainischen Hauptstadt wurden zwei Menschen verletzt."
    assert incidents(german, "de") == [("Kyiv", None, 2, False)]
    moscow = "Drones struck the Russian capital overnight, injuring three people."
    assert incidents(moscow, "en") == [("Moscow", None, 3, False)]


def test_a_word_of_a_longer_name_is_not_a_place_alone() -> None:
    # "Vale" (Georgia, Romania, Oregon) and "Harrow" (London) are other places.
    assert incidents("Three people were killed in the Vale of Harrow on Monday.") == [
        (None, 3, None, False)
    ]
    assert incidents("In Vale of Harrow, three people were killed on Monday.") == [
        (None, 3, None, False)
    ]
    assert incidents("Two dock workers were killed at the Port of Kestrel.") == [
        (None, 2, None, False)
    ]
    assert incidents("A man was killed in New Harrow, police said.") == [(None, 1, None, False)]
    assert incidents("In Neu Kassel wurden zwei Menschen verletzt.", "de") == [
        (None, None, 2, False)
    ]
    # The whole name is a place when the gazetteer knows it, and "of" alone is no name.
    assert incidents("Two people were killed in Port of Spain on Monday.") == [
        ("Port of Spain", 2, None, False)
    ]
    assert incidents("Much of Kharkiv lost power after a strike killed two people.") == [
        ("Kharkiv", 2, None, False)
    ]


def test_a_small_place_of_a_shared_name_needs_the_texts_support() -> None:
    def where(text: str, lang: str = "en") -> tuple[str, str | None]:
        place = extract(text, lang, PUBLISHED).to_json()["incidents"][0]["place"]
        return place["name"], place["country"]

    # Vale is a village in Georgia, Romania and Oregon: which one, the text does not say.
    assert where("Two people were injured in Vale, police said.") == ("Vale", None)
    assert where("In Vale wurden zwei Menschen verletzt.", "de") == ("Vale", None)
    # "us" is no United States.
    assert where("Police told us that two people were injured in Vale.") == ("Vale", None)
    assert where("Two people were injured in Vale, a village in Romania's Sibiu county.") == (
        "Vale",
        "RO",
    )


def test_german_compound_nouns_for_people_and_swiss_hospitals_are_read() -> None:
    """German names people in open-ended compounds, and Austrians and Swiss go "ins Spital"."""
    assert incidents("Drei Skitourengänger sind bei Zermatt ums Leben gekommen.", "de") == [
        ("Zermatt", 3, None, False)
    ]
    assert incidents("Bei dem Unfall wurden vier Beifahrerinnen verletzt.", "de") == [
        (None, None, 4, False)
    ]
    assert incidents("Zwei Insassen wurden ins Spital gebracht.", "de") == [(None, None, 2, False)]
    assert incidents("Fünf Bewohner erlitten Rauchvergiftungen.", "de") == [(None, None, 5, False)]
    assert incidents("Drei Fenster wurden beschädigt, zwei Häuser brannten.", "de") == []
    assert incidents("Zwei Spinnen wurden getötet.", "de") == []  # -innen, but no women


def test_short_words_and_acronyms_are_not_read_as_misspelt_places() -> None:
    """Looked up loosely, "RSF" is Rzhev and "Alter" Aalter: short names are taken as spelt."""
    assert open_gazetteer().lookup("RSF") == ()
    assert [p.name for p in open_gazetteer().lookup("Kupjansk")] == ["Kupyansk"]  # still loose
    text = "In Sumy wurden fünf Menschen getötet, darunter zwei Kinder im Alter von vier Jahren."
    assert {place for place, *_ in incidents(text, "de")} == {"Sumy"}


def test_a_river_is_not_the_town_of_the_same_name() -> None:
    text = "Flash flooding along the Guadalupe River has killed at least 59 people."
    assert [place for place, *_ in incidents(text, "en")] == [None]  # not Guadalupe, Mexico


def test_a_toll_after_a_sentence_about_history_is_no_incident() -> None:
    text = (
        "Vor 80 Jahren, am 8. Mai 1945, endete in Europa der Zweite Weltkrieg. "
        "Mehr als 27 Millionen Sowjetbürger waren ums Leben gekommen."
    )
    assert incidents(text, "de") == []
    later = text + " In Dresden kamen bei einem Brand drei Menschen ums Leben."
    assert incidents(later, "de") == [("Dresden", 3, None, False)]
    report = "On December 5, 2018 the army killed seven people in the village, witnesses said."
    assert [killed for _, killed, *_ in incidents(report, "en")] == [7]


def test_some_of_them_is_part_of_the_count_before_it() -> None:
    text = "Eleven people, six of them children, were killed in the strike on Sumy."
    assert incidents(text, "en") == [("Sumy", 11, None, False)]
    parts = (
        "Overnight strikes on Ukraine killed at least 15 people. Eleven of them died in Kyiv, "
        "and four in Odesa."
    )
    assert ("Kyiv", 11, None, False) in incidents(parts, "en")
    died = "Eleven people were injured in the attack on Kharkiv, and two of them died, police said."
    assert incidents(died, "en") == [("Kharkiv", 2, 11, False)]


def test_a_decimal_inside_a_toll_phrase_does_not_hide_the_toll() -> None:
    text = "The death toll from a magnitude 6.0 earthquake in Afghanistan has risen to 800."
    assert [killed for _, killed, *_ in incidents(text, "en")] == [800]


def test_german_separable_and_compound_verbs_of_an_exchange_are_read() -> None:
    def exchanges(text: str) -> list[tuple[Any, ...]]:
        return [(e.what, e.count, e.status) for e in extract(text, "de", PUBLISHED).exchanges]

    assert exchanges("Die Ukraine hat die Leichen von 909 Soldaten zurückerhalten.") == [
        ("bodies", 909, "completed")
    ]
    assert exchanges("Bei dem Austausch kamen 84 ukrainische Kriegsgefangene frei.") == [
        ("prisoners", 84, "completed")
    ]


def test_one_swap_told_from_both_sides_is_one_exchange_and_a_second_is_not() -> None:
    def exchanges(text: str) -> list[tuple[Any, ...]]:
        return [(e.what, e.count, e.status) for e in extract(text, None, PUBLISHED).exchanges]

    both_sides = (
        "Ukraine brought home 205 prisoners of war on Monday. "
        "Russia said it had also received 205 servicemen."
    )
    assert exchanges(both_sides) == [("prisoners", 205, "completed")]
    two_swaps = (
        "Russland und die Ukraine haben je 390 Kriegsgefangene ausgetauscht. "
        "Am Freitag kamen weitere 390 Soldaten frei."
    )
    assert len(exchanges(two_swaps)) == 2


def test_a_running_toll_over_weeks_is_no_incident() -> None:
    text = "Over the past three weeks, at least 40 civilians have been killed in Kharkiv."
    assert incidents(text, "en") == []
    text = "In den vergangenen Wochen wurden in Cherson mehr als 30 Menschen getötet."
    assert incidents(text, "de") == []
    assert incidents("In Kharkiv, 4 civilians were killed on Monday.", "en") == [
        ("Kharkiv", 4, None, False)
    ]


def test_a_swap_that_is_due_is_agreed_and_one_wanted_is_not() -> None:
    def statuses(text: str) -> list[Any]:
        return [e.status for e in extract(text, None, PUBLISHED).exchanges]

    assert statuses("Russia and Ukraine are due to exchange 1,200 prisoners this week.") == [
        "agreed"
    ]
    assert statuses("Im Rahmen der Vereinbarung sollen 300 Gefangene freigelassen werden.") == [
        "agreed"
    ]
    assert statuses("Ukraine wants to exchange 500 prisoners.") == [None]
    assert "agreed" not in statuses("Russia will not exchange the 500 prisoners, it said.")


def test_austrian_states_and_swiss_cantons_are_regions_of_their_country() -> None:
    """ "im Tessin" is the canton, not the village of Tessin in Mecklenburg."""
    found = extract("Im Tessin sind bei einem Erdrutsch drei Menschen ums Leben gekommen.", "de")
    [incident] = found.to_json()["incidents"]
    assert (incident["place"]["country"], incident["place"]["relation"]) == ("CH", "region")
    found = extract("In Kärnten wurden bei einem Unfall vier Menschen verletzt.", "de")
    assert [i["place"]["country"] for i in found.to_json()["incidents"]] == ["AT"]
    text = "Im Kanton Wallis sind bei einer Lawine drei Skitourengänger ums Leben gekommen."
    places = [i["place"] for i in extract(text, "de").to_json()["incidents"]]
    assert [(p["name"], p["country"]) for p in places] == [("Wallis", "CH")]  # not Guangzhou
