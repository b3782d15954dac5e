"""The transactional outbox: events are rows written with the change that caused them."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Column, Integer, MetaData, String, Table,
                        Text, func, insert, select)
from sqlalchemy.orm import Session

from shared.contracts import Event, serialize
from shared.contracts.envelope import utcnow
from shared.db.types import UtcDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox", metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(200), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        # NULL until Kafka acknowledged the row; rows are kept as the service's history.
        Column("published_at", UtcDateTime, nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )


def add_to_outbox(session: Session, outbox: Table, event: Event) -> None:
    # Straight on the session's connection, with the values as parameters: the ORM's
    # execute would flush pending objects first and build a statement per event, and this
    # runs inside the write transaction of every request that raises an event.
    session.connection().execute(insert(outbox), {
        "event_id": str(event.event_id),
        "topic": event.topic,
        "message_key": event.commune,
        "event_type": event.type,
        "body": serialize(event).decode(),
        "created_at": utcnow(),
        "attempts": 0,
    })


def backlog(session: Session, outbox: Table) -> tuple[int, float]:
    """Number of unpublished rows and the age in seconds of the oldest one."""
    pending = outbox.c.published_at.is_(None)
    count = session.scalar(select(func.count()).where(pending))
    oldest = session.scalar(select(outbox.c.created_at).where(pending).order_by(outbox.c.id).limit(1))
    return count, (utcnow() - oldest).total_seconds() if oldest else 0.0
