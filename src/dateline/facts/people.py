"""Which words name people: a count is a casualty count only next to them.

"Five people", "two emergency workers", "ein 45-jähriger Mann", "a woman and man" count
people; "40 drones", "2 billion euros", "20 minutes" do not. Used by casualties.py.
"""

from __future__ import annotations

from dateline.facts import counts
from dateline.facts.names import words

# Soldiers in a claim of enemy losses ("destroyed 1,140 Russian soldiers") are no incident.
MILITARY = words(
    """
    soldiers troops servicemen fighters militants personnel soldaten kämpfer militärangehörige
    """
)
# Person words: a count next to one of these counts people.
PEOPLE = words(
    """
    people person persons civilians civilian children child kids kid men man women woman
    boys boy girls girl residents resident soldiers soldier servicemen troops adults adult
    teenagers teenager babies baby infants infant passengers passenger workers worker
    officers officer firefighters firefighter rescuers rescuer journalists journalist medics
    medic doctors doctor nurses nurse patients patient pupils pupil students student
    pilgrims migrants refugees tourists hostages members fighters militants miners crew
    villagers villager pedestrians pedestrian victims victim others other more further
    additional individuals policemen policeman police guards guard citizens citizen
    inhabitants family elderly sons daughters mother father brothers sisters year-old
    year-olds menschen mensch personen person zivilisten zivilist kinder kind männer mann
    frauen frau jungen junge mädchen bewohner einwohner soldaten soldat erwachsene
    erwachsenen jugendliche jugendlichen insassen passagiere fahrgäste arbeiter helfer
    polizisten feuerwehrleute rettungskräfte journalisten sanitäter ärzte patienten schüler
    touristen geiseln migranten flüchtlinge weitere weiteren andere anderen opfer bergleute
    besatzungsmitglieder säugling säuglinge babys rentner rentnerin fußgänger fahrer
    mitarbeiter familie
    """
)
# Words that make a count something else: weapons, money, votes, time, distance, property.
NOT_PEOPLE = words(
    """
    drones drone missiles missile rockets rocket shells shell bombs dollars euros pounds
    dollar euro pound million billion percent per cent votes vote seats years year months
    month weeks week days day hours hour minutes minute seconds km kilometres kilometers
    miles metres meters tonnes tons homes houses buildings vehicles cars tanks aircraft
    cattle sheep animals cows horses points goals games matches times drohnen drohne raketen
    rakete granaten bomben prozent stimmen sitze jahre jahren monate monaten wochen tage
    tagen stunden minuten sekunden kilometer meter tonnen häuser gebäude wohnungen fahrzeuge
    autos panzer flugzeuge tiere rinder punkte tore spiele mal euro-
    """
)
# Words allowed between a count and its verb besides person words ("were", "have been").
LINKS = words(
    """
    were was are is have has had been be being being reportedly also later all subsequently
    confirmed reported believed feared thought said to of them whom including among
    including had since critically seriously severely slightly lightly fatally badly
    moderately mostly both so far according among the couple elderly wurden wurde sind ist
    seien sei waren war worden kamen kam starben dabei bei nach angaben der den dem des die
    das behörden polizei zufolge offiziellen ersten vorläufigen informationen zudem außerdem
    auch noch mindestens schwer leicht lebensgefährlich teils zum teil tödlich
    medienberichten ums laut bislang bisher insgesamt dort hier sollen soll sein haben hat
    durch infolge von ihnen unter den
    """
)
ARTICLES = frozenset(["a", "an", "ein", "eine", "einer", "einen", "einem", "single"])
SINGULAR_PEOPLE = words(
    """
    man woman child boy girl teenager mother father husband wife son daughter person resident
    civilian soldier driver passenger pensioner mann frau kind junge mädchen person zivilist
    soldat fahrer rentner rentnerin bewohner einwohner
    """
)
CLAUSE_WORDS = frozenset(["but", "while", "whereas", "aber", "während", "sowie", "said", "sagte"])
NUMBER_WORDS = words(
    """
    two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred dozens zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig
    """
)


def people_between(mid: list[str], needs_person: bool) -> bool:
    """The words between a count and its verb: person words and links, or after a person
    word, a cause ("durch eine russische Drohne"), never another count or a new clause.
    Unknown words may describe a person word that follows ("two emergency workers")."""
    person_at = next(
        (i for i, word in enumerate(mid) if is_person(word.casefold().strip("’'"))), None
    )
    skip_count = False
    for index, word in enumerate(mid):
        folded = word.casefold().strip("’'")
        if person_at is not None and index > person_at:
            counted = index + 1 < len(mid) and counts.parse(mid[index + 1]) is not None
            if (
                folded in ("among", "unter")
                and counted
                and mid[index - 1].casefold()
                in (
                    "were",
                    "waren",
                )
            ):
                return False  # "two children were among five people killed": five is the count
            if skip_count and counts.parse(word) is not None:
                skip_count = False
                continue
            skip_count = folded in ("including", "darunter", "among", "davon")
            if counts.parse(word) is not None and _of_them(mid[index + 1 : index + 3]):
                continue  # "eleven people, six of them children, were killed"
            if word.isdigit() and index == person_at + 1 and int(word) < 120:
                continue  # an age in apposition: "a woman, 71, was killed"
            if folded.endswith(("year-old", "jährige", "jähriger", "jährigen")):
                continue  # "three people, including a 12-year-old girl, were killed"
            if folded in CLAUSE_WORDS or word[0].isdigit() or folded in NUMBER_WORDS:
                return False
            joined = index and is_person(mid[index - 1].casefold())
            if folded in ("and", "und") and joined and another_person(mid[index + 1 : index + 3]):
                continue  # "a woman and man were injured"
            if folded in ("and", "und", "or", "oder"):
                return False  # a second subject starts: "a boy ..., and a man was killed"
            continue
        if index == person_at or folded.endswith(("year-old", "jährige", "jähriger")):
            continue
        if folded in CLAUSE_WORDS or word[0].isdigit() or folded in NUMBER_WORDS:
            return False
        if folded in NOT_PEOPLE or counts.parse(word) is not None:
            return False
        describes = folded in LINKS or folded.endswith("ly") or is_modifier(word)
        if (person_at is None or needs_person) and not describes:
            return False  # "a Russian strike killed": the article counts no person
    return person_at is not None or not needs_person


def _of_them(following: list[str]) -> bool:
    return [word.casefold() for word in following] in (
        ["of", "them"],
        ["of", "whom"],
        ["von", "ihnen"],
    )


def another_person(following: list[str]) -> bool:
    words = [word.casefold() for word in following]
    if words and words[0] in ARTICLES:
        words = words[1:]
    return bool(words) and words[0] in SINGULAR_PEOPLE


def extra_people(mid: list[str]) -> int:
    """People added by "and": "a woman and man" is two, "ein Mann und eine Frau" too."""
    folded = [word.casefold() for word in mid]
    return sum(
        1
        for index, word in enumerate(folded)
        if word in ("and", "und")
        and index
        and is_person(folded[index - 1])
        and another_person(mid[index + 1 : index + 3])
    )


# German nouns for people are open-ended compounds ("Skitourengänger", "Bergsteiger",
# "Wintersportler", "Beifahrerinnen"): their endings name people, whatever comes before.
# A count is read as a casualty only beside a casualty verb, so "drei Fenster" never is.
PERSON_ENDINGS = (
    "year-old", "year-olds", "jährige", "jähriger", "mann", "männer", "frau", "frauen",
    "fahrer", "fahrerin", "arbeiter", "helfer", "kräfte", "leute", "kinder", "bewohner",
    "erinnen", "istinnen", "entinnen", "antinnen", "ärztinnen", "eginnen", "gänger", "steiger",
    "sportler", "lenker", "nehmer", "bürger", "beamte",
    "beamten", "angehörige", "angehörigen", "insassen", "kollegen", "besucher", "zuschauer",
    "reisende", "reisenden", "urlauber", "wanderer", "radler", "retter", "polizisten",
    "touristen", "aktivisten", "demonstranten", "studenten", "passanten", "bergleute",
)  # fmt: skip


def is_person(folded: str) -> bool:
    """A person word, or a German compound naming people ("Feuerwehrmann", "Lkw-Fahrer")."""
    return folded in PEOPLE or folded.endswith(PERSON_ENDINGS)


def is_modifier(word: str) -> bool:
    """Adjectives before a person word: "Ukrainian", "ukrainische", "young", "elderly"."""
    folded = word.casefold()
    if word[0].isupper() and folded.endswith(("ian", "ians", "ese", "ish", "i", "isch")):
        return True
    return folded.endswith(
        ("ische", "ischen", "ischer", "ige", "igen", "liche", "lichen", "young", "old", "local")
    )


def object_is_people(mid: list[str]) -> bool:
    """After "killed five": people ("bystanders"), a place, a conjunction, or nothing; never
    a thing ("killed 20 minutes", "destroyed 40 drones")."""
    if not mid:
        return True
    first = mid[0]
    folded = first.casefold()
    if folded in NOT_PEOPLE or first[0].isdigit():
        return False
    return folded in PEOPLE or folded in LINKS or first.islower() or is_modifier(first)
