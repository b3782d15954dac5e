"""What the partners service learns from the other services' events, applied in the
consumer's transaction (the inbox already drops repeats; each handler also converges on
the state the event describes, so applying one twice changes nothing).

- programme.CommuneOnboarded: the communes (tenants).
- programme.ActionLaunched / ActionUpdated: the commune's actions and their `partner_ids`.
- events.EventScheduled / EventUpdated / EventCancelled: the commune's events and their
  co-organising `partner_ids`.
Links learned here are kept apart (origin "programme" or "events") from those the commune
draws itself, and are not published again.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.contracts import Event

from partners.adapters.orm import Activity, Commune, Link, Partnership


def _commune(session: Session, slug: str) -> Commune:
    commune = session.scalar(select(Commune).where(Commune.slug == slug))
    if commune is None:
        commune = Commune(slug=slug, name=slug, onboarded=False)
        session.add(commune)
        session.flush()
    return commune


def commune_onboarded(session: Session, event: Event) -> None:
    commune = _commune(session, event.payload["slug"])
    commune.name, commune.onboarded = event.payload["name"], True


def _activity(session: Session, commune: Commune, kind: str, external_id: str) -> Activity:
    row = session.scalar(select(Activity).where(Activity.commune_id == commune.id, Activity.kind == kind,
                                                Activity.external_id == external_id))
    if row is None:
        row = Activity(commune_id=commune.id, kind=kind, external_id=external_id, title=external_id)
        session.add(row)
    return row


def _sync_links(session: Session, commune: Commune, target_type: str, target_id: str,
                partner_ids: list[str], origin: str, on: date) -> None:
    """The links from `origin` to this event or action become exactly `partner_ids` (those in
    the commune's network); links the commune drew itself are left as they are."""
    in_network = set(session.scalars(select(Partnership.partner_id).where(
        Partnership.commune_id == commune.id, Partnership.partner_id.in_(partner_ids))))
    existing = {link.partner_id: link for link in session.scalars(select(Link).where(
        Link.commune_id == commune.id, Link.target_type == target_type, Link.target_id == target_id))}
    for partner_id, link in existing.items():
        if link.origin == origin and partner_id not in in_network:
            session.delete(link)
    for partner_id in sorted(in_network - set(existing)):
        session.add(Link(id=str(uuid.uuid4()), commune_id=commune.id, partner_id=partner_id,
                         target_type=target_type, target_id=target_id, relation="involved",
                         origin=origin, linked_on=on))


def action_saved(session: Session, event: Event) -> None:
    payload = event.payload
    commune = _commune(session, event.commune)
    action = _activity(session, commune, "action", str(payload["action_id"]))
    action.title = payload["title"][:300]
    action.category = payload.get("status", "")[:60]
    _sync_links(session, commune, "action", action.external_id, list(payload.get("partner_ids", [])),
                "programme", event.occurred_at.date())


def event_scheduled(session: Session, event: Event) -> None:
    """events.EventScheduled and events.EventUpdated: the event as it now is."""
    payload = event.payload
    commune = _commune(session, event.commune)
    activity = _activity(session, commune, "event", payload["event_id"])
    activity.title = payload["title"][:300]
    activity.category = payload.get("kind", "")[:60]
    activity.starts_at = datetime.fromisoformat(payload["starts_at"])
    activity.cancelled = payload.get("status") == "cancelled"
    _sync_links(session, commune, "event", activity.external_id, list(payload.get("partner_ids", [])),
                "events", event.occurred_at.date())


def event_cancelled(session: Session, event: Event) -> None:
    commune = _commune(session, event.commune)
    activity = _activity(session, commune, "event", event.payload["event_id"])
    activity.starts_at = datetime.fromisoformat(event.payload["starts_at"])
    activity.cancelled = True


HANDLERS = {
    "programme.CommuneOnboarded": commune_onboarded,
    "programme.ActionLaunched": action_saved,
    "programme.ActionUpdated": action_saved,
    "events.EventScheduled": event_scheduled,
    "events.EventUpdated": event_scheduled,
    "events.EventCancelled": event_cancelled,
}
