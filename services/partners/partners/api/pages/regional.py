"""Pages: the region's catalogue of regional partners (read by all staff, kept by the region)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shared.errors import DomainError
from shared.http.auth import current_principal
from shared.http.pages import load_form, page_access

from partners.adapters import repository as repo
from partners.api import schemas
from partners.api.pages import domain_errors, form_values, load_complete, not_found, pages
from partners.api.pages.partners import LABELS
from partners.api.routes import uow
from partners.service_layer import handlers


def _catalogue(errors=None, form=None, status=200):
    with uow() as work:
        partners = repo.regional_partners(work.session)
        communes = {p.id: len(repo.partnerships_with(work.session, p)) for p in partners}
    return render_template("regional.html", partners=partners, communes=communes, errors=errors or {},
                           form=form or {}, is_regional=current_principal().is_regional, **LABELS), status


@pages.get("/regional")
@page_access()
def regional_list():
    return _catalogue()


@pages.post("/regional")
@page_access()
def regional_add():
    if not current_principal().is_regional:
        abort(403)
    data, errors = load_form(schemas.OrganisationSchema(), form_values(request.form, comma_lists=("themes",)))
    if data is not None:
        with uow() as work:
            try:
                partner = handlers.register_regional(work, **data)
                flash(_("%(name)s is registered as a regional partner.", name=partner.name))
                return redirect(url_for(".regional_list") + "#regional-partners")
            except DomainError as error:
                errors = domain_errors(error, "name")
    return _catalogue(errors, request.form, 422)


@pages.route("/regional/<partner_id>/edit", methods=["GET", "POST"])
@page_access()
def regional_edit(partner_id):
    if not current_principal().is_regional:
        abort(403)
    with uow() as work:
        try:
            partner = repo.regional_partner(work.session, partner_id)
        except DomainError:
            return not_found()
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        submitted = form_values(form, comma_lists=("themes",))
        data, errors = load_complete(schemas.OrganisationUpdateSchema(), {
            name: submitted.get(name, [] if name == "themes" else "")
            for name in ("name", "kind", "themes", "address", "website")})
        if data is not None:
            with uow() as work:
                try:
                    handlers.update_regional(work, partner_id, **data)
                    flash(_("Saved."))
                    return redirect(url_for(".regional_list"))
                except DomainError as error:
                    errors = domain_errors(error, "name")
    return render_template("regional_form.html", partner=partner, errors=errors, form=form,
                           **LABELS), 422 if errors else 200
