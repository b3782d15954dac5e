"""The staff pages, for a commune's coordinator: the events and series, scheduling, the
registrations and the waiting list, attendance and feedback. French first, no JavaScript."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _

from shared.contracts.envelope import utcnow
from shared.errors import DomainError
from shared.http.auth import current_principal
from shared.http.pages import page_access

from events.adapters import repository as repo
from events.api import forms, schemas
from events.api.access import sees_contacts, uow
from events.domain import model
from events.service_layer import handlers, views

pages = Blueprint("events_pages", __name__)


@pages.app_template_filter("local_input")
def local_input_filter(moment):
    return forms.local_input(moment)


@pages.app_context_processor
def labels():
    return {"kind_labels": model.KIND_LABELS, "status_labels": model.STATUS_LABELS,
            "registration_status_labels": model.REGISTRATION_STATUS_LABELS,
            "one_decimal": lambda value: format_decimal(value, format="0.0")}


@pages.get("/")
@page_access()
def home():
    principal = current_principal()
    if not principal.is_regional and len(principal.communes) == 1:
        return redirect(url_for(".commune_events", commune=principal.communes[0]))
    with uow() as work:
        communes = repo.communes(work.session, None if principal.is_regional else principal.communes)
    return render_template("staff/home.html", communes=communes)


@pages.get("/communes/<commune>")
@page_access()
def commune_events(commune, errors=None, form=None, status=200):
    now = utcnow()
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        entries = views.agenda(work.session, commune_row, since=None)
        series = repo.all_series(work.session, commune_row)
    upcoming = [v for v in entries if v["ends_at"] >= now]
    past = list(reversed([v for v in entries if v["ends_at"] < now]))
    return render_template("staff/events.html", commune=commune_row, upcoming=upcoming, past=past,
                           series=series, errors=errors or {}, form=form or {}, now=now,
                           can_write=current_principal().can_write(commune)), status


@pages.post("/communes/<commune>/series")
@page_access(write=True)
def create_series(commune):
    data, errors = forms.read(schemas.SeriesCreateSchema(), request.form)
    if data is not None:
        try:
            with uow() as work:
                handlers.create_series(work, commune, **data)
            flash(_("Series created. Choose it when you schedule its events."))
            return redirect(url_for(".commune_events", commune=commune) + "#series")
        except DomainError as error:
            errors = forms.refusal(error)
    return commune_events(commune=commune, errors=errors, form=request.form, status=422)


# -- scheduling and changing -----------------------------------------------------------------
def _event_form(commune: str, event=None, errors=None, form=None, status=200):
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        series = repo.all_series(work.session, commune_row)
        partners = repo.partners(work.session, commune_row)
    kept = [] if event is None else [p for p in event["partners"]
                                     if p["id"] not in {partner.partner_id for partner in partners}]
    return render_template("staff/event_form.html", commune=commune_row, event=event, series=series,
                           partners=partners, former_partners=kept, errors=errors or {}, form=form,
                           usual_phase=model.USUAL_PHASE), status


def _form_values(form) -> dict:
    """What a re-shown form holds: the text sent, ticked boxes as lists."""
    values = form.to_dict()
    values["partner_ids"] = form.getlist("partner_ids")
    return values


@pages.route("/communes/<commune>/new", methods=["GET", "POST"])
@page_access(write=True)
def schedule(commune):
    if request.method == "GET":
        preset = {"series_id": request.args.get("series_id", ""), "partner_ids": []}
        return _event_form(commune, form=preset)
    data, errors = forms.read(forms.EventForm(), request.form, lists=("partner_ids",))
    if data is not None:
        try:
            with uow() as work:
                row = handlers.schedule_event(work, commune, **data)
            flash(_("The event is scheduled and in the public agenda."))
            return redirect(url_for(".event_page", commune=commune, event_id=row.id))
        except DomainError as error:
            if error.status == 404 and error.field is None:
                raise
            errors = forms.refusal(error)
    return _event_form(commune, errors=errors, form=_form_values(request.form), status=422)


def _event_view(commune: str, event_id: str) -> dict:
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        return views.event_view(work.session, commune_row, repo.event(work.session, commune_row, event_id))


@pages.route("/communes/<commune>/events/<event_id>/edit", methods=["GET", "POST"])
@page_access(write=True)
def edit(commune, event_id):
    event = _event_view(commune, event_id)
    if request.method == "GET":
        form = {**event, "starts_at": forms.local_input(event["starts_at"]),
                "ends_at": forms.local_input(event["ends_at"]), "series_id": event["series_id"] or "",
                "capacity": event["capacity"] or "", "partner_ids": [p["id"] for p in event["partners"]]}
        return _event_form(commune, event, form=form)
    data, errors = forms.read(forms.EventForm(), request.form, lists=("partner_ids",))
    if data is not None:
        for name in ("starts_at", "ends_at"):  # the form shows minutes: an unchanged minute keeps the time
            if forms.local_input(data[name]) == forms.local_input(event[name]):
                data[name] = event[name]
        try:
            with uow() as work:
                handlers.update_event(work, commune, event_id, **data)
            flash(_("Changes saved."))
            return redirect(url_for(".event_page", commune=commune, event_id=event_id))
        except DomainError as error:
            if error.status == 404 and error.field is None:
                raise
            errors = forms.refusal(error)
    return _event_form(commune, event, errors=errors, form=_form_values(request.form), status=422)


# -- one event: registrations, attendance, feedback ------------------------------------------
@pages.get("/communes/<commune>/events/<event_id>")
@page_access()
def event_page(commune, event_id, errors=None, form=None, status=200):
    principal = current_principal()
    contacts = sees_contacts(principal, commune)
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        row = repo.event(work.session, commune_row, event_id)
        view = views.event_view(work.session, commune_row, row)
        registrations = repo.registrations(work.session, row)
        listed = [views.registration_view(r, registrations) for r in registrations] if contacts else []
        answers = repo.feedback(work.session, row) if principal.can_write(commune) else []
    now = utcnow()
    return render_template("staff/event.html", commune=commune_row, event=view, registrations=listed,
                           answers=answers, sees_contacts=contacts, can_write=principal.can_write(commune),
                           started=view["starts_at"] <= now, errors=errors or {}, form=form or {},
                           feedback_url=url_for("events_public.feedback", token=view["feedback_token"],
                                                _external=True),
                           public_url=url_for("events_public.event", commune=commune, event_id=event_id,
                                              _external=True)), status


def _act(commune: str, event_id: str, section: str, form_class, action, lists=()):
    """Read a form of the event page, apply it, and come back to the page at its section."""
    data, errors = forms.read(form_class(), request.form, lists=lists)
    if data is not None:
        try:
            with uow() as work:
                action(work, data)
            flash(_("Saved."))
            return redirect(url_for(".event_page", commune=commune, event_id=event_id) + f"#{section}")
        except DomainError as error:
            if error.status == 404 and error.field is None:
                raise
            errors = forms.refusal(error)
    return event_page(commune=commune, event_id=event_id, errors={section: errors},
                      form={section: request.form}, status=422)


@pages.post("/communes/<commune>/events/<event_id>/cancel")
@page_access(write=True)
def cancel(commune, event_id):
    return _act(commune, event_id, "cancel", schemas.CancelSchema,
                lambda work, data: handlers.cancel_event(work, commune, event_id, data["reason"]))


@pages.post("/communes/<commune>/events/<event_id>/attendance")
@page_access(write=True)
def attendance(commune, event_id):
    def record(work, data):
        ids = data["attended_registration_ids"]
        if ids is None and request.form.get("per_person") == "1" and sees_contacts(current_principal(), commune):
            ids = []  # the list was shown and nobody ticked: none of the registered came
        handlers.record_attendance(work, commune, event_id, data["head_count"], ids)
    return _act(commune, event_id, "attendance", forms.AttendanceForm, record,
                lists=("attended_registration_ids",))


@pages.post("/communes/<commune>/events/<event_id>/feedback")
@page_access(write=True)
def feedback(commune, event_id):
    return _act(commune, event_id, "feedback", forms.FeedbackForm,
                lambda work, data: handlers.record_feedback(work, commune, event_id, **data))


@pages.post("/communes/<commune>/events/<event_id>/registrations/<int:registration_id>/cancel")
@page_access(write=True)
def cancel_registration(commune, event_id, registration_id):
    if not sees_contacts(current_principal(), commune):
        return render_template("error.html", error={"status": _("You do not have access to this resource."),
                                                    "message": ""}), 403
    try:
        with uow() as work:
            handlers.cancel_registration(work, commune, event_id, registration_id)
        flash(_("Registration cancelled; the waiting list moved up where places allowed."))
    except DomainError as error:
        if error.status == 404:
            raise
        flash(_(error.message, **error.params), "error")
    return redirect(url_for(".event_page", commune=commune, event_id=event_id) + "#registrations")
