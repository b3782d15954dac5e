"""Checking a resident's (or a paper form's) answers against the survey's questions.

`check_answers` returns the clean answers and the problems by question key, so the form
can show each problem next to its question, and the API can name each field.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from shared.text import N_

from surveys.domain.questions import (LONG_TEXT, MULTIPLE, NUMBER, SCALE, SCALE_POINTS, SHORT_TEXT,
                                      SINGLE, Question)


@dataclass(frozen=True)
class Problem:
    message: str          # a msgid, translated where it is shown
    params: dict


def _problem(message: str, **params) -> Problem:
    return Problem(message, params)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _single(question: Question, value):
    if not isinstance(value, str) or value not in question.option_values:
        return None, _problem(N_("Choose one of the options offered."))
    return value, None


def _multiple(question: Question, value):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, _problem(N_("Give a list of the options chosen."))
    if any(v not in question.option_values for v in value) or len(set(value)) != len(value):
        return None, _problem(N_("Choose only among the options offered, each once."))
    if len(value) > question.max_choices:
        return None, _problem(N_("Choose at most %(max)s options."), max=question.max_choices)
    if len(value) < question.min_choices:
        return None, _problem(N_("Choose at least %(min)s options."), min=question.min_choices)
    return [v for v in question.option_values if v in value], None  # in the options' order


def _scale(question: Question, value):
    if not isinstance(value, int) or isinstance(value, bool) or value not in SCALE_POINTS:
        return None, _problem(N_("Choose a whole number from 1 to 5."))
    return value, None


def _number(question: Question, value):
    low, high = question.bounds
    if not _is_number(value) or not math.isfinite(value):
        return None, _problem(N_("Give a number."))
    if not low <= value <= high:
        return None, _problem(N_("Give a number from %(min)s to %(max)s."), min=_plain(low), max=_plain(high))
    return int(value) if float(value).is_integer() else value, None


def _text(question: Question, value):
    if not isinstance(value, str):
        return None, _problem(N_("Give a text."))
    if len(value) > question.max_length:
        return None, _problem(N_("Write at most %(max)s characters."), max=question.max_length)
    return value.strip(), None


def _plain(number) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


CHECKS = {SINGLE: _single, MULTIPLE: _multiple, SCALE: _scale, NUMBER: _number,
          SHORT_TEXT: _text, LONG_TEXT: _text}


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def check_answers(questions: list[Question], answers: dict, *, pages: set[int] | None = None,
                  enforce_required: bool = True) -> tuple[dict, dict[str, Problem]]:
    """(clean answers, problems by key). Only the questions of `pages` when given. A question
    hidden by skip logic is not required, and an answer to it is dropped (it may be left from
    before the person changed an earlier answer)."""
    known = {question.key for question in questions}
    problems = {key: _problem(N_("This survey has no question %(key)s."), key=key)
                for key in answers if key not in known}
    clean: dict = {}
    for question in questions:
        if pages is not None and question.page not in pages:
            continue
        if not question.shown(clean if pages is None else {**answers, **clean}):
            continue
        value = answers.get(question.key)
        if isinstance(value, str) and question.type not in (SHORT_TEXT, LONG_TEXT):
            value = value.strip()
        if _empty(value) or (isinstance(value, str) and not value.strip()):
            if question.required and enforce_required:
                problems[question.key] = _problem(N_("Please answer this question."))
            continue
        checked, problem = CHECKS[question.type](question, value)
        if problem:
            problems[question.key] = problem
        else:
            clean[question.key] = checked
    return clean, problems


def closed_answers(questions: list[Question], answers: dict) -> dict:
    """The answers that may leave the commune's staff: no free text, ever."""
    closed = {question.key for question in questions if question.closed}
    return {key: value for key, value in answers.items() if key in closed}
