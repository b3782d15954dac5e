"""What a service is made of, and how its parts are wired: the composition root.

Each service declares one `ServiceDefinition` in its `bootstrap.py`; the embedded runner,
the production entrypoints, the tests and the benchmarks all build the service's app,
relay and consumers from it, so they run the same code.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.db.engine import make_engine
from shared.db.uow import UnitOfWork
from shared.messaging.inbox import (GroupMembership, Handler, InboxConsumer, consumer_offsets_table,
                                    dead_letter_topic, inbox_table)
from shared.messaging.kafka import make_consumer, make_producer
from shared.messaging.outbox import outbox_table
from shared.messaging.relay import OutboxRelay


@dataclass
class Subscription:
    """A consumer group of the service: the topics it reads and a handler per event type."""
    group: str
    topics: list[str]
    handlers: dict[str, Handler]
    before_commit: Callable[[Session], None] | None = None  # last step of each transaction
    # The group named where the topics are created (compose, Kubernetes, prodrun/topology.py),
    # when `group` is a passing name of it (reporting's generations).
    declared_group: str | None = None

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self.declared_group or self.group)


@dataclass
class ServiceDefinition:
    name: str
    metadata: MetaData
    package_dir: Path
    api_blueprints: list = field(default_factory=list)
    page_blueprints: list = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    configure_app: object = None  # optional callable(app, runtime) for service-specific wiring
    # optional callable(runtime) -> bool: adds what is missing of the demo of `make run`
    # (True if it added anything); called once the relays and consumers run.
    seed_demo: object = None
    # optional callable(runtime) -> list of prometheus collectors read at each scrape
    metrics_collectors: object = None

    def __post_init__(self):
        tables = self.metadata.tables
        self.outbox: Table = tables["outbox"] if "outbox" in tables else outbox_table(self.metadata)
        self.inbox: Table = tables["inbox"] if "inbox" in tables else inbox_table(self.metadata)
        self.consumer_offsets: Table = tables["consumer_offsets"] if "consumer_offsets" in tables \
            else consumer_offsets_table(self.metadata)

    @property
    def migrations_dir(self) -> Path:
        return self.package_dir.parent / "migrations"

    @property
    def translations_dir(self) -> Path | None:
        path = self.package_dir / "translations"
        return path if path.is_dir() else None

    @property
    def templates_dir(self) -> Path | None:
        path = self.package_dir / "templates"
        return path if path.is_dir() else None


class ServiceRuntime:
    """One service's live parts for given settings: engine, units of work, app, workers."""

    def __init__(self, definition: ServiceDefinition, settings: Settings):
        self.definition = definition
        self.settings = settings

    @property
    def name(self) -> str:
        return self.definition.name

    @cached_property
    def engine(self):
        return make_engine(self.settings.database_url(self.name))

    @cached_property
    def session_factory(self) -> sessionmaker:
        return sessionmaker(self.engine, expire_on_commit=False)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.definition.outbox)

    def migrate(self) -> None:
        from shared.db.migrations import upgrade
        upgrade(self.definition, self.settings.database_url(self.name))

    def create_app(self):
        from shared.http.app import create_app
        return create_app(self)

    def relay(self, **options) -> OutboxRelay:
        producer = make_producer(self.settings.bootstrap_servers, client_id=f"{self.name}-relay")
        return OutboxRelay(self.name, self.engine, self.definition.outbox, producer, **options)

    def consumer(self, subscription: Subscription, static: bool = True, **consumer_options) -> InboxConsumer:
        """`static`: a member with a name that outlives the process (a service's long-running
        consumer); a one-off reader (a rebuild) joins as a plain member, which leaves on close."""
        bootstrap = self.settings.bootstrap_servers
        membership = GroupMembership()
        return InboxConsumer(
            service=self.name, group=subscription.group, engine=self.engine,
            inbox=self.definition.inbox, offsets=self.definition.consumer_offsets,
            handlers=subscription.handlers,
            before_commit=subscription.before_commit, membership=membership,
            # A static member: restarted after a crash, it takes its place back at once,
            # where a new member would wait for the dead one (the embedded broker even stalls).
            consumer=make_consumer(bootstrap, subscription.group, subscription.topics, listener=membership,
                                   group_instance_id=f"{subscription.group}@{self.settings.consumer_instance}"
                                   if static else None, **consumer_options),
            dead_letters=make_producer(bootstrap, client_id=f"{subscription.group}-dead-letters"),
            dead_letter_topic=subscription.dead_letter_topic, embedded_broker=self.settings.embedded_broker)
