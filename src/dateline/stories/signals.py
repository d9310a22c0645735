"""Cheap signals of what an item is about, beside its embedding: names, numbers, the page
it is (tracking parameters and AMP/mobile addresses removed) and its wording (MinHash, for
wire copies and light rewrites). Pure functions of the text, fast enough for every item."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from datasketch import MinHash

WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
POSSESSIVE = re.compile(r"['’]s?$")

# Capitalised words that name nothing: sentence openers, weekdays, months, titles.
_NOT_NAMES = """the a an and but or of in on at for to from by with as after before over under into
    this that these those it its he she they we you i his her their our there here when while
    what who why how where which also not no yes new more most some all many two three one
    mr mrs ms dr prof president minister chancellor police officials authorities government
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december update updates live breaking
    watch read video photos exclusive analysis opinion news report reports today yesterday
    der die das ein eine einer eines und oder aber in im am an auf aus bei mit nach von vor
    zu zum zur für über unter durch gegen ohne um als auch nicht kein keine es er sie wir ihr
    ich du man dem den des wie was wer wo wann warum dieser diese dieses jetzt heute gestern
    nun noch schon so doch bereits damit dabei laut nach seit bis mehr neue neuer neues
    montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz mai juni
    juli oktober dezember uhr herr frau liveblog ticker eilmeldung"""
NOT_NAMES = frozenset(_NOT_NAMES.split())

TRACKING = re.compile(
    r"^(utm_|mc_|pk_|itm_|at_)|^(fbclid|gclid|dclid|msclkid|yclid|igshid|ref|ref_src|cmpid|icid|ocid|share|s|smid|wt_mc|wt_zmc|xtor|ns_mchannel|ns_campaign|outputtype|amp)$"
)
MOBILE_HOST = re.compile(r"^(www|m|mobile|amp)\.")
AMP_PATH = re.compile(r"(/amp/?$|\.amp(?=\.html?$|$)|^/amp(?=/))")

SHINGLE = 3
PERMUTATIONS = 64
SCHEME = "affine64"
_template = MinHash(num_perm=PERMUTATIONS, seed=7, scheme=SCHEME)


def words(text: str) -> list[str]:
    return WORD.findall(text)


@dataclass(frozen=True)
class Names:
    """Capitalised words and acronyms of an item, lower-cased (`every`), and those that are
    surely names (`proper`): acronyms, and words capitalised inside a sentence of the text
    (not a headline's title case, not a sentence's first word). In German every noun is
    capitalised, so the caller takes German `proper` words as names only when other
    languages write them so too."""

    every: frozenset[str]
    proper: frozenset[str]
    acronyms: frozenset[str]


def names(title: str, text: str) -> Names:
    every: set[str] = set()
    proper: set[str] = set()
    acronyms: set[str] = set()
    for part, is_text in ((title, False), (text, True)):
        for sentence in SENTENCE.split(part):
            for position, word in enumerate(words(sentence)):
                if not word[0].isupper() or len(word) < 3:
                    continue
                key = POSSESSIVE.sub("", word.lower())
                if key in NOT_NAMES or len(key) < 3:
                    continue
                every.add(key)
                if word.isupper():
                    acronyms.add(key)
                if word.isupper() or (is_text and position > 0):
                    proper.add(key)
    return Names(frozenset(every), frozenset(proper), frozenset(acronyms))


def numbers(title: str, text: str) -> frozenset[str]:
    """Numbers written in the item ("6,2" and "6.2" alike), single digits left out: they
    are in everything."""
    found = set()
    for match in NUMBER.findall(f"{title} {text}"):
        value = match.replace(",", ".")
        if len(value) > 1:
            found.add(value.rstrip("0").rstrip(".") if "." in value else value)
    return frozenset(found)


def page_key(url: str) -> str:
    """The page behind an address: scheme, `www.`/`m.`/`amp.`, AMP paths, tracking
    parameters and the fragment do not make another page."""
    if not url.lower().startswith(("http://", "https://")):
        return ""
    parts = urlsplit(url.strip())
    host = MOBILE_HOST.sub("", (parts.hostname or "").lower())
    path = AMP_PATH.sub("", parts.path).rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k.lower())]
    return urlunsplit(("", host, path, urlencode(sorted(query)), ""))


def fingerprint(title: str, text: str) -> MinHash | None:
    """MinHash of the wording (word 3-grams, case folded); None when there are too few
    words for a match to mean a copy rather than a shared phrase."""
    tokens = [w.lower() for w in words(text or title)][:2000]
    if len(tokens) < 12:
        return None
    shingles = {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - 2)}
    digest = MinHash(num_perm=PERMUTATIONS, permutations=_template.permutations, scheme=SCHEME)
    digest.update_batch(list(shingles))
    return digest
