"""The surveys service's use cases: each one unit of work, its change and its events together."""
from __future__ import annotations

import copy
import uuid
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.contracts import Event
from shared.contracts.envelope import utcnow
from shared.db.uow import UnitOfWork
from shared.errors import Conflict, Invalid
from shared.text import N_

from surveys.adapters import repository as repo
from surveys.adapters.orm import AnsweredBrowser, Commune, Response, Survey, Template
from surveys.domain import model
from surveys.domain.answers import Problem, check_answers, closed_answers
from surveys.domain.catalogue import BUILTIN_TEMPLATES
from surveys.domain.questions import check_questions, questions_of

SOURCE = "surveys"
LOCAL_TIME = ZoneInfo("Europe/Zurich")


class InvalidAnswers(Invalid):
    """Answers that do not fit the survey, with the problem of each question by key."""

    def __init__(self, problems: dict[str, Problem]):
        super().__init__(N_("Some answers are not valid."), field="answers")
        self.problems = problems


def today() -> date:
    """The residents' day: a response keeps its date, never its time."""
    return datetime.now(LOCAL_TIME).date()


def _event(event_type: str, survey: Survey, **payload) -> Event:
    return Event(type=f"surveys.{event_type}", commune=survey.commune, source=SOURCE,
                 payload={"survey_id": survey.id, "template": survey.template_key,
                          "follow_up_of": survey.follow_up_of, **payload})


# -- communes, from the programme's events ----------------------------------------------------
def record_commune(session: Session, event: Event) -> None:
    """programme.CommuneOnboarded: the communes (and their population) this service serves."""
    payload = event.payload
    row = session.get(Commune, payload["slug"])
    if row is None:
        session.add(Commune(slug=payload["slug"], name=payload["name"], population=payload["population"]))
    else:
        row.name, row.population = payload["name"], payload["population"]


# -- templates -----------------------------------------------------------------------------------
def add_template(uow: UnitOfWork, key: str, title: dict, description: dict, questions: list[dict]) -> dict:
    if key in BUILTIN_TEMPLATES or uow.session.get(Template, key) is not None:
        raise Conflict(N_("A template with the key %(key)s exists already."), field="key", key=key)
    check_questions(questions)
    uow.session.add(Template(key=key, title=title, description=description, questions=questions))
    uow.commit()  # templates are the region's tools, not news for other services
    return repo.template(uow.session, key)


# -- a commune's surveys ----------------------------------------------------------------------
def _unique_token(session: Session) -> str:
    while True:
        token = model.new_token()
        if session.scalar(select(func.count()).where(Survey.token == token)) == 0:
            return token


def _check_follow_up(session: Session, commune: str, follow_up_of: int | None, questions: list[dict]) -> None:
    if follow_up_of is not None:
        model.check_follow_up(repo.survey(session, commune, follow_up_of, field="follow_up_of"), questions)


def create_survey(uow: UnitOfWork, commune: str, template: str | None = None, title: dict | None = None,
                  description: dict | None = None, questions: list[dict] | None = None,
                  follow_up_of: int | None = None) -> Survey:
    """A draft: a copy of a template (title may be changed), or a survey from scratch."""
    session = uow.session
    repo.commune(session, commune)
    source = repo.template(session, template, field="template") if template else {}
    if not template and (not title or not questions):
        raise Invalid(N_("Give a template, or a title and questions."), field="template")
    questions = copy.deepcopy(questions or source["questions"])
    check_questions(questions)
    _check_follow_up(session, commune, follow_up_of, questions)
    survey = Survey(commune=commune, template_key=template, follow_up_of=follow_up_of,
                    title=title or copy.deepcopy(source["title"]),
                    description=description if description is not None else copy.deepcopy(source.get("description", {})),
                    questions=questions, status=model.DRAFT, token=_unique_token(session))
    session.add(survey)
    uow.commit()  # a draft is the commune's own business: no event until it is published
    return survey


def update_survey(uow: UnitOfWork, commune: str, survey_id: int, **changes) -> Survey:
    survey = repo.survey(uow.session, commune, survey_id)
    model.check_editable(survey)
    if "questions" in changes:
        check_questions(changes["questions"])
    questions = changes.get("questions", survey.questions)
    _check_follow_up(uow.session, commune, changes.get("follow_up_of", survey.follow_up_of), questions)
    for name, value in changes.items():
        setattr(survey, name, value)
    uow.commit()
    return survey


def _question_shapes(survey: Survey) -> list[dict]:
    return [{"key": q.key, "type": q.type, "options": q.option_values, "profile": q.profile}
            for q in questions_of(survey.questions)]


def publish_survey(uow: UnitOfWork, commune: str, survey_id: int, now: datetime | None = None) -> Survey:
    """`now` is for recording history (the demo's dates); requests use the clock."""
    survey = repo.survey(uow.session, commune, survey_id)
    model.publish(survey, now or utcnow())
    uow.publish(_event("SurveyPublished", survey, title=survey.title, questions=_question_shapes(survey),
                       published_at=survey.published_at.isoformat()))
    uow.commit()
    return survey


def close_survey(uow: UnitOfWork, commune: str, survey_id: int, now: datetime | None = None) -> Survey:
    survey = repo.survey(uow.session, commune, survey_id)
    model.close(survey, now or utcnow())
    count = uow.session.scalar(select(func.count()).where(Response.survey_id == survey.id))
    uow.publish(_event("SurveyClosed", survey, closed_at=survey.closed_at.isoformat(), responses=count))
    uow.commit()
    return survey


def reopen_survey(uow: UnitOfWork, commune: str, survey_id: int) -> Survey:
    survey = repo.survey(uow.session, commune, survey_id)
    model.reopen(survey)
    uow.publish(_event("SurveyReopened", survey, reopened_at=utcnow().isoformat()))
    uow.commit()
    return survey


# -- responses -------------------------------------------------------------------------------
def _record_response(uow: UnitOfWork, survey: Survey, answers: dict, channel: str, on: date) -> Response:
    response = Response(survey_id=survey.id, commune=survey.commune, channel=channel, submitted_on=on,
                        answers=answers)
    uow.session.add(response)
    closed = closed_answers(questions_of(survey.questions), answers)
    # The event says the day, not the moment, and starts a correlation of its own: nothing in
    # it leads back to the request (and so to a log line) that carried the answers.
    uow.publish(Event(type="surveys.ResponseSubmitted", commune=survey.commune, source=SOURCE,
                      occurred_at=datetime.combine(on, time(0), tzinfo=timezone.utc),
                      correlation_id=str(uuid.uuid4()),
                      payload={"survey_id": survey.id, "template": survey.template_key,
                               "follow_up_of": survey.follow_up_of, "channel": channel,
                               "submitted_on": on.isoformat(), "answers": closed}))
    return response


def checked_answers(survey: Survey, answers: dict, enforce_required: bool = True) -> dict:
    clean, problems = check_answers(questions_of(survey.questions), answers, enforce_required=enforce_required)
    if problems:
        raise InvalidAnswers(problems)
    return clean


def submit_response(uow: UnitOfWork, token: str, answers: dict, browser: str | None = None,
                    on: date | None = None) -> Response:
    """A resident's answers, online. `browser`: the keyed hash of this browser's nonce, if any."""
    survey = repo.survey_by_token(uow.session, token)
    model.check_open_for_answers(survey)
    if browser is not None and repo.browser_answered(uow.session, survey, browser):
        raise Conflict(N_("This browser has already answered this survey. Thank you for taking part!"))
    clean = checked_answers(survey, answers)
    if browser is not None:
        uow.session.add(AnsweredBrowser(survey_id=survey.id, digest=browser, commune=survey.commune))
    response = _record_response(uow, survey, clean, model.ONLINE, on or today())
    uow.commit()
    return response


def enter_paper_response(uow: UnitOfWork, commune: str, survey_id: int, answers: dict,
                         on: date | None = None) -> Response:
    """A questionnaire collected on paper. Required questions a person left blank on paper
    stay blank: what they did answer still counts."""
    survey = repo.survey(uow.session, commune, survey_id)
    model.check_open_for_answers(survey)
    clean = checked_answers(survey, answers, enforce_required=False)
    if not clean:
        raise Invalid(N_("Enter at least one answer from the paper form."), field="answers")
    response = _record_response(uow, survey, clean, model.PAPER, on or today())
    uow.commit()
    return response
