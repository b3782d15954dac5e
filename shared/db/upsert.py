"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL alike: the building block of
projections that must give the same rows however often an event is applied."""
from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(session: Session, table: Table, values: dict, keys: tuple[str, ...],
           update: dict | None = None) -> None:
    """Insert `values`, or on a clash of `keys` set `update` (default: every other value).
    `update` values may be SQL expressions using `excluded(name)`."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    changes = update if update is not None else {
        name: statement.excluded[name] for name in values if name not in keys}
    if changes:
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=changes)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(statement)
