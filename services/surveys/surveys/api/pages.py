"""The coordinators' pages: the commune's surveys, creating one from a template, publishing
with its QR code, closing and reopening, paper responses, results and participation."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from shared.contracts.envelope import utcnow
from shared.errors import DomainError
from shared.http.auth import current_principal
from shared.http.pages import load_form, page_access
from shared.http.schemas import SLUG
from shared.text import N_

from surveys.adapters import repository as repo
from surveys.api.common import (breakdown_reason, condition_notes, language, reads_free_text,
                                special_group_labels, survey_view, threshold, uow)
from surveys.api.forms import answers_from_form, form_value
from surveys.domain import model
from surveys.domain.questions import TYPE_LABELS, localized, questions_of
from surveys.service_layer import handlers, results as results_service

pages = Blueprint("surveys_pages", __name__)

# Worded as "<share> of respondents …", for shared.survey_indicators.
INDICATOR_LABELS = {
    "network_restricted_share": N_("rate their network in the commune as restricted or very restricted"),
    "neighbour_interaction_frequency": N_("talk with their neighbours once a month or less"),
    "interaction_duration": N_("have interactions that last a quarter of an hour at most"),
    "local_politics_interest": N_("show little or no interest in local politics (1 or 2 out of 5)"),
    "places_of_passage_share": N_("meet other residents in places of passage (street, shops, bus stop, school)"),
}


class CreateFormSchema(Schema):
    template = fields.String(required=True, validate=[validate.Length(max=60), SLUG])
    title = fields.String(validate=validate.Length(max=500))
    follow_up_of = fields.Integer(strict=False)


class SnapshotFormSchema(Schema):
    questions = fields.List(fields.String(validate=validate.Length(max=60)), required=True,
                            validate=validate.Length(min=1, max=100))
    as_of = fields.Date(load_default=None)


def _error_text(error: DomainError) -> str:
    return _(error.message, **error.params)


def _context(**values) -> dict:
    return {"lang": language(), "localized": localized, "status_labels": model.STATUS_LABELS,
            "type_labels": TYPE_LABELS, "indicator_labels": INDICATOR_LABELS, **values}


@pages.get("/")
def home():
    principal = current_principal()
    if principal is None:
        return redirect(f"/programme/login?next={url_for('.home')}")
    if not principal.is_regional and len(principal.communes) == 1:
        return redirect(url_for(".commune_surveys", commune=principal.communes[0]))
    with uow() as work:
        communes = repo.communes(work.session, None if principal.is_regional else principal.communes)
        counts = {c.slug: len(repo.surveys(work.session, c.slug)) for c in communes}
    return render_template("surveys_home.html", **_context(communes=communes, counts=counts))


@pages.get("/communes/<commune>")
@page_access()
def commune_surveys(commune, errors=None, status=200):
    with uow() as work:
        commune_row = repo.commune(work.session, commune)
        surveys = repo.surveys(work.session, commune)
        counts = repo.response_counts(work.session, commune)
        templates = repo.templates(work.session)
    return render_template("commune_surveys.html", **_context(
        commune=commune_row, surveys=surveys, counts=counts, templates=templates, errors=errors or {},
        can_write=current_principal().can_write(commune))), status


@pages.post("/communes/<commune>/surveys")
@page_access(write=True)
def create(commune):
    data, errors = load_form(CreateFormSchema(), request.form)
    if data is not None:
        title = {"fr": data["title"].strip()} if data.get("title", "").strip() else None
        with uow() as work:
            try:
                if title:
                    title = {**repo.template(work.session, data["template"])["title"], **title}
                survey = handlers.create_survey(work, commune, template=data["template"], title=title,
                                                follow_up_of=data.get("follow_up_of"))
                flash(_("The draft survey is ready. Check it, then publish it."))
                return redirect(url_for(".survey", commune=commune, survey_id=survey.id))
            except DomainError as error:
                errors = {error.field or "template": [_error_text(error)]}
    return commune_surveys(commune=commune, errors=errors, status=422)


@pages.get("/communes/<commune>/surveys/<int:survey_id>")
@page_access()
def survey(commune, survey_id):
    with uow() as work:
        commune_row = repo.commune(work.session, commune)
        row = repo.survey(work.session, commune, survey_id)
        count = repo.response_counts(work.session, commune).get(survey_id, 0)
        earlier = repo.survey(work.session, commune, row.follow_up_of) if row.follow_up_of else None
        snapshot = repo.current_snapshot(work.session, row)
    return render_template("survey.html", **_context(
        commune=commune_row, survey=row, view=survey_view(row, count), questions=questions_of(row.questions),
        earlier=earlier, snapshot=snapshot, can_write=current_principal().can_write(commune)))


TRANSITIONS = {"publish": handlers.publish_survey, "close": handlers.close_survey,
               "reopen": handlers.reopen_survey}


def _transition_done(transition: str) -> str:
    return {"publish": _("The survey is published: residents can answer."),
            "close": _("The survey is closed."),
            "reopen": _("The survey is open for answers again.")}[transition]


@pages.post("/communes/<commune>/surveys/<int:survey_id>/<any(publish, close, reopen):transition>")
@page_access(write=True)
def change_status(commune, survey_id, transition):
    with uow() as work:
        try:
            TRANSITIONS[transition](work, commune, survey_id)
            flash(_transition_done(transition))
        except DomainError as error:
            flash(_error_text(error), "error")
    return redirect(url_for(".survey", commune=commune, survey_id=survey_id))


@pages.route("/communes/<commune>/surveys/<int:survey_id>/paper", methods=["GET", "POST"])
@page_access(write=True)
def paper(commune, survey_id):
    with uow() as work:
        commune_row = repo.commune(work.session, commune)
        row = repo.survey(work.session, commune, survey_id)
    questions = questions_of(row.questions)
    answers, errors, status = {}, {}, 200
    if request.method == "POST":
        answers = answers_from_form(questions, request.form)
        with uow() as work:
            try:
                handlers.enter_paper_response(work, commune, survey_id, answers)
                flash(_("The paper response is recorded. You can enter the next one."))
                return redirect(url_for(".paper", commune=commune, survey_id=survey_id))
            except handlers.InvalidAnswers as error:
                errors = {key: _(p.message, **p.params) for key, p in error.problems.items()}
            except DomainError as error:
                errors = {"_form": _error_text(error)}
        status = 422
    return render_template("paper.html", **_context(
        commune=commune_row, survey=row, questions=questions, answers=answers, errors=errors,
        form_value=form_value, notes=condition_notes(questions, language()))), status


@pages.get("/communes/<commune>/surveys/<int:survey_id>/results")
@page_access()
def results(commune, survey_id, snapshot_errors=None, status=200):
    by = request.args.get("by") or None
    with uow() as work:
        commune_row = repo.commune(work.session, commune)
        try:
            found = results_service.live_results(
                work, commune, survey_id, language(), threshold=threshold(),
                include_texts=reads_free_text(commune), by=by, special_labels=special_group_labels())
        except DomainError:  # not a profile question: the page without a breakdown
            found = results_service.live_results(
                work, commune, survey_id, language(), threshold=threshold(),
                include_texts=reads_free_text(commune), special_labels=special_group_labels())
        snapshot = repo.current_snapshot(work.session, found["survey"])
    return render_template("results.html", **_context(
        commune=commune_row, survey=found["survey"], results=found, by=by, snapshot=snapshot,
        reason=breakdown_reason(found["breakdown"]), threshold=threshold(),
        reads_free_text=reads_free_text(commune), snapshot_errors=snapshot_errors or {},
        closed_keys=[q.key for q in questions_of(found["survey"].questions) if q.closed],
        can_write=current_principal().can_write(commune))), status


@pages.post("/communes/<commune>/surveys/<int:survey_id>/snapshot")
@page_access(write=True)
def publish_snapshot(commune, survey_id):
    form = {"questions": request.form.getlist("questions"), "as_of": request.form.get("as_of", "")}
    data, errors = load_form(SnapshotFormSchema(), form)
    if data is not None:
        with uow() as work:
            try:
                results_service.publish_snapshot(work, commune, survey_id, data["questions"],
                                                 data["as_of"] or handlers.today(), threshold())
                flash(_("These results are now published for residents."))
                return redirect(url_for(".results", commune=commune, survey_id=survey_id) + "#snapshot")
            except DomainError as error:
                errors = {error.field or "questions": [_error_text(error)]}
    return results(commune=commune, survey_id=survey_id, snapshot_errors=errors, status=422)


@pages.post("/communes/<commune>/surveys/<int:survey_id>/snapshot/withdraw")
@page_access(write=True)
def withdraw_snapshot(commune, survey_id):
    with uow() as work:
        try:
            results_service.withdraw_snapshot(work, commune, survey_id, utcnow())
            flash(_("The published results are withdrawn: residents no longer see them."))
        except DomainError as error:
            flash(_error_text(error), "error")
    return redirect(url_for(".results", commune=commune, survey_id=survey_id) + "#snapshot")
