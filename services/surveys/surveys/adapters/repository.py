"""Reading the surveys service's rows, always within one commune (or by a public token)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.text import N_

from surveys.adapters.orm import (AnsweredBrowser, Commune, Response, ResultSnapshot, Survey,
                                  Template)
from surveys.domain.catalogue import BUILTIN_TEMPLATES


def commune(session: Session, slug: str) -> Commune:
    row = session.get(Commune, slug)
    if row is None:
        raise NotFound(N_("The commune %(commune)s is not known to the surveys service yet."), commune=slug)
    return row


def communes(session: Session, slugs: tuple[str, ...] | None = None) -> list[Commune]:
    query = select(Commune).order_by(Commune.name)
    if slugs is not None:
        query = query.where(Commune.slug.in_(slugs))
    return list(session.scalars(query))


def template(session: Session, key: str, field: str | None = None) -> dict:
    if key in BUILTIN_TEMPLATES:
        return {**BUILTIN_TEMPLATES[key], "builtin": True}
    row = session.get(Template, key)
    if row is None:
        raise NotFound(N_("There is no survey template %(key)s."), field=field, key=key)
    return {"key": row.key, "title": row.title, "description": row.description,
            "questions": row.questions, "builtin": False}


def templates(session: Session) -> list[dict]:
    added = [template(session, row.key) for row in session.scalars(select(Template).order_by(Template.key))]
    return [template(session, key) for key in BUILTIN_TEMPLATES] + added


def survey(session: Session, commune_slug: str, survey_id: int, field: str | None = None) -> Survey:
    row = session.scalar(select(Survey).where(Survey.commune == commune_slug, Survey.id == survey_id))
    if row is None:
        raise NotFound(N_("This commune has no survey %(id)s."), field=field, id=survey_id)
    return row


def surveys(session: Session, commune_slug: str) -> list[Survey]:
    return list(session.scalars(select(Survey).where(Survey.commune == commune_slug)
                                .order_by(Survey.created_at.desc(), Survey.id.desc())))


def survey_by_token(session: Session, token: str) -> Survey:
    row = session.scalar(select(Survey).where(Survey.token == token)) if len(token) <= 20 else None
    if row is None:
        raise NotFound(N_("There is no survey at this address. Check the link or the QR code."))
    return row


def responses(session: Session, survey_row: Survey, up_to: date | None = None) -> list[Response]:
    query = select(Response).where(Response.commune == survey_row.commune, Response.survey_id == survey_row.id)
    if up_to is not None:
        query = query.where(Response.submitted_on <= up_to)
    # By day, then by the random id: the order of arrival within a day is not kept anywhere.
    return list(session.scalars(query.order_by(Response.submitted_on, Response.id)))


def response_counts(session: Session, commune_slug: str) -> dict[int, int]:
    rows = session.execute(select(Response.survey_id, func.count()).where(Response.commune == commune_slug)
                           .group_by(Response.survey_id))
    return dict(rows.all())


def browser_answered(session: Session, survey_row: Survey, digest: str) -> bool:
    return session.get(AnsweredBrowser, (survey_row.id, digest)) is not None


def current_snapshot(session: Session, survey_row: Survey) -> ResultSnapshot | None:
    return session.scalar(select(ResultSnapshot).where(
        ResultSnapshot.commune == survey_row.commune, ResultSnapshot.survey_id == survey_row.id,
        ResultSnapshot.withdrawn_at.is_(None)).order_by(ResultSnapshot.published_at.desc()).limit(1))
