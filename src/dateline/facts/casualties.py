"""Casualty counts in one sentence: who was killed, injured or missing, and how many.

News states them in a few shapes, in both languages:
  count first   "at least five people were killed", "drei Menschen wurden getötet",
                "zwei Tote und drei Verletzte", "one death", "12 dead"
  verb first    "killing at least 12", "left three dead", "tötete fünf Menschen",
                "starben mindestens 20 Menschen"
  a toll        "the death toll rose to 40", "die Zahl der Toten stieg auf 40"
  elliptic      "... were killed in Kharkiv and three in Odesa"
Parts joined by "and" add up ("nine children and 11 adults were killed" = 20). A count is
believed only next to a person word or a casualty word; a number of drones, votes, euros,
years, hours or percent is never a casualty, nor is an age ("a 45-year-old man" is one man).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dateline.facts import counts
from dateline.facts.counts import NUMBER, QUALIFIER, QUALIFIERS
from dateline.facts.people import (
    ARTICLES,
    MILITARY,
    PEOPLE,
    extra_people,
    object_is_people,
    people_between,
)

_N = rf"(?<![\w,.])(?:(?P<q>{QUALIFIER})\s+)?(?P<n>{NUMBER})(?![\w%])"

KILLED, INJURED, MISSING = "killed", "injured", "missing"
_STATE = {
    "killed": KILLED, "dead": KILLED, "died": KILLED, "perished": KILLED, "slain": KILLED,
    "lost their lives": KILLED, "lost his life": KILLED, "lost her life": KILLED,
    "deaths": KILLED, "death": KILLED, "fatalities": KILLED,
    "fatally": KILLED, "injured": INJURED, "wounded": INJURED, "hurt": INJURED,
    "injuries": INJURED, "missing": MISSING, "unaccounted for": MISSING,
    "getötet": KILLED, "ums leben": KILLED, "gestorben": KILLED, "starben": KILLED,
    "starb": KILLED, "tot": KILLED, "umgekommen": KILLED, "zu tode": KILLED,
    "tote": KILLED, "toten": KILLED, "todesopfer": KILLED, "todesopfern": KILLED,
    "verletzt": INJURED, "verwundet": INJURED, "verletzte": INJURED, "verletzten": INJURED,
    "schwerverletzte": INJURED, "schwerverletzten": INJURED, "leichtverletzte": INJURED,
    "leichtverletzten": INJURED, "verwundete": INJURED, "verwundeten": INJURED,
    "vermisst": MISSING, "vermisste": MISSING, "vermissten": MISSING,
    "killing": KILLED, "kills": KILLED, "kill": KILLED, "injuring": INJURED,
    "wounding": INJURED, "injures": INJURED, "tötete": KILLED, "töteten": KILLED,
    "tötet": KILLED, "claimed the lives of": KILLED, "claiming the lives of": KILLED,
    "kostete": KILLED,
}  # fmt: skip
_HOSPITAL = (
    r"(?:taken|flown|rushed|brought|airlifted|admitted) to (?:a |the )?hospitals?|hospitali[sz]ed"
    r"|treated in hospital|in (?:a )?(?:serious|critical|stable) condition"
    r"|suffered (?:\w+ )?injuries|treated for (?:\w+ )?injuries|ins Krankenhaus|in (?:ein |die )?"
    r"Krankenh[aä]us\w*|in Kliniken|erlitt\w* (?:\w+ )?Verletzungen|Verletzungen erlitten"
    # Austrian and Swiss German: "ins Spital gebracht"; "ins Klinikum"; smoke inhalation.
    r"|ins (?:\w+)?[Ss]pital|in (?:ein |die )?(?:\w+)?[Ss]pit[aä]l\w*|ins Klinikum"
    r"|erlitt\w* (?:\w+ )?Rauchvergiftung\w*|Rauchvergiftung\w* erlitten"
)
_AFTER_COUNT = (
    rf"(?P<v>killed|dead|died|perished|slain|lost (?:their|his|her) li(?:ves|fe)|injured|wounded"
    rf"|hurt|missing|unaccounted for|getötet|ums Leben|das Leben gekostet|gestorben|starben|starb"
    rf"|tot|umgekommen|zu Tode|verletzt|verwundet|vermisst|{_HOSPITAL}"
    rf"|(?:stabbed|shot|beaten|burned|burnt|crushed|hacked) (?:to death|dead|and killed)"
    rf"|erstochen|erschossen)\b"
)
_NOUN_AFTER_COUNT = (
    r"(?P<v>deaths?|fatalities|injuries|dead|injured|wounded|Tote|Toten|Toter|Todesopfer"
    r"|Todesopfern|Verletzte|Verletzten|Verletzter|Schwerverletzter|Schwerverletzte|Schwerverletzten|Leichtverletzte|Leichtverletzten"
    r"|Verwundete|Verwundeten|Vermisste|Vermissten)\b"
)
_BEFORE_COUNT = (
    r"(?P<v>killing|killed|kills|kill|injuring|injured|wounding|wounded|injures"
    r"|claimed the lives of|claiming the lives of|tötete|töteten|tötet|starben|starb"
    r"|verletzte|kostete)\b"
)
_WORD = r"[\w’'-]+"
COUNT_FIRST = re.compile(rf"{_N}(?P<mid>(?:[\s,]+{_WORD}){{0,16}}?),?\s+{_AFTER_COUNT}", re.I)
NOUN_COUNT = re.compile(
    rf"{_N}\s+(?:(?:more|other|further|additional|confirmed|civilian|weitere|weiteren|weiteres|weiterer|"
    rf"zivile|zivilen|bestätigte)\s+)?{_NOUN_AFTER_COUNT}",
    re.I,
)
VERB_FIRST = re.compile(
    rf"{_BEFORE_COUNT}(?P<gap>(?:\s+(?:an|another|a further|all|insgesamt|dabei|nach|Angaben|"
    rf"Behördenangaben|Polizeiangaben|offiziellen|ersten|zufolge|bislang|bisher|laut|den|der"
    rf"|des|Behörden|Polizei|vorläufigen)){{0,4}})\s+{_N}"
    rf"(?P<mid>(?:\s+{_WORD})?)",
    re.I,
)
LEFT = re.compile(
    rf"\b(?:left|leaving)\s+{_N}(?P<mid>(?:\s+{_WORD}){{0,2}}?)\s+(?P<v>dead|injured|wounded|"
    rf"missing|with (?:\w+\s+){{0,2}}injuries)\b",
    re.I,
)
# "the death toll from the collapse of a building has risen to 12": "of a" is no toll of one.
_NO_ARTICLE = (
    r"(?!(?:an?|ein|eine|einem|einer)\s+(?!(?:hundred|thousand|dozen|Hundert|Tausend|Dutzend)\b))"
)
# "six of them children," / "three of them seriously," set off by commas: a part of the
# count before it. "…; two of them died" says what happened to them, and is a count.
YEAR = re.compile(r"(?:19|20)\d\d\b")
SUBSET = re.compile(r"\s+(?:of them|of whom|von ihnen|davon)\s+[\w-]+(?:\s+[\w-]+)?\s*[,)–—]", re.I)
TOLL = re.compile(
    rf"(?P<v>death toll|toll|number of (?:the )?(?:people |persons )?(?:who (?:died|were killed"
    rf"|were injured|were wounded)|killed|dead|deaths|fatalities|injured|wounded)"
    rf"|Zahl der (?:Toten|Todesopfer|Verletzten)|Todeszahl|Opferzahl|Totenzahl)"
    rf"(?:[\s,]+(?:{_WORD}|\d+[.,]\d+)){{0,20}}?\s+(?:to|at|of|reached|hit|is|was|stood at"
    rf"|stands at|auf|bei"
    rf"|above|past|passed|exceeded|topped|surpassed|über"
    rf"|liegt bei|beträgt|betrug|von)\s+{_NO_ARTICLE}{_N}",
    re.I,
)
ELLIPTIC = re.compile(
    rf"(?:[,:;]\s*(?:and\s+|und\s+|while\s+|with\s+)?|\b(?:and|und|sowie|while|während"
    rf"|including|darunter|davon|among them|with)\s+)(?:(?:allein|alone|another|weitere)\s+)?{_N}"
    rf"(?:\s+(?:more|others|weitere|people|Menschen|of them|von ihnen|davon"
    rf"|(?:\w+\s+)?(?:members? of (?:one|a|the same) family|children|women|men|civilians|Kinder"
    rf"|Frauen|Männer|Zivilisten|Mitglieder einer Familie)))?"
    rf"\s+(?:in|im|near|bei|at"
    rf"|nahe)(?:\s+\S+){{0,5}}?\s+(?=[A-ZÄÖÜ])",
)
ELLIPTIC_PLACE_FIRST = re.compile(
    rf"(?:,|\band\b|\bund\b|\bsowie\b)\s+(?:in|im|bei)\s+(?:(?:der|dem|the|Gebiet|Region|Stadt"
    rf"|Oblast)\s+)*[A-ZÄÖÜ][\w'’-]*(?:\s+[A-ZÄÖÜ][\w'’-]*)?\s+{_N}(?=\s*(?:[,.;]|und\b|and\b|$))"
)
_SINGULAR = (
    r"(?P<who>driver|man|woman|child|boy|girl|teenager|mother|father|husband|wife|son|daughter"
    r"|passenger|resident|civilian|soldier|person|pensioner|volunteer|worker|officer|journalist"
    r"|medic|doctor|nurse|farmer|policeman|firefighter|rescuer|motorist|cyclist|pedestrian"
    r"|Mann|Frau|Kind|Junge|Jungen|Mädchen|Jugendliche[rn]?|Fahrer|Lokführer|Rentner|Rentnerin"
    r"|Zivilist|Zivilistin|Soldat|Soldaten|Einwohner|Einwohnerin|Bewohner|Bewohnerin|Helfer"
    r"|Arbeiter|Polizist|Polizisten|Sanitäter|Journalist|Person|Mensch|Menschen|Schwangere"
    r"|Passant|Passantin|Fußgänger|Fußgängerin|Ehemann|Ehefrau|Sohn|Tochter"
    r"|\w+(?:mann|frau|fahrer|fahrerin|arbeiter|helfer))"
)
SINGULAR_FIRST = re.compile(
    rf"(?<![\w-])(?P<n>his|her|their|its|the|sein|seine|seinen|ihr|ihre|ihren|der|die|den)\s+"
    rf"(?:[\w-]+\s+)?{_SINGULAR}\s+(?:(?:was|is|has been|had been|wurde|ist|sei|kam|starb)\s+)?"
    rf"(?:\w+\s+){{0,3}}?(?P<v>killed|injured|wounded|hurt|died|getötet|verletzt|verwundet"
    rf"|ums Leben|starb)\b",
    re.I,
)
SINGULAR_AFTER_VERB = re.compile(
    rf"(?P<v>killing|killed|injuring|injured|wounding|wounded|tötete|verletzte)\s+(?:seriously\s+"
    rf"|critically\s+|schwer\s+)?(?P<n>the|a|an|one|his|her|their|einen|eine|ein|den|die)\s+"
    rf"(?:[\w-]+\s+){{0,2}}?{_SINGULAR}\b",
    re.I,
)
SUFFERED = re.compile(
    rf"\b(?:erlitt\w*|suffered)\s+{_N}\s+(?:[\w-]+\s+){{0,3}}?(?P<v>Verletzungen|injuries)", re.I
)
ANOTHER = re.compile(
    r"\b(?P<n>another|ein weiterer|eine weitere)\s+(?:(?:was|were|wurde)\s+)?(?P<v>injured"
    r"|wounded|hurt|killed|verletzt|getötet)\b",
    re.I,
)
# "killed one person and wounded another": the verb first, "another" alone (not "another
# five people", which the other patterns count).
ANOTHER_AFTER_VERB = re.compile(
    r"\b(?P<v>injured|wounded|hurt|killed|injuring|wounding|killing)\s+(?P<n>another)\b"
    r"(?!\s+(?:\w+\s+)?(?:people|persons|civilians|children|men|women|\d|one|two|three))",
    re.I,
)
PARTICIPLE = re.compile(
    rf"{_N}\s+(?P<v>getötete|tote|verletzte|verwundete|vermisste)n?\s+(?P<mid>{_WORD})", re.I
)
BODIES_OF = re.compile(
    rf"(?:\bbodies of|\bremains of|\bLeichen von)\s+{_N}(?!\s+(?:\w+\s+)?(?:soldiers|servicemen"
    rf"|hostages|fighters|fallen|Soldaten|Geiseln))",
    re.I,
)
BODIES = re.compile(rf"{_N}\s+(?:bodies|Leichen|Leichname)\b", re.I)
# Every shape below needs one of these stems: a sentence without any is skipped at once.
_ANY_CASUALTY = re.compile(
    r"kill|dead|died|death|die\b|injur|wound|hurt|missing|unaccounted|toll|fatal|perish|slain"
    r"|lives|life|hospital|condition|bodies|remains|stabbed|shot|beaten|burn|crushed|hacked"
    r"|getötet|tötet|\btot|Tote|Leben|gestorben|starb|umgekommen|Tode|verletz|Verletz|verwund"
    r"|Verwund|vermisst|Vermisst|Opfer|Leiche|Krankenh|Klinik|Spital|Spitäl|Rauchvergift"
    r"|erstochen|erschossen|Zahl der",
    re.I,
)
_LOSS_CLAIM = re.compile(
    r"\b(?:destroyed|eliminated|liquidated|neutrali[sz]ed|losses|casualties among|claimed"
    r"|claims|vernichtet|eliminiert|liquidiert|Verluste|außer Gefecht)\b",
    re.I,
)
_SWAP_WORDS = re.compile(
    r"\b(?:swap\w*|exchang\w*|repatriat\w*|hand(?:ed|ing)? over|Austausch\w*|ausgetauscht"
    r"|übergab\w*|übergeben"
    r"|\w*austausch\w*|Rückführung\w*)",
    re.I,
)
# Fire exchanged is fighting, not a swap: "soldiers exchanged mortar and gunfire", "artillery
# exchanges", "an exchange of fire", "Schüsse wurden ausgetauscht".
_COMBAT_EXCHANGE = re.compile(
    r"\bexchang\w*\s+(?:\w+\s+){0,3}?(?:fire|gunfire|mortar|shots|artillery|shelling|rockets?"
    r"|missiles?)\b|\b(?:artillery|mortar|gun|fire|cross-border|border)\s+exchanges?\b"
    r"|\b(?:Feuer|Schüsse)\w*\s+(?:\w+\s+){0,2}?ausgetauscht",
    re.I,
)
_EXCHANGE_WORDS = re.compile(
    r"swap|exchange|repatriat|handed over|hand over|Austausch|ausgetauscht|übergeben|übergab"
    r"|zurückgegeben|Rückführung|returned",
    re.I,
)
_PART = re.compile(
    rf"{_N}\s+(?:{_WORD}\s+){{0,2}}?(?P<who>{_WORD})\s*(?:,\s*(?:and\s+|und\s+)?|\s+(?:and|und"
    rf"|sowie|plus)\s+)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Count:
    """One count in a sentence (offsets within the sentence)."""

    state: str  # killed, injured or missing
    value: int
    qualifier: str | None
    start: int
    end: int
    toll: bool = False


def find(sentence: str) -> list[Count]:
    found: list[Count] = []
    taken: list[tuple[int, int]] = []
    if not _ANY_CASUALTY.search(sentence) or _SWAP_WORDS.search(
        _COMBAT_EXCHANGE.sub(" ", sentence)
    ):
        return []
    patterns = [TOLL, LEFT, NOUN_COUNT, PARTICIPLE, SUFFERED, VERB_FIRST, COUNT_FIRST]
    patterns += [SINGULAR_FIRST, SINGULAR_AFTER_VERB, ANOTHER, ANOTHER_AFTER_VERB]
    if not _EXCHANGE_WORDS.search(sentence):
        patterns += [BODIES_OF, BODIES]
    for pattern in patterns:
        for match in _every(pattern, sentence):
            if _overlaps(match.start("n"), match.end("n"), taken):
                continue
            count = _read(pattern, match, sentence)
            if count is None:
                continue
            taken.append((match.start(), match.end()))
            found.append(count)
    found.extend(_elliptic(sentence, found, taken))
    return sorted(found, key=lambda count: count.start)


def _count_before(text: str) -> bool:
    """Does `text` hold a count of two or more ("Eleven people, …")? Then "six of them" is a
    part of it; opening a sentence ("Eleven of them died in Kyiv") it is a part with a place."""
    clause = text.rsplit(";", 1)[-1]
    found = (counts.parse(word.strip(",.;:")) for word in clause.split() if not YEAR.match(word))
    return any(parsed is not None and parsed[0] >= 2 for parsed in found)


def _every(pattern: re.Pattern[str], sentence: str) -> Iterator[re.Match[str]]:
    """Matches that may overlap: a rejected long match must not hide a shorter one inside."""
    position = 0
    while match := pattern.search(sentence, position):
        yield match
        position = match.start() + 1


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in taken)


def _read(pattern: re.Pattern[str], match: re.Match[str], sentence: str) -> Count | None:
    number = match.group("n")
    if pattern in (SINGULAR_FIRST, SINGULAR_AFTER_VERB, ANOTHER, ANOTHER_AFTER_VERB):
        return Count(_state(match.group("v")), 1, None, match.start(), match.end())
    parsed = counts.parse(number)
    if parsed is None or parsed[0] <= 0:
        return None
    value, vague = parsed
    if _looks_like_other_quantity(sentence, match.start("n"), match.end("n")):
        return None
    subset = SUBSET.match(sentence, match.end("n"))
    if (
        subset
        and not _ANY_CASUALTY.search(subset.group())
        and _count_before(sentence[: match.start("n")])
    ):
        return None  # "eleven people, six of them children": part of the count before it
        # ("…, and two of them died," says what happened to them: a count of its own)
    mid = (match.groupdict().get("mid") or "").replace(",", " ").split()
    wordy = number.casefold() in ARTICLES
    if pattern is COUNT_FIRST and not people_between(mid, needs_person=wordy):
        return None
    if pattern is VERB_FIRST and not object_is_people(mid):
        return None
    if pattern is LEFT and mid and not all(w.casefold() in PEOPLE for w in mid):
        return None
    if pattern is PARTICIPLE and mid and mid[0].casefold() not in PEOPLE:
        return None
    if _EITHER.match(sentence, match.end()):
        return None  # "killed or wounded": dead and hurt in one figure, neither alone
    following = sentence[match.end("n") : match.end("n") + 40].casefold().split()[:3]
    if _LOSS_CLAIM.search(sentence) and any(w.strip(",.") in MILITARY for w in following):
        return None  # "1,140 Russian soldiers destroyed": a claim of enemy losses
    if wordy and any(word.casefold() in ("couple", "ehepaar", "paar") for word in mid):
        value = 2
    elif pattern is COUNT_FIRST and wordy:
        value += extra_people(mid)
    state = KILLED if pattern in (BODIES, BODIES_OF) else _state(match.group("v"))
    if pattern is COUNT_FIRST:
        value += _parts_before(sentence[max(0, match.start() - 120) : match.start()])
    qualifier = QUALIFIERS.get((match.group("q") or "").casefold())
    if vague and qualifier is None:
        qualifier = "at least"
    return Count(state, value, qualifier, match.start(), match.end(), pattern is TOLL)


_EITHER = re.compile(
    r"\s+(?:or|oder)\s+(?:were\s+|wurden\s+)?(?:killed|dead|died|wounded|injured|hurt|missing"
    r"|getötet|tot|verletzt|verwundet|vermisst)\b",
    re.I,
)


def _state(verb: str) -> str:
    folded = " ".join(verb.casefold().split())
    if folded in _STATE:
        return _STATE[folded]
    if re.search(
        r"injur|verletz|wound|verwund|hospital|krankenh|klinik|spit|vergift|condition", folded
    ):
        return INJURED
    if "vermisst" in folded or "missing" in folded:
        return MISSING
    return KILLED


def _looks_like_other_quantity(sentence: str, start: int, end: int) -> bool:
    """An age, a time, a year, money or a percentage is never a casualty count."""
    before, after = sentence[max(0, start - 4) : start], sentence[end : end + 12]
    if re.search(r"\b(?:no|kein|keine)\s+$", before, re.I):
        return True
    if re.search(r"(?:\baged|\bAlter von|\w,)\s*$", sentence[max(0, start - 12) : start]) and (
        "," in after[:1]
        or "aged" in sentence[max(0, start - 12) : start]
        or "Alter" in sentence[max(0, start - 12) : start]
    ):
        return True
    if re.match(r"\s*-?\s?(?:year|jähr|Jähr|%|per ?cent\b|Prozent|:\d|h\b|Uhr\b)", after):
        return True
    if re.search(r"[$€£]\s*$", before):
        return True
    number = sentence[start:end]
    if not (number.isdigit() and len(number) == 4 and 1900 <= int(number) <= 2100):
        return False
    # "in 2022", "seit 2014": a year; "more than 2000 people": a count.
    return bool(
        re.search(r"\b(?:in|im|since|seit|of|von|bis|until|from|between|and|und|Jahr\w*|year)\s+$",
                  sentence[max(0, start - 12) : start], re.I)
    ) or not re.match(r"\s+\w", after)  # fmt: skip


def _parts_before(prefix: str) -> int:
    """The earlier parts of "nine children and 11 adults were killed" (here 9)."""
    total = 0
    while match := _PART.search(prefix):
        if match.group("who").casefold() not in PEOPLE:
            break
        if not total and not re.search(r"\b(?:and|und|sowie|plus)\s+$", match.group(), re.I):
            break  # "vier Menschen, mehr als 40 wurden verletzt": a new clause, not a part
        parsed = counts.parse(match.group("n"))
        if parsed is None:
            break
        total += parsed[0]
        prefix = prefix[: match.start()]
    return total


def _elliptic(sentence: str, found: list[Count], taken: list[tuple[int, int]]) -> list[Count]:
    """ "two were killed in Kharkiv and three in Odesa": the second count shares the verb."""
    extra: list[Count] = []
    for match in [*ELLIPTIC.finditer(sentence), *ELLIPTIC_PLACE_FIRST.finditer(sentence)]:
        if _overlaps(match.start("n"), match.end("n"), taken):
            continue
        earlier = [count for count in found if count.end <= match.start()]
        parsed = counts.parse(match.group("n"))
        if not earlier or parsed is None or parsed[0] <= 0:
            continue
        qualifier = QUALIFIERS.get((match.group("q") or "").casefold())
        extra.append(Count(earlier[-1].state, parsed[0], qualifier, match.start(), match.end()))
    return extra
