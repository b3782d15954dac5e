"""The events this service publishes, built from its rows. Counts and ratings only: no name,
contact, comment or cancellation reason ever goes into one (see shared/contracts/events.py)."""
from __future__ import annotations

from shared.contracts import Event

from events.adapters.orm import CommunityEvent, FeedbackAnswer, Registration
from events.domain import model

SOURCE = "events"


def _event(event_type: str, commune: str, payload: dict) -> Event:
    return Event(type=f"events.{event_type}", commune=commune, source=SOURCE, payload=payload)


def _facts(row: CommunityEvent) -> dict:
    return {"event_id": row.id, "series_id": row.series_id, "kind": row.kind, "phase": row.phase,
            "starts_at": row.starts_at.isoformat()}


def scheduled(commune: str, row: CommunityEvent, updated: bool = False) -> Event:
    return _event("EventUpdated" if updated else "EventScheduled", commune, {
        **_facts(row), "title": row.title, "ends_at": row.ends_at.isoformat(),
        "capacity": row.capacity, "registration_required": row.registration_required,
        "partner_ids": list(row.partner_ids), "status": row.status})


def cancelled(commune: str, row: CommunityEvent) -> Event:
    return _event("EventCancelled", commune, {**_facts(row), "cancelled_at": row.cancelled_at.isoformat()})


def counted(commune: str, row: CommunityEvent, registrations: list[Registration]) -> Event:
    def parties(status):
        return sum(1 for r in registrations if r.status == status)
    return _event("RegistrationCounted", commune, {
        **_facts(row), "capacity": row.capacity,
        "registrations": parties(model.REGISTERED),
        "registered_people": model.people(registrations, model.REGISTERED),
        "waiting_registrations": parties(model.WAITING),
        "waiting_people": model.people(registrations, model.WAITING)})


def attendance(commune: str, row: CommunityEvent, registrations: list[Registration],
               present_people: int | None) -> Event:
    return _event("AttendanceRecorded", commune, {
        **_facts(row), "head_count": row.head_count,
        "registered_people": model.people(registrations, model.REGISTERED),
        "registered_attended": present_people,
        "recorded_at": row.attendance_recorded_at.isoformat()})


def feedback(commune: str, row: CommunityEvent, answer: FeedbackAnswer,
             answers: list[FeedbackAnswer]) -> Event:
    return _event("FeedbackRecorded", commune, {
        **_facts(row), "feedback_id": answer.id, "satisfaction": answer.satisfaction,
        "met_someone_new": answer.met_someone_new, "source": answer.source,
        "responses": len(answers),
        "satisfaction_total": sum(a.satisfaction for a in answers),
        "met_someone_new_count": sum(1 for a in answers if a.met_someone_new)})
