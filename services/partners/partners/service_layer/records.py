"""Contact persons and the engagement log of a partnership: the commune's own records,
personal data or free text, never in an event."""
from __future__ import annotations

from datetime import date

from shared.db.uow import UnitOfWork

from partners.adapters import repository as repo
from partners.adapters.erasure import overwrite_deleted_rows
from partners.adapters.orm import Contact, EngagementNote
from partners.domain import model
from partners.service_layer.handlers import today


def add_contact(uow: UnitOfWork, slug: str, partner_id: str, **fields) -> Contact:
    commune = repo.commune_by_slug(uow.session, slug)
    partnership = repo.partnership(uow.session, commune, partner_id)
    contact = Contact(commune_id=commune.id, partnership_id=partnership.id, **fields)
    uow.session.add(contact)
    uow.commit()
    return contact


def update_contact(uow: UnitOfWork, slug: str, partner_id: str, contact_id: int, **fields) -> Contact:
    commune = repo.commune_by_slug(uow.session, slug)
    contact = repo.contact(uow.session, repo.partnership(uow.session, commune, partner_id), contact_id)
    overwrite_deleted_rows(uow.session)  # the old values are overwritten in the file too
    for name, value in fields.items():
        setattr(contact, name, value)
    uow.commit()
    return contact


def erase_contact(uow: UnitOfWork, slug: str, partner_id: str, contact_id: int) -> None:
    """Erasure on request: the row is deleted, not flagged."""
    commune = repo.commune_by_slug(uow.session, slug)
    contact = repo.contact(uow.session, repo.partnership(uow.session, commune, partner_id), contact_id)
    overwrite_deleted_rows(uow.session)
    uow.session.delete(contact)
    uow.commit()


def add_note(uow: UnitOfWork, slug: str, partner_id: str, happened_on: date, summary: str) -> EngagementNote:
    commune = repo.commune_by_slug(uow.session, slug)
    partnership = repo.partnership(uow.session, commune, partner_id)
    model.check_not_in_future(happened_on, today(), "happened_on")
    note = EngagementNote(commune_id=commune.id, partnership_id=partnership.id,
                          happened_on=happened_on, summary=summary.strip())
    uow.session.add(note)
    uow.commit()
    return note


def delete_note(uow: UnitOfWork, slug: str, partner_id: str, note_id: int) -> None:
    commune = repo.commune_by_slug(uow.session, slug)
    note = repo.note(uow.session, repo.partnership(uow.session, commune, partner_id), note_id)
    overwrite_deleted_rows(uow.session)
    uow.session.delete(note)
    uow.commit()
