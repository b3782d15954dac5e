"""The partners' use cases: each one unit of work, its change and its events together.

Events carry organisations (names, kinds, statuses, roles), never contact persons, notes,
reasons or themes: those are personal data or free text and stay in this database.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.contracts import Event
from shared.db.uow import UnitOfWork
from shared.errors import Conflict, Forbidden
from shared.text import N_

from partners.adapters import repository as repo
from partners.adapters.erasure import overwrite_deleted_rows
from partners.adapters.orm import Commune, Partner, Partnership, StatusChange
from partners.domain import model

SOURCE = "partners"
ZURICH = ZoneInfo("Europe/Zurich")
ORGANISATION_FIELDS = ("name", "kind", "themes", "address", "website")


def today() -> date:
    """The day in the commune's time zone: a change at 00:30 in Courtételle is today's."""
    return datetime.now(ZURICH).date()


def event(event_type: str, commune: str, **payload) -> Event:
    return Event(type=f"partners.{event_type}", commune=commune, source=SOURCE, payload=payload)


def _registered(commune: Commune, partnership: Partnership) -> Event:
    partner = partnership.partner
    return event("PartnerRegistered", commune.slug, partner_id=partner.id, name=partner.name,
                 kind=partner.kind, regional=partner.regional, status=partnership.status,
                 roles=list(partnership.roles), registered_on=partnership.started_on.isoformat())


def _regional_names(session) -> dict[str, Partner]:
    return {p.name_key: p for p in repo.regional_partners(session)}


def _organisation(fields: dict) -> dict:
    """The organisation's fields, cleaned by the domain rules."""
    cleaned = {}
    if "name" in fields:
        cleaned["name"] = model.clean_name(fields["name"])
        cleaned["name_key"] = model.name_key(cleaned["name"])
    if "themes" in fields:
        cleaned["themes"] = model.clean_themes(fields["themes"])
    if "website" in fields:
        cleaned["website"] = model.clean_website(fields["website"])
    for name in ("kind", "address"):
        if name in fields:
            cleaned[name] = fields[name]
    return cleaned


# -- joining the network ---------------------------------------------------------------------
def start_partnership(uow: UnitOfWork, commune: Commune, partner: Partner, status: str = "identified",
                      roles=(), notes: str = "", status_since: date | None = None) -> Partnership:
    """The commune's partnership with `partner`, its first status and its event (not
    committed, nor flushed: an import adds a whole list in one go)."""
    started = status_since or today()
    model.check_not_in_future(started, today(), "status_since")
    partnership = Partnership(commune_id=commune.id, partner=partner, partner_id=partner.id,
                              status=status, status_since=started, roles=model.clean_roles(list(roles)),
                              notes=notes, started_on=started)
    uow.session.add(partnership)
    uow.session.add(StatusChange(commune_id=commune.id, partnership=partnership, status=status,
                                 previous_status=None, changed_on=started, reason=""))
    uow.publish(_registered(commune, partnership))
    return partnership


def check_new_name(uow: UnitOfWork, commune: Commune, name: str) -> None:
    """A new local partner's name: once in the commune, and not a regional partner's."""
    model.check_unique_name(name, repo.taken_names(uow.session, commune))
    regional = _regional_names(uow.session).get(model.name_key(name))
    if regional is not None:
        raise Conflict(N_("%(name)s is a regional partner: join it rather than adding it again."),
                       field="name", name=regional.name)


def insert_local(uow: UnitOfWork, commune: Commune, *, name: str, kind: str, themes=(),
                 address: str = "", website: str = "", **partnership) -> Partnership:
    """A new local partner whose name was checked (check_new_name, or an import's check)."""
    fields = _organisation({"name": name, "kind": kind, "themes": list(themes), "address": address,
                            "website": website})
    partner = Partner(id=str(uuid.uuid4()), commune_id=commune.id, regional=False, **fields)
    uow.session.add(partner)
    return start_partnership(uow, commune, partner, **partnership)


def add_partner(uow: UnitOfWork, slug: str, **fields) -> Partnership:
    commune = repo.commune_by_slug(uow.session, slug)
    check_new_name(uow, commune, model.clean_name(fields["name"]))
    partnership = insert_local(uow, commune, **fields)
    uow.commit()
    return partnership


def join_regional(uow: UnitOfWork, slug: str, partner_id: str, **partnership) -> Partnership:
    """The commune starts its own partnership with a regional partner (no copy of it)."""
    commune = repo.commune_by_slug(uow.session, slug)
    partner = repo.regional_partner(uow.session, partner_id, field="partner_id")
    if any(p.partner_id == partner.id for p in repo.partnerships(uow.session, commune)):
        raise Conflict(N_("The commune already works with %(name)s."), field="partner_id", name=partner.name)
    model.check_unique_name(partner.name, repo.taken_names(uow.session, commune))
    joined = start_partnership(uow, commune, partner, **partnership)
    uow.commit()
    return joined


def register_regional(uow: UnitOfWork, **fields) -> Partner:
    """A regional partner, registered once by the region. No event: communes hear of it when
    they start working with it."""
    cleaned = _organisation(fields)
    regional = _regional_names(uow.session)
    if cleaned["name_key"] in regional:
        raise Conflict(N_("A regional partner with this name exists already: %(name)s."), field="name",
                       name=regional[cleaned["name_key"]].name)
    partner = Partner(id=str(uuid.uuid4()), commune_id=None, regional=True, **cleaned)
    uow.session.add(partner)
    uow.commit()
    return partner


# -- changing a partner --------------------------------------------------------------------
def _rename_allowed(uow: UnitOfWork, partner: Partner, new_name: str) -> None:
    """A new name must stay unique in every network the partner is part of."""
    new_key = model.name_key(new_name)
    if new_key == partner.name_key:
        return
    for partnership in repo.partnerships_with(uow.session, partner):
        taken = repo.taken_names(uow.session, uow.session.get(Commune, partnership.commune_id))
        taken.pop(partner.name_key, None)
        model.check_unique_name(new_name, taken)
    others = _regional_names(uow.session)
    if new_key in others and others[new_key].id != partner.id:
        raise Conflict(N_("%(name)s is a regional partner: join it rather than adding it again."),
                       field="name", name=others[new_key].name)


def _apply_organisation(uow: UnitOfWork, partner: Partner, fields: dict) -> None:
    cleaned = _organisation({k: v for k, v in fields.items() if k in ORGANISATION_FIELDS})
    if "name" in cleaned:
        _rename_allowed(uow, partner, cleaned["name"])
    before = (partner.name, partner.kind)
    for name, value in cleaned.items():
        setattr(partner, name, value)
    if (partner.name, partner.kind) != before:
        for partnership in repo.partnerships_with(uow.session, partner):
            commune = uow.session.get(Commune, partnership.commune_id)
            uow.publish(event("PartnerUpdated", commune.slug, partner_id=partner.id, name=partner.name,
                              kind=partner.kind, regional=partner.regional))


def update_partner(uow: UnitOfWork, slug: str, partner_id: str, **fields) -> Partnership:
    """A commune changes its local partner's details, or its notes on any partnership."""
    commune = repo.commune_by_slug(uow.session, slug)
    partnership = repo.partnership(uow.session, commune, partner_id)
    organisation = {k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}
    if organisation and partnership.partner.regional:
        raise Forbidden(N_("A regional partner's details are kept by the regional staff; "
                           "the commune keeps its own status, roles and notes."),
                        field=next(iter(organisation)))
    _apply_organisation(uow, partnership.partner, organisation)
    if "notes" in fields:
        partnership.notes = fields["notes"]
    uow.commit()
    return partnership


def update_regional(uow: UnitOfWork, partner_id: str, **fields) -> Partner:
    partner = repo.regional_partner(uow.session, partner_id)
    _apply_organisation(uow, partner, fields)
    uow.commit()
    return partner


def change_status(uow: UnitOfWork, slug: str, partner_id: str, status: str, reason: str = "",
                  changed_on: date | None = None) -> Partnership:
    commune = repo.commune_by_slug(uow.session, slug)
    partnership = repo.partnership(uow.session, commune, partner_id)
    day = changed_on or today()
    if not model.check_status_change(partnership.status, status, reason, day,
                                     partnership.status_since, today()):
        return partnership  # the same status again changes nothing and tells nobody
    previous = partnership.status
    partnership.status, partnership.status_since = status, day
    uow.session.add(StatusChange(commune_id=commune.id, partnership_id=partnership.id, status=status,
                                 previous_status=previous, changed_on=day, reason=(reason or "").strip()))
    uow.publish(event("PartnershipStatusChanged", slug, partner_id=partner_id, status=status,
                      previous_status=previous, changed_on=day.isoformat()))
    uow.commit()
    return partnership


def set_roles(uow: UnitOfWork, slug: str, partner_id: str, roles: list[str]) -> Partnership:
    commune = repo.commune_by_slug(uow.session, slug)
    partnership = repo.partnership(uow.session, commune, partner_id)
    roles = model.clean_roles(roles)
    if roles == list(partnership.roles):
        return partnership
    partnership.roles = roles
    uow.publish(event("PartnerRolesChanged", slug, partner_id=partner_id, roles=roles))
    uow.commit()
    return partnership


def end_partnership(uow: UnitOfWork, slug: str, partner_id: str) -> None:
    """The partner leaves the commune's network with everything the commune kept about it:
    contact persons, notes, history and links are deleted; a local partner is deleted too."""
    commune = repo.commune_by_slug(uow.session, slug)
    partnership = repo.partnership(uow.session, commune, partner_id)
    session = uow.session
    overwrite_deleted_rows(session)
    for link in repo.links_of(session, commune, partner_id):
        session.delete(link)
    for rows in (repo.contacts(session, partnership), repo.notes(session, partnership),
                 repo.history(session, partnership)):
        for row in rows:
            session.delete(row)
    partner = partnership.partner
    session.delete(partnership)
    session.flush()
    if not partner.regional:
        session.delete(partner)
    uow.publish(event("PartnershipEnded", slug, partner_id=partner_id, ended_on=today().isoformat()))
    uow.commit()
