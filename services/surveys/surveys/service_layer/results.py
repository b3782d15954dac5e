"""Results of a survey: live for the commune's staff, and the snapshot chosen for the public."""
from __future__ import annotations

from datetime import date

from shared.anonymity import meets_threshold
from shared.db.uow import UnitOfWork
from shared.errors import Conflict, Invalid
from shared.survey_indicators import indicator_shares
from shared.text import N_

from surveys.adapters import repository as repo
from surveys.adapters.orm import ResultSnapshot, Survey
from surveys.domain import model
from surveys.domain.questions import questions_of
from surveys.domain.results import breakdown, participation, protect_profile_counts, tally


def live_results(uow: UnitOfWork, commune: str, survey_id: int, language: str, *, threshold: int,
                 include_texts: bool, by: str | None = None, special_labels: dict | None = None) -> dict:
    session = uow.session
    survey = repo.survey(session, commune, survey_id)
    population = repo.commune(session, commune).population
    responses = repo.responses(session, survey)
    answer_sets = [response.answers for response in responses]
    questions = questions_of(survey.questions)
    results = {"survey": survey, "participation": participation(responses, population),
               "questions": tally(questions, answer_sets, language, include_texts=include_texts,
                                  threshold=threshold),
               "indicators": indicator_shares(answer_sets), "breakdown": None,
               "profile_questions": [q for q in questions if q.profile]}
    if by is not None:
        profile = next((q for q in questions if q.profile and q.key == by), None)
        if profile is None:
            raise Invalid(N_("Results can be broken down only by a profile question of this survey."), field="by")
        results["breakdown"] = breakdown(questions, answer_sets, profile, language, threshold, special_labels or {})
    return results


def publish_snapshot(uow: UnitOfWork, commune: str, survey_id: int, keys: list[str], as_of: date,
                     threshold: int) -> ResultSnapshot:
    """Freeze the results of the chosen closed questions, counted up to `as_of`, for the public."""
    session = uow.session
    survey = repo.survey(session, commune, survey_id)
    if survey.status == model.DRAFT:
        raise Conflict(N_("A draft has no results to publish."))
    by_key = {question.key: question for question in questions_of(survey.questions)}
    for key in keys:
        if key not in by_key:
            raise Invalid(N_("This survey has no question %(key)s."), field="questions", key=key)
        if not by_key[key].closed:
            raise Invalid(N_("Free-text answers are never published: question %(key)s cannot be chosen."),
                          field="questions", key=key)
    responses = repo.responses(session, survey, up_to=as_of)
    if not meets_threshold(len(responses), threshold):
        raise Conflict(N_("Results can be published from %(threshold)s responses on; there are %(count)s."),
                       field="as_of", threshold=threshold, count=len(responses))
    chosen = [question for question in by_key.values() if question.key in keys]
    counted = [protect_profile_counts(result, threshold) if question.profile else result
               for question, result in zip(chosen, tally(chosen, [r.answers for r in responses], "fr",
                                                         include_texts=False, threshold=threshold))]
    population = repo.commune(session, commune).population
    snapshot = ResultSnapshot(survey_id=survey.id, commune=commune, question_keys=[q.key for q in chosen],
                              as_of=as_of, responses=len(responses),
                              results={"participation": participation(responses, population),
                                       "questions": counted})
    session.add(snapshot)
    uow.commit()
    return snapshot


def withdraw_snapshot(uow: UnitOfWork, commune: str, survey_id: int, now) -> None:
    survey = repo.survey(uow.session, commune, survey_id)
    snapshot = repo.current_snapshot(uow.session, survey)
    if snapshot is None:
        raise Conflict(N_("No results of this survey are published."))
    snapshot.withdrawn_at = now
    uow.commit()


def public_snapshot(uow: UnitOfWork, token: str) -> tuple[Survey, ResultSnapshot | None]:
    survey = repo.survey_by_token(uow.session, token)
    if survey.status == model.DRAFT:
        return survey, None
    return survey, repo.current_snapshot(uow.session, survey)
