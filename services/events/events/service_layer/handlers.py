"""The events service's use cases: each one unit of work, its change and its events together.

`now` is for recording history (the demo's past events); requests use the clock.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from shared.contracts.envelope import utcnow
from shared.db.uow import UnitOfWork
from shared.errors import Conflict, Invalid
from shared.text import N_

from events.adapters import repository as repo
from events.adapters.orm import Commune, CommunityEvent, FeedbackAnswer, Registration, Series
from events.domain import model
from events.service_layer import messages


def _token() -> str:
    return secrets.token_urlsafe(24)


# -- series ----------------------------------------------------------------------------------
def _check_series_title(session, commune: Commune, title: str, series_id: str | None = None) -> None:
    taken = [s for s in repo.all_series(session, commune)
             if s.title.casefold() == title.casefold() and s.id != series_id]
    if taken:
        raise Conflict(N_("This commune has a series with this title already."), field="title")


def create_series(uow: UnitOfWork, slug: str, title: str, description: str = "") -> Series:
    commune = repo.commune_by_slug(uow.session, slug)
    _check_series_title(uow.session, commune, title)
    series = Series(commune_id=commune.id, title=title, description=description)
    uow.session.add(series)
    uow.commit()  # a series is a heading for the agenda; its events carry its id
    return series


def update_series(uow: UnitOfWork, slug: str, series_id: str, **changes) -> Series:
    commune = repo.commune_by_slug(uow.session, slug)
    series = repo.series(uow.session, commune, series_id)
    if "title" in changes:
        _check_series_title(uow.session, commune, changes["title"], series_id)
    for name, value in changes.items():
        setattr(series, name, value)
    uow.commit()
    return series


# -- events ----------------------------------------------------------------------------------
def _check_partners(session, commune: Commune, partner_ids: list[str], already: list[str] = ()) -> list[str]:
    """The ids, once each; every new one must be a partner the commune works with."""
    unique = list(dict.fromkeys(partner_ids))
    for partner_id in unique:
        if partner_id in already:
            continue
        partner = repo.partner(session, commune.id, partner_id)
        if partner is None or not partner.active:
            raise Invalid(N_("%(id)s is not a partner of this commune."), field="partner_ids", id=partner_id)
    return unique


def _check_references(session, commune: Commune, fields: dict, event: CommunityEvent | None = None) -> None:
    if fields.get("series_id") is not None:
        repo.series(session, commune, fields["series_id"], field="series_id")
    if "partner_ids" in fields:
        fields["partner_ids"] = _check_partners(session, commune, fields["partner_ids"],
                                                event.partner_ids if event else ())


def schedule_event(uow: UnitOfWork, slug: str, now: datetime | None = None, **fields) -> CommunityEvent:
    session = uow.session
    commune = repo.commune_by_slug(session, slug)
    model.check_times(fields["starts_at"], fields["ends_at"], now or utcnow())
    fields.setdefault("partner_ids", [])
    _check_references(session, commune, fields)
    row = CommunityEvent(commune_id=commune.id, status=model.SCHEDULED, feedback_token=_token(), **fields)
    session.add(row)
    session.flush()
    uow.publish(messages.scheduled(slug, row))
    uow.commit()
    return row


def update_event(uow: UnitOfWork, slug: str, event_id: str, now: datetime | None = None,
                 **changes) -> CommunityEvent:
    session = uow.session
    commune = repo.commune_by_slug(session, slug)
    row = repo.event(session, commune, event_id, for_update=True)
    changes = {name: value for name, value in changes.items() if getattr(row, name) != value}
    if not changes:
        return row  # saving an unchanged form tells nobody anything
    model.check_changes(row, changes, now or utcnow())
    registrations = repo.registrations(session, row)
    if "capacity" in changes:
        model.check_capacity(changes["capacity"], model.people(registrations, model.REGISTERED))
    _check_references(session, commune, changes, row)
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    uow.publish(messages.scheduled(slug, row, updated=True))
    if model.promote(row, registrations):  # more places: the waiting list moves up
        uow.publish(messages.counted(slug, row, registrations))
    uow.commit()
    return row


def cancel_event(uow: UnitOfWork, slug: str, event_id: str, reason: str,
                 now: datetime | None = None) -> CommunityEvent:
    commune = repo.commune_by_slug(uow.session, slug)
    row = repo.event(uow.session, commune, event_id, for_update=True)
    model.cancel(row, reason, now or utcnow())
    uow.publish(messages.cancelled(slug, row))
    uow.commit()
    return row


# -- registrations ---------------------------------------------------------------------------
def register(uow: UnitOfWork, slug: str, event_id: str, name: str, party_size: int,
             contact: str = "", waiting_list: bool = False, now: datetime | None = None) -> Registration:
    session = uow.session
    commune = repo.commune_by_slug(session, slug)
    row = repo.event(session, commune, event_id, for_update=True)
    registrations = repo.registrations(session, row)
    status = model.place_registration(row, registrations, party_size, waiting_list, now or utcnow())
    registration = Registration(commune_id=commune.id, event_id=row.id, token=_token(), name=name,
                                contact=contact or None, party_size=party_size, status=status,
                                created_at=now or utcnow())
    session.add(registration)
    session.flush()
    uow.publish(messages.counted(slug, row, [*registrations, registration]))
    uow.commit()
    return registration


def _withdraw(uow: UnitOfWork, commune: Commune, registration: Registration, now: datetime | None):
    row = repo.event(uow.session, commune, registration.event_id, for_update=True)
    registrations = repo.registrations(uow.session, row)  # holds `registration` (one identity map)
    model.withdraw(registration, row, now or utcnow())
    model.promote(row, registrations)
    uow.publish(messages.counted(commune.slug, row, registrations))
    uow.commit()
    return registration, row


def withdraw_registration(uow: UnitOfWork, token: str, now: datetime | None = None):
    """The person's own cancellation, through their personal link."""
    registration = repo.registration_by_token(uow.session, token)
    return _withdraw(uow, repo.commune_of(uow.session, registration), registration, now)


def cancel_registration(uow: UnitOfWork, slug: str, event_id: str, registration_id: int,
                        now: datetime | None = None):
    """Staff cancelling for someone (who called, say)."""
    commune = repo.commune_by_slug(uow.session, slug)
    row = repo.event(uow.session, commune, event_id)
    return _withdraw(uow, commune, repo.registration(uow.session, row, registration_id), now)


# -- what happened ---------------------------------------------------------------------------
def record_attendance(uow: UnitOfWork, slug: str, event_id: str, head_count: int,
                      attended_registration_ids: list[int] | None = None,
                      now: datetime | None = None) -> CommunityEvent:
    """`attended_registration_ids` None: heads counted only; a list: who of the registered came."""
    session = uow.session
    now = now or utcnow()
    commune = repo.commune_by_slug(session, slug)
    row = repo.event(session, commune, event_id, for_update=True)
    registrations = repo.registrations(session, row)
    present = _present(registrations, attended_registration_ids)
    model.check_attendance(row, now, head_count, present or [])
    model.record_attendance(row, now, head_count)
    if present is not None:
        for registration in registrations:
            registration.attended = registration in present
    uow.publish(messages.attendance(slug, row, registrations,
                                    None if present is None else sum(r.party_size for r in present)))
    uow.commit()
    return row


def _present(registrations: list[Registration], ids: list[int] | None) -> list[Registration] | None:
    if ids is None:
        return None
    by_id = {r.id: r for r in registrations}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise Invalid(N_("This event has no registration %(id)s."), field="attended_registration_ids",
                      id=unknown[0])
    return [by_id[i] for i in dict.fromkeys(ids)]


def record_feedback(uow: UnitOfWork, slug: str, event_id: str, satisfaction: int, met_someone_new: bool,
                    comment: str = "", now: datetime | None = None) -> FeedbackAnswer:
    """Feedback staff enter (from a paper form, say)."""
    commune = repo.commune_by_slug(uow.session, slug)
    row = repo.event(uow.session, commune, event_id)
    return _feedback(uow, commune, row, "staff", satisfaction, met_someone_new, comment, now)


def record_public_feedback(uow: UnitOfWork, token: str, satisfaction: int, met_someone_new: bool,
                           comment: str = "", now: datetime | None = None) -> FeedbackAnswer:
    """Feedback a participant gives through the event's public link."""
    row = repo.event_by_feedback_token(uow.session, token)
    commune = repo.commune_of(uow.session, row)
    return _feedback(uow, commune, row, "public", satisfaction, met_someone_new, comment, now)


def _feedback(uow, commune, row, source, satisfaction, met_someone_new, comment, now) -> FeedbackAnswer:
    now = now or utcnow()
    model.check_feedback_open(row, now)
    answer = FeedbackAnswer(commune_id=commune.id, event_id=row.id, satisfaction=satisfaction,
                            met_someone_new=met_someone_new, comment=comment, source=source,
                            created_at=now)
    uow.session.add(answer)
    uow.session.flush()
    uow.publish(messages.feedback(commune.slug, row, answer, repo.feedback(uow.session, row)))
    uow.commit()
    return answer


# -- personal data ---------------------------------------------------------------------------
def erase_contacts(uow: UnitOfWork, retention_days: int, now: datetime | None = None) -> int:
    """Erase names, contacts and personal links of registrations to events that ended more
    than `retention_days` ago; the counts stay. Returns how many registrations were erased."""
    now = now or utcnow()
    event_ids = repo.events_to_erase(uow.session, model.erasure_cutoff(now, retention_days))
    if not event_ids:
        return 0
    erased = repo.erase_registrations(uow.session, event_ids, now)
    uow.commit()  # nothing to publish: no event ever carried what is erased here
    return erased

