"""What the surveys API and pages share: the unit of work, the caller's language, who may
read free text, the public routes' limits, and how a survey is shown."""
from __future__ import annotations

import functools

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _

from shared.anonymity import MERGED, MERGED_REASON
from shared.http.auth import current_principal
from shared.http.browser_guard import browser_digest, browser_nonce

from surveys.api.links import public_url
from surveys.domain import model
from surveys.domain.results import NO_ANSWER

# A resident's answers fit in far less; a bigger body is refused before it is read.
PUBLIC_MAX_BODY_BYTES = 64 * 1024
RATE_LIMITER = "surveys_rate_limiter"


def runtime():
    return current_app.extensions["asp_runtime"]


def uow():
    return runtime().unit_of_work()


def threshold() -> int:
    return runtime().settings.anonymity_threshold


def language() -> str:
    return str(get_locale() or "fr")


def reads_free_text(commune: str) -> bool:
    """Residents' own words are for the commune's coordinators only (not the region, not viewers)."""
    principal = current_principal()
    return principal is not None and principal.role == "coordinator" and commune in principal.communes


def cap_public_body() -> None:
    request.max_content_length = PUBLIC_MAX_BODY_BYTES


def rate_limit_refusal():
    """None, or the 429 response for a client that answered too often just now."""
    return current_app.extensions[RATE_LIMITER].refusal()


def public_write(view):
    """For public JSON writes: body size cap and per-client rate limit, before anything is read."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        cap_public_body()
        refused = rate_limit_refusal()
        return refused if refused is not None else view(*args, **kwargs)
    return guarded


def browser_hash(survey_token: str, nonce: str | None = None) -> str | None:
    """The keyed hash stored for this browser and survey (None: the browser sent no nonce)."""
    nonce = nonce or browser_nonce()
    return browser_digest(f"survey:{survey_token}", nonce) if nonce else None


def survey_view(survey, responses: int = 0) -> dict:
    shared = survey.status != model.DRAFT
    return {"id": survey.id, "commune": survey.commune, "title": survey.title, "description": survey.description,
            "template_key": survey.template_key, "follow_up_of": survey.follow_up_of, "status": survey.status,
            "questions": survey.questions, "token": survey.token,
            "public_url": public_url(survey.token) if shared else None, "responses": responses,
            "created_at": survey.created_at, "published_at": survey.published_at, "closed_at": survey.closed_at}


def special_group_labels() -> dict[str, str]:
    return {MERGED: _("Smaller groups, merged"), NO_ANSWER: _("No answer")}


def breakdown_reason(breakdown: dict | None) -> str | None:
    if not breakdown or not breakdown["reason"]:
        return None
    if breakdown["reason"] == MERGED_REASON:
        return _("Groups with fewer than %(threshold)s responses are merged into one, so that nobody can be recognised.",
                 threshold=breakdown["threshold"])
    return _("Not shown: with fewer than %(threshold)s responses in a group, someone could be recognised.",
             threshold=breakdown["threshold"])


def condition_notes(questions, lang: str) -> dict[str, str]:
    """For a form showing every question at once: when a conditional question applies."""
    by_key = {question.key: question for question in questions}
    notes = {}
    for question in questions:
        if question.show_if:
            source = by_key[question.show_if["question"]]
            values = ", ".join(source.option_label(value, lang) for value in question.show_if["values"])
            notes[question.key] = _("Only if « %(question)s » was answered: %(values)s.",
                                    question=source.label(lang), values=values)
    return notes
