"""The idempotent consumer: a consumer-group loop whose effects are applied exactly once.

For each polled batch: parse every message against its contract, then in ONE database
transaction apply the handlers' effects, record the event ids in the inbox, and record how
far each partition has been read (`consumer_offsets`). On assignment the consumer seeks to
those positions, so the database, not the broker, says where to resume: a database restored
from a backup re-reads exactly what it lacks, where Kafka's committed offsets (still
committed after each transaction, for the tools that show lag) would skip it. A crash
re-delivers at most the batch in flight, and the inbox turns the repeat into a no-op. A
message that can never be applied goes to the dead-letter topic.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, KafkaError
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shared.contracts import ContractError, Event, parse
from shared.contracts.envelope import utcnow
from shared.db.types import UtcDateTime
from shared.db.upsert import execute_many, upsert_statement
from shared.messaging.embedded_broker import poll_in_naps, remove_former_member
from shared.observability import metrics
from shared.observability.context import reset_correlation_id, set_correlation_id
from shared.observability.logging import log_fields

log = logging.getLogger(__name__)

Handler = Callable[[Session, Event], None]
MAX_ATTEMPTS = 3
# A join that takes longer than this is stuck: the embedded broker can wedge a group whose
# member was killed during a rebalance, and kafka-python 3.0.12 can drop a join (seen on Apache
# Kafka, see make_consumer); a new process gets in at once.
JOIN_PATIENCE_S = 30.0


class JoinStalled(RuntimeError):
    """The consumer could not join its group: its process should end and be started again."""


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox", metadata,
        Column("consumer_group", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("processed_at", UtcDateTime, nullable=False),
    )


def consumer_offsets_table(metadata: MetaData) -> Table:
    """Where each consumer group of the service has read to, written with the effects."""
    return Table(
        "consumer_offsets", metadata,
        Column("consumer_group", String(100), primary_key=True),
        Column("topic", String(200), primary_key=True),
        Column("partition", Integer, primary_key=True),
        Column("next_offset", BigInteger, nullable=False),  # of the next record to read
        Column("updated_at", UtcDateTime, nullable=False),
    )


def dead_letter_topic(group: str) -> str:
    return f"{group}.dead-letter"


@dataclass
class Outcome:
    applied: bool = False
    duplicate: bool = False
    dead_lettered: bool = False


class GroupMembership(ConsumerRebalanceListener):
    """Whether a consumer is (re)joining its group: kafka-python says so from inside poll,
    by revoking the partitions when a rebalance begins and assigning them when it ends."""

    def __init__(self):
        self.joining = True
        self.since = time.monotonic()
        self.on_assigned: Callable[[list[TopicPartition]], None] | None = None  # the consumer's seek

    def on_partitions_revoked(self, revoked) -> None:
        self.rejoin()

    def on_partitions_assigned(self, assigned) -> None:
        if self.on_assigned is not None:
            self.on_assigned(list(assigned))
        self.joining = False

    def rejoin(self) -> None:
        if not self.joining:
            self.joining, self.since = True, time.monotonic()

    def stalled(self) -> bool:
        return self.joining and time.monotonic() - self.since > JOIN_PATIENCE_S


class InboxConsumer:
    def __init__(self, service: str, group: str, engine: Engine, inbox: Table,
                 handlers: dict[str, Handler], consumer: KafkaConsumer, membership: GroupMembership,
                 dead_letters: KafkaProducer, dead_letter_topic: str, offsets: Table,
                 before_commit: Callable[[Session], None] | None = None, embedded_broker: bool = False):
        self.service = service
        self.group = group
        self.engine = engine
        self.inbox = inbox
        self.offsets = offsets
        # Talking to the embedded broker: its client workarounds apply (embedded_broker.py).
        self.embedded_broker = embedded_broker
        self._store_offsets = upsert_statement(engine.dialect.name, offsets,
                                               ("consumer_group", "topic", "partition"),
                                               ("next_offset", "updated_at"))
        # Inbox rows inserted unless there, returning the ids that were not: the batch's new
        # events, found through the primary key. (A SELECT … IN (500 ids) first cost PostgreSQL
        # a scan of the group's inbox per batch once psycopg prepared it with a generic plan.)
        self._claim = upsert_statement(engine.dialect.name, inbox, ("consumer_group", "event_id"), (),
                                       returning=("event_id",))
        self.handlers = handlers
        self.consumer = consumer
        self.dead_letters = dead_letters
        self.dead_letter_topic = dead_letter_topic
        # Runs last in each transaction: handlers may gather work there to do it in bulk.
        self.before_commit = before_commit
        # The consumer's rebalance listener: while it joins, polls must really wait (_poll).
        self.membership = membership
        membership.on_assigned = self.resume_where_the_database_stands
        if consumer.assignment():  # partitions assigned by hand (a rebuild): no join will call it
            self.resume_where_the_database_stands(list(consumer.assignment()))

    def resume_where_the_database_stands(self, partitions: list[TopicPartition]) -> None:
        """Seek each partition to the position stored with the effects, or to its beginning
        if this database has read nothing of it (a new or restored database: the inbox skips
        whatever it already holds)."""
        with self.engine.connect() as connection:
            stored = {(row.topic, row.partition): row.next_offset for row in connection.execute(
                select(self.offsets).where(self.offsets.c.consumer_group == self.group))}
        for partition in partitions:
            position = stored.get((partition.topic, partition.partition))
            if position is None:
                self.consumer.seek_to_beginning(partition)
            else:
                self.consumer.seek(partition, position)

    # -- a polled batch: one transaction ----------------------------------------------------
    def apply_batch(self, records: list[ConsumerRecord]) -> None:
        """Apply a batch in ONE transaction (one inbox look-up, one inbox insert): the cost
        per event is then the handler's own work. If any handler fails, the batch is rolled
        back and replayed one event at a time, so retries and dead-lettering stay per event."""
        events, poison = [], []
        for record in records:
            try:
                events.append(parse(record.value))
            except ContractError as exc:
                poison.append((record, f"contract: {exc}"))
        # Before the transaction that records their positions as read: once that commits,
        # nothing reads them again.
        for record, reason in poison:
            self._dead_letter(record, reason)
        try:
            applied, duplicates = self._apply_together(events, records)
        except OperationalError:
            raise  # the database is away: not the messages' fault, retried by run()
        except Exception:  # noqa: BLE001 — find the culprit event by event
            applied = None
        if applied is None:
            for record in records:
                if any(record is bad for bad, _ in poison):
                    self._pass(record)
                else:
                    self.handle(record)
            return
        for event_type, count in applied.items():
            metrics.EVENTS_CONSUMED.labels(self.service, self.group, event_type).inc(count)
        if duplicates:
            metrics.EVENTS_DUPLICATE.labels(self.service, self.group).inc(duplicates)

    def _apply_together(self, events: list[Event], records: list[ConsumerRecord]) -> tuple[dict[str, int], int]:
        """(applied events by type, duplicates skipped): counted only once committed."""
        applied: dict[str, int] = {}
        batch = {event.event_id: event for event in reversed(events)}  # an event twice: its first copy
        duplicates = len(events) - len(batch)
        now = utcnow()
        with Session(self.engine) as session, session.begin():
            claimed = {row.event_id for row in execute_many(
                session.connection(), self._claim, [self._inbox_row(event, now) for event in batch.values()])}
            for event in events:
                if batch.get(event.event_id) is not event:
                    continue
                if event.event_id not in claimed:
                    duplicates += 1
                    continue
                self._run_handler(session, event)
                applied[event.type] = applied.get(event.type, 0) + 1
            self._finish(session)
            self._record_positions(session, records)
        return applied, duplicates

    def _run_handler(self, session: Session, event: Event) -> None:
        handler = self.handlers.get(event.type)
        if handler is None:  # events of no interest are recorded, not applied
            return
        token = set_correlation_id(event.correlation_id)
        try:
            handler(session, event)
        finally:
            reset_correlation_id(token)

    def _finish(self, session: Session) -> None:
        if self.before_commit is not None:
            self.before_commit(session)

    def _record_positions(self, session: Session, records: list[ConsumerRecord]) -> None:
        """Each partition's next record to read, in the transaction of the batch's effects."""
        after: dict[tuple[str, int], int] = {}
        for record in records:
            key = (record.topic, record.partition)
            after[key] = max(after.get(key, 0), record.offset + 1)
        now = utcnow()
        execute_many(session.connection(), self._store_offsets, [
            {"consumer_group": self.group, "topic": topic, "partition": partition,
             "next_offset": offset, "updated_at": now} for (topic, partition), offset in after.items()])

    def _inbox_row(self, event: Event, now) -> dict:
        return {"consumer_group": self.group, "event_id": event.event_id,
                "event_type": event.type, "processed_at": now}

    # -- one message ---------------------------------------------------------------------
    def handle(self, record: ConsumerRecord) -> Outcome:
        try:
            event = parse(record.value)
        except ContractError as exc:
            self._dead_letter_and_pass(record, f"contract: {exc}")
            return Outcome(dead_lettered=True)
        error = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return self._apply(event, record)
            except OperationalError:
                raise
            except Exception as exc:  # noqa: BLE001 — any other error is the message's
                error = exc
                metrics.EVENTS_FAILED.labels(self.service, self.group).inc()
                log.warning("applying %s failed (attempt %d): %r", event.type, attempt, exc,
                            extra=log_fields(event_id=event.event_id))
        self._dead_letter_and_pass(record, f"handler: {error!r}")
        return Outcome(dead_lettered=True)

    def _apply(self, event: Event, record: ConsumerRecord) -> Outcome:
        with Session(self.engine) as session, session.begin():
            seen = session.execute(select(self.inbox.c.event_id).where(
                self.inbox.c.consumer_group == self.group,
                self.inbox.c.event_id == event.event_id)).first()
            if seen:
                self._record_positions(session, [record])
                metrics.EVENTS_DUPLICATE.labels(self.service, self.group).inc()
                return Outcome(duplicate=True)
            self._run_handler(session, event)
            try:
                session.execute(insert(self.inbox).values(**self._inbox_row(event, utcnow())))
                session.flush()
            except IntegrityError:  # another instance of this group applied it just now
                session.rollback()
                return Outcome(duplicate=True)
            self._finish(session)
            self._record_positions(session, [record])
        metrics.EVENTS_CONSUMED.labels(self.service, self.group, event.type).inc()
        return Outcome(applied=True)

    def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        log.error("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset,
                  reason[:500])
        self.dead_letters.send(
            self.dead_letter_topic, key=record.key, value=record.value,
            headers=[("error", reason[:2000].encode()), ("topic", record.topic.encode()),
                     ("partition", str(record.partition).encode()),
                     ("offset", str(record.offset).encode())]).get(timeout=30)
        metrics.EVENTS_DEAD_LETTERED.labels(self.service, self.group).inc()

    def _dead_letter_and_pass(self, record: ConsumerRecord, reason: str) -> None:
        self._dead_letter(record, reason)
        self._pass(record)

    def _pass(self, record: ConsumerRecord) -> None:
        """Record a dead-lettered record as read."""
        with Session(self.engine) as session, session.begin():
            self._record_positions(session, [record])

    # -- the loop ------------------------------------------------------------------------
    def _poll(self, timeout_ms: int) -> dict:
        # Joining the group needs a real wait: zero-timeout polls stall the join.
        if self.embedded_broker and not self.membership.joining:
            return poll_in_naps(self.consumer, timeout_ms)
        return self.consumer.poll(timeout_ms=timeout_ms)

    def poll_once(self, timeout_ms: int = 500, commit: bool = True) -> int:
        """Apply one polled batch, then commit its offsets (unless the caller commits later,
        as a rebuild does once at its end); returns the number of records."""
        batch = self._poll(timeout_ms)
        records = [record for partition_records in batch.values() for record in partition_records]
        if records:
            try:
                self.apply_batch(records)
            except Exception:
                # The database or the broker (a dead letter not acknowledged) failed half-way:
                # rewind so the batch is polled again; the inbox skips what was applied.
                for partition, partition_records in batch.items():
                    self.consumer.seek(partition, partition_records[0].offset)
                raise
            if commit:
                self._commit()
        self._report_lag()
        return len(records)

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

    def poll_riding_out_outages(self, stop: threading.Event) -> int:
        """`poll_once`, through what a running service meets: its database or the broker
        away for a while, or a rebalance that refused the offsets of a batch already applied
        (it is read again, and the inbox skips it). Returns the number of records. Raises
        JoinStalled when the group would not take it in: a process restart does."""
        if self.membership.stalled():
            if self.embedded_broker:
                remove_former_member(self.consumer, self.group)
            raise JoinStalled(f"consumer {self.group} has not joined its group in {JOIN_PATIENCE_S:.0f} s")
        try:
            return self.poll_once()
        except OperationalError as exc:
            log.warning("consumer %s cannot reach its database: %s", self.group, exc)
        except CommitFailedError as exc:
            log.warning("consumer %s: the group is rebalancing, offsets not committed (%s); "
                        "the batch will be read again and skipped by the inbox", self.group, exc)
            self.membership.rejoin()
            return 0
        except KafkaError as exc:
            log.warning("consumer %s cannot reach the broker: %r", self.group, exc)
        stop.wait(2.0)
        return 0

    def run(self, stop: threading.Event) -> None:
        log.info("consumer %s started", self.group)
        try:
            while not stop.is_set():
                self.poll_riding_out_outages(stop)
        finally:
            self.consumer.close(autocommit=False)
            self.dead_letters.flush()
            log.info("consumer %s stopped", self.group)

