"""The demo of `make run`: Courtételle's papotages and ice-breaker week, seeded through the
handlers (so published), on dates around the day of seeding, once.

Each test seeds its own Courtételle (a slug of its own), as the broker is shared by the session."""
import uuid
from datetime import date

from sqlalchemy import select

from shared.contracts.envelope import utcnow
from tests.support.kafka import publish_all
from tests.events.town import partner_registered, publish

from events import demo
from events.adapters.orm import Commune, CommunityEvent, FeedbackAnswer, Partner, Registration
from events.config import ZURICH
from programme.service_layer import handlers as programme


def onboard_courtetelle(town) -> str:
    slug = f"courtetelle-{uuid.uuid4().hex[:8]}"
    with town.world.runtime.unit_of_work() as uow:
        programme.onboard_commune(uow, slug, "Courtételle", "JU", 2582, date(2025, 9, 1))
    publish_all(town.world.runtime)
    town.consume_until(lambda session: session.scalar(select(Commune.name).where(Commune.slug == slug))
                       == "Courtételle")
    return slug


def rows(town, model):
    with town.runtime.session_factory() as session:
        return session.scalars(select(model)).all()


def test_the_demo_seeds_past_and_coming_events_once_and_publishes_them(town):
    assert demo.seed(town.runtime, wait_s=0.5, commune="nowhere") is False  # not heard of: nothing to add to
    slug = onboard_courtetelle(town)
    assert demo.seed(town.runtime, wait_s=5, partners_in_background=False, commune=slug) is True
    events = {e.title: e for e in rows(town, CommunityEvent)}
    assert len(events) == len(demo.EVENTS)
    now = utcnow()
    past = [e for e in events.values() if e.ends_at < now]
    assert len(past) == 3 and all(e.status == "held" and e.head_count for e in past)
    week = [e for e in events.values() if e.series_id]
    assert len(week) == 5 and all(e.starts_at > now and e.kind == "brise_glace" for e in week)
    assert sorted(e.starts_at.astimezone(ZURICH).weekday() for e in week) == [0, 1, 2, 3, 5]  # Monday to Saturday
    registrations = rows(town, Registration)
    assert {r.status for r in registrations} == {"registered", "waiting"}
    assert len(rows(town, FeedbackAnswer)) == 9

    messages = town.messages(slug)
    types = [m.type for m in messages]
    assert types.count("events.EventScheduled") == len(demo.EVENTS)
    assert types.count("events.AttendanceRecorded") == 3 and types.count("events.FeedbackRecorded") == 9
    assert types.count("events.RegistrationCounted") == len(registrations)

    assert demo.seed(town.runtime, wait_s=5, partners_in_background=False, commune=slug) is False
    assert len(rows(town, CommunityEvent)) == len(demo.EVENTS) and len(rows(town, Registration)) == len(registrations)
    assert len(town.messages(slug)) == len(messages)


def test_the_weeks_events_get_two_partners_once_the_partners_service_announced_them(town):
    slug = onboard_courtetelle(town)
    demo.seed(town.runtime, wait_s=5, partners_in_background=False, commune=slug)
    assert demo.attach_partners(town.runtime, wait_s=0.5, commune=slug) is False
    publish(town.bootstrap, [partner_registered(slug, "p-sdc", "Société de développement"),
                             partner_registered(slug, "p-paroisse", "Paroisse")])
    town.consume_until(lambda session: len(session.scalars(select(Partner).join(Commune).where(
        Commune.slug == slug)).all()) == 2)
    assert demo.attach_partners(town.runtime, wait_s=5, commune=slug) is True
    week = [e for e in rows(town, CommunityEvent) if e.series_id]
    assert all(sorted(e.partner_ids) == ["p-paroisse", "p-sdc"] for e in week)
    updated = [m for m in town.messages(slug) if m.type == "events.EventUpdated"]
    assert len(updated) == 5 and all(len(m.payload["partner_ids"]) == 2 for m in updated)
