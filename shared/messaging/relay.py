"""The outbox relay: publishes pending outbox rows to Kafka and marks what Kafka acknowledged.

It may die at any line: a row is marked only after Kafka acknowledged it, so a row is
published at least once; the consumers' inboxes absorb the repeats.

One relay per service: two would publish one commune's events in an order of their own.
No transaction is held while Kafka answers, so the service's requests never wait for it.
"""
from __future__ import annotations

import logging
import threading
import time

from kafka import KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import Table, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shared.contracts.envelope import utcnow
from shared.messaging.outbox import backlog
from shared.observability import metrics

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, service: str, engine: Engine, outbox: Table, producer: KafkaProducer,
                 batch_size: int = 5000, idle_wait_s: float = 0.1):
        self.service = service
        self.engine = engine
        self.outbox = outbox
        self.producer = producer
        self.batch_size = batch_size
        self.idle_wait_s = idle_wait_s

    def publish_batch(self) -> int:
        """Publish one batch of pending rows; returns how many Kafka acknowledged."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(self.outbox.c.id, self.outbox.c.topic, self.outbox.c.message_key,
                       self.outbox.c.event_type, self.outbox.c.body)
                .where(self.outbox.c.published_at.is_(None))
                .order_by(self.outbox.c.id)
                .limit(self.batch_size)
            ).all()
        if not rows:
            return 0
        # Large batches keep kafka-python's sender busy while the next sends are queued.
        sent = [(row, self.producer.send(
            row.topic, key=row.message_key.encode(), value=row.body.encode(),
            headers=[("event_type", row.event_type.encode())]))
            for row in rows]
        self.producer.flush()
        acknowledged, failed = self._outcomes(sent)
        with Session(self.engine) as session, session.begin():
            self._mark(session, acknowledged, failed)
        published: dict[str, int] = {}
        for row, _ in sent:
            if row.id in acknowledged:
                published[row.topic] = published.get(row.topic, 0) + 1
        for topic, count in published.items():
            metrics.EVENTS_PUBLISHED.labels(self.service, topic).inc(count)
        return len(acknowledged)

    def _outcomes(self, sent) -> tuple[set[int], dict[int, str]]:
        acknowledged, failed = set(), {}
        for row, future in sent:
            if future.succeeded():
                acknowledged.add(row.id)
            else:
                failed[row.id] = repr(future.exception)
        return acknowledged, failed

    def _mark(self, session: Session, acknowledged: set[int], failed: dict[int, str]) -> None:
        if acknowledged:
            session.execute(update(self.outbox).where(self.outbox.c.id.in_(acknowledged))
                            .values(published_at=utcnow()))
        for row_id, error in failed.items():
            session.execute(update(self.outbox).where(self.outbox.c.id == row_id)
                            .values(attempts=self.outbox.c.attempts + 1, last_error=error[:2000]))
        if failed:
            metrics.PUBLISH_FAILURES.labels(self.service).inc(len(failed))
            log.warning("kafka did not acknowledge %d outbox rows", len(failed))

    def report_backlog(self) -> None:
        with Session(self.engine) as session:
            count, age = backlog(session, self.outbox)
        metrics.OUTBOX_BACKLOG.labels(self.service).set(count)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)

    def run(self, stop: threading.Event) -> None:
        log.info("outbox relay of %s started", self.service)
        last_report = 0.0
        while not stop.is_set():
            try:
                published = self.publish_batch()
                if time.monotonic() - last_report > 5:
                    self.report_backlog()
                    last_report = time.monotonic()
            except (OperationalError, KafkaError) as exc:
                # The database or the broker is away: nothing was marked, wait and try again.
                log.warning("outbox relay of %s: %s; retrying", self.service, exc)
                published = 0
                stop.wait(2.0)
            if published < self.batch_size:
                stop.wait(self.idle_wait_s)
        self.producer.flush()
        log.info("outbox relay of %s stopped", self.service)
