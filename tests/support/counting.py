"""A tiny service for testing the messaging machinery: it publishes events through its
outbox and counts the events it consumes, keeping every application so a double is seen."""
from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

from sqlalchemy import Column, Integer, String, Table, func, insert, select

from shared.config import Settings
from shared.contracts import Event, topic_of
from shared.db.engine import service_metadata
from shared.service import ServiceDefinition, ServiceRuntime, Subscription

metadata = service_metadata()
applications = Table(
    "applications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),  # deliberately not unique: doubles must show
    Column("commune", String(100), nullable=False),
)
POISON = "poison"


def record_application(session, event: Event) -> None:
    if event.payload.get("activity") == POISON:
        raise ValueError("this event can never be applied")
    session.execute(insert(applications).values(event_id=event.event_id, commune=event.commune))


def counting_definition(group: str, handler=record_application, source: str = "programme") -> ServiceDefinition:
    return ServiceDefinition(
        name="counting", metadata=metadata, package_dir=Path(__file__).parent,
        subscriptions=[Subscription(group=group, topics=[topic_of(source)],
                                    handlers={"programme.ActivityChecked": handler})])


def counting_runtime(settings: Settings, database_url: str, group: str,
                     handler=record_application, source: str = "programme") -> ServiceRuntime:
    """`source`: whose topic it reads and writes (`<source>.events`); a test of its own keeps
    other tests' traffic off its counts."""
    settings = dataclasses.replace(settings, database_urls={**settings.database_urls, "counting": database_url})
    runtime = ServiceRuntime(counting_definition(group, handler, source), settings)
    metadata.create_all(runtime.engine)
    return runtime


def source_of(runtime: ServiceRuntime) -> str:
    return runtime.definition.subscriptions[0].topics[0].removesuffix(".events")


def activity_event(commune: str, activity: str = "concept", source: str = "programme") -> Event:
    return Event(type="programme.ActivityChecked", commune=commune, source=source,
                 payload={"phase": 1, "activity": activity, "done": True})


def write_events(runtime: ServiceRuntime, commune: str, count: int) -> list[str]:
    ids = []
    with runtime.unit_of_work() as uow:
        for _ in range(count):
            event = activity_event(commune, source=source_of(runtime))
            uow.publish(event)
            ids.append(event.event_id)
        uow.commit()
    return ids


def applied(runtime: ServiceRuntime, commune: str) -> tuple[int, int]:
    """(applications, distinct events applied) for one commune."""
    with runtime.engine.connect() as connection:
        return connection.execute(select(func.count(), func.count(applications.c.event_id.distinct()))
                                  .where(applications.c.commune == commune)).one()


def unique_group() -> str:
    return f"counting-{uuid.uuid4().hex[:8]}"
