"""Reading the events service's rows, always within one commune (or by an unguessable token)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.text import N_

from events.adapters.orm import (Commune, CommunityEvent, FeedbackAnswer, Partner, Registration,
                                 Series)


# -- what other services told us -------------------------------------------------------------
def commune_by_slug(session: Session, slug: str) -> Commune:
    commune = session.scalar(select(Commune).where(Commune.slug == slug))
    if commune is None:
        raise NotFound(N_("The commune %(commune)s does not exist."), commune=slug)
    return commune


def communes(session: Session, slugs: tuple[str, ...] | None = None) -> list[Commune]:
    query = select(Commune).order_by(Commune.name)
    if slugs is not None:
        query = query.where(Commune.slug.in_(slugs))
    return list(session.scalars(query))


def partners(session: Session, commune: Commune, active_only: bool = True) -> list[Partner]:
    query = select(Partner).where(Partner.commune_id == commune.id).order_by(Partner.name)
    if active_only:
        query = query.where(Partner.active.is_(True))
    return list(session.scalars(query))


def partner(session: Session, commune_id: int, partner_id: str) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.commune_id == commune_id,
                                                Partner.partner_id == partner_id))


# -- series and events -----------------------------------------------------------------------
def all_series(session: Session, commune: Commune) -> list[Series]:
    return list(session.scalars(select(Series).where(Series.commune_id == commune.id)
                                .order_by(Series.created_at, Series.title)))


def series(session: Session, commune: Commune, series_id: str, field: str | None = None) -> Series:
    row = session.scalar(select(Series).where(Series.commune_id == commune.id, Series.id == series_id))
    if row is None:
        raise NotFound(N_("This commune has no series %(id)s."), field=field, id=series_id)
    return row


def events(session: Session, commune: Commune, since: datetime | None = None,
           series_id: str | None = None) -> list[CommunityEvent]:
    query = select(CommunityEvent).where(CommunityEvent.commune_id == commune.id)
    if since is not None:
        query = query.where(CommunityEvent.ends_at >= since)
    if series_id is not None:
        query = query.where(CommunityEvent.series_id == series_id)
    return list(session.scalars(query.order_by(CommunityEvent.starts_at, CommunityEvent.title)))


def event(session: Session, commune: Commune, event_id: str, for_update: bool = False) -> CommunityEvent:
    """`for_update`: lock the event's row, so registrations to one event queue one by one."""
    query = select(CommunityEvent).where(CommunityEvent.commune_id == commune.id,
                                         CommunityEvent.id == event_id)
    row = session.scalar(query.with_for_update() if for_update else query)
    if row is None:
        raise NotFound(N_("This commune has no event %(id)s."), id=event_id)
    return row


def event_by_feedback_token(session: Session, token: str) -> CommunityEvent:
    row = session.scalar(select(CommunityEvent).where(CommunityEvent.feedback_token == token))
    if row is None:
        raise NotFound(N_("This feedback link is not valid."))
    return row


def commune_of(session: Session, row) -> Commune:
    return session.get(Commune, row.commune_id)


# -- registrations and feedback --------------------------------------------------------------
def registrations(session: Session, event: CommunityEvent) -> list[Registration]:
    return list(session.scalars(select(Registration).where(
        Registration.commune_id == event.commune_id, Registration.event_id == event.id)
        .order_by(Registration.id)))


def registration(session: Session, event: CommunityEvent, registration_id: int) -> Registration:
    row = session.scalar(select(Registration).where(
        Registration.commune_id == event.commune_id, Registration.event_id == event.id,
        Registration.id == registration_id))
    if row is None:
        raise NotFound(N_("This event has no registration %(id)s."), field="registration", id=registration_id)
    return row


def registration_by_token(session: Session, token: str) -> Registration:
    row = session.scalar(select(Registration).where(Registration.token == token))
    if row is None:
        raise NotFound(N_("This registration link is not valid, or its data has been erased."))
    return row


def feedback(session: Session, event: CommunityEvent) -> list[FeedbackAnswer]:
    return list(session.scalars(select(FeedbackAnswer).where(
        FeedbackAnswer.commune_id == event.commune_id, FeedbackAnswer.event_id == event.id)
        .order_by(FeedbackAnswer.created_at)))


def events_to_erase(session: Session, cutoff: datetime) -> list[str]:
    """Ids of the events, of every commune, that ended before `cutoff` and still hold contacts."""
    return list(session.scalars(
        select(CommunityEvent.id).distinct().join(Registration, Registration.event_id == CommunityEvent.id)
        .where(CommunityEvent.ends_at < cutoff, Registration.erased_at.is_(None))))


def erase_registrations(session: Session, event_ids: list[str], now: datetime) -> int:
    result = session.execute(update(Registration)
                             .where(Registration.event_id.in_(event_ids), Registration.erased_at.is_(None))
                             .values(name=None, contact=None, token=None, erased_at=now))
    return result.rowcount
