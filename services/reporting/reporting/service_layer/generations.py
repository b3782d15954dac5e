"""Generations of the read models: live consumption into the active one, and rebuilds.

A rebuild fills generation N+1 from the beginning of every topic with a consumer group of
its own, while generation N keeps serving and its live consumer keeps going. When the
rebuild has caught up with the end of every partition, one transaction makes N+1 active
and its group the live group; the live consumer notices, switches to that group (which
resumes exactly where the rebuild stopped), and the old generation's rows are dropped.
Each generation has its own inbox scope (the group), so nothing is counted twice.
"""
from __future__ import annotations

import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.orm import Session

from shared.contracts.envelope import utcnow
from shared.messaging.inbox import InboxConsumer

from reporting.adapters.orm import PROJECTIONS, ProjectionState
from reporting.service_layer.projections import Projector

log = logging.getLogger(__name__)
GROUP_PREFIX = "reporting-projections"
REBUILD_BATCH = 5000
REBUILD_FETCH_WAIT_MS = 20


def state(session: Session) -> ProjectionState:
    row = session.get(ProjectionState, 1)
    if row is None:  # first start: generation 1, fed by a group of its own
        # A new group reads from the beginning: read models made in an empty database
        # must not start where an earlier database's consumer left off.
        row = ProjectionState(id=1, active_generation=1, active_group=_new_group(1))
        session.add(row)
        session.flush()
    return row


def _new_group(generation: int) -> str:
    return f"{GROUP_PREFIX}-g{generation}-{uuid.uuid4().hex[:8]}"


def active_generation(session: Session) -> int:
    return state(session).active_generation


def consumer_for(runtime, generation: int, group: str, **options) -> InboxConsumer:
    from shared.service import Subscription
    projector = Projector(generation)
    subscription = Subscription(group=group, topics=runtime.definition.subscriptions[0].topics,
                                handlers=projector.handlers(), before_commit=projector.flush,
                                declared_group=GROUP_PREFIX)
    return runtime.consumer(subscription, **options)


def run_live(runtime, stop: threading.Event, check_every_s: float = 2.0) -> None:
    """Consume into the active generation; follow the switch when a rebuild completes."""
    while not stop.is_set():
        with Session(runtime.engine) as session, session.begin():
            current = state(session)
            generation, group = current.active_generation, current.active_group
        consumer = consumer_for(runtime, generation, group)
        log.info("reporting projections: generation %d from group %s", generation, group)
        try:
            _consume_while_active(runtime, consumer, generation, stop, check_every_s)
        finally:
            consumer.consumer.close(autocommit=False)
            consumer.dead_letters.close()
        if not stop.is_set():  # switched: nothing writes the old generation any more
            drop_inactive_generations(runtime)


def _consume_while_active(runtime, consumer, generation: int, stop: threading.Event,
                          check_every_s: float) -> None:
    next_check = time.monotonic() + check_every_s
    while not stop.is_set():
        consumer.poll_riding_out_outages(stop)
        if time.monotonic() >= next_check:
            next_check = time.monotonic() + check_every_s
            with Session(runtime.engine) as session:
                if state(session).active_generation != generation:
                    return


class _Progress:
    """How far a consumer has read the partitions assigned to it, against their ends as last
    asked of the broker: positions are known locally, the ends cost a round trip, so they
    are asked again only when the consumer has reached them (live events may have come)."""

    def __init__(self, consumer):
        self.consumer = consumer
        self.partitions = list(consumer.assignment())
        self.starts = consumer.beginning_offsets(self.partitions)
        self.ends = consumer.end_offsets(self.partitions)

    def remaining(self) -> int:
        return sum(max(0, self.ends[p] - self.consumer.position(p)) for p in self.partitions)

    def total(self) -> int:
        return sum(self.ends[p] - self.starts[p] for p in self.partitions)

    def caught_up(self) -> bool:
        """Read to the current end of every partition (asks the broker once more)."""
        if self.remaining():
            return False
        self.ends = self.consumer.end_offsets(self.partitions)
        return self.remaining() == 0


def rebuild(runtime, progress: Callable[[int, int], None] | None = None,
            stop: threading.Event | None = None) -> int:
    """Build the next generation from the beginning of every topic, then make it active.
    Returns the new generation's number. The active generation serves meanwhile."""
    stop = stop or threading.Event()
    with Session(runtime.engine) as session, session.begin():
        current = state(session)
        generation = current.active_generation + 1
        group = _new_group(generation)
        current.building_generation, current.building_group = generation, group
        _drop_generation(session, runtime.definition, generation)  # an interrupted rebuild's
    # Larger batches than live: fewer transactions (and inbox look-ups) for the whole history.
    # It reads every partition itself rather than joining the group: no join to wait for,
    # and nothing left in the group when it is done.
    # A fetch that finds nothing new waits fetch_max_wait_ms on Apache Kafka, and the broker
    # answers a connection's requests in order: each look for the partitions' new ends
    # (caught_up) waited behind the consumer's own idle fetch, 0.4 s of a 53-commune rebuild.
    consumer = consumer_for(runtime, generation, group, static=False, assign_all=True,
                            max_poll_records=REBUILD_BATCH, fetch_max_wait_ms=REBUILD_FETCH_WAIT_MS)
    try:
        read = _Progress(consumer.consumer)
        while True:
            if stop.is_set():
                raise KeyboardInterrupt
            # No offsets are committed to Kafka on the way (each batch's transaction records
            # its positions): committing every batch cost a tenth of the rebuild.
            consumer.poll_once(timeout_ms=200, commit=False)
            if read.caught_up():
                break
            if progress:
                progress(read.total() - read.remaining(), read.total())
        if progress:
            progress(read.total(), read.total())
        # The live consumer takes over this group where the rebuild's transactions recorded
        # it stood; Kafka's offsets follow, for the tools that show a group's lag.
        consumer.consumer.commit()
        with Session(runtime.engine) as session, session.begin():
            current = state(session)
            current.active_generation, current.active_group = generation, group
            current.building_generation = current.building_group = None
            current.switched_at = utcnow()
        log.info("reporting projections: generation %d is active", generation)
    finally:
        consumer.consumer.close(autocommit=False)
        consumer.dead_letters.close()
    drop_inactive_generations(runtime)
    return generation


def drop_inactive_generations(runtime) -> None:
    with Session(runtime.engine) as session, session.begin():
        current = state(session)
        keep = {current.active_generation, current.building_generation}
        for model in PROJECTIONS:
            session.execute(delete(model).where(model.generation.not_in([g for g in keep if g])))
        groups = [g for g in (current.active_group, current.building_group) if g]
        for table in _group_tables(runtime.definition):
            session.execute(delete(table).where(table.c.consumer_group.not_in(groups)))


def _drop_generation(session: Session, definition, generation: int) -> None:
    for model in PROJECTIONS:
        session.execute(delete(model).where(model.generation == generation))
    for table in _group_tables(definition):
        session.execute(delete(table).where(table.c.consumer_group.like(f"{GROUP_PREFIX}-g{generation}-%")))


def _group_tables(definition):
    """What a generation's consumer group keeps: the events it applied and where it stands."""
    return definition.inbox, definition.consumer_offsets


def print_progress(done: int, total: int, width: int = 40) -> None:
    """A progress bar on stderr: `[#####.....]  52%  10400/20000 events`."""
    share = done / total if total else 1.0
    filled = int(share * width)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {share:4.0%}  {done}/{total} events")
    sys.stderr.flush()
