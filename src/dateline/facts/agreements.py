"""What the sides agreed, proposed or did: exchanges, ceasefires and talks, one sentence at
a time.

An exchange is a swap or hand-over word ("swap", "exchange", "returned", "Austausch") with
what was exchanged (prisoners, bodies, children, wounded, hostages, civilians) and its count
("6,000 bodies", "390 Kriegsgefangene"). A ceasefire is a ceasefire word with its status
(proposed, agreed, rejected, violated, in force), its length as a range of days ("two to
three days" = 2–3, "30-day", "72 Stunden" = 3) and scope (partial, full). Status words are
read in order of strength: a rejected offer is rejected, not proposed.
"""

from __future__ import annotations

import re
from datetime import datetime

from dateline.facts import counts, dates
from dateline.facts.counts import NUMBER
from dateline.facts.model import Ceasefire, Evidence, Exchange, Talks
from dateline.facts.places import Mention
from dateline.facts.text import Sentence

_EXCHANGE = re.compile(
    r"\b(?:swap\w*|exchang\w*|returned|return|returning|repatriat\w*|hand(?:ed|ing)? over"
    r"|handover|released|release|freed|received|bringing back|brought (?:home|back)"
    r"|\w*austausch\w*|ausgetauscht|auszutauschen|austauschen|tauschten|tauschen|übergeben|übergab"
    r"|übergaben|Übergabe|zurückgegeben|zurückgebracht|Rückführung\w*|freigelassen|freilassen"
    r"|Freilassung|ließ\w* .{0,40}frei|entließ\w*|heimgekehrt|zurückgekehrt|kehrten .{0,40}zurück"
    r"|Rückkehr|erhalten|erhielt\w*|zurückerhalten|zurückbekommen|zurückgeholt"
    r"|holte\w* .{0,40}zurück|freigekommen|freikommen|kamen .{0,40}frei)\b",
    re.I,
)
# What was exchanged, by the noun after a count ("6,000 bodies", "84 Soldaten").
_NOUNS = (
    ("bodies", r"bodies|remains|Leichen|Leichname|Leichnamen|Überreste"),
    ("hostages", r"hostages?|Geiseln"),
    ("children", r"children|Kinder|Kindern"),
    ("civilians", r"civilians|Zivilisten|Zivilpersonen"),
    ("prisoners", r"prisoners?(?: of war)?|POWs?|captives|detainees|Kriegsgefangene[nr]?"
     r"|Gefangene[nr]?|Häftlinge[n]?|Inhaftierte[n]?"),
    ("soldiers", r"soldiers|servicemen|service members|defenders|fighters|Soldaten|Kämpfer"
     r"|Verteidiger|Militärangehörige[n]?"),
)  # fmt: skip
_NOUN = "|".join(f"(?P<{what}>{words})" for what, words in _NOUNS)
_COUNTED = re.compile(
    rf"(?<![\w,.])(?P<n>{NUMBER})\s+(?P<adj>(?:[\w-]+\s+){{0,2}}?)(?:{_NOUN})\b", re.I
)
_OF_COUNT = re.compile(
    rf"\b(?:bodies|remains|Überreste|Leichen)\s+(?:of|von)\s+(?P<n>{NUMBER})\b", re.I
)
_UNCOUNTED = re.compile(rf"\b(?:{_NOUN})\b|\b(?P<swap>prisoner|Gefangenen)\w*", re.I)
_RECEIVED = frozenset(("received", "erhalten", "erhielt", "erhielten"))
_EXCHANGED_FIRE = re.compile(
    r"\bexchang\w*\s+(?:\w+\s+){0,3}?(?:fire|gunfire|mortar|shots|blows|words|views|messages"
    r"|artillery)\b|\b(?:Feuer|Schüsse)\w*\s+(?:\w+\s+){0,2}?ausgetauscht",
    re.I,
)
_DEAD = re.compile(r"\b(?:dead|fallen|killed|tote[n]?|gefallene[n]?|getötete[n]?)\b", re.I)
_WOUNDED = re.compile(r"\b(?:wounded|injured|verwundete[n]?|verletzte[n]?)\b", re.I)
_ARTICLES = frozenset(["a", "an", "ein", "eine", "einen", "einem", "einer", "one"])
EXCHANGE_STATUS = (
    ("demanded", r"demand\w*|called for|calls for|insist\w*|\w*forder\w*|verlang\w*"),
    ("proposed", r"propos\w*|offer\w*|suggest\w*|vorgeschlagen|schlug\w*|angeboten|bot\w* an"
     r"|Vorschlag|Angebot"),
    # "(?!Vereinigt)": the United Arab Emirates and the United States agreed nothing.
    ("agreed", r"agreed|agree|agrees|(?!Vereinigt)\w*einig\w*|vereinbar\w*|verständig\w*"
     r"|zugestimmt"),
    ("completed", r"swapped|exchanged|returned|repatriated|handed over|hand over|released|freed"
     r"|received"
     r"|took place|completed|brought home|brought back|came home|ausgetauscht|tauschten"
     r"|übergeben|übergaben|zurückgegeben|zurückgebracht|freigelassen|ließ\w* .{0,40}frei"
     r"|entließ\w*|heimgekehrt|zurückgekehrt|kehrten|erhalten|erhielt\w*|abgeschlossen"
     r"|zurückerhalten|zurückbekommen|zurückgeholt|freigekommen|kamen .{0,40}frei"),
    ("agreed", r"deal|accord|agreement|Einigung|Abkommen|Vereinbarung"),
)  # fmt: skip
_FUTURE = re.compile(
    r"\b(?:will|would|are to|is to|plan\w*|to be|wollen|will|sollen|soll|werden|wird)\b", re.I
)
_CEASEFIRE = re.compile(
    r"\b(?:cease-?fire|truce|armistice|halt to (?:the )?fighting|pause in (?:the )?fighting"
    r"|(?:pause|halt|stop) (?:the )?fighting|Kämpfe \w*(?:einzustellen|einstellen|auszusetzen)"
    r"|halt to (?:the )?(?:attacks|strikes)|Aussetzung der Angriffe|Kämpfe .{0,60}ruhen"
    r"|humanitarian pause|Waffenruhe|Waffenstillstand\w*|Feuerpause|Kampfpause|Feuereinstellung)",
    re.I,
)
CEASEFIRE_STATUS = (
    ("proposed", r"called on|calls on|urged|urges|appealed|pressed \w+ to|rief\w* .{0,40}auf"
     r"|forderte\w* .{0,40}auf"),
    ("rejected", r"reject\w*|refus\w*|turned down|dismiss\w*|ruled out|abgelehnt|lehnt\w*"
     r"|zurückgewiesen|wies\w* .{0,40}zurück|ausgeschlagen"),
    ("violated", r"violat\w*|breach\w*|broke|broken|gebrochen|Verstoß|Verstöße|verstoßen"
     r"|Waffenruhe verletzt|verletzt worden"),
    ("in force", r"took effect|came into force|(?:is|was|were|are) (?:largely |still )?holding"
     r"|has held|in Kraft getreten|gilt seit|hält\b|hielt\b"),
    ("agreed", r"agreed|agree to|signed|accepted|accepts|deal|einigten|geeinigt|vereinbart"
     r"|stimmte\w*"
     r"|zugestimmt|akzeptiert|unterzeichnet|Einigung"),
    ("proposed", r"propos\w*|offer\w*|suggest\w*|called for|calls for|urged|push\w* for"
     r"|vorgeschlagen|schlug\w*\b.{0,80}?\bvor\b|angeboten|bot(?:en)?\b.{0,60}?\ban\b|Vorschlag"
     r"|Angebot|forder\w*|announc\w*"
     r"|declared|declares|ordered|verkündet\w*|angekündigt|kündigte\w*|ordnete\w*|erklärte\w*"
     r"|ready for|bereit"),
    ("in force", r"took effect|takes effect|came into force|in force|in effect|holding|began"
     r"|begann|in Kraft|gilt|hält|trat\w*"),
)  # fmt: skip
_SCOPE = (
    ("partial", r"partial|limited|energy|maritime|Black Sea|air truce|teilweise|Teil-|begrenzt\w*"
     r"|Energie\w*|Schwarzen Meer"),
    ("full", r"full|complete|comprehensive|unconditional|total|general|umfassend\w*|vollständig\w*"
     r"|bedingungslos\w*|allgemein\w*|komplett\w*"),
)  # fmt: skip
_UNIT_DAYS = {
    "day": 1, "days": 1, "tag": 1, "tage": 1, "tagen": 1, "tägig": 1, "tägige": 1,
    "tägigen": 1, "week": 7, "weeks": 7, "woche": 7, "wochen": 7, "month": 30, "months": 30,
    "monat": 30, "wöchig": 7, "monatig": 30, "monate": 30, "monaten": 30, "hour": 0,
    "hours": 0, "stunden": 0, "stündig": 0, "stündige": 0, "stündigen": 0,
}  # fmt: skip
_UNIT = (
    r"(?:days?|Tag(?:e|en)?|tägig\w*|weeks?|Wochen?|wöchig\w*|months?|Monat(?:e|en)?|monatig\w*"
    r"|hours?|Stunden|stündig\w*)"
)
_RANGE = re.compile(
    rf"(?<![\w,.])(?P<a>{NUMBER})\s*(?:to|or|-|–|bis|oder)\s*(?P<b>{NUMBER})[\s-]*(?P<u>{_UNIT})\b",
    re.I,
)
_SINGLE = re.compile(rf"(?<![\w,.])(?P<a>{NUMBER})[\s-]*(?P<u>{_UNIT})\b", re.I)
_DEADLINE = re.compile(
    rf"\b(?:within|in the next|in the coming|innerhalb(?: von)?|binnen|nach)\s+(?:the\s+)?"
    rf"(?:{NUMBER}|a|one|eine[rm]?)[\s-]*{_UNIT}",
    re.I,
)
_PHASE = re.compile(r"\b(?:phase|Phase|dauern|last|lasts|soll \w+ gelten)\b")
_A_UNIT = re.compile(r"\b(?:a|one|eine[nm]?)\s+(?P<u>week|month|Woche|Monat)\b", re.I)
ACTORS = (
    ("Russia", r"Russia|Russian|Moscow|Kremlin|Putin|Russland|russisch\w*|Moskau|Kreml"),
    ("Ukraine", r"Ukraine|Ukrainian|Kyiv|Kiev|Zelensky\w*|Selenskyj|ukrainisch\w*|Kiew|Kyjiw"),
    ("Israel", r"Israel\w*|Netanyahu|Netanjahu"),
    ("Hamas", r"Hamas"),
    ("Hezbollah", r"Hezbollah|Hisbollah"),
    ("United States", r"United States|Washington|Trump|Biden|USA|US|Vereinigten Staaten"),
    ("Iran", r"Iran\w*|Tehran|Teheran"),
    ("Turkey", r"Turkey|Türkei|Ankara|Erdogan|Erdoğan"),
    ("Qatar", r"Qatar|Katar"),
    ("Egypt", r"Egypt|Ägypten|Kairo|Cairo"),
    ("Sudan", r"Sudan\w*|RSF|Rapid Support Forces"),
    ("Houthis", r"Houthis?|Huthis?"),
)  # fmt: skip
_ACTORS = [(actor, re.compile(rf"\b(?:{words})\b")) for actor, words in ACTORS]
_TALKS = re.compile(
    r"\b(?:talks|negotiations|peace conference|summit|round of talks|Gespräche|Verhandlungen"
    r"|Friedensgespräche|Gipfel\w*|Verhandlungsrunde)\b",
    re.I,
)


def _first_status(text: str, table: tuple[tuple[str, str], ...], ordered: bool) -> str | None:
    """The status a sentence states: by strength (table order) or by which comes first."""
    found: list[tuple[int, int, str]] = []
    for rank, (status, words) in enumerate(table):
        match = re.search(rf"\b(?:{words})", text, re.I)
        if match:
            found.append((rank if ordered else match.start(), match.start(), status))
    return min(found)[2] if found else None


def parties(text: str) -> list[str]:
    return [actor for actor, pattern in _ACTORS if pattern.search(text)]


def exchanges(sentence: Sentence) -> list[Exchange]:
    """Each counted group exchanged, else each kind named without a count."""
    text = _EXCHANGED_FIRE.sub(" ", sentence.text)
    triggers = {match.group().casefold() for match in _EXCHANGE.finditer(text)}
    if not triggers or (triggers <= _RECEIVED and not parties(text)):
        return []
    status = _exchange_status(text)
    found: list[tuple[str, int | None]] = []
    used: set[int] = set()
    for match in _OF_COUNT.finditer(text):
        _note(found, used, "bodies", match.group("n"), match.start("n"))
    for match in _COUNTED.finditer(text):
        if match.start("n") in used:
            continue
        what = next(name for name, _ in _NOUNS if match.group(name))
        if what == "soldiers":
            what = _soldiers(match.group("adj"), text[max(0, match.start() - 12) : match.start()])
        elif what == "prisoners" and _WOUNDED.search(match.group("adj")):
            what = "wounded"
        _note(found, used, what, match.group("n"), match.start("n"))
    if not found:
        for match in _UNCOUNTED.finditer(text):
            name = next((n for n, _ in _NOUNS if match.group(n)), "prisoners")
            what = "prisoners" if name == "soldiers" else name
            if what not in [item[0] for item in found]:
                found.append((what, None))
    evidence = Evidence(sentence.start, sentence.end, sentence.text)
    return [Exchange(what, count, status, parties(text), evidence) for what, count in found]


def _note(
    found: list[tuple[str, int | None]], used: set[int], what: str, number: str, at: int
) -> None:
    used.add(at)
    if number.casefold() in _ARTICLES:
        count = None
    else:
        parsed = counts.parse(number)
        count = parsed[0] if parsed and not parsed[1] else None
    if count is not None and any(count == old for _, old in found):
        return  # "150 servicemen and civilians": one group
    if count is None and any(what == old for old, _ in found):
        return
    found.append((what, count))


def _soldiers(adjectives: str, before: str) -> str:
    """Soldiers exchanged are prisoners, unless dead ("78 tote Soldaten") or wounded."""
    if _DEAD.search(adjectives) or _DEAD.search(before):
        return "bodies"
    if _WOUNDED.search(adjectives):
        return "wounded"
    return "prisoners"


def _exchange_status(text: str) -> str | None:
    status = _first_status(text, EXCHANGE_STATUS[:4], ordered=False)
    if status == "completed" and _FUTURE.search(text):
        return "agreed"
    status = status or _first_status(text, EXCHANGE_STATUS[4:], ordered=False)
    if status is None and _SCHEDULED.search(text):
        return "agreed"  # "are due to exchange 1,200 prisoners": set, so agreed
    return status


_SCHEDULED = re.compile(
    r"\b(?:will|(?:are|is) (?:due |set |scheduled |expected )?to|sollen|soll)\b"
    r"(?!\s+(?:not|never|nicht|keine?)\b)",  # "will not exchange": nothing is agreed
    re.I,
)


# "ready for a ceasefire if Russia agreed": what another side might do states nothing.
_CONDITION = re.compile(
    r"\b(?:if|unless|provided(?: that)?|as long as|on condition that|sofern|falls|wenn)\b[^,;.]*",
    re.I,
)
_REFUSAL = re.compile(r"\b(?:reject\w*|refus\w*|turned down|dismiss\w*|ruled out|lehnt\w*)", re.I)
# "Russia, which rejected an earlier plan, proposed …": what a relative clause says of a side
# is not what the sentence says of this ceasefire. English only: German "der/die/das" after a
# comma is as often an article.
_RELATIVE = re.compile(r",\s*(?:which|who)\b[^,;.]*,")
_CLAUSES = re.compile(r",?\s+\b(?:but|aber|while|während|whereas)\b\s+|;\s+")


def ceasefires(sentence: Sentence) -> list[Ceasefire]:
    """One per clause that names a ceasefire: "agreed to a 30-day halt ..., but refused a
    complete ceasefire" is two."""
    found = [
        ceasefire(Sentence(sentence.start, sentence.end, part))
        for part in _CLAUSES.split(sentence.text)
    ]
    result = [item for item in found if item is not None]
    for item in result:
        item.evidence = Evidence(sentence.start, sentence.end, sentence.text)
    return result


def ceasefire(sentence: Sentence) -> Ceasefire | None:
    if not _CEASEFIRE.search(sentence.text):
        return None
    text = _RELATIVE.sub(" ", _CONDITION.sub(" ", sentence.text))
    status = _first_status(text, CEASEFIRE_STATUS, ordered=True)
    if status is None:
        return None
    low, high = _duration(text)
    scope = next((scope for scope, words in _SCOPE if re.search(rf"(?:{words})", text, re.I)), None)
    return Ceasefire(
        _proposer(text), low, high, scope, status, Evidence(sentence.start, sentence.end, text)
    )


def duration_of_phase(sentence: Sentence) -> tuple[int | None, int | None]:
    """ "Die erste Phase soll 42 Tage dauern": the length of a ceasefire named just before."""
    if not _PHASE.search(sentence.text):
        return None, None
    return _duration(sentence.text)


def _duration(text: str) -> tuple[int | None, int | None]:
    text = _DEADLINE.sub(" ", text)
    if match := _RANGE.search(text):
        low, high = counts.parse(match.group("a")), counts.parse(match.group("b"))
        if low and high:
            return _days(low[0], match.group("u")), _days(high[0], match.group("u"))
    if match := _SINGLE.search(text):
        value = counts.parse(match.group("a"))
        if value and value[0] < 10_000:
            days = _days(value[0], match.group("u"))
            return days, days
    if match := _A_UNIT.search(text):
        days = _days(1, match.group("u"))
        return days, days
    return None, None


def _days(value: int, unit: str) -> int:
    folded = unit.casefold()
    size = next((days for name, days in _UNIT_DAYS.items() if folded.startswith(name)), 1)
    if folded.startswith(("hour", "stund", "stünd")):
        return max(1, round(value / 24))
    return value * size


def _proposer(text: str) -> str | None:
    """Who proposed it: the actor named before the proposing verb, else the first named.
    One who rejects "calls for" a ceasefire is not its proposer: then only an actor named
    between the refusal and the proposal is."""
    verb = re.search(
        r"\b(?:propos\w*|offer\w*|suggest\w*|call(?:ed|s)? for|vorgeschlagen|schlug\w*"
        r"|angeboten|bot(?:en)?\b|Vorschlag|Angebot|Forderung|declared|announced|erklärte"
        r"|verkündete|kündigte)",
        text,
        re.I,
    )
    refusal = _REFUSAL.search(text, 0, verb.start()) if verb else None
    if verb and refusal:
        named = parties(text[refusal.end() : verb.start()])
    else:
        named = parties(text[: verb.start()] if verb else text) or parties(text)
    return named[0] if named else None


def talks(sentence: Sentence, places: list[Mention], published: datetime | None) -> Talks | None:
    text = sentence.text
    if not _TALKS.search(text):
        return None
    start, end = dates.day_range(text, published)
    where = next((m.ref() for m in places if m.relation == "in"), None)
    if where is None and start is None:
        return None
    return Talks(where, start, end, parties(text), Evidence(sentence.start, sentence.end, text))
