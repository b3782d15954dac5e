"""The public pages, for residents (no sign-in): a commune's agenda, each event's page with its
registration form, the personal page of a registration, the feedback form, iCalendar feeds.

Every form is CSRF-protected like the staff forms. Personal pages live under an unguessable
token, are never cached and never indexed.
"""
from __future__ import annotations

import functools

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shared.contracts.envelope import utcnow
from shared.errors import DomainError
from shared.http.app import csrf

from events.adapters import repository as repo
from events.api import forms
from events.api.access import uow
from events.api.calendar import feed
from events.config import retention_settings
from events.domain import model
from events.service_layer import handlers, views

public = Blueprint("events_public", __name__)

PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
RATE_LIMITER = "events_rate_limiter"  # app.extensions key: shared.http.rate_limit.RateLimiter


def public_form(view):
    """For views taking a public form: a client posting too fast gets a 429 before anything is
    read, then the CSRF token is checked as on the staff pages."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if request.method == "POST":
            refused = current_app.extensions[RATE_LIMITER].refusal()
            if refused is not None:
                return refused
            csrf.protect()
        return view(*args, **kwargs)
    return guarded


@public.get("/c/<commune>")
def agenda(commune):
    now = utcnow()
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        entries = views.agenda(work.session, commune_row, since=views.recent_past(now))
    upcoming = [v for v in entries if v["ends_at"] >= now]
    past = [v for v in entries if v["ends_at"] < now and v["status"] != model.CANCELLED]
    return render_template("public/agenda.html", commune=commune_row, now=now,
                           entries=views.grouped_by_series(upcoming), past=list(reversed(past)))


def _event_page(commune: str, event_id: str, errors: dict | None = None, form=None, status: int = 200):
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        view = views.event_view(work.session, commune_row, repo.event(work.session, commune_row, event_id))
    registration_open = _registration_open(view)
    return render_template("public/event.html", commune=commune_row, event=view,
                           registration_open=registration_open, errors=errors or {},
                           form=form or {}, retention_days=retention_settings().retention_days), status


def _registration_open(view: dict) -> bool:
    return (view["registration_required"] and view["status"] == model.SCHEDULED
            and view["starts_at"] > utcnow())


@public.route("/c/<commune>/e/<event_id>", methods=["GET", "POST"])
@public_form
def event(commune, event_id):
    if request.method == "GET":
        return _event_page(commune, event_id)
    data, errors = forms.read(forms.RegistrationForm(), request.form)
    if data is not None:
        try:
            with uow() as work:
                registration = handlers.register(work, commune, event_id, **data)
            # Its own fragment, or the browser keeps the form's (#register) across the redirect.
            return redirect(url_for(".registration", token=registration.token, new=1) + "#confirmation", 303)
        except DomainError as error:
            if error.status == 404:
                raise
            errors = forms.refusal(error)
    return _event_page(commune, event_id, errors, request.form, 422)


@public.get("/r/<token>")
def registration(token):
    with uow() as work:
        row = repo.registration_by_token(work.session, token)
        commune_row = repo.commune_of(work.session, row)
        event_row = repo.event(work.session, commune_row, row.event_id)
        registrations = repo.registrations(work.session, event_row)
        view = views.event_view(work.session, commune_row, event_row)
    mine = views.registration_view(row, registrations)
    now = utcnow()
    cancellable = (row.status != model.WITHDRAWN and view["status"] == model.SCHEDULED
                   and view["starts_at"] > now)
    page = render_template("public/registration.html", commune=commune_row, event=view, registration=mine,
                           token=token, new=request.args.get("new") == "1", cancellable=cancellable,
                           feedback_open=view["status"] != model.CANCELLED and view["starts_at"] <= now,
                           retention_days=retention_settings().retention_days)
    return page, 200, PRIVATE_HEADERS


@public.post("/r/<token>/cancel")
@public_form
def cancel_registration(token):
    with uow() as work:
        try:
            handlers.withdraw_registration(work, token)
        except DomainError as error:
            if error.status == 404:
                raise
            return render_template("public/refused.html", message=_(error.message, **error.params),
                                   back=url_for(".registration", token=token)), 409, PRIVATE_HEADERS
    return redirect(url_for(".registration", token=token), 303)


def _feedback_page(token: str, errors: dict | None = None, form=None, status: int = 200, thanks=False):
    with uow() as work:
        event_row = repo.event_by_feedback_token(work.session, token)
        commune_row = repo.commune_of(work.session, event_row)
        view = views.event_view(work.session, commune_row, event_row)
    try:
        model.check_feedback_open(event_row, utcnow())
        closed = None
    except DomainError as error:
        closed = _(error.message, **error.params)
    page = render_template("public/feedback.html", commune=commune_row, event=view, token=token,
                           closed=closed, errors=errors or {}, form=form or {}, thanks=thanks)
    return page, status, PRIVATE_HEADERS


@public.route("/feedback/<token>", methods=["GET", "POST"])
@public_form
def feedback(token):
    if request.method == "GET":
        return _feedback_page(token, thanks=request.args.get("thanks") == "1")
    data, errors = forms.read(forms.FeedbackForm(), request.form)
    if data is not None:
        try:
            with uow() as work:
                handlers.record_public_feedback(work, token, **data)
            return redirect(url_for(".feedback", token=token, thanks=1), 303)
        except DomainError as error:
            if error.status == 404:
                raise
            errors = forms.refusal(error)
    return _feedback_page(token, errors, request.form, 422)


# -- iCalendar -------------------------------------------------------------------------------
def _public_url(view: dict) -> str:
    return url_for(".event", commune=view["commune"], event_id=view["id"], _external=True)


@public.get("/c/<commune>/calendar.ics")
def commune_calendar(commune):
    now = utcnow()
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        entries = views.agenda(work.session, commune_row, since=views.recent_past(now))
    return feed(_("Events in %(commune)s", commune=commune_row.name), entries, _public_url, now)


@public.get("/c/<commune>/e/<event_id>/calendar.ics")
def event_calendar(commune, event_id):
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
        view = views.event_view(work.session, commune_row, repo.event(work.session, commune_row, event_id))
    return feed(view["title"], [view], _public_url, utcnow())
