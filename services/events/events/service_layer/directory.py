"""What this service learns from the others' events: the communes (programme) and each
commune's partners (partners service). Applied by the inbox consumer, in its transaction;
every handler is an upsert, so applying an event again changes nothing.

Relied on, from shared/contracts/programme.py and shared/contracts/partners.py:
- programme.CommuneOnboarded: slug, name
- programme.PhaseStarted, programme.PhaseReopened: phase (preselected in the event form)
- partners.PartnerRegistered, partners.PartnerUpdated: partner_id, name
- partners.PartnershipEnded: partner_id
The commune is the envelope's `commune` for all but CommuneOnboarded.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.contracts import Event

from events.adapters import repository as repo
from events.adapters.orm import Commune, Partner


def _commune(session: Session, slug: str) -> Commune:
    """The commune, known or not yet: the topics are read side by side, so a partner may be
    heard of before the commune's onboarding; its name arrives with the onboarding."""
    commune = session.scalar(select(Commune).where(Commune.slug == slug))
    if commune is None:
        commune = Commune(slug=slug, name=slug)
        session.add(commune)
        session.flush()
    return commune


def commune_onboarded(session: Session, event: Event) -> None:
    _commune(session, event.payload["slug"]).name = event.payload["name"]


def phase_started(session: Session, event: Event) -> None:
    _commune(session, event.commune).current_phase = event.payload["phase"]


def _partner(session: Session, event: Event) -> Partner:
    commune = _commune(session, event.commune)
    partner = repo.partner(session, commune.id, event.payload["partner_id"])
    if partner is None:
        partner = Partner(commune_id=commune.id, partner_id=event.payload["partner_id"], active=True)
        session.add(partner)
    return partner


def partner_registered(session: Session, event: Event) -> None:
    partner = _partner(session, event)
    partner.name, partner.active = event.payload["name"], True


def partner_updated(session: Session, event: Event) -> None:
    # Sent to every commune working with the partner, so it is one of theirs.
    _partner(session, event).name = event.payload["name"]


def partnership_ended(session: Session, event: Event) -> None:
    commune = _commune(session, event.commune)
    partner = repo.partner(session, commune.id, event.payload["partner_id"])
    if partner is not None:
        partner.active = False


HANDLERS = {
    "programme.CommuneOnboarded": commune_onboarded,
    "programme.PhaseStarted": phase_started,
    "programme.PhaseReopened": phase_started,
    "partners.PartnerRegistered": partner_registered,
    "partners.PartnerUpdated": partner_updated,
    "partners.PartnershipEnded": partnership_ended,
}
