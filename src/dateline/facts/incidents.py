"""From counts to incidents: where each count happened, which counts are one incident, and
which count is a total of the others.

Where: the place named after the count in the same clause ("were killed in Kharkiv"), else
the nearest place before it in the sentence ("In Kharkiv, three were killed"; "Kramatorsk,
where two others were injured"), else one later in the sentence, else the place the text was
last talking about. A total ("in total", "across the country") never borrows a place.
One incident: counts of different kinds for the same place close together ("five killed and
12 injured in Kharkiv"; "Seven were killed in Dnipro. Another 30 were injured.").
Totals: a count without a place, or for a region or country, that the counts of other places
add up to no more than is an aggregate ("killed at least five ... one in Kramatorsk ... two
in Illinivka"), never counted twice.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime

from dateline.facts import dates
from dateline.facts.casualties import INJURED, KILLED, Count
from dateline.facts.model import Evidence, Incident, PlaceRef
from dateline.facts.places import Mention
from dateline.facts.text import Sentence

KINDS = (
    ("earthquake", r"earthquake|quake|tremor|Erdbeben|Beben"),
    ("flood", r"flood|flooding|floods|flash flood|Hochwasser|Überschwemmung|Flut|Sturzflut"),
    ("fire", r"fire|blaze|wildfire|inferno|Brand|Feuer|Waldbrand|Flammen"),
    ("crash", r"crash|collision|collided|derail|accident|plunged|overturned|\w*[Uu]nfall|Absturz"
     r"|abgestürzt|\w*[Zz]usammenstoß|\w*[Zz]usammenprall"
     r"|\w*[Uu]nglück|entgleist"),
    ("missile", r"missile|rocket|ballistic|Rakete|Raketen|Marschflugkörper"),
    ("drone", r"drone|Shahed|Drohne|Drohnen"),
    ("explosion", r"suicide bomb|car bomb|bomb blast|roadside bomb|IED|land ?mine"
     r"|Selbstmordanschlag|Autobombe|Sprengsatz|Landmine"),
    ("air strike", r"air ?strike|airstrike|air raid|bombing|bombardment|glide bomb|guided bomb"
     r"|aerial bomb|Luftangriff|Gleitbombe|Lenkbombe|Fliegerbombe"),
    ("shelling", r"shelling|shelled|artillery|Beschuss|beschossen|Artillerie|Granate"),
    ("explosion", r"explosion|blast|exploded|detonat|Explosion|explodiert|Detonation"),
    ("attack", r"attack|strike|shooting|shot dead|gunmen|gunman|gunfire|stabbing|stabbed|assault"
     r"|(?:Israeli|Russian|Ukrainian|Palestinian|enemy|army|military|police|sniper|tank"
     r"|small-arms|machine-gun) fire|firing|Angriff"
     r"|Anschlag|Attacke|Schüsse|Messerangriff|Messerattacke|Messerstecherei|Schießerei"
     r"|Amoklauf|Amokfahrt|erstochen|niedergestochen"),
)  # fmt: skip
_KIND_PATTERNS = [(kind, re.compile(rf"\b(?:{words})", re.I)) for kind, words in KINDS]
# Words that contain a kind's word but name no such event: responders ("fire crews",
# "Feuerwehr") come to every kind of disaster, a ceasefire or "opened fire" is no blaze.
_NOT_A_KIND = re.compile(
    r"\b(?:fire[- ]?(?:crews?|fighters?|fighting|brigades?|services?|departments?|engines?"
    r"|trucks?|stations?|officers?|chiefs?|and rescue|rescue)|firem[ae]n|cease-?fires?"
    r"|(?:open|opened|opening|opens|return|returned|returning|returns) fire|\w*feuerwehr\w*"
    r"|Feuerpause\w*|Feuerwaffenruhe"
    r"|eröffne\w*(?:\s+\S+){0,3}?\s+das Feuer|das Feuer eröffne\w*)",
    re.I,
)
_TOTAL = re.compile(
    r"\b(?:(?i:in total|a total of|overall|altogether|nationwide|in all|insgesamt|landesweit"
    r"|im ganzen Land|bundesweit|total|in mehreren (?:Regionen|Orten))|(?i:across|throughout)"
    r" (?:the )?(?:country|nation|whole|entire|region|territory|Gaza Strip"
    r"|[A-Z]\w+\b(?! [Rr]iver)))\b",
)
_HISTORIC = re.compile(
    r"\b(?:anniversary|Jahrestag|commemorat|Gedenk|years ago|years after|Jahre nach|vor \w+ Jahren"
    r"|in (?:19|20)\d\d|the (?:19|20)\d\d\b(?! (?:people|Menschen))"
    r"|\b(?:in|im) (?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December|Januar|Jänner|Februar|März|Mai|Juni|Juli|Oktober|Dezember) (?:19|20)\d\d"
    r"|im Jahr (?:19|20)\d\d|since (?:19|20)\d\d|seit (?:19|20)\d\d|genocide|Völkermord|"
    r"Holocaust|world war|Weltkrieg|(?:in|over) the (?:past|last) \w+ years|between (?:19|20)\d\d"
    # A running toll over weeks or months sums many incidents: it is none of them.
    r"|(?:in|over|during) the (?:past|last|previous) (?:\w+ )?(?:weeks|months)"
    r"|in den (?:vergangenen|letzten) (?:\w+ )?(?:Wochen|Monaten)|since the resumption of"
    r"|seit (?:der )?Wiederaufnahme"
    r")",
    re.I,
)
_SINCE_THE_WAR = re.compile(
    r"\b(?:since the (?:start|beginning|outbreak) of the (?:war|conflict|invasion|fighting)"
    r"|since (?:the |Russia['’]s |Israel['’]s )?(?:full-scale )?(?:invasion|war) (?:began|started)"
    r"|seit (?:dem )?(?:Beginn|Anfang|Ausbruch) des (?:Krieges|Kriegs|Konflikts)|seit Kriegsbeginn"
    r"|seit Kriegsausbruch)",
    re.I,
)
_ELSEWHERE = re.compile(
    r"\b(?:at|in) other (?:locations|places|areas)|\belsewhere\b|an anderen Orten|anderswo", re.I
)
_JOINS_WORDS = re.compile(r"\w*[\s/-]{1,3}")  # "missile strike", "rocket-attack", "drones' attack"
_CLAUSE_END = re.compile(r"[,;:–—]|\bwhere\b|\bwo\b")


@dataclass(slots=True)
class Reading:
    """One sentence as the extractor sees it."""

    index: int
    sentence: Sentence
    places: list[Mention]
    counts: list[Count]


def build(readings: list[Reading], published: datetime | None, passage_kind: str) -> list[Incident]:
    incidents: list[Incident] = []
    last_place: PlaceRef | None = None
    last_region: PlaceRef | None = None
    last_date: date | None = None
    past, past_at = False, -1  # was `last_date` said by a sentence about history? which?
    for reading in readings:
        text = reading.sentence.text
        if reading.counts and _is_history(text, published):
            continue
        said = dates.mentions(text, published)
        named = _kind_words(text) if reading.counts else []
        for position, count in enumerate(reading.counts):
            if _since_the_war(text, count):
                continue  # a war's running toll is no incident
            nearest = min(said, key=lambda item: _distance(item[0], count)) if said else None
            when = nearest[1] if nearest else last_date
            if nearest is None and past:
                if reading.index == past_at + 1:
                    continue  # "Vor 80 Jahren, am 8. Mai 1945, … Millionen … ums Leben"
                when = None  # further on, a history's date is no date of today's news
            total = _is_total(text, reading.counts, position)
            carried = None if total or count.toll else last_place
            if carried is not None and last_region is not None and _in_the_region(text, count):
                carried = last_region  # "… in Bilozerka in the Kherson region. Eight more
                # were wounded in the region": the region's figure, not the village's
            place = _place_for(count, reading, carried, total)
            kind = _kind(named, count) or passage_kind
            _add(incidents, count, place, kind, when, reading, total)
        if reading.places:
            last_place = _main_place(reading.places).ref()
            regions = [m.ref() for m in reading.places if m.ref().relation == "region"]
            last_region = regions[-1] if regions else last_region
        if said:
            last_date, past, past_at = said[0][1], _is_history(text, published), reading.index
    _mark_totals(incidents)
    return [
        incident
        for incident in incidents
        if incident.killed or incident.injured or incident.missing
    ]


_THE_REGION = re.compile(
    r"\b(?:in|across|throughout) the (?:region|province|oblast)\b|\bin der (?:Region|Provinz)\b"
    r"|\bim (?:Gebiet|Oblast)\b(?!\s+[A-ZÄÖÜ])",
)


def _in_the_region(text: str, count: Count) -> bool:
    """Does the count's clause place it only "in the region" (named before)?"""
    return bool(_THE_REGION.search(text, count.start, _clause_end(text, count)))


def _since_the_war(text: str, count: Count) -> bool:
    """Is the count a war's running toll: "since the start of the war" said of it, in its
    clause ("18 journalists have been killed since Russia's invasion began")?"""
    return bool(_SINCE_THE_WAR.search(text, max(0, count.start - 40), _clause_end(text, count)))


def _clause_end(text: str, count: Count) -> int:
    """Where the clause holding the count ends (the sentence's end when it does)."""
    found = _CLAUSE_END.search(text, count.end)
    return found.start() if found else len(text)


def _distance(position: int, count: Count) -> int:
    return position - count.end if position >= count.end else count.start - position


def _is_total(text: str, found: list[Count], position: int) -> bool:
    """A total marker ("overall", "across the country", "insgesamt") belongs to the count
    nearest to it; a toll next to a count of the same kind is a running total ("killed 4 ...,
    bringing the death toll to 31")."""
    this = found[position]
    if this.toll and any(not o.toll and o.state == this.state for o in found):
        return True
    for marker in _TOTAL.finditer(text):
        nearest = min(range(len(found)), key=lambda i: _distance(marker.start(), found[i]))
        if nearest == position:
            return True
    return False


def _main_place(mentions: list[Mention]) -> Mention:
    """What a sentence is about: its first place that is neither a country nor a district."""
    specific = [m for m in mentions if not m.district and not (m.chosen and m.chosen.is_country)]
    return specific[0] if specific else mentions[0]


def _is_history(text: str, published: datetime | None) -> bool:
    match = _HISTORIC.search(text)
    if match is None:
        return False
    year = re.search(r"(19|20)\d\d", match.group())
    return year is None or published is None or int(year.group()) < published.year


def _place_for(
    count: Count, reading: Reading, carried: PlaceRef | None, total: bool
) -> PlaceRef | None:
    text = reading.sentence.text
    if total:
        # A total's place is its scope, a region or country, never one of its parts.
        wide = [m for m in reading.places if m.ref().relation == "region" and m.end <= count.end]
        return _towns_first(wide).ref() if wide else None
    inside = [m for m in reading.places if count.start <= m.start < count.end]
    if _countries(inside) > 1:
        return None  # "the toll in Turkey and Syria": both, so no one place
    if inside:
        return _towns_first(inside).ref()
    limit = _clause_end(text, count)
    if _ELSEWHERE.search(text, count.end, limit):
        return None
    after = [m for m in reading.places if count.end <= m.start < limit]
    if after:
        return None if _countries(after) > 1 else after[0].ref()
    before = [m for m in reading.places if m.end <= count.start]
    if before:
        return None if _countries(before) > 1 else _towns_first(before).ref()
    # A later count of the same kind has its own place ("15 killed, nine in Florence");
    # "2,000 killed and 2,059 injured ... in Morocco" share theirs.
    following = [o.start for o in reading.counts if o.start >= count.end and o.state == count.state]
    limit = following[0] if following else len(text)
    later = [m for m in reading.places if count.end <= m.start < limit]
    if later and carried is None and not total:
        return later[0].ref()
    return carried


def _countries(mentions: list[Mention]) -> int:
    """How many countries the mentions name, when they name nothing smaller: "in Turkey and
    Syria" is two (the figure is for both); "in Kharkiv, Ukraine" is a place in one."""
    if any(not (m.chosen and m.chosen.is_country) for m in mentions):
        return 0
    return len({m.chosen.country for m in mentions if m.chosen})


def _towns_first(mentions: list[Mention]) -> Mention:
    """The last place named, a town before its region or country: "in Derna, eastern Libya",
    "des Dorfes Welykyj Burluk im Gebiet Charkiw"."""
    towns = [m for m in mentions if m.ref().relation != "region"]
    regions = [m for m in mentions if not (m.chosen and m.chosen.is_country)]
    return (towns or regions or mentions)[-1]


def _event_words(text: str) -> str:
    """The text with words that only look like a kind blanked out, offsets kept."""
    return _NOT_A_KIND.sub(lambda match: " " * len(match.group()), text)


def _kind(named: list[tuple[int, str]], count: Count) -> str | None:
    """The kind named nearest the count (`named` in order of position)."""
    if not named:
        return None
    at = bisect_left(named, (count.start, ""))
    near = named[max(0, at - 1) : at + 1]
    return min(near, key=lambda item: abs(item[0] - count.start))[1]


def passage_kind(text: str) -> str:
    """The first kind of event the text names, for counts whose sentence names none."""
    found = _kind_words(text)
    return min(found)[1] if found else "other"


def _kind_words(text: str) -> list[tuple[int, str]]:
    """Where the text names a kind of event, and which, in order of position. A generic word
    ("strike", "attack") inside or right after a specific one takes its kind: "air strike",
    "missile strike", "drone and missile attack" name the weapon, not just an attack."""
    text = _event_words(text)
    every = sorted(
        (match.start(), match.end(), kind)
        for kind, pattern in _KIND_PATTERNS
        for match in pattern.finditer(text)
    )
    # A word inside a longer one of another kind is that one's: "Israeli fire" is gunfire.
    found = [
        (start, end, kind)
        for start, end, kind in every
        if not any(s <= start and end <= e and e - s > end - start for s, e, _ in every)
    ]
    specific = [(start, end, kind) for start, end, kind in found if kind != "attack"]
    starts = [start for start, _, _ in specific]
    named = []
    for start, end, kind in found:
        if kind == "attack" and (at := bisect_right(starts, start)):
            _, other_end, other = specific[at - 1]  # the nearest before it
            if other_end >= end or _JOINS_WORDS.fullmatch(text, other_end, start):
                kind = other
        named.append((start, kind))
    return named


def _add(
    incidents: list[Incident],
    count: Count,
    place: PlaceRef | None,
    kind: str,
    when: date | None,
    reading: Reading,
    total: bool,
) -> None:
    identity = place.identity if place else None
    for incident in reversed(incidents):
        if reading.index - incident.sentence > 1:
            break
        same_place = (incident.place.identity if incident.place else None) == identity
        if not same_place or incident.total_marker != total:
            continue
        current = _slot(incident, count.state)
        if current == count.value:
            return
        if count.toll and current is not None:
            _fill(incident, count, max(current, count.value))
            return
        if current is None:
            _fill(incident, count, count.value)
            return
    sentence = reading.sentence
    incidents.append(
        Incident(
            kind=kind,
            place=place,
            evidence=Evidence(sentence.start, sentence.end, sentence.text),
            qualifier=count.qualifier,
            date=when,
            sentence=reading.index,
            total_marker=total,
        )
    )
    _fill(incidents[-1], count, count.value)


def _slot(incident: Incident, state: str) -> int | None:
    if state == KILLED:
        return incident.killed
    if state == INJURED:
        return incident.injured
    return incident.missing


def _fill(incident: Incident, count: Count, value: int) -> None:
    if count.state == KILLED:
        incident.killed = value
    elif count.state == INJURED:
        incident.injured = value
    else:
        incident.missing = value
    incident.qualifier = incident.qualifier or count.qualifier


def _is_wide(incident: Incident) -> bool:
    return incident.place is None or incident.place.relation == "region" or incident.total_marker


def _mark_totals(incidents: list[Incident]) -> None:
    for total in incidents:
        if not _is_wide(total):
            continue
        parts = [
            other
            for other in incidents
            if other is not total
            and other.place is not None
            and not other.aggregate
            and _narrower(other, total)
            and _within(other.place, total.place)
        ]
        if not parts or not _covers(total, parts):
            continue
        total.aggregate = True


def _narrower(part: Incident, total: Incident) -> bool:
    """A town is narrower than a region or country; a region than a country or nothing."""
    if not _is_wide(part):
        return True
    scope = total.place.place if total.place else None
    place = part.place.place if part.place else None
    is_country = place is not None and place.is_country
    return not part.total_marker and not is_country and (scope is None or scope.is_country)


def _within(part: PlaceRef, scope: PlaceRef | None) -> bool:
    """Whether a part's place can lie inside a total's scope (no scope: anywhere)."""
    if scope is None:
        return True
    if part.identity == scope.identity:
        return False
    inner, outer = part.place, scope.place
    if inner is None or outer is None:
        return True
    if outer.is_country or outer.admin1 is None:
        return inner.country == outer.country
    return inner.admin1 == outer.admin1


def _covers(total: Incident, parts: list[Incident]) -> bool:
    killed = sum(part.killed or 0 for part in parts)
    injured = sum(part.injured or 0 for part in parts)
    if total.killed is not None and killed > total.killed:
        return False
    if total.injured is not None and injured > total.injured:
        return False
    return bool(killed and total.killed) or bool(injured and total.injured)
