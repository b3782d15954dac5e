"""The idempotent consumer: a consumer-group loop whose effects are applied exactly once.

For each message: parse it against its contract, then in ONE database transaction apply
the handler's effect and record the event id in the inbox. Offsets are committed only
after that transaction, so a crash re-delivers, and the inbox turns the repeat into a
no-op. A message that can never be applied goes to the dead-letter topic.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shared.contracts import ContractError, Event, parse
from shared.contracts.envelope import utcnow
from shared.db.types import UtcDateTime
from shared.observability import metrics
from shared.observability.context import reset_correlation_id, set_correlation_id
from shared.observability.logging import log_fields

log = logging.getLogger(__name__)

Handler = Callable[[Session, Event], None]
MAX_ATTEMPTS = 3


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox", metadata,
        Column("consumer_group", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("processed_at", UtcDateTime, nullable=False),
    )


def dead_letter_topic(group: str) -> str:
    return f"{group}.dead-letter"


@dataclass
class Outcome:
    applied: bool = False
    duplicate: bool = False
    dead_lettered: bool = False


class InboxConsumer:
    def __init__(self, service: str, group: str, engine: Engine, inbox: Table,
                 handlers: dict[str, Handler], consumer: KafkaConsumer,
                 dead_letters: KafkaProducer):
        self.service = service
        self.group = group
        self.engine = engine
        self.inbox = inbox
        self.handlers = handlers
        self.consumer = consumer
        self.dead_letters = dead_letters

    # -- one message ---------------------------------------------------------------------
    def handle(self, record: ConsumerRecord) -> Outcome:
        try:
            event = parse(record.value)
        except ContractError as exc:
            self._dead_letter(record, f"contract: {exc}")
            return Outcome(dead_lettered=True)
        handler = self.handlers.get(event.type)
        token = set_correlation_id(event.correlation_id)
        try:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    return self._apply(event, handler)
                except OperationalError:
                    raise  # the database is away: not the message's fault, retried by run()
                except Exception as exc:  # noqa: BLE001 — any other error is the message's
                    metrics.EVENTS_FAILED.labels(self.service, self.group).inc()
                    log.warning("applying %s failed (attempt %d): %r", event.type, attempt, exc,
                                extra=log_fields(event_id=event.event_id))
                    if attempt == MAX_ATTEMPTS:
                        self._dead_letter(record, f"handler: {exc!r}")
                        return Outcome(dead_lettered=True)
        finally:
            reset_correlation_id(token)
        raise AssertionError("unreachable")

    def _apply(self, event: Event, handler: Handler | None) -> Outcome:
        with Session(self.engine) as session, session.begin():
            seen = session.execute(select(self.inbox.c.event_id).where(
                self.inbox.c.consumer_group == self.group,
                self.inbox.c.event_id == event.event_id)).first()
            if seen:
                metrics.EVENTS_DUPLICATE.labels(self.service, self.group).inc()
                return Outcome(duplicate=True)
            if handler is not None:  # events of no interest are recorded, not applied
                handler(session, event)
            try:
                session.execute(insert(self.inbox).values(
                    consumer_group=self.group, event_id=event.event_id,
                    event_type=event.type, processed_at=utcnow()))
                session.flush()
            except IntegrityError:  # another instance of this group applied it just now
                session.rollback()
                return Outcome(duplicate=True)
        metrics.EVENTS_CONSUMED.labels(self.service, self.group, event.type).inc()
        return Outcome(applied=True)

    def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        log.error("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset,
                  reason[:500])
        self.dead_letters.send(
            dead_letter_topic(self.group), key=record.key, value=record.value,
            headers=[("error", reason[:2000].encode()), ("topic", record.topic.encode()),
                     ("partition", str(record.partition).encode()),
                     ("offset", str(record.offset).encode())]).get(timeout=30)
        metrics.EVENTS_DEAD_LETTERED.labels(self.service, self.group).inc()

    # -- the loop ------------------------------------------------------------------------
    def poll_once(self, timeout_ms: int = 500) -> int:
        """Apply one polled batch and commit its offsets; returns the number of records."""
        batch = self.consumer.poll(timeout_ms=timeout_ms)
        count = 0
        pending = {partition: records[0].offset for partition, records in batch.items()}
        try:
            for partition, records in batch.items():
                for record in records:
                    self.handle(record)
                    pending[partition] = record.offset + 1
                    count += 1
        except OperationalError:
            # Rewind every partition to its first record not applied, so nothing is skipped.
            for partition, offset in pending.items():
                self.consumer.seek(partition, offset)
            raise
        if count:
            self._commit()
        self._report_lag()
        return count

    def _commit(self) -> None:
        self.consumer.commit()

    def _report_lag(self) -> None:
        for partition in self.consumer.assignment():
            end = self.consumer.highwater(partition)
            if end is None:
                continue
            lag = max(0, end - self.consumer.position(partition))
            metrics.CONSUMER_LAG.labels(self.service, self.group, partition.topic,
                                        str(partition.partition)).set(lag)

    def run(self, stop: threading.Event) -> None:
        log.info("consumer %s started", self.group)
        try:
            while not stop.is_set():
                try:
                    self.poll_once()
                except OperationalError as exc:
                    log.warning("consumer %s cannot reach its database: %s", self.group, exc)
                    stop.wait(2.0)
        finally:
            self.consumer.close(autocommit=False)
            self.dead_letters.flush()
            log.info("consumer %s stopped", self.group)

