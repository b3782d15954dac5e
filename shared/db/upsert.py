"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL alike: the building block of
projections that must give the same rows however often an event is applied.

Statements are built once per shape and reused (their compiled form is cached too), and
take their values as parameters, so a list of rows runs as one executemany.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Table, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


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


def upsert(session: Session, table: Table, rows: dict | list[dict], keys: tuple[str, ...],
           add: tuple[str, ...] = (), newest: tuple[str, ...] = (), replace: tuple[str, ...] | None = None) -> None:
    """Upsert one row (a dict) or many with the same columns (a list). `replace` limits what
    a clash changes (default: every column that is not a key; () keeps the existing row)."""
    sample = rows if isinstance(rows, dict) else rows[0] if rows else None
    if sample is None:
        return
    columns = tuple(replace) + tuple(add) + tuple(newest) if replace is not None else \
        tuple(name for name in sample if name not in keys)
    statement = upsert_statement(session.get_bind().dialect.name, table, keys, columns, tuple(add), tuple(newest))
    session.connection().execute(statement, rows)  # Core: no ORM bookkeeping for plain rows


@lru_cache(maxsize=None)
def update_statement(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]):
    """UPDATE `table` SET columns WHERE keys, all as parameters named `key_<k>` and `set_<c>`."""
    from sqlalchemy import and_, bindparam, update
    condition = and_(*(table.c[key] == bindparam(f"key_{key}") for key in keys))
    return update(table).where(condition).values({name: bindparam(f"set_{name}") for name in columns})


def update_where(session: Session, table: Table, keys: dict, values: dict) -> None:
    """Set `values` on the row(s) matching `keys` exactly, with a statement built once."""
    statement = update_statement(table, tuple(keys), tuple(values))
    session.connection().execute(statement, {**{f"key_{k}": v for k, v in keys.items()},
                                             **{f"set_{k}": v for k, v in values.items()}})
