"""Bulk writes of rows bound where they were made: the driver is this module's business.

Storing many rows fast means skipping SQLAlchemy's per-row work: each row is bound once (its
dates, JSON and flags turned into what the database driver takes, by SQLAlchemy's own bind
processors) where it is made, perhaps in another process, and a batch of them goes to the
driver's own `executemany`. `RowBinder` is that binding as a small picklable value: a caller
gets one for its database (`row_binder`) and hands it to whoever makes rows, who never needs
to know which database or driver is behind it. `bulk_insert` and `bulk_update` take such rows.

Only drivers with positional parameters take rows this way (aiosqlite, asyncpg: the ones
Dateline supports); `row_binder` refuses any other at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from dateline.db.engine import Database, insert_new_for
from dateline.db.tables import metadata

Row = tuple[Any, ...]  # one row in its binder's `columns` order, bound for the driver
KEY = "id"  # the column `bulk_update` finds rows by


@dataclass(frozen=True, slots=True)
class RowBinder:
    """Makes rows of one table as one database's driver takes them. A plain value (a table
    and a driver's name), so it pickles to a fetch process; its bind processors are made
    once per process, on first use."""

    table: str
    driver: str  # e.g. "sqlite+aiosqlite": read by this module only

    @property
    def columns(self) -> tuple[str, ...]:
        """The order of a Row: every column but the one the database numbers itself."""
        return _binding(self.driver, self.table).columns

    def rows(self, values: Iterable[dict[str, Any]]) -> list[Row]:
        """Rows of Python values by column name, bound (the dicts are bound in place: they
        are made for this). A date is bound once however often it recurs (every item of a
        document has the same `first_seen_at`)."""
        binding = _binding(self.driver, self.table)
        processors = binding.processors.items()
        in_order = binding.in_order
        dates: dict[datetime, Any] = {}
        rows = []
        for row in values:
            for name, process in processors:
                value = row[name]
                if value is None:
                    continue
                if isinstance(value, datetime):
                    if value not in dates:
                        dates[value] = process(value)
                    row[name] = dates[value]
                else:
                    row[name] = process(value)
            rows.append(in_order(row))
        return rows

    def value(self, column: str, value: Any) -> Any:
        """`value` of `column` bound (order is kept: bound dates compare as the dates do)."""
        process = _binding(self.driver, self.table).processors.get(column)
        return value if process is None or value is None else process(value)


def row_binder(db: Database, table: Table) -> RowBinder:
    """The binder of `table` rows for `db`; RuntimeError for a driver that cannot take them."""
    dialect = db.engine.dialect
    binder = RowBinder(table.name, f"{dialect.name}+{dialect.driver}")
    binder.columns  # noqa: B018 (compiles now, so an unsupported driver fails at start)
    return binder


async def bulk_insert(conn: AsyncConnection, binder: RowBinder, rows: Sequence[Row]) -> int:
    """INSERT … ON CONFLICT DO NOTHING of bound rows, in one executemany: rows that collide
    with a stored one (primary key or any unique constraint) are skipped. How many went in
    as the driver counts them: -1 when it does not count (asyncpg)."""
    if not rows:
        return 0
    result = await conn.exec_driver_sql(_binding(binder.driver, binder.table).insert, rows)
    return int(result.rowcount)


async def bulk_update(
    conn: AsyncConnection, binder: RowBinder, changes: Sequence[Mapping[str, Any]]
) -> None:
    """UPDATE rows found by their `id`, in one executemany: each change names the row's `id`
    and the new bound values of the same columns as every other change."""
    if not changes:
        return
    columns = tuple(name for name in changes[0] if name != KEY)
    statement, order = _update(binder.driver, binder.table, columns)
    await conn.exec_driver_sql(statement, [tuple(c[name] for name in order) for c in changes])


# Compiled once per process ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Binding:
    columns: tuple[str, ...]
    insert: str
    processors: dict[str, Callable[[Any], Any]]
    in_order: Callable[[Mapping[str, Any]], Row]  # a row by column name → a Row


@cache
def _dialect(driver: str) -> Dialect:
    dialect: Dialect = make_url(f"{driver}://").get_dialect()()
    return dialect


@cache
def _binding(driver: str, table_name: str) -> _Binding:
    dialect, table = _dialect(driver), metadata.tables[table_name]
    numbered = table.autoincrement_column
    columns = tuple(column.name for column in table.c if column is not numbered)
    statement = insert_new_for(dialect.name, table).inline()  # inline: no RETURNING id
    insert = statement.compile(dialect=dialect, column_keys=list(columns))
    if tuple(insert.positiontup or ()) != columns:  # a driver with named parameters
        raise RuntimeError(f"Rows are stored through sqlite+aiosqlite or asyncpg, not {driver}.")
    processors = {
        column.name: column.type.dialect_impl(dialect).bind_processor(dialect)
        for column in table.c
        if column.name in columns
    }
    return _Binding(
        columns,
        str(insert),
        {name: process for name, process in processors.items() if process is not None},
        itemgetter(*columns),
    )


@cache
def _update(driver: str, table_name: str, columns: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The UPDATE statement and the order of its parameters (column names, KEY among them)."""
    dialect, table = _dialect(driver), metadata.tables[table_name]
    values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in columns}
    statement = update(table).where(table.c[KEY] == bindparam(f"new_{KEY}")).values(values)
    compiled = statement.compile(dialect=dialect)
    return str(compiled), tuple(n.removeprefix("new_") for n in compiled.positiontup or ())
