"""The facts of one text: incidents with casualties and places, exchanges, ceasefires, talks.

Pure and fast: regular expressions and one gazetteer look-up per capitalised name, no
language model. Text in a language other than English or German gives no facts.
"""

from __future__ import annotations

import re
from datetime import datetime

from dateline.facts import agreements, casualties, incidents, places, text
from dateline.facts.gazetteer import Gazetteer, open_gazetteer
from dateline.facts.incidents import Reading
from dateline.facts.model import Ceasefire, Exchange, Facts

LANGUAGES = ("en", "de")


def extract(
    text_in: str,
    lang: str | None = None,
    published_at: datetime | None = None,
    gazetteer: Gazetteer | None = None,
) -> Facts:
    language = lang if lang is not None else text.detect(text_in)
    if language not in LANGUAGES:
        return Facts(language)
    gazetteer = gazetteer or open_gazetteer()
    readings = [
        Reading(
            index, sentence, places.find(sentence.text, gazetteer), casualties.find(sentence.text)
        )
        for index, sentence in enumerate(text.sentences(text_in))
    ]
    mentions = [mention for reading in readings for mention in reading.places]
    places.choose(mentions, places.country_hints(text_in, mentions))
    facts = Facts(language)
    facts.incidents = incidents.build(readings, published_at, incidents.passage_kind(text_in))
    for reading in readings:
        for exchange in agreements.exchanges(reading.sentence):
            _merge_exchange(facts.exchanges, exchange)
        found = agreements.ceasefires(reading.sentence)
        for ceasefire in found:
            _merge_ceasefire(facts.ceasefires, ceasefire)
        if not found and facts.ceasefires and facts.ceasefires[-1].min_days is None:
            low, high = agreements.duration_of_phase(reading.sentence)
            facts.ceasefires[-1].min_days, facts.ceasefires[-1].max_days = low, high
        if talk := agreements.talks(reading.sentence, reading.places, published_at):
            facts.talks.append(talk)
    return facts


# Both sides of one swap are named apart ("205 prisoners" home, "205 servicemen" received).
_SAME_PEOPLE = ({"prisoners", "soldiers"},)
_ANOTHER = re.compile(
    r"\b(?:another|further|more|again|second|weitere\w*|erneut|zweite\w*)\b", re.I
)


def _merge_exchange(found: list[Exchange], new: Exchange) -> None:
    """A later sentence telling the same swap again (the same count of the same people, the
    other side's words for them) adds nothing: "Ukraine brought home 205 prisoners … Russia
    said it had received 205 servicemen" is one exchange."""
    for old in found:
        same_people = old.what == new.what or any(
            {old.what, new.what} <= family for family in _SAME_PEOPLE
        )
        same_status = new.status is None or old.status is None or new.status == old.status
        again = _ANOTHER.search(new.evidence.text)  # "weitere 390", "another 205": a second
        if new.count == old.count is not None and same_people and same_status and not again:
            old.status = old.status or new.status
            old.parties = old.parties or new.parties
            return
    found.append(new)


def _merge_ceasefire(found: list[Ceasefire], new: Ceasefire) -> None:
    """Sentences about the same ceasefire (same length, or no length said) are one."""
    for old in found:
        same_length = new.min_days is None or old.min_days is None or new.min_days == old.min_days
        same_status = new.status is None or old.status is None or new.status == old.status
        if same_length and same_status:
            old.min_days = old.min_days if old.min_days is not None else new.min_days
            old.max_days = old.max_days if old.max_days is not None else new.max_days
            old.scope = old.scope or new.scope
            old.proposed_by = old.proposed_by or new.proposed_by
            old.status = new.status or old.status
            return
    found.append(new)
