"""The surveys JSON API: /surveys/api/v1/…

Staff routes live under /communes/<commune>/surveys (the commune guard first); residents
answer through /public/<token> without signing in.
"""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from shared.contracts.envelope import utcnow
from shared.http.auth import commune_access, require_principal, require_role
from shared.http.exports import document_table_files

from surveys.adapters import repository as repo
from surveys.api import exports, schemas
from surveys.api.common import (breakdown_reason, browser_hash, language, public_write,
                                reads_free_text, special_group_labels, survey_view, threshold, uow)
from surveys.api.links import public_url, qr_code
from surveys.domain import model
from surveys.domain.questions import questions_of
from surveys.service_layer import handlers, results as results_service

templates_blp = Blueprint("templates", __name__, url_prefix="/templates",
                          description="Survey templates: built-in, and added by the regional staff")
communes_blp = Blueprint("surveys", __name__, url_prefix="/communes",
                         description="A commune's surveys: drafts, publication, responses, results")
public_blp = Blueprint("public", __name__, url_prefix="/public",
                       description="Answering a survey: no sign-in, nothing that identifies anyone is kept")


# -- templates ---------------------------------------------------------------------------------
@templates_blp.route("")
class Templates(MethodView):
    @templates_blp.response(200, schemas.TemplateSchema(many=True))
    def get(self):
        """The templates a commune can copy"""
        require_principal()
        with uow() as work:
            return repo.templates(work.session)

    @require_role("regional_admin")
    @templates_blp.arguments(schemas.TemplateCreateSchema)
    @templates_blp.response(201, schemas.TemplateSchema)
    def post(self, body):
        """Add a template (regional staff)"""
        with uow() as work:
            return handlers.add_template(work, body["key"], body["title"], body["description"], body["questions"])


@templates_blp.route("/<key>")
@templates_blp.response(200, schemas.TemplateSchema)
def get_template(key):
    """One template with its questions"""
    require_principal()
    with uow() as work:
        return repo.template(work.session, key)


# -- a commune's surveys ----------------------------------------------------------------------
def _view(work, survey) -> dict:
    return survey_view(survey, repo.response_counts(work.session, survey.commune).get(survey.id, 0))


@communes_blp.route("/<commune>/surveys")
class Surveys(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.SurveySchema(many=True))
    def get(self, commune):
        """The commune's surveys, newest first"""
        with uow() as work:
            repo.commune(work.session, commune)
            counts = repo.response_counts(work.session, commune)
            return [survey_view(s, counts.get(s.id, 0)) for s in repo.surveys(work.session, commune)]

    @commune_access(write=True)
    @communes_blp.arguments(schemas.SurveyCreateSchema)
    @communes_blp.response(201, schemas.SurveySchema)
    def post(self, body, commune):
        """Create a draft: {"template": "qualite-de-vie"} copies a template; or give a title and questions"""
        with uow() as work:
            return _view(work, handlers.create_survey(work, commune, **body))


@communes_blp.route("/<commune>/surveys/<int:survey_id>")
class SurveyItem(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.SurveySchema)
    def get(self, commune, survey_id):
        """One survey"""
        with uow() as work:
            return _view(work, repo.survey(work.session, commune, survey_id))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.SurveyUpdateSchema)
    @communes_blp.response(200, schemas.SurveySchema)
    def patch(self, body, commune, survey_id):
        """Adapt a draft: title, description, questions, follow-up (frozen once published)"""
        with uow() as work:
            return _view(work, handlers.update_survey(work, commune, survey_id, **body))


def _qr_links(commune: str, survey_id: int) -> dict:
    base = f"/surveys/api/v1/communes/{commune}/surveys/{survey_id}/qr"
    return {"qr_png": f"{base}.png", "qr_svg": f"{base}.svg"}


@communes_blp.route("/<commune>/surveys/<int:survey_id>/publish", methods=["POST"])
@commune_access(write=True)
@communes_blp.response(200, schemas.PublishedSchema)
def publish(commune, survey_id):
    """Publish a draft: answers the public address (token, URL) and its QR codes"""
    with uow() as work:
        view = _view(work, handlers.publish_survey(work, commune, survey_id))
    return {**view, **_qr_links(commune, survey_id)}


@communes_blp.route("/<commune>/surveys/<int:survey_id>/close", methods=["POST"])
@commune_access(write=True)
@communes_blp.response(200, schemas.SurveySchema)
def close(commune, survey_id):
    """Close: no more answers are accepted"""
    with uow() as work:
        return _view(work, handlers.close_survey(work, commune, survey_id))


@communes_blp.route("/<commune>/surveys/<int:survey_id>/reopen", methods=["POST"])
@commune_access(write=True)
@communes_blp.response(200, schemas.SurveySchema)
def reopen(commune, survey_id):
    """Reopen a closed survey for answers"""
    with uow() as work:
        return _view(work, handlers.reopen_survey(work, commune, survey_id))


@communes_blp.route("/<commune>/surveys/<int:survey_id>/qr.<any(png, svg):kind>")
@commune_access()
@communes_blp.doc(responses={"200": {"description": "The QR code of the public address (PNG or SVG)"}})
def qr(commune, survey_id, kind):
    """The QR code of the survey's public address, for posters and flyers"""
    with uow() as work:
        survey = repo.survey(work.session, commune, survey_id)
    if survey.status == model.DRAFT:
        abort(409, message=_("Publish the survey first: its public address starts working then."))
    mimetype = "image/png" if kind == "png" else "image/svg+xml"
    return Response(qr_code(public_url(survey.token), kind), mimetype=mimetype,
                    headers={"Content-Disposition": f'inline; filename="sondage-{survey_id}-qr.{kind}"'})


# -- results and responses ----------------------------------------------------------------------
def results_document(results: dict) -> dict:
    survey = results["survey"]
    breakdown = results["breakdown"]
    if breakdown is not None:
        breakdown = {**breakdown, "reason": breakdown_reason(breakdown)}
    return {"survey_id": survey.id, "status": survey.status, "participation": results["participation"],
            "questions": results["questions"], "indicators": results["indicators"], "breakdown": breakdown,
            "anonymity_threshold": threshold()}


@communes_blp.route("/<commune>/surveys/<int:survey_id>/results")
@commune_access()
@communes_blp.arguments(schemas.ResultsArgsSchema, location="query")
@communes_blp.response(200)
@communes_blp.alt_response(200, schema={"type": "object"}, success=True)  # the JSON document
@document_table_files(communes_blp)
def results(args, commune, survey_id):
    """Live results: counts and shares, participation, indicators; ?by=<profile question> for a
    breakdown (groups under the anonymity threshold merged or withheld); ?format=csv|xlsx"""
    with uow() as work:
        found = results_service.live_results(
            work, commune, survey_id, language(), threshold=threshold(), include_texts=reads_free_text(commune),
            by=args.get("by"), special_labels=special_group_labels())
    if args["format"] == "json":
        return results_document(found)
    header, rows = exports.results_table(found)
    return exports.download(header, rows, args["format"], f"sondage-{survey_id}-resultats")


@communes_blp.route("/<commune>/surveys/<int:survey_id>/responses")
class Responses(MethodView):
    @commune_access()
    @communes_blp.arguments(schemas.ExportArgsSchema, location="query")
    @communes_blp.response(200, schemas.ResponseSchema(many=True))
    @document_table_files(communes_blp)
    def get(self, args, commune, survey_id):
        """The anonymised responses (free text for the commune's coordinators only); ?format=csv|xlsx"""
        texts = reads_free_text(commune)
        with uow() as work:
            survey = repo.survey(work.session, commune, survey_id)
            rows = repo.responses(work.session, survey)
        questions = questions_of(survey.questions)
        if args["format"] == "json":
            hidden = {q.key for q in questions if not q.closed} if not texts else set()
            return [{"id": r.id, "channel": r.channel, "submitted_on": r.submitted_on,
                     "answers": {k: v for k, v in r.answers.items() if k not in hidden}} for r in rows]
        header, table = exports.responses_table(questions, rows, language(), texts)
        return exports.download(header, table, args["format"], f"sondage-{survey_id}-reponses")

    @commune_access(write=True)
    @communes_blp.arguments(schemas.AnswersSchema)
    @communes_blp.response(201, schemas.ResponseSchema)
    def post(self, body, commune, survey_id):
        """Enter a response collected on paper (channel `paper`); it counts like an online one"""
        with uow() as work:
            return handlers.enter_paper_response(work, commune, survey_id, body["answers"])


@communes_blp.route("/<commune>/surveys/<int:survey_id>/snapshot")
class Snapshot(MethodView):
    @commune_access(write=True)
    @communes_blp.arguments(schemas.SnapshotCreateSchema)
    @communes_blp.response(201, schemas.SnapshotSchema)
    def post(self, body, commune, survey_id):
        """Publish results for residents: the chosen closed questions, counted up to a day"""
        with uow() as work:
            return results_service.publish_snapshot(work, commune, survey_id, body["questions"],
                                                    body["as_of"] or handlers.today(), threshold())

    @commune_access(write=True)
    @communes_blp.response(204)
    def delete(self, commune, survey_id):
        """Withdraw the published results"""
        with uow() as work:
            results_service.withdraw_snapshot(work, commune, survey_id, utcnow())


# -- residents ---------------------------------------------------------------------------------
def public_survey(survey) -> dict:
    return {"title": survey.title, "description": survey.description, "status": survey.status,
            "questions": survey.questions}


@public_blp.route("/<token>")
@public_blp.response(200)
@public_blp.doc(security=[])
def get_public_survey(token):
    """A published survey's questions, for other clients than the web form"""
    with uow() as work:
        survey = repo.survey_by_token(work.session, token)
    if survey.status == model.DRAFT:
        abort(404, message=_("There is no survey at this address. Check the link or the QR code."))
    return public_survey(survey)


@public_blp.route("/<token>/responses", methods=["POST"])
@public_write
@public_blp.arguments(schemas.AnswersSchema)
@public_blp.response(201, schemas.AcceptedSchema)
@public_blp.doc(security=[])
def answer(body, token):
    """Answer a survey: {"answers": {key: value}}. Nothing that identifies the person is kept."""
    with uow() as work:
        handlers.submit_response(work, token, body["answers"], browser=browser_hash(token))
    return {"status": "recorded", "message": _("Thank you! Your answers have been recorded.")}


@public_blp.route("/<token>/results")
@public_blp.response(200, schemas.SnapshotSchema)
@public_blp.doc(security=[])
def public_results(token):
    """The results the commune chose to publish"""
    with uow() as work:
        _survey, snapshot = results_service.public_snapshot(work, token)
    if snapshot is None:
        abort(404, message=_("The commune has not published results of this survey yet."))
    return snapshot
