"""Asking the database: a parsed query becomes FTS5 MATCH text on SQLite, a tsquery on
PostgreSQL; both rank by relevance times recency and return the same rows.

Nothing the searcher typed reaches either backend as syntax: FTS5 gets terms the parser kept
(letters and digits only) inside double quotes; PostgreSQL gets them as bound parameters of
`plainto_tsquery`, `phraseto_tsquery` and, for a prefix of letters and digits, `to_tsquery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    String,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.tables import items, search_docs
from dateline.search.query import Clause, Query
from dateline.search.text import SIMPLE, WORD, fold, language_of, pg_config, variants

RECENCY_DAYS = 14.0  # a document this many days old counts half as relevant as a new one


@dataclass(frozen=True)
class Filters:
    visible: ColumnElement[bool]  # who may see what (service.py)
    kinds: tuple[str, ...] = ()
    blog_id: int | None = None
    source_id: int | None = None  # a followed source: its items only
    language: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def where(self) -> list[ColumnElement[bool]]:
        docs = search_docs.c
        found = [self.visible]
        if self.kinds:
            found.append(docs.kind.in_(self.kinds))
        if self.blog_id is not None:
            found.append(docs.blog_id == self.blog_id)
        if self.source_id is not None:
            of_source = select(items.c.id).where(items.c.source_id == self.source_id)
            found.append(docs.item_id.in_(of_source))
        if self.language is not None:
            found.append(docs.language == language_of(self.language))
        if self.category is not None:
            found.append(docs.category == self.category)
        if self.since is not None:
            found.append(docs.published_at >= self.since)
        if self.until is not None:
            found.append(docs.published_at < self.until)
        return found


async def run(
    conn: AsyncConnection,
    query: Query,
    filters: Filters,
    now: datetime,
    limit: int,
    offset: int,
) -> list[Any]:
    """Rows of search_docs (with `score`), best first: `limit` of them after `offset`."""
    languages = _languages(filters.language)
    if conn.dialect.name == "sqlite":
        matched, score = _sqlite(query, languages, now)
    else:
        matched, score = _postgresql(query, languages, now)
    # Ranked first, by id and score alone; only the page's rows are then read whole.
    ranked = (
        matched.with_only_columns(search_docs.c.id, score.label("score"))
        .where(and_(*filters.where()))
        .order_by(score.desc(), search_docs.c.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    page = (
        select(search_docs, ranked.c.score)
        .join(ranked, ranked.c.id == search_docs.c.id)
        .order_by(ranked.c.score.desc(), search_docs.c.id.desc())
    )
    return list((await conn.execute(page)).all())


def _languages(language: str | None) -> list[str]:
    return [language_of(language)] if language is not None else ["de", "en", ""]


# SQLite: FTS5 ----------------------------------------------------------------------------


def match_text(query: Query, languages: list[str]) -> str:
    """FTS5 query text: wanted clauses ANDed, unwanted ones after NOT."""
    wanted = " AND ".join(_fts_clause(clause, languages) for clause in query.wanted)
    if not query.unwanted:
        return wanted
    unwanted = " OR ".join(_fts_clause(clause, languages) for clause in query.unwanted)
    return f"({wanted}) NOT ({unwanted})"


def _fts_clause(clause: Clause, languages: list[str]) -> str:
    if len(clause.words) > 1:
        phrases = {" ".join(_terms(clause.words, lang)) for lang in languages}
        return "(" + " OR ".join(_quoted(phrase) for phrase in sorted(phrases)) + ")"
    word = clause.words[0]
    found = _word_variants(word, languages)
    star = "*" if clause.prefix else ""
    return "(" + " OR ".join(_quoted(term) + star for term in found) + ")"


def _quoted(terms: str) -> str:
    """An FTS5 string: whatever it holds is words to FTS5, never syntax."""
    return '"' + terms.replace('"', '""') + '"'


def _terms(words: tuple[str, ...], language: str) -> list[str]:
    return [variants(word, language)[0] for word in words]


def _word_variants(word: str, languages: list[str]) -> list[str]:
    return list(dict.fromkeys(v for lang in languages for v in variants(word, lang)))


_FTS = table("search_fts", column("rowid"))


def _sqlite(query: Query, languages: list[str], now: datetime) -> tuple[Any, Any]:
    """The documents matching, and their score."""
    fts: Any = literal_column("search_fts")
    age = func.julianday(literal(now.replace(tzinfo=None).isoformat(" "))) - func.julianday(
        search_docs.c.published_at
    )
    relevance = -func.bm25(fts, 3.0, 1.0)
    score = relevance / (1.0 + func.max(age, 0.0) / RECENCY_DAYS)
    matched = (
        select(search_docs.c.id)
        .select_from(search_docs)
        .join(_FTS, _FTS.c.rowid == search_docs.c.id)
        .where(fts.op("MATCH")(bindparam("match", match_text(query, languages))))
    )
    return matched, score


# PostgreSQL: tsvector ----------------------------------------------------------------------


def _config(language: str) -> Any:
    name = pg_config(language) if language else SIMPLE
    return cast(literal(name, String), REGCONFIG)


def _pg_clause(clause: Clause, languages: list[str]) -> Any:
    prefix = fold(clause.words[0])
    if clause.prefix and WORD.fullmatch(prefix):  # letters and digits only: no tsquery syntax
        return func.to_tsquery(_config(""), literal(prefix + ":*", String))
    make = func.phraseto_tsquery if len(clause.words) > 1 else func.plainto_tsquery
    typed = literal(" ".join(fold(word) for word in clause.words), String)
    found = [make(_config(lang), typed) for lang in languages]
    return _combine(func.tsquery_or, found)


def _combine(operator: Any, parts: list[Any]) -> Any:
    combined = parts[0]
    for part in parts[1:]:
        combined = operator(combined, part)
    return combined


def tsquery(query: Query, languages: list[str]) -> Any:
    wanted = _combine(func.tsquery_and, [_pg_clause(c, languages) for c in query.wanted])
    if not query.unwanted:
        return wanted
    unwanted = _combine(func.tsquery_or, [_pg_clause(c, languages) for c in query.unwanted])
    return func.tsquery_and(wanted, func.tsquery_not(unwanted))


def _postgresql(query: Query, languages: list[str], now: datetime) -> tuple[Any, Any]:
    """The documents matching, and their score."""
    tsv: Any = literal_column("search_docs.tsv")
    asked = tsquery(query, languages)
    moment = literal(now, search_docs.c.published_at.type)
    age = func.extract("epoch", moment - search_docs.c.published_at) / 86400.0
    relevance = func.ts_rank(tsv, asked)
    score = cast(relevance, Float) / (1.0 + func.greatest(age, 0.0) / RECENCY_DAYS)
    return select(search_docs.c.id).where(tsv.op("@@")(asked)), score
