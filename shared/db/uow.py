"""Unit of work: one database transaction holding a change and the events it raises."""
from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from shared.contracts import Event
from shared.messaging.outbox import add_to_outbox


class UnitOfWork:
    """`with UnitOfWork(...) as uow:` … `uow.publish(event)` … `uow.commit()`.

    The events are written to the outbox table through the same session, so they are
    committed with the change or not at all.
    """

    def __init__(self, session_factory: sessionmaker, outbox: Table):
        self._session_factory = session_factory
        self._outbox = outbox
        self.session: Session | None = None

    def __enter__(self) -> "UnitOfWork":
        self.session = self._session_factory()
        return self

    def __exit__(self, *exc_info) -> None:
        # close() ends an uncommitted transaction (rolling it back) without expiring the
        # loaded objects, so a view may still read what it fetched.
        self.session.close()

    def publish(self, event: Event) -> None:
        add_to_outbox(self.session, self._outbox, event)

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
