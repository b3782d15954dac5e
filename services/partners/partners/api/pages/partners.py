"""Pages: the partner list, adding and editing a partner, and a partner's file (status,
roles, contact persons, engagement log, links, end of the partnership)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shared.errors import DomainError
from shared.http.auth import current_principal
from shared.http.pages import load_form, page_access

from partners.adapters import repository as repo
from partners.api import schemas
from partners.api.pages import domain_errors, form_values, load_complete, not_found, pages
from partners.api.routes import sees_contacts, uow
from partners.domain import model
from partners.service_layer import handlers, network, records

LABELS = {"kinds": model.KIND_LABELS, "statuses": model.STATUS_LABELS, "roles": model.ROLE_LABELS,
          "relations": model.RELATION_LABELS, "targets": model.TARGET_LABELS}


@pages.get("/")
def home():
    principal = current_principal()
    if principal is None:
        return redirect("/programme/login?" + urlencode({"next": "/partners/"}))
    if not principal.is_regional and len(principal.communes) == 1:
        return redirect(url_for(".partner_list", commune=principal.communes[0]))
    with uow() as work:
        communes = repo.communes(work.session, None if principal.is_regional else principal.communes)
        counts = {c.slug: len(repo.partnerships(work.session, c)) for c in communes}
    return render_template("home.html", communes=communes, counts=counts)


# -- the list, adding a partner, joining a regional one ------------------------------------------
@pages.get("/communes/<commune>")
@page_access()
def partner_list(commune, errors=None, form=None, status=200):
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        partnerships = repo.partnerships(work.session, commune_row)
        joined = {p.partner_id for p in partnerships}
        regional = [(p.id, f"{p.name} — {_(model.KIND_LABELS[p.kind])}")
                    for p in repo.regional_partners(work.session) if p.id not in joined]
    chosen = request.args.get("status")
    shown = [p for p in partnerships if chosen in (None, "", p.status)]
    return render_template("partners.html", commune=commune_row, partnerships=shown, total=len(partnerships),
                           chosen=chosen or "", regional=regional, errors=errors or {}, form=form or {},
                           can_write=current_principal().can_write(commune), **LABELS), status


@pages.route("/communes/<commune>/new", methods=["GET", "POST"])
@page_access(write=True)
def new_partner(commune):
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(schemas.PartnerCreateSchema(),
                                 form_values(form, lists=("roles",), comma_lists=("themes",)))
        if data is not None:
            with uow() as work:
                try:
                    partnership = handlers.add_partner(work, commune, **data)
                    flash(_("%(name)s is now in the network.", name=partnership.partner.name))
                    return redirect(url_for(".partner_file", commune=commune, partner_id=partnership.partner_id))
                except DomainError as error:
                    errors = domain_errors(error, "name")
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
    return render_template("partner_form.html", commune=commune_row, partner=None, errors=errors, form=form,
                           **LABELS), 422 if errors else 200


@pages.post("/communes/<commune>/join")
@page_access(write=True)
def join(commune):
    data, errors = load_form(schemas.JoinSchema(), form_values(request.form, lists=("roles",)))
    if data is not None:
        with uow() as work:
            try:
                partnership = handlers.join_regional(work, commune, **data)
                flash(_("%(name)s is now in the network.", name=partnership.partner.name))
                return redirect(url_for(".partner_file", commune=commune, partner_id=partnership.partner_id))
            except DomainError as error:
                errors = domain_errors(error, "partner_id")
    return partner_list(commune=commune, errors={"join": errors}, form={"join": request.form}, status=422)


# -- a partner's file ---------------------------------------------------------------------------
def _file_context(work, commune: str, partner_id: str) -> dict:
    session, principal = work.session, current_principal()
    commune_row = repo.commune_by_slug(session, commune)
    partnership = repo.partnership(session, commune_row, partner_id)
    can_write = principal.can_write(commune)
    view = network.network(work, commune)
    mine = [link for link in view.links
            if partner_id in (link.partner_id, link.target_id if link.target_type == "partner" else None)]
    return {
        "commune": commune_row, "partnership": partnership, "partner": partnership.partner,
        "history": repo.history(session, partnership), "can_write": can_write,
        "sees_contacts": sees_contacts(principal, commune),
        "contacts": repo.contacts(session, partnership) if sees_contacts(principal, commune) else [],
        "notes": repo.notes(session, partnership) if can_write else [],
        "links": mine, "names": view.names,
        "other_partners": [p for p in view.partners if p.id != f"partner:{partner_id}"],
        "activities": view.activities, "today": handlers.today(), **LABELS,
    }


@pages.get("/communes/<commune>/partners/<partner_id>")
@page_access()
def partner_file(commune, partner_id, errors=None, form=None, status=200):
    with uow() as work:
        try:
            context = _file_context(work, commune, partner_id)
        except DomainError:
            return not_found()
    return render_template("partner.html", errors=errors or {}, form=form or {}, **context), status


def _back(commune: str, partner_id: str, anchor: str):
    return redirect(url_for(".partner_file", commune=commune, partner_id=partner_id) + f"#{anchor}")


def _submit(commune, partner_id, section, schema, action, message, default_field, lists=(), comma_lists=()):
    """Validate a form of the partner's file, run its use case, come back to its section."""
    data, errors = load_form(schema, form_values(request.form, lists=lists, comma_lists=comma_lists))
    if data is not None:
        with uow() as work:
            try:
                action(work, data)
                flash(message)
                return _back(commune, partner_id, section)
            except DomainError as error:
                if error.status == 404 and error.field is None:
                    return not_found()
                errors = domain_errors(error, default_field)
    return partner_file(commune=commune, partner_id=partner_id, errors={section: errors},
                        form={section: request.form}, status=422)


@pages.post("/communes/<commune>/partners/<partner_id>/status")
@page_access(write=True)
def change_status(commune, partner_id):
    return _submit(commune, partner_id, "status", schemas.StatusChangeSchema(),
                   lambda work, data: handlers.change_status(work, commune, partner_id, **data),
                   _("Status saved."), "status")


@pages.post("/communes/<commune>/partners/<partner_id>/roles")
@page_access(write=True)
def set_roles(commune, partner_id):
    return _submit(commune, partner_id, "roles", schemas.RolesSchema(),
                   lambda work, data: handlers.set_roles(work, commune, partner_id, data["roles"]),
                   _("Roles saved."), "roles", lists=("roles",))


EDITABLE = ("name", "kind", "themes", "address", "website", "notes")


@pages.route("/communes/<commune>/partners/<partner_id>/edit", methods=["GET", "POST"])
@page_access(write=True)
def edit_partner(commune, partner_id):
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        try:
            partnership = repo.partnership(work.session, commune_row, partner_id)
        except DomainError:
            return not_found()
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        # Every field is sent, an emptied one too: emptying an input clears the field.
        submitted = form_values(form, comma_lists=("themes",))
        editable = ("notes",) if partnership.partner.regional else EDITABLE
        data, errors = load_complete(schemas.PartnerUpdateSchema(),
                                     {name: submitted.get(name, [] if name == "themes" else "")
                                      for name in editable})
        if data is not None:
            with uow() as work:
                try:
                    handlers.update_partner(work, commune, partner_id, **data)
                    flash(_("Saved."))
                    return redirect(url_for(".partner_file", commune=commune, partner_id=partner_id))
                except DomainError as error:
                    errors = domain_errors(error, "name")
    return render_template("partner_form.html", commune=commune_row, partner=partnership, errors=errors,
                           form=form, **LABELS), 422 if errors else 200


@pages.post("/communes/<commune>/partners/<partner_id>/end")
@page_access(write=True)
def end_partnership(commune, partner_id):
    with uow() as work:
        try:
            name = repo.partnership(work.session, repo.commune_by_slug(work.session, commune), partner_id).partner.name
            handlers.end_partnership(work, commune, partner_id)
        except DomainError:
            return not_found()
    flash(_("The partnership with %(name)s has ended; its contact persons, notes and links are deleted.",
            name=name))
    return redirect(url_for(".partner_list", commune=commune))


# -- contact persons, engagement log, links ------------------------------------------------------
def _contacts_guard(commune):
    return None if sees_contacts(current_principal(), commune) else (
        render_template("error.html", error={"status": _("You do not have access to this resource."),
                                             "message": _("Contact persons are shown to the commune's coordinators only.")}), 403)


@pages.post("/communes/<commune>/partners/<partner_id>/contacts")
@page_access(write=True)
def add_contact(commune, partner_id):
    refused = _contacts_guard(commune)
    return refused or _submit(commune, partner_id, "contacts", schemas.ContactCreateSchema(),
                              lambda work, data: records.add_contact(work, commune, partner_id, **data),
                              _("Contact person added."), "name")


@pages.post("/communes/<commune>/partners/<partner_id>/contacts/<int:contact_id>/erase")
@page_access(write=True)
def erase_contact(commune, partner_id, contact_id):
    refused = _contacts_guard(commune)
    if refused:
        return refused
    with uow() as work:
        try:
            records.erase_contact(work, commune, partner_id, contact_id)
        except DomainError:
            return not_found()
    flash(_("The contact person is erased."))
    return _back(commune, partner_id, "contacts")


@pages.post("/communes/<commune>/partners/<partner_id>/notes")
@page_access(write=True)
def add_note(commune, partner_id):
    return _submit(commune, partner_id, "notes", schemas.NoteCreateSchema(),
                   lambda work, data: records.add_note(work, commune, partner_id, **data),
                   _("Note added to the log."), "summary")


@pages.post("/communes/<commune>/partners/<partner_id>/notes/<int:note_id>/delete")
@page_access(write=True)
def delete_note(commune, partner_id, note_id):
    with uow() as work:
        try:
            records.delete_note(work, commune, partner_id, note_id)
        except DomainError:
            return not_found()
    flash(_("Note deleted."))
    return _back(commune, partner_id, "notes")


def _link_values(partner_id: str) -> dict:
    """The form's one "with" choice ("partner:<id>", "event:<id>") into the API's fields."""
    target_type, _sep, target_id = request.form.get("target", "").partition(":")
    return {"partner_id": partner_id, "target_type": target_type, "target_id": target_id,
            "relation": request.form.get("relation", "")}


@pages.post("/communes/<commune>/partners/<partner_id>/links")
@page_access(write=True)
def add_link(commune, partner_id):
    data, errors = load_form(schemas.LinkCreateSchema(), _link_values(partner_id))
    if data is not None:
        with uow() as work:
            try:
                network.create_link(work, commune, **data)
                flash(_("Link saved."))
                return _back(commune, partner_id, "links")
            except DomainError as error:
                errors = domain_errors(error, "target_id")
    if "target_type" in errors or "target_id" in errors:
        errors["target"] = errors.pop("target_type", []) + errors.pop("target_id", [])
    return partner_file(commune=commune, partner_id=partner_id, errors={"links": errors},
                        form={"links": request.form}, status=422)


@pages.post("/communes/<commune>/links/<link_id>/delete")
@page_access(write=True)
def delete_link(commune, link_id):
    back = request.form.get("partner_id", "")
    with uow() as work:
        try:
            network.delete_link(work, commune, link_id)
            flash(_("Link removed."))
        except DomainError as error:
            if error.status == 404:
                return not_found()
            flash(_(error.message, **error.params), "error")
    if back:
        return _back(commune, back, "links")
    return redirect(url_for(".network_page", commune=commune))
