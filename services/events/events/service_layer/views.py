"""Read models for the API and the pages: an event with its counts, partners and feedback."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from events.adapters import repository as repo
from events.adapters.orm import Commune, CommunityEvent, FeedbackAnswer, Registration
from events.domain import model


def feedback_summary(answers: list[FeedbackAnswer]) -> dict:
    count = len(answers)
    return {
        "responses": count,
        "average_satisfaction": round(sum(a.satisfaction for a in answers) / count, 1) if count else None,
        "met_someone_new_share": round(sum(a.met_someone_new for a in answers) / count, 2) if count else None,
    }


def counts(row: CommunityEvent, registrations: list[Registration]) -> dict:
    return {
        "registrations": sum(1 for r in registrations if r.status == model.REGISTERED),
        "registered_people": model.people(registrations, model.REGISTERED),
        "waiting_registrations": sum(1 for r in registrations if r.status == model.WAITING),
        "waiting_people": model.people(registrations, model.WAITING),
        "places_left": model.places_left(row, registrations),
        "attended_people": sum(r.party_size for r in registrations if r.attended),
    }


def event_view(session: Session, commune: Commune, row: CommunityEvent, partner_names: dict | None = None,
               series_titles: dict | None = None) -> dict:
    """Everything about the event but the registrations' names and contacts."""
    if partner_names is None:
        partner_names = {p.partner_id: p.name for p in repo.partners(session, commune, active_only=False)}
    if series_titles is None:
        series_titles = {s.id: s.title for s in repo.all_series(session, commune)}
    columns = {column.key: getattr(row, column.key) for column in CommunityEvent.__table__.columns}
    return {
        **columns, "commune": commune.slug,
        "series_title": series_titles.get(row.series_id),
        "partners": [{"id": pid, "name": partner_names.get(pid, pid)} for pid in row.partner_ids],
        **counts(row, repo.registrations(session, row)),
        "feedback": feedback_summary(repo.feedback(session, row)),
    }


def agenda(session: Session, commune: Commune, since: datetime) -> list[dict]:
    partner_names = {p.partner_id: p.name for p in repo.partners(session, commune, active_only=False)}
    series_titles = {s.id: s.title for s in repo.all_series(session, commune)}
    return [event_view(session, commune, row, partner_names, series_titles)
            for row in repo.events(session, commune, since=since)]


def grouped_by_series(views: list[dict]) -> list[dict]:
    """The agenda as a list of entries: a single event, or a series with its events together
    (placed where its first event falls)."""
    entries, series_entries = [], {}
    for view in views:
        series_id = view["series_id"]
        if series_id is None:
            entries.append({"event": view})
        elif series_id in series_entries:
            series_entries[series_id]["events"].append(view)
        else:
            series_entries[series_id] = {"series_id": series_id, "title": view["series_title"],
                                         "events": [view]}
            entries.append(series_entries[series_id])
    return entries


def registration_view(registration: Registration, registrations: list[Registration]) -> dict:
    return {
        "id": registration.id, "name": registration.name, "contact": registration.contact,
        "party_size": registration.party_size, "status": registration.status,
        "waiting_position": model.waiting_position(registration, registrations),
        "attended": registration.attended, "created_at": registration.created_at,
        "erased": registration.erased_at is not None,
    }


def recent_past(now: datetime) -> datetime:
    """How far back agendas reach: last month's events stay visible a while."""
    return now - timedelta(days=31)
