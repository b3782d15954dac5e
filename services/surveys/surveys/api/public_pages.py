"""The residents' pages: the survey form at /surveys/s/<token>, page by page, then thanks;
and the results the commune chose to publish. No sign-in, no JavaScript needed."""
from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shared.anonymity import MERGED
from shared.errors import Conflict, NotFound
from shared.http.app import csrf
from shared.http.browser_guard import browser_nonce, new_nonce, remember_browser

from surveys.adapters import repository as repo
from surveys.api.common import (browser_hash, cap_public_body, condition_notes, language,
                                rate_limit_refusal, special_group_labels, uow)
from surveys.api.forms import answers_from_form, carried_fields, form_value, visible_pages
from surveys.domain import model
from surveys.domain.answers import check_answers
from surveys.domain.questions import localized, pages, questions_of
from surveys.service_layer import handlers, results as results_service

public_pages = Blueprint("surveys_public", __name__)


def _message(title: str, text: str, status: int, survey=None, token: str | None = None):
    body = render_template("public_message.html", title=title, text=text, survey=survey, token=token,
                           lang=language(), localized=localized)
    return make_response(body, status)


def _not_found():
    return _message(_("Survey not found"),
                    _("There is no survey at this address. Check the link or the QR code."), 404)


def _closed_or_not_open(survey):
    if survey.status == model.DRAFT:
        return _not_found()  # a draft's address is not public yet
    return _message(_("This survey is closed"),
                    _("This survey is closed: it no longer accepts answers. Thank you for your interest."),
                    409 if request.method == "POST" else 200, survey, survey.token)


def _render_page(survey, questions, page: int, answers: dict, errors: dict, status: int = 200):
    shown = visible_pages(questions, answers) or pages(questions)
    page = page if page in shown else shown[0]
    # Without JavaScript a question cannot appear as its condition is ticked on the same
    # page: such a question is shown with a note saying when it applies.
    page_keys = {q.key for q in questions if q.page == page}
    same_page = [q for q in questions if q.page == page and q.show_if and q.show_if["question"] in page_keys]
    on_page = [q for q in questions if q.page == page and (q.shown(answers) or q in same_page)]
    position = shown.index(page) + 1
    response = make_response(render_template(
        "answer.html", survey=survey, questions=on_page, page=page, position=position, total=len(shown),
        last=position == len(shown), answers=answers, errors=errors, lang=language(), localized=localized,
        carried=carried_fields(questions, answers, page), form_value=form_value,
        notes={k: v for k, v in condition_notes(questions, language()).items()
               if k in {q.key for q in same_page}}), status)
    if browser_nonce() is None:
        remember_browser(response, new_nonce())
    return response


def _translated(problems) -> dict[str, str]:
    return {key: _(problem.message, **problem.params) for key, problem in problems.items()}


@public_pages.route("/s/<token>", methods=["GET", "POST"])
def answer(token):
    cap_public_body()
    with uow() as work:
        try:
            survey = repo.survey_by_token(work.session, token)
        except NotFound:
            return _not_found()
        digest = browser_hash(token)
        already = digest is not None and repo.browser_answered(work.session, survey, digest)
    if survey.status != model.PUBLISHED:
        return _closed_or_not_open(survey)
    if already:
        return _message(_("You have already answered"),
                        _("This browser has already answered this survey. Thank you for taking part!"),
                        409 if request.method == "POST" else 200, survey, token)
    questions = questions_of(survey.questions)
    if request.method == "GET":
        return _render_page(survey, questions, 1, {}, {})
    csrf.protect()
    return _step(survey, questions, answers_from_form(questions, request.form))


def _step(survey, questions, answers: dict):
    page = request.form.get("page", type=int) or 1
    go = request.form.get("go", "next")
    shown = visible_pages(questions, answers)
    if go == "previous":
        earlier = [p for p in shown if p < page]
        return _render_page(survey, questions, earlier[-1] if earlier else page, answers, {})
    if go == "stay":  # the language was switched: same page, answers kept
        return _render_page(survey, questions, page, answers, {})
    _clean, problems = check_answers(questions, answers, pages={page})
    if problems:
        return _render_page(survey, questions, page, answers, _translated(problems), 422)
    later = [p for p in shown if p > page]
    if later:
        return _render_page(survey, questions, later[0], answers, {})
    return _submit(survey, questions, answers)


def _submit(survey, questions, answers: dict):
    refused = rate_limit_refusal()
    if refused is not None:
        return refused
    nonce = browser_nonce() or new_nonce()
    with uow() as work:
        try:
            handlers.submit_response(work, survey.token, answers, browser=browser_hash(survey.token, nonce))
        except handlers.InvalidAnswers as error:  # an earlier page was tampered with
            wrong = [q.page for q in questions if q.key in error.problems]
            return _render_page(survey, questions, min(wrong, default=1), answers,
                                _translated(error.problems), 422)
        except Conflict as error:
            return _message(_("Your answers were not recorded"), _(error.message, **error.params), 409,
                            survey, survey.token)
    return remember_browser(redirect(url_for(".thanks", token=survey.token), 303), nonce)


@public_pages.get("/s/<token>/merci")
def thanks(token):
    with uow() as work:
        try:
            survey, snapshot = results_service.public_snapshot(work, token)
        except NotFound:
            return _not_found()
    return _message(_("Thank you!"), _("Your answers have been recorded. Thank you for taking the time."),
                    200, survey, token if snapshot else None)


@public_pages.get("/s/<token>/resultats")
def results(token):
    with uow() as work:
        try:
            survey, snapshot = results_service.public_snapshot(work, token)
        except NotFound:
            return _not_found()
    if snapshot is None:
        return _message(_("No results yet"), _("The commune has not published results of this survey yet."),
                        404, survey if survey.status != model.DRAFT else None)
    return render_template("public_results.html", survey=survey, snapshot=snapshot, lang=language(),
                           localized=localized, counted_questions=_relabelled(survey, snapshot, language()))


def _option_label(question, option: dict, lang: str) -> str:
    if option["value"] != MERGED:
        return question.option_label(option["value"], lang)
    members = ", ".join(question.option_label(member, lang) for member in option["members"])
    return f"{special_group_labels()[MERGED]} ({members})"


def _relabelled(survey, snapshot, lang: str) -> list[dict]:
    """The frozen counts, with the question's labels in the reader's language."""
    questions = {q.key: q for q in questions_of(survey.questions)}
    counted = []
    for entry in snapshot.results["questions"]:
        question = questions[entry["key"]]
        options = [{**option, "label": _option_label(question, option, lang)} for option in entry.get("options") or []]
        counted.append({**entry, "label": question.label(lang), "options": options})
    return counted
