"""The programme's pages for a coordinator: sign-in, phase timeline, objectives and actions."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from shared.errors import DomainError
from shared.http.app import csrf
from shared.http.auth import current_principal
from shared.http.pages import load_form, page_access, safe_next, sign_in, sign_out
from shared.http.schemas import StrictBoolean

from programme.adapters import repository as repo
from programme.api import schemas
from programme.api.login_throttle import TOO_MANY_ATTEMPTS, client_address, throttle
from programme.api.routes import issuer, language, phase_view, uow
from programme.domain.model import ACTION_STATUS_LABELS, INDICATOR_LABELS, startable_phase
from programme.service_layer import handlers

pages = Blueprint("programme_pages", __name__)


class ActivityFormSchema(Schema):
    done = StrictBoolean(required=True)


def _translated_domain_error(error: DomainError) -> str:
    return _(error.message, **error.params)


@pages.get("/")
def home():
    principal = current_principal()
    if principal is None:
        return redirect(url_for(".login"))
    if not principal.is_regional and len(principal.communes) == 1:
        return redirect(url_for(".timeline", commune=principal.communes[0]))
    with uow() as work:
        communes = repo.communes(work.session, None if principal.is_regional else principal.communes)
        phases = {c.slug: next((p.number for p in repo.phases(work.session, c) if p.status == "active"), None)
                  for c in communes}
    return render_template("home.html", communes=communes, phases=phases)


@pages.route("/login", methods=["GET", "POST"])
def login():
    error = None
    email = ""
    if request.method == "POST":
        csrf.protect()
        email = request.form.get("email", "").strip()[:254]
        password = request.form.get("password", "")[:200]
        wait = throttle().retry_after(email, client_address())
        if wait:
            return render_template("login.html", error=_(TOO_MANY_ATTEMPTS), email=email), 429, \
                {"Retry-After": str(wait)}
        with uow() as work:
            account = handlers.authenticate(work, email, password) if email and password else None
            if account is not None:
                token = issuer().issue(str(account.id), account.role,
                                       [c.slug for c in account.communes], account.email)
        if account is None:
            if email and password:
                throttle().failed(email, client_address())
            error = _("Wrong e-mail address or password.")
        else:
            throttle().succeeded(email)
            sign_in(token)
            return redirect(safe_next(request.args.get("next"), url_for(".home")))
    return render_template("login.html", error=error, email=email), 401 if error else 200


@pages.post("/logout")
def logout():
    csrf.protect()
    sign_out()
    flash(_("You are signed out."))
    return redirect(url_for(".login"))


@pages.get("/communes/<commune>")
@page_access()
def timeline(commune):
    with uow() as work:
        commune_row, entries = handlers.phase_timeline(work, commune)
    phases = [phase_view(entry, language()) for entry in entries]
    return render_template("timeline.html", commune=commune_row, phases=phases,
                           startable=startable_phase([entry["row"] for entry in entries]),
                           can_write=current_principal().can_write(commune))


@pages.post("/communes/<commune>/phases/<int:number>/activities/<key>")
@page_access(write=True)
def tick_activity(commune, number, key):
    data, errors = load_form(ActivityFormSchema(), {"done": request.form.get("done") == "true"})
    with uow() as work:
        try:
            handlers.set_activity(work, commune, number, key, data["done"])
            flash(_("Checklist saved.") if data["done"] else _("Activity marked as not done."))
        except DomainError as error:
            flash(_translated_domain_error(error), "error")
    return redirect(url_for(".timeline", commune=commune) + f"#phase-{number}")


TRANSITIONS = {"start": handlers.start_phase, "complete": handlers.complete_phase}


@pages.post("/communes/<commune>/phases/<int:number>/<transition>")
@page_access(write=True)
def change_phase(commune, number, transition):
    with uow() as work:
        try:
            if transition == "reopen":
                handlers.reopen_phase(work, commune, number, current_principal())
            elif transition in TRANSITIONS:
                TRANSITIONS[transition](work, commune, number)
            else:
                return render_template("error.html", error={"status": _("Not found."), "message": ""}), 404
            flash(_("Phase %(number)s updated.", number=number))
        except DomainError as error:
            flash(_translated_domain_error(error), "error")
    return redirect(url_for(".timeline", commune=commune) + f"#phase-{number}")


@pages.get("/communes/<commune>/plan")
@page_access()
def plan(commune, errors=None, form=None, status=200):
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        themes = repo.themes(work.session, commune_row)
        objectives = repo.objectives(work.session, commune_row)
        actions = repo.actions(work.session, commune_row)
    return render_template("plan.html", commune=commune_row, themes=themes, objectives=objectives,
                           actions=actions, status_labels=ACTION_STATUS_LABELS,
                           indicator_labels=INDICATOR_LABELS,
                           errors=errors or {}, form=form or {},
                           can_write=current_principal().can_write(commune)), status


PLAN_FORMS = {
    "themes": (schemas.ThemeCreateSchema, lambda work, commune, data: handlers.define_theme(
        work, commune, data["title"], data["description"])),
    "objectives": (schemas.ObjectiveCreateSchema, lambda work, commune, data: handlers.set_objective(
        work, commune, **data)),
    "actions": (schemas.ActionCreateSchema, lambda work, commune, data: handlers.save_action(
        work, commune, **data)),
}


class ActionStatusFormSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(ACTION_STATUS_LABELS))


@pages.post("/communes/<commune>/plan/actions/<int:action_id>/status")
@page_access(write=True)
def change_action_status(commune, action_id):
    data, errors = load_form(ActionStatusFormSchema(), request.form)
    if data is None:
        flash(" ".join(errors.get("status", [])), "error")
    else:
        with uow() as work:
            try:
                handlers.save_action(work, commune, action_id, status=data["status"])
                flash(_("Saved."))
            except DomainError as error:
                flash(_translated_domain_error(error), "error")
    return redirect(url_for(".plan", commune=commune) + "#actions")


@pages.post("/communes/<commune>/plan/<kind>")
@page_access(write=True)
def add_to_plan(commune, kind):
    if kind not in PLAN_FORMS:
        return render_template("error.html", error={"status": _("Not found."), "message": ""}), 404
    schema_class, handler = PLAN_FORMS[kind]
    form = request.form.to_dict()
    for list_field in ("partner_ids", "event_ids"):
        if list_field in form:
            form[list_field] = [part.strip() for part in form[list_field].split(",") if part.strip()]
    for int_field in ("theme_id", "objective_id"):
        if form.get(int_field, "").isdigit():
            form[int_field] = int(form[int_field])
    data, errors = load_form(schema_class(), form)
    if data is not None:
        with uow() as work:
            try:
                handler(work, commune, data)
                flash(_("Saved."))
                return redirect(url_for(".plan", commune=commune) + f"#{kind}")
            except DomainError as error:
                errors = {error.field or "title": [_translated_domain_error(error)]}
    return plan(commune=commune, errors={kind: errors}, form={kind: request.form}, status=422)
