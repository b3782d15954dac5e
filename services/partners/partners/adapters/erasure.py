"""Deleting personal data for good: on SQLite, deleted rows are overwritten with zeros rather
than left readable in the free pages of the database file (PostgreSQL's VACUUM does the
same for its dead rows)."""
from sqlalchemy import text
from sqlalchemy.orm import Session


def overwrite_deleted_rows(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))
