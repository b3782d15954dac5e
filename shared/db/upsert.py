"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL alike: the building block of
projections that must give the same rows however often an event is applied.

Statements are built once per shape and reused (their compiled form is cached too), and
take their values as parameters. `Writes` gathers them during a transaction and runs them
at its end, consecutive writes of one statement as one executemany.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Connection, Table, and_, bindparam, case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable


@lru_cache(maxsize=None)
def upsert_statement(dialect: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...],
                     add: tuple[str, ...] = (), newest: tuple[str, ...] = ()):
    """On a clash of `keys`: columns in `add` are added to, those in `newest` keep the larger
    value, the other `columns` are replaced. With no columns to change, the row is kept."""
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    new = statement.excluded
    changes = {}
    for name in columns:
        if name in add:
            changes[name] = table.c[name] + new[name]
        elif name in newest:
            changes[name] = case((table.c[name] > new[name], table.c[name]), else_=new[name])
        else:
            changes[name] = new[name]
    if changes:
        return statement.on_conflict_do_update(index_elements=list(keys), set_=changes)
    return statement.on_conflict_do_nothing(index_elements=list(keys))


@lru_cache(maxsize=None)
def update_statement(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]):
    """UPDATE `table` SET columns WHERE keys, all as parameters named `key_<k>` and `set_<c>`."""
    condition = and_(*(table.c[key] == bindparam(f"key_{key}") for key in keys))
    return update(table).where(condition).values({name: bindparam(f"set_{name}") for name in columns})


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
            connection.execute(statement, rows)  # Core: no ORM bookkeeping for plain rows
        self._runs.clear()
        self._runs_of.clear()
        self._last_run_of_part.clear()
        self._barrier = 0
