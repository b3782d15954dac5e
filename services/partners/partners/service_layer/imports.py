"""Importing a commune's partner list (preview, then all rows or nothing) and exporting it.

A preview with any row in error is shown and not kept: nothing can be confirmed from it.
A clean preview is kept until confirmed (or for a day); confirming checks every row again
against the network as it is then, and adds them all in one transaction — or none.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import delete

from shared.contracts.envelope import utcnow
from shared.db.uow import UnitOfWork
from shared.errors import Conflict
from shared.text import N_

from partners.adapters import repository as repo
from partners.adapters import spreadsheets
from partners.adapters.erasure import overwrite_deleted_rows
from partners.adapters.orm import Contact, Partner, PartnerImport
from partners.domain import importing
from partners.service_layer import handlers

KEPT_FOR = timedelta(days=1)


def _check(uow: UnitOfWork, commune, headers: list[str], rows: list[list[str]]) -> list[importing.RowResult]:
    session = uow.session
    joined = {p.partner_id for p in repo.partnerships(session, commune)}
    regional = {p.name_key: (p.id, p.name) for p in repo.regional_partners(session) if p.id not in joined}
    return importing.check_rows(headers, rows, repo.taken_names(session, commune), regional,
                                handlers.today())


def preview(uow: UnitOfWork, slug: str, filename: str, data: bytes) -> tuple[PartnerImport | None, list]:
    """The rows as they would be imported, each with its errors; kept only if all are valid."""
    commune = repo.commune_by_slug(uow.session, slug)
    headers, rows = spreadsheets.read_table(data)
    results = _check(uow, commune, headers, rows)
    overwrite_deleted_rows(uow.session)
    uow.session.execute(delete(PartnerImport).where(PartnerImport.created_at < utcnow() - KEPT_FOR))
    kept = None
    if all(result.valid for result in results):
        kept = PartnerImport(id=str(uuid.uuid4()), commune_id=commune.id, filename=filename[:200],
                             headers=headers, rows=rows)
        uow.session.add(kept)
    uow.commit()
    return kept, results


def confirm(uow: UnitOfWork, slug: str, import_id: str) -> list:
    commune = repo.commune_by_slug(uow.session, slug)
    kept = repo.partner_import(uow.session, commune, import_id)
    results = _check(uow, commune, kept.headers, kept.rows)
    invalid = [result for result in results if not result.valid]
    if invalid:
        raise Conflict(N_("The partner list changed since the preview: %(count)s rows are no longer "
                          "valid (first: line %(line)s). Nothing was imported; upload the file again."),
                       field="file", count=len(invalid), line=invalid[0].line)
    added = [_add_row(uow, commune, result) for result in results]
    overwrite_deleted_rows(uow.session)
    uow.session.delete(kept)
    uow.commit()
    return added


def _add_row(uow: UnitOfWork, commune, result: importing.RowResult):
    """One checked row into the network (no query: a list of 2,000 goes in at once)."""
    row = result.cleaned
    since = date.fromisoformat(row["status_since"]) if "status_since" in row else None
    common = dict(status=row["status"], roles=row["roles"], notes=row["notes"], status_since=since)
    if result.joins:
        partner = uow.session.get(Partner, result.joins)
        partnership = handlers.start_partnership(uow, commune, partner, **common)
    else:
        partnership = handlers.insert_local(
            uow, commune, name=row["name"], kind=row["kind"], themes=row["themes"],
            address=row["address"], website=row["website"], **common)
    for contact in row["contacts"]:
        uow.session.add(Contact(commune_id=commune.id, partnership=partnership,
                                name=contact["contact_name"], function=contact["contact_function"],
                                email=contact["contact_email"], phone=contact["contact_phone"]))
    return partnership


def cancel(uow: UnitOfWork, slug: str, import_id: str) -> None:
    commune = repo.commune_by_slug(uow.session, slug)
    kept = repo.partner_import(uow.session, commune, import_id)
    overwrite_deleted_rows(uow.session)
    uow.session.delete(kept)
    uow.commit()


# -- export ------------------------------------------------------------------------------------
EXPORT_FIELDS = ("name", "kind", "regional", "address", "website", "themes", "status",
                 "status_since", "roles", "notes")


def export_table(uow: UnitOfWork, slug: str, with_contacts: bool) -> tuple[list[str], list[list[str]]]:
    """The commune's partners, one row each, under the import's own French headers so that an
    export imports again. Contact persons only for whom may see them: one per line in a cell."""
    session = uow.session
    commune = repo.commune_by_slug(session, slug)
    fields = EXPORT_FIELDS + (importing.CONTACT_FIELDS if with_contacts else ())
    rows = []
    for partnership in repo.partnerships(session, commune):
        values = _export_values(partnership)
        row = [values[name] for name in EXPORT_FIELDS]
        if with_contacts:
            contacts = repo.contacts(session, partnership)
            row += ["\n".join(getattr(c, attribute) for c in contacts)
                    for attribute in ("name", "function", "email", "phone")]
        rows.append(row)
    return [importing.header_label(name) for name in fields], rows


def _export_values(partnership) -> dict[str, str]:
    partner = partnership.partner
    return {"name": partner.name, "kind": importing.french_label("kind", partner.kind),
            "regional": "oui" if partner.regional else "non", "address": partner.address,
            "website": partner.website, "themes": ", ".join(partner.themes),
            "status": importing.french_label("status", partnership.status),
            "status_since": partnership.status_since.strftime("%d.%m.%Y"),
            "roles": ", ".join(importing.french_label("roles", r) for r in partnership.roles),
            "notes": partnership.notes}


def export_file(uow: UnitOfWork, slug: str, file_format: str, with_contacts: bool) -> bytes:
    headers, rows = export_table(uow, slug, with_contacts)
    if file_format == "xlsx":
        return spreadsheets.xlsx_bytes(headers, rows, "Partenaires")
    return spreadsheets.csv_bytes(headers, rows)
