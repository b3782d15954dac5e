"""The partners' JSON API: /partners/api/v1/…"""
from __future__ import annotations

import functools

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from shared.http.auth import Principal, commune_access, require_principal, require_role

from partners.adapters import repository as repo
from partners.api import schemas
from partners.service_layer import handlers, records

regional_blp = Blueprint("regional", __name__, url_prefix="/regional-partners",
                         description="Regional partners: registered once by the region")
communes_blp = Blueprint("partners", __name__, url_prefix="/communes",
                         description="A commune's partners, contact persons, engagement log, links, "
                                     "network, import and export")


def uow():
    return current_app.extensions["asp_runtime"].unit_of_work()


def sees_contacts(principal: Principal, commune: str) -> bool:
    """Contact persons are personal data: the commune's own coordinators only (not viewers,
    not other communes, not the region)."""
    return principal.role == "coordinator" and commune in principal.communes


def contacts_access(view):
    @functools.wraps(view)
    @commune_access()
    def guarded(*args, **kwargs):
        if not sees_contacts(require_principal(), kwargs["commune"]):
            abort(403, message=_("Contact persons are shown to the commune's coordinators only."))
        return view(*args, **kwargs)
    return guarded


def partner_view(session, partnership, with_reasons: bool) -> dict:
    history = [{"status": c.status, "previous_status": c.previous_status, "changed_on": c.changed_on,
                "reason": c.reason if with_reasons else ""} for c in repo.history(session, partnership)]
    return {"partner_id": partnership.partner_id, "partner": partnership.partner,
            "status": partnership.status, "status_since": partnership.status_since,
            "roles": partnership.roles, "notes": partnership.notes,
            "started_on": partnership.started_on, "history": history}


# -- regional partners ---------------------------------------------------------------------------
@regional_blp.route("")
class RegionalPartners(MethodView):
    @regional_blp.response(200, schemas.RegionalPartnerSchema(many=True))
    def get(self):
        """Regional partners (any signed-in staff: communes pick from them)"""
        require_principal()
        with uow() as work:
            return repo.regional_partners(work.session)

    @require_role("regional_admin")
    @regional_blp.arguments(schemas.OrganisationSchema)
    @regional_blp.response(201, schemas.RegionalPartnerSchema)
    def post(self, body):
        """Register a regional partner (regional staff)"""
        with uow() as work:
            return handlers.register_regional(work, **body)


@regional_blp.route("/<partner_id>")
class RegionalPartner(MethodView):
    @regional_blp.response(200, schemas.RegionalPartnerSchema)
    def get(self, partner_id):
        """One regional partner"""
        require_principal()
        with uow() as work:
            return repo.regional_partner(work.session, partner_id)

    @require_role("regional_admin")
    @regional_blp.arguments(schemas.OrganisationUpdateSchema)
    @regional_blp.response(200, schemas.RegionalPartnerSchema)
    def patch(self, body, partner_id):
        """Change a regional partner's details (every commune working with it is told)"""
        with uow() as work:
            return handlers.update_regional(work, partner_id, **body)


# -- a commune's partners --------------------------------------------------------------------------
@communes_blp.route("/<commune>/partners")
class Partners(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.PartnerSchema(many=True))
    def get(self, commune):
        """The commune's partners, with their status and roles"""
        with uow() as work:
            return repo.partnerships(work.session, repo.commune_by_slug(work.session, commune))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.PartnerCreateSchema)
    @communes_blp.response(201, schemas.PartnerDetailSchema)
    def post(self, body, commune):
        """Add a local partner to the commune's network"""
        with uow() as work:
            partnership = handlers.add_partner(work, commune, **body)
            return partner_view(work.session, partnership, True)


@communes_blp.route("/<commune>/partnerships", methods=["POST"])
@commune_access(write=True)
@communes_blp.arguments(schemas.JoinSchema)
@communes_blp.response(201, schemas.PartnerDetailSchema)
def join_regional(body, commune):
    """Start the commune's own partnership with a regional partner"""
    with uow() as work:
        partnership = handlers.join_regional(work, commune, **body)
        return partner_view(work.session, partnership, True)


@communes_blp.route("/<commune>/partners/<partner_id>")
class PartnerItem(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.PartnerDetailSchema)
    def get(self, commune, partner_id):
        """One partner with its status history (reasons for staff who may change it)"""
        with uow() as work:
            partnership = repo.partnership(work.session, repo.commune_by_slug(work.session, commune), partner_id)
            return partner_view(work.session, partnership, require_principal().can_write(commune))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.PartnerUpdateSchema)
    @communes_blp.response(200, schemas.PartnerDetailSchema)
    def patch(self, body, commune, partner_id):
        """Change a local partner's details, or the commune's notes on any partner"""
        with uow() as work:
            partnership = handlers.update_partner(work, commune, partner_id, **body)
            return partner_view(work.session, partnership, True)

    @commune_access(write=True)
    @communes_blp.response(204)
    def delete(self, commune, partner_id):
        """End the partnership: the partner leaves the network with its contacts, notes and links"""
        with uow() as work:
            handlers.end_partnership(work, commune, partner_id)


@communes_blp.route("/<commune>/partners/<partner_id>/status", methods=["POST"])
@commune_access(write=True)
@communes_blp.arguments(schemas.StatusChangeSchema)
@communes_blp.response(200, schemas.PartnerDetailSchema)
def change_status(body, commune, partner_id):
    """Move the partnership to another status (back to an earlier one: with a reason)"""
    with uow() as work:
        partnership = handlers.change_status(work, commune, partner_id, **body)
        return partner_view(work.session, partnership, True)


@communes_blp.route("/<commune>/partners/<partner_id>/roles", methods=["PUT"])
@commune_access(write=True)
@communes_blp.arguments(schemas.RolesSchema)
@communes_blp.response(200, schemas.PartnerDetailSchema)
def set_roles(body, commune, partner_id):
    """The roles the partner takes"""
    with uow() as work:
        partnership = handlers.set_roles(work, commune, partner_id, body["roles"])
        return partner_view(work.session, partnership, True)


# -- contact persons (coordinators only) and the engagement log -----------------------------------
@communes_blp.route("/<commune>/partners/<partner_id>/contacts")
class Contacts(MethodView):
    @contacts_access
    @communes_blp.response(200, schemas.ContactSchema(many=True))
    def get(self, commune, partner_id):
        """Contact persons (the commune's coordinators only)"""
        with uow() as work:
            partnership = repo.partnership(work.session, repo.commune_by_slug(work.session, commune), partner_id)
            return repo.contacts(work.session, partnership)

    @contacts_access
    @communes_blp.arguments(schemas.ContactCreateSchema)
    @communes_blp.response(201, schemas.ContactSchema)
    def post(self, body, commune, partner_id):
        """Add a contact person"""
        with uow() as work:
            return records.add_contact(work, commune, partner_id, **body)


@communes_blp.route("/<commune>/partners/<partner_id>/contacts/<int:contact_id>")
class ContactItem(MethodView):
    @contacts_access
    @communes_blp.arguments(schemas.ContactUpdateSchema)
    @communes_blp.response(200, schemas.ContactSchema)
    def patch(self, body, commune, partner_id, contact_id):
        """Correct a contact person's details"""
        with uow() as work:
            return records.update_contact(work, commune, partner_id, contact_id, **body)

    @contacts_access
    @communes_blp.response(204)
    def delete(self, commune, partner_id, contact_id):
        """Erase a contact person (on request): deleted, not hidden"""
        with uow() as work:
            records.erase_contact(work, commune, partner_id, contact_id)


@communes_blp.route("/<commune>/partners/<partner_id>/notes")
class Notes(MethodView):
    @commune_access(write=True)
    @communes_blp.response(200, schemas.NoteSchema(many=True))
    def get(self, commune, partner_id):
        """The engagement log: dated notes of meetings and exchanges (staff who may change it)"""
        with uow() as work:
            partnership = repo.partnership(work.session, repo.commune_by_slug(work.session, commune), partner_id)
            return repo.notes(work.session, partnership)

    @commune_access(write=True)
    @communes_blp.arguments(schemas.NoteCreateSchema)
    @communes_blp.response(201, schemas.NoteSchema)
    def post(self, body, commune, partner_id):
        """Add a note to the engagement log"""
        with uow() as work:
            return records.add_note(work, commune, partner_id, body["happened_on"], body["summary"])


@communes_blp.route("/<commune>/partners/<partner_id>/notes/<int:note_id>", methods=["DELETE"])
@commune_access(write=True)
@communes_blp.response(204)
def delete_note(commune, partner_id, note_id):
    """Delete a note of the engagement log"""
    with uow() as work:
        records.delete_note(work, commune, partner_id, note_id)


# The network's and the import's routes, on the same blueprint.
from partners.api import network_routes, transfer_routes  # noqa: E402,F401
