"""Which words of a sentence name a place, how the text relates to it, and which place it is.

A capitalised name is a place when the gazetteer knows it and the sentence says so: after
"in", "near", "bei", "the town of", "im Gebiet", before "region"/"Oblast". Without such a
word only countries, known regions and cities of 100,000+ people count, and never a name
that is also a common word ("Nice", "Mobile", "Essen", "Will") or a speaker ("Kyiv said").
Among places of the same name the one in a country the text mentions wins, then the larger.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dateline.facts.gazetteer import Gazetteer, Place
from dateline.facts.model import PlaceRef, Relation
from dateline.facts.names import exact_key, words

_CAP = r"[A-ZÄÖÜÉÇŠŽČА-ЯЇІЄҐ][\w’'ʼ]*(?:-[\w’'ʼ]+)*"
_NAME = re.compile(rf"(?<![\w’'ʼ-]){_CAP}(?:\s+{_CAP}){{0,2}}")
_DIRECTION = (
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|"
    r"south-east|south-west|nördlich|südlich|östlich|westlich|nordöstlich|nordwestlich|"
    r"südöstlich|südwestlich)"
)
_NEAR_BEFORE = re.compile(
    rf"(?:\bnear|\boutside|\boff the coast of|\boff|\bvor der Küste von"
    rf"|\bclose to|\bnahe|\bbei|\bunweit|\bin der Nähe von|\bvor den Toren von"
    rf"|\b{_DIRECTION}\s+(?:of|von)|\b{_DIRECTION}\s+des\s+Ortes|\boutskirts of|\bRand von"
    rf"|\bRand\s+de[sr])"
    rf"(?:\s+(?:the|der|die|dem|des)?\s*(?:city|town|village|Stadt|Ort|Dorf|Ortschaft))?\s+$",
    re.IGNORECASE,
)
_REGION_BEFORE = re.compile(
    r"(?:\b(?:region|province|district|oblast|governorate|state|county) of|\bGebiet(?:s|es)?"
    r"|\bRegion|\bOblast|\bProvinz|\bBezirk(?:s|es)?|\bKreis(?:es)?|\bLandkreis(?:es)?"
    r"|\bBundesstaat(?:s|es)?|\bVerwaltungsbezirk|\bKantons?|\bBundesland(?:es)?"
    r"|\bcanton of)\s+$",
    re.IGNORECASE,
)
_REGION_AFTER = re.compile(
    r"^(?:['’]s)?\s*(?:region|regions|oblast|province|governorate|district|county|state|area"
    r"|Oblast|Region|Gebiet)\b"
)
_IN_BEFORE = re.compile(
    r"(?i:\bin|\bim|\bat|\bon|\bauf|\bacross|\bover|\bhit|\bstruck|\btargeted|\bshelled"
    r"|\b(?:shelling|bombardment|bombing|attack|attacks|strike|strikes|raid|Beschuss|Angriffe?n?"
    r"|Bombardierung)\s+(?:of|on|auf|von|de[rs])|\bcity of|\btown of|\bvillage of"
    r"|\bsettlement of|\bport of|\bcapital|\bHauptstadt|\bStadt|\bGroßstadt|\bKleinstadt"
    r"|\bHafenstadt|\bOrt|\bDorf(?:es)?|\bOrtschaft|\bGemeinde|\bSiedlung|\bFrontstadt"
    r"|\brefugee camp|\bcamp|\bFlüchtlingslager|\bLager|\bisland of|\bInsel)"
    # Lowercase words only between the context and the name ("in the eastern city of"),
    # never an article: a name does not take one ("in einem Park").
    r"(?P<gap>(?:\s+(?!(?:a|an|ein|eine|einen|einem|einer|eines)\b)[a-zäöüß][\w-]*){0,3})\s+$",
)
# Names that follow these words are places even when the gazetteer does not know them.
_PLACE_NOUN_BEFORE = re.compile(
    r"(?:\bcity of|\btown of|\bvillage of|\bsettlement of|\bport of|\bisland of|\brefugee camp"
    r"|\bStadt|\bDorf(?:es)?"
    r"|\bOrtschaft|\bSiedlung|\bFlüchtlingslager)\s+$"
)
# "the ministry in Beirut said", "Gouverneur der Region Dnipropetrowsk": who reports, not where.
_SOURCE_BEFORE = re.compile(
    r"(?:ministry|\w*ministeri\w*|officials|authorities|behörden?|regierung|government|police"
    r"|polizei|\w*gouverneur\w*|governor|\w*verwaltung|administration|staatsanwaltschaft"
    r"|prosecutors?|spokes\w+|sprecher\w*|mayor|bürgermeister\w*)"
    r"(?:\s+(?:des|der|of|of the|in|im|in the|from|von|für|for))?"
    r"(?:\s+(?:gebiet\w*|region|oblast|provinz|city|stadt))?\s+$",
    re.IGNORECASE,
)
_SOURCE_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:regional\s+|city\s+|military\s+)*(?:governor|mayor|officials|authorities"
    r"|administration|police|prosecutors?|Gouverneur|Bürgermeister|Behörden|Polizei)\b",
    re.IGNORECASE,
)
# "auf einen Markt", "in a Park": a name never takes an indefinite article.
_MORE_DEMONYMS = words(
    """
    israeli iraqi pakistani yemeni saudi afghan somali kuwaiti qatari omani emirati bangladeshi
    nepali thai german french dutch greek swiss polish turkish spanish british irish danish
    """
)
_PLACE_NOUN_AFTER = re.compile(r"^\s+(?:village|town|city|settlement|camp)\b")
_DEMONYM_WORD = re.compile(r"^[A-Z][a-z]+(?:ian|ean|ese|ish)(?:-\w+)?$")
_DISTRICT_AFTER = re.compile(r"^\s*(?:district|neighbourhood|neighborhood|Stadtteil|Bezirk)\b")
_SPEAKER_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:said|says|told|added|claimed|warned|insisted|denied|accused|proposed"
    r"|rejected|offered|agreed|sagte|erklärte|teilte|betonte|warf|lehnte|schlug|forderte"
    r"|wies|hat|has|have|will|would|is|was|und|and)\b"
)
# Capitalised words that are never the place an event happened, even after "in".
NEVER = words(
    """
    beim vom zum zur durch trotz seit laut gegen
    tote toten verletzte verletzten opfer todesopfer dead wounded injured
    the a an this that these those there then they their he she it we you his her its our in
    on at by for from with after before during as to and or but not no yes if while when
    where which who what how all some many most more other another each every both monday
    tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag
    freitag samstag sonntag january february march april may june july august september
    october november december januar februar märz juni juli oktober dezember north south
    east west centre center norden süden osten westen zentrum mitte nähe president police
    army officials governor mayor minister ministry government emergency rescue reuters
    associated press agency news live update breaking der die das den dem des ein eine einer
    und oder aber bei nach mit von vor im am auf laut polizei behörden menschen mensch mann
    frau kind angriff angriffe angaben regierung armee präsident bürgermeister gouverneur
    dabei zudem allein insgesamt bislang kremlin kreml white house pentagon un nato eu
    provinz region gebiet oblast bezirk kreis landkreis stadt dorf hauptstadt hafenstadt
    telegram alter haus st verlauf rahmen zuge fall einsatz bereich kanton kantons bundesland
    """
)
# A name that begins with these words is one name ("New Harrow", "Port Talbot", "Neu
# Wulmstorf"): if the gazetteer does not know it, its last word alone is not that place.
NAME_PREFIXES = words(
    """
    new neu port fort saint sankt san santa lake mount glen upper lower great little old
    """
)
_OF_AFTER = re.compile(rf"\s+of\s+(?:the\s+)?(?={_CAP})")
_OPENING = " \"“„‘'«(["
# Names of some place that, written alone, usually mean something else.
AMBIGUOUS = words(
    """
    of nice mobile essen wels will mark bath reading split sale hope deal orange mission
    temple independence victoria florence eugene charlotte jackson lincoln aurora concord
    halle hof worms gera brest lens mode ort kraft folge haft gefahr richtung sicherheit
    ordnung zukunft betrieb
    """
)
DEMONYMS = {
    "ukrainian": ("UA",), "ukrainisch": ("UA",), "russian": ("UA", "RU"),
    "russisch": ("UA", "RU"), "israeli": ("IL", "PS"), "israelisch": ("IL", "PS"),
    "palestinian": ("PS",), "palästinensisch": ("PS",),
    "turkish": ("TR",), "türkisch": ("TR",), "syrian": ("SY",), "syrisch": ("SY",),
    "sudanese": ("SD",), "sudanesisch": ("SD",), "lebanese": ("LB",),
    "libanesisch": ("LB",), "italian": ("IT",), "italienisch": ("IT",), "german": ("DE",),
    "deutsch": ("DE",), "american": ("US",), "us": ("US",), "amerikanisch": ("US",),
    "iranian": ("IR",), "iranisch": ("IR",), "yemeni": ("YE",), "jemenitisch": ("YE",),
}  # fmt: skip
# "US" only in capitals and as a word: "us", "use" and "usual" are no country.
_DEMONYM = re.compile(
    r"\b(" + "|".join(name for name in DEMONYMS if name != "us") + r"|(?-i:US\b))",
    re.IGNORECASE,
)


# Below this many people, a place of a shared name needs the text's support (`choose`).
SMALL = 15_000


@dataclass(slots=True)
class Mention:
    """A name in a sentence (offsets within the sentence) and its possible places."""

    start: int
    end: int
    name: str
    relation: Relation
    strong: bool  # the sentence itself says it is a place
    candidates: tuple[Place, ...]
    chosen: Place | None = None
    district: bool = False  # "Kharkiv's Kyivskyi district": the city is the better place

    def ref(self) -> PlaceRef:
        country = self.chosen is not None and self.chosen.is_country
        return PlaceRef(self.name, self.chosen, "region" if country else self.relation)


def find(sentence: str, gazetteer: Gazetteer) -> list[Mention]:
    found: list[Mention] = []
    resume = 0
    for match in _NAME.finditer(sentence):
        if match.start() < resume:
            continue
        words = match.group().split()
        # Longest name first: "Nova Kakhovka" before "Nova".
        cursor = match.start()
        while words:
            if (longer := _longer_name(sentence, cursor, words, match.end())) is not None:
                resume = longer[1]
                found.extend(_whole_name(sentence, *longer, gazetteer))
                break
            mention = _longest(sentence, cursor, words, gazetteer)
            if mention is None:
                cursor = sentence.index(words[0], cursor) + len(words[0])
                words = words[1:]
                continue
            found.append(mention)
            cursor = max(mention.end, cursor + 1)
            words = sentence[cursor : match.end()].split()
    found.extend(_capitals(sentence, gazetteer))
    return sorted(found, key=lambda mention: mention.start)


# "the Ukrainian capital", "in der ukrainischen Hauptstadt": coverage names a capital by its
# country more often than by its name. Capitals whose status is disputed are left out.
CAPITALS = {
    "UA": "Kyiv", "RU": "Moscow", "TR": "Ankara", "SY": "Damascus", "SD": "Khartoum",
    "LB": "Beirut", "IT": "Rome", "DE": "Berlin", "US": "Washington", "IR": "Tehran",
    "YE": "Sanaa",
}  # fmt: skip
_OWN_COUNTRY = {"russian": "RU", "russisch": "RU"}  # not the places Russia strikes
_CAPITAL = re.compile(
    r"\bthe (?P<en>[A-Z][a-z]+) capital\b|\b(?:die|der) (?P<de>[a-zäöü]+?)(?:en|e) Hauptstadt\b"
)


def _capitals(sentence: str, gazetteer: Gazetteer) -> list[Mention]:
    found = []
    for match in _CAPITAL.finditer(sentence):
        demonym = (match.group("en") or match.group("de")).casefold()
        countries = DEMONYMS.get(demonym, ())
        country = _OWN_COUNTRY.get(demonym) or (countries[0] if len(countries) == 1 else None)
        if country not in CAPITALS:
            continue
        name = CAPITALS[country]
        places = tuple(p for p in gazetteer.lookup(name) if p.country == country)
        if places:
            biggest = max(places, key=lambda place: place.population)
            found.append(Mention(match.start(), match.end(), name, "in", True, (biggest,)))
    return found


def _longer_name(
    sentence: str, cursor: int, words: list[str], end: int
) -> tuple[int, int, str] | None:
    """The span of a proper name of several capitalised words that `words` (a name ending at
    `end`) begin ("Vale of Harrow", "Port of Spain", "New Harrow"), and its part after "of"
    ("" when none). A sentence's first word before "of" is seldom a name ("Much of Kharkiv")."""
    if words[0].casefold() in NEVER:
        return None
    start = sentence.index(words[0], cursor)
    of = _OF_AFTER.match(sentence, end)
    opening = not sentence[:start].strip(_OPENING)
    if of and not (opening and len(words) == 1):
        tail = _NAME.match(sentence, of.end())
        if tail is not None:
            return start, tail.end(), tail.group()
    if len(words) > 1 and words[0].casefold() in NAME_PREFIXES:
        return start, end, ""
    return None


def _whole_name(
    sentence: str, start: int, end: int, tail: str, gazetteer: Gazetteer
) -> list[Mention]:
    """A longer name is a place as a whole or not at all: its words alone are other places
    ("Vale" in Oregon, "Harrow" in London). Only a country after "of" stands alone, as the
    text's country ("the Armed Forces of Ukraine")."""
    whole = _judge(sentence, start, end, sentence[start:end], gazetteer)
    if whole is not None:
        return [whole]
    if not tail:
        return []
    part = _longest(sentence, end - len(tail), tail.split(), gazetteer)
    if part is not None and any(place.is_country for place in part.candidates):
        part.candidates = tuple(place for place in part.candidates if place.is_country)
        return [part]
    return []


def _longest(sentence: str, cursor: int, words: list[str], gazetteer: Gazetteer) -> Mention | None:
    if words[0].casefold() in NEVER:
        return None
    # A possessive ends a name: "Kharkiv's Kyivskyi district" is Kharkiv, then Kyivskyi.
    ends = [i for i, word in enumerate(words) if re.search(r"['’]s$", word)]
    if ends:
        words = words[: ends[0] + 1]
    start = sentence.index(words[0], cursor)
    for size in range(len(words), 0, -1):
        end = sentence.index(words[size - 1], start) + len(words[size - 1])
        name = re.sub(r"['’]s$", "", sentence[start:end])
        if len(name) < 2:
            continue
        mention = _judge(sentence, start, start + len(name), name, gazetteer)
        if mention is not None:
            return mention
    return None


def _judge(sentence: str, start: int, end: int, name: str, gazetteer: Gazetteer) -> Mention | None:
    before, after = sentence[max(0, start - 60) : start], sentence[end : end + 30]
    folded = name.casefold()
    if folded in NEVER or _SOURCE_BEFORE.search(before) or _SOURCE_AFTER.match(after):
        return None
    if _FEATURE_AFTER.match(after):
        return None  # "the Guadalupe River", "the Ahr valley": a river, not the town
    if _DEMONYM_WORD.match(name) or folded in DEMONYMS or folded in _MORE_DEMONYMS:
        return None
    relation: Relation = "in"
    strong = True
    if _REGION_BEFORE.search(before) or _REGION_AFTER.match(after):
        relation = "region"
    elif _NEAR_BEFORE.search(before):
        relation = "near"
    elif not _IN_BEFORE.search(before):
        strong = False
    if not strong and (_SPEAKER_AFTER.match(after) or folded in AMBIGUOUS):
        return None
    candidates = gazetteer.lookup(name)
    if not strong and start == 0 and _DATELINE_AFTER.match(after):
        # A dateline ("Kiew: …", "KYIV, Ukraine (AP) — …") says where the news is from; a
        # town big enough to file from, never a word that happens to name a hamlet.
        strong, candidates = True, tuple(p for p in candidates if p.population >= 10_000)
    if not strong:
        # Alone: a country or region by any of its names, a well-known place by its own
        # name, or a big city by an exonym inside the sentence ("Russland griff Kiew an");
        # a capitalised first word ("Beim", "Dabei") is no spelling of a city.
        key = exact_key(name)
        candidates = tuple(
            p
            for p in candidates
            if p.is_country
            or (_notable(p) and exact_key(p.name) == key)
            or (p.population >= 300_000 and len(name) >= 4 and start > 0)
        )
    known_noun = (strong and _PLACE_NOUN_BEFORE.search(before)) or _PLACE_NOUN_AFTER.match(after)
    strong = strong or bool(known_noun)
    if not candidates and not (known_noun or relation == "region"):
        return None
    district = bool(_DISTRICT_AFTER.match(after))
    return Mention(start, end, name, relation, strong, candidates, district=district)


_FEATURE_AFTER = re.compile(r"[ -](?:River|Creek|Valley|valley|Mountains|Hills|Fluss)\b")
_DATELINE_AFTER = re.compile(
    r"(?:,\s*[A-Z][\w.]+(?:\s[A-Z][\w.]+)?)?\s*(?:\([\w/ ]{1,20}\)\s*)?(?::|[—–])\s"
)


def _notable(place: Place) -> bool:
    return place.is_country or place.population >= 100_000


def country_hints(text: str, mentions: Iterable[Mention]) -> set[str]:
    """Countries the text is about: named countries, unambiguous places, demonyms."""
    hints: set[str] = set()
    for match in _DEMONYM.finditer(text):
        hints.update(DEMONYMS[match.group(1).casefold()])
    for mention in mentions:
        if not mention.candidates:
            continue
        first = mention.candidates[0]
        if (first.is_country and first.country) or (
            len({place.country for place in mention.candidates}) == 1 and first.country
        ):
            hints.add(first.country)
    return hints


def choose(mentions: Iterable[Mention], hints: set[str]) -> None:
    """Pick each mention's place: in a country the text is about, then the most populous.
    A small place whose name several countries share, none of them one the text is about,
    is a guess that would put the event far away ("Vale": Georgia, Romania or Oregon?): it
    gets no GeoNames place, so no map, merge or country rests on the guess; the name stays
    as the text wrote it."""
    for mention in mentions:
        if not mention.candidates:
            continue
        supported = [place for place in mention.candidates if place.country in hints]
        best = max(supported or mention.candidates, key=lambda place: place.population)
        countries = {place.country for place in mention.candidates}
        if supported or len(countries) == 1 or best.is_country or best.population >= SMALL:
            mention.chosen = best
