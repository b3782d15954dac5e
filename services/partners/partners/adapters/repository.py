"""Reading the partners' rows, always within one commune (regional partners: by the region)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.text import N_

from partners.adapters.orm import (Activity, Commune, Contact, EngagementNote, Link, Partner,
                                   PartnerImport, Partnership, StatusChange)


def commune_by_slug(session: Session, slug: str) -> Commune:
    commune = session.scalar(select(Commune).where(Commune.slug == slug, Commune.onboarded.is_(True)))
    if commune is None:
        raise NotFound(N_("The commune %(commune)s does not exist."), commune=slug)
    return commune


def communes(session: Session, slugs: tuple[str, ...] | None = None) -> list[Commune]:
    query = select(Commune).where(Commune.onboarded.is_(True)).order_by(Commune.name)
    if slugs is not None:
        query = query.where(Commune.slug.in_(slugs))
    return list(session.scalars(query))


def partnerships(session: Session, commune: Commune) -> list[Partnership]:
    return list(session.scalars(
        select(Partnership).join(Partner).where(Partnership.commune_id == commune.id)
        .order_by(Partner.name_key)))


def partnership(session: Session, commune: Commune, partner_id: str, field: str | None = None) -> Partnership:
    """The commune's partnership with a partner; another commune's partner is not found."""
    row = session.scalar(select(Partnership).where(Partnership.commune_id == commune.id,
                                                   Partnership.partner_id == partner_id))
    if row is None:
        raise NotFound(N_("This commune has no partner %(id)s."), field=field, id=partner_id)
    return row


def taken_names(session: Session, commune: Commune) -> dict[str, str]:
    """Name key -> name, of every partner in the commune's network."""
    return {p.partner.name_key: p.partner.name for p in partnerships(session, commune)}


def regional_partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).where(Partner.regional.is_(True))
                                .order_by(Partner.name_key)))


def regional_partner(session: Session, partner_id: str, field: str | None = None) -> Partner:
    row = session.scalar(select(Partner).where(Partner.regional.is_(True), Partner.id == partner_id))
    if row is None:
        raise NotFound(N_("There is no regional partner %(id)s."), field=field, id=partner_id)
    return row


def partnerships_with(session: Session, partner: Partner) -> list[Partnership]:
    return list(session.scalars(select(Partnership).where(Partnership.partner_id == partner.id)))


def history(session: Session, partnership: Partnership) -> list[StatusChange]:
    return list(session.scalars(select(StatusChange).where(
        StatusChange.commune_id == partnership.commune_id,
        StatusChange.partnership_id == partnership.id).order_by(StatusChange.id)))


def contacts(session: Session, partnership: Partnership) -> list[Contact]:
    return list(session.scalars(select(Contact).where(
        Contact.commune_id == partnership.commune_id,
        Contact.partnership_id == partnership.id).order_by(Contact.name)))


def commune_contacts(session: Session, commune: Commune) -> list[Contact]:
    return list(session.scalars(select(Contact).where(Contact.commune_id == commune.id)
                                .order_by(Contact.name)))


def contact(session: Session, partnership: Partnership, contact_id: int) -> Contact:
    row = session.scalar(select(Contact).where(Contact.commune_id == partnership.commune_id,
                                               Contact.partnership_id == partnership.id,
                                               Contact.id == contact_id))
    if row is None:
        raise NotFound(N_("This partner has no contact person %(id)s."), id=contact_id)
    return row


def notes(session: Session, partnership: Partnership) -> list[EngagementNote]:
    return list(session.scalars(select(EngagementNote).where(
        EngagementNote.commune_id == partnership.commune_id,
        EngagementNote.partnership_id == partnership.id)
        .order_by(EngagementNote.happened_on.desc(), EngagementNote.id.desc())))


def note(session: Session, partnership: Partnership, note_id: int) -> EngagementNote:
    row = session.scalar(select(EngagementNote).where(
        EngagementNote.commune_id == partnership.commune_id,
        EngagementNote.partnership_id == partnership.id, EngagementNote.id == note_id))
    if row is None:
        raise NotFound(N_("This partner has no note %(id)s."), id=note_id)
    return row


def links(session: Session, commune: Commune) -> list[Link]:
    return list(session.scalars(select(Link).where(Link.commune_id == commune.id)
                                .order_by(Link.created_at, Link.id)))


def link(session: Session, commune: Commune, link_id: str) -> Link:
    row = session.scalar(select(Link).where(Link.commune_id == commune.id, Link.id == link_id))
    if row is None:
        raise NotFound(N_("This commune has no link %(id)s."), id=link_id)
    return row


def find_link(session: Session, commune: Commune, partner_id: str, target_type: str,
              target_id: str) -> Link | None:
    return session.scalar(select(Link).where(
        Link.commune_id == commune.id, Link.partner_id == partner_id,
        Link.target_type == target_type, Link.target_id == target_id))


def links_of(session: Session, commune: Commune, partner_id: str) -> list[Link]:
    return [link for link in links(session, commune)
            if link.partner_id == partner_id or (link.target_type == "partner" and link.target_id == partner_id)]


def activities(session: Session, commune: Commune, kind: str | None = None) -> list[Activity]:
    query = select(Activity).where(Activity.commune_id == commune.id)
    if kind:
        query = query.where(Activity.kind == kind)
    return list(session.scalars(query.order_by(Activity.starts_at, Activity.title)))


def activity(session: Session, commune: Commune, kind: str, external_id: str,
             field: str | None = None) -> Activity:
    row = session.scalar(select(Activity).where(Activity.commune_id == commune.id,
                                                Activity.kind == kind,
                                                Activity.external_id == external_id))
    if row is None:
        message = (N_("This commune has no event %(id)s.") if kind == "event"
                   else N_("This commune has no action %(id)s."))
        raise NotFound(message, field=field, id=external_id)
    return row


def partner_import(session: Session, commune: Commune, import_id: str) -> PartnerImport:
    row = session.scalar(select(PartnerImport).where(PartnerImport.commune_id == commune.id,
                                                     PartnerImport.id == import_id))
    if row is None:
        raise NotFound(N_("This import does not exist (any more): upload the file again."))
    return row
