"""How a survey lives: draft → published → closed (and reopened), frozen once published.

The rules act on any object with the attributes used here (the ORM rows in practice).
"""
from __future__ import annotations

import secrets
from datetime import datetime

from shared.errors import Conflict, Invalid
from shared.text import N_

from surveys.domain.questions import CHOICE_TYPES, questions_of

DRAFT, PUBLISHED, CLOSED = "draft", "published", "closed"
STATUS_LABELS = {DRAFT: N_("draft"), PUBLISHED: N_("open for answers"), CLOSED: N_("closed")}
ONLINE, PAPER = "online", "paper"
CHANNELS = (ONLINE, PAPER)
# Easy to read out and type from a poster: no 0/o, 1/l/i.
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 10


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def check_editable(survey) -> None:
    if survey.status != DRAFT:
        raise Conflict(N_("This survey is published: its questions are frozen. Create a new survey to ask other questions."),
                       field="questions")


def publish(survey, now: datetime) -> None:
    if survey.status != DRAFT:
        raise Conflict(N_("Only a draft can be published; this survey is %(status)s."),
                       status=survey.status)
    survey.status, survey.published_at = PUBLISHED, now


def close(survey, now: datetime) -> None:
    if survey.status != PUBLISHED:
        raise Conflict(N_("Only a survey open for answers can be closed."))
    survey.status, survey.closed_at = CLOSED, now


def reopen(survey) -> None:
    if survey.status != CLOSED:
        raise Conflict(N_("Only a closed survey can be reopened."))
    survey.status, survey.closed_at = PUBLISHED, None


def check_open_for_answers(survey) -> None:
    if survey.status == DRAFT:
        raise Conflict(N_("This survey is not open yet: answers are accepted once it is published."))
    if survey.status == CLOSED:
        raise Conflict(N_("This survey is closed: it no longer accepts answers. Thank you for your interest."))


def check_follow_up(earlier, questions: list[dict]) -> None:
    """A follow-up asks again what the earlier survey asked (same keys, types and options),
    so the evaluation can compare like with like; it may ask more."""
    if earlier.status == DRAFT:
        raise Invalid(N_("A follow-up must follow a survey that was published."), field="follow_up_of")
    mine = {question.key: question for question in questions_of(questions)}
    for question in questions_of(earlier.questions):
        if not question.closed:
            continue
        again = mine.get(question.key)
        if again is None or again.type != question.type or (
                question.type in CHOICE_TYPES and again.option_values != question.option_values):
            raise Invalid(N_("A follow-up asks question %(key)s as the earlier survey did (same type and options)."),
                          field="follow_up_of", key=question.key)
