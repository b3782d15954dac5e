"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL alike: the building block of
projections that must give the same rows however often an event is applied.

Statements are built once per shape and reused (their compiled form is cached too), and
take their values as parameters. `Writes` gathers them during a transaction and runs them
at its end, consecutive writes of one statement as one executemany (`execute_many`).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import JSON, Connection, Row, Table, Text, and_, bindparam, case, cast, func, literal_column, \
    select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable


@lru_cache(maxsize=None)
def upsert_statement(dialect: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...],
                     add: tuple[str, ...] = (), newest: tuple[str, ...] = (), returning: tuple[str, ...] = ()):
    """On a clash of `keys`: columns in `add` are added to, those in `newest` keep the larger
    value, the other `columns` are replaced. With no columns to change, the row is kept.
    `returning`: the columns of the rows written (not of those kept) to give back."""
    def on_conflict(statement):
        new = statement.excluded
        changes = {}
        for name in columns:
            if name in add:
                changes[name] = table.c[name] + new[name]
            elif name in newest:
                changes[name] = case((table.c[name] > new[name], table.c[name]), else_=new[name])
            else:
                changes[name] = new[name]
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=changes) if changes \
            else statement.on_conflict_do_nothing(index_elements=list(keys))
        return statement.returning(*(table.c[name] for name in returning)) if returning else statement

    statement = on_conflict((postgresql if dialect == "postgresql" else sqlite).insert(table))
    if dialect == "postgresql":
        _IN_ONE[statement] = _InOne(table, keys, lambda names: on_conflict(
            postgresql.insert(table).from_select(names, select(*_recordset(table, names).c))))
    return statement


@lru_cache(maxsize=None)
def update_statement(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]):
    """UPDATE `table` SET columns WHERE keys, all as parameters named `key_<k>` and `set_<c>`."""
    condition = and_(*(table.c[key] == bindparam(f"key_{key}") for key in keys))
    statement = update(table).where(condition).values({name: bindparam(f"set_{name}") for name in columns})
    if not set(keys) & set(columns):  # in one statement each column is named once
        def in_one(names: tuple[str, ...]):
            given = _recordset(table, keys + columns)
            return update(table).where(and_(*(table.c[key] == given.c[key] for key in keys))) \
                .values({name: given.c[name] for name in columns})
        _IN_ONE[statement] = _InOne(table, tuple(f"key_{key}" for key in keys), in_one,
                                    {f"key_{key}": key for key in keys} | {f"set_{name}": name for name in columns})
    return statement


# -- many rows in one statement on PostgreSQL ------------------------------------------------
# psycopg runs an executemany as one statement per row, and SQLAlchemy turns one with RETURNING
# into a statement with four parameters per row that psycopg parses anew each time (it caches
# only short ones): most of a rebuild's time on PostgreSQL. The statements built above are
# therefore also known in a form that takes all the rows as one JSON document, read back into
# the table's own row type by json_populate_recordset: one short statement, parsed once.
@dataclass(frozen=True)
class _InOne:
    table: Table
    keys: tuple[str, ...]                                # the parameters no two rows may share
    build: Callable[[tuple[str, ...]], Executable]       # the statement, given the parameter names
    columns: dict[str, str] | None = None                # parameter -> column, where they differ

    def column(self, parameter: str) -> str:
        return self.columns.get(parameter, parameter) if self.columns else parameter


_IN_ONE: dict[Executable, _InOne] = {}
_built: dict[tuple[Executable, tuple[str, ...]], Executable] = {}


def _recordset(table: Table, names: Sequence[str]):
    """The rows of the JSON parameter `rows` as records of `table`, columns `names`."""
    row_type = postgresql.dialect().identifier_preparer.format_table(table)
    return func.json_populate_recordset(literal_column(f"NULL::{row_type}"),
                                        cast(bindparam("rows", type_=Text), JSON)).table_valued(*names)


def execute_many(connection: Connection, statement: Executable, rows: list[dict]) -> list[Row]:
    """`connection.execute(statement, rows)`, in as few statements as the rows allow on
    PostgreSQL: rows are sent in one statement up to the first that repeats the key of one
    already in it (a statement may not change a row twice), then the next ones, in order,
    so the result is that of running them one by one. Returns the rows of a RETURNING."""
    if not rows:
        return []
    in_one = _IN_ONE.get(statement) if connection.dialect.name == "postgresql" and len(rows) > 1 else None
    if in_one is None:
        result = connection.execute(statement, rows)
        return result.all() if result.returns_rows else []
    returned = []
    for chunk in _without_repeated_keys(rows, in_one.keys):
        names = tuple(chunk[0])
        document = _as_json(connection, in_one, chunk)
        if document is None:
            result = connection.execute(statement, chunk)
        else:
            built = _built.get((statement, names))
            if built is None:
                built = _built[(statement, names)] = in_one.build(tuple(in_one.column(name) for name in names))
            result = connection.execute(built, {"rows": document})
        if result.returns_rows:
            returned += result.all()
    return returned


def _without_repeated_keys(rows: list[dict], keys: tuple[str, ...]) -> list[list[dict]]:
    chunks, seen = [[]], set()
    for row in rows:
        key = tuple(row[name] for name in keys)
        if key in seen:
            chunks.append([])
            seen.clear()
        seen.add(key)
        chunks[-1].append(row)
    return chunks


def _as_json(connection: Connection, in_one: _InOne, rows: list[dict]) -> str | None:
    """The rows as a JSON array of objects named by column, each value as the column's type
    would send it (UtcDateTime's check and conversion included), JSON columns as they are;
    None when a value cannot go this way."""
    targets, converters = {}, {}
    for name in rows[0]:
        targets[name] = in_one.column(name)
        column_type = in_one.table.c[targets[name]].type
        if isinstance(column_type, JSON):
            if not column_type.none_as_null and any(row[name] is None for row in rows):
                return None  # JSON's null, which json_populate_recordset would make NULL
            converters[name] = None
        else:
            converters[name] = column_type.bind_processor(connection.dialect)
    documents = []
    for row in rows:
        document = {}
        for name, value in row.items():
            convert = converters[name]
            document[targets[name]] = convert(value) if convert is not None and value is not None else value
        documents.append(document)
    # allow_nan=False: PostgreSQL's JSON has no NaN, and a lost value must fail, not become NULL.
    return json.dumps(documents, default=_json_value, allow_nan=False, ensure_ascii=False)


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be sent as a JSON row")


class Writes:
    """Writes in the order they were asked for, run together by `run`: a run of one statement
    with the same parameter names goes to the database as one executemany, which gives the
    rows that running them one by one would at a fraction of the cost.

    A write may name its `part`: the rows it touches are those of that part only (reporting
    passes the commune), so writes of different parts commute and may join an earlier run
    of their statement. Within a part, and around a write that names none, the order asked
    for is kept: a write goes no earlier than the run holding its part's previous write."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self._runs: list[tuple[Executable, list[dict]]] = []
        self._runs_of: dict[tuple[Executable, frozenset], list[int]] = {}  # statement -> its runs
        self._last_run_of_part: dict = {}
        self._barrier = 0  # the run of the last write that named no part

    def add(self, statement: Executable, rows: dict | list[dict], part=None) -> None:
        rows = [rows] if isinstance(rows, dict) else rows
        if not rows:
            return
        shape = (statement, frozenset(rows[0]))
        runs = self._runs_of.setdefault(shape, [])
        if part is None:
            earliest = len(self._runs) - 1  # after everything asked for so far
        else:
            part = (statement.table, part)
            earliest = max(self._barrier, self._last_run_of_part.get(part, 0))
        # The first run of this statement at or after the earliest place the write may go:
        # rows appended to a run execute after every row already in it.
        index = next((i for i in runs if i >= earliest), None)
        if index is None:
            index = len(self._runs)
            self._runs.append((statement, []))
            runs.append(index)
        self._runs[index][1].extend(rows)
        if part is None:
            self._barrier = index
        else:
            self._last_run_of_part[part] = index

    def upsert(self, table: Table, rows: dict | list[dict], keys: tuple[str, ...], add: tuple[str, ...] = (),
               newest: tuple[str, ...] = (), replace: tuple[str, ...] | None = None, part=None) -> None:
        """Upsert one row (a dict) or many with the same columns (a list). `replace` limits
        what a clash changes (default: every column that is not a key; () keeps the row)."""
        sample = rows if isinstance(rows, dict) else rows[0] if rows else None
        if sample is None:
            return
        columns = tuple(replace) + tuple(add) + tuple(newest) if replace is not None else \
            tuple(name for name in sample if name not in keys)
        self.add(upsert_statement(self.dialect, table, keys, columns, tuple(add), tuple(newest)), rows, part)

    def update_where(self, table: Table, keys: dict, values: dict, part=None) -> None:
        """Set `values` on the row(s) matching `keys` exactly."""
        self.add(update_statement(table, tuple(keys), tuple(values)),
                 {**{f"key_{k}": v for k, v in keys.items()}, **{f"set_{k}": v for k, v in values.items()}}, part)

    def run(self, connection: Connection) -> None:
        for statement, rows in self._runs:
            execute_many(connection, statement, rows)  # Core: no ORM bookkeeping for plain rows
        self._runs.clear()
        self._runs_of.clear()
        self._last_run_of_part.clear()
        self._barrier = 0
