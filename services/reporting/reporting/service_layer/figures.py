"""Figures read from the active generation: per commune, and for every commune at once
(the regional overview groups in SQL rather than asking commune by commune)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select, tuple_
from sqlalchemy.orm import Session

from shared.phases import phase_definition

from reporting.adapters.orm import (ActionView, ActivityView, CommuneView, CommunityEventView,
                                    ObjectiveView, PartnerView, SurveyAnswerCount, SurveyView, ThemeView)
from reporting.domain.indicators import INDICATORS, QUALITY_OF_LIFE_TEMPLATE, QUESTIONS
from reporting.domain.statistics import Share

EVENT_KINDS = ("papotage", "brise_glace", "forum_citoyen", "atelier", "other")


def read(session: Session, query):
    """Rows straight from the connection: read models need no ORM objects, and building
    thousands of them was most of the regional overview's time."""
    return session.connection().execute(query)


def gate_figures(session: Session, generation: int, communes: list[str] | None = None) -> dict[str, dict]:
    """commune -> {figure name: value} for every figure a gate criterion reads."""
    def scoped(query, model):
        query = query.where(model.generation == generation)
        return query.where(model.commune.in_(communes)) if communes is not None else query

    figures: dict[str, dict] = defaultdict(dict)
    checklist = scoped(select(ActivityView.commune, ActivityView.phase, func.count())
                       .where(ActivityView.done.is_(True))
                       .group_by(ActivityView.commune, ActivityView.phase), ActivityView)
    for commune, phase, done in read(session, checklist):
        size = len(phase_definition(phase).activities) if phase_definition(phase) else 0
        figures[commune][f"checklist_done_share_{phase}"] = min(1.0, done / size) if size else None
    held = scoped(select(CommunityEventView.commune, CommunityEventView.kind, func.count())
                  .where(CommunityEventView.status == "held")
                  .group_by(CommunityEventView.commune, CommunityEventView.kind), CommunityEventView)
    for commune, kind, count in read(session, held):
        figures[commune][f"held_{kind}"] = count
    for model, name in ((ThemeView, "themes"), (ObjectiveView, "objectives")):
        for commune, count in read(session, scoped(select(model.commune, func.count())
                                                     .group_by(model.commune), model)):
            figures[commune][name] = count
    launched = scoped(select(ActionView.commune, func.count())
                      .where(ActionView.status.in_(("in_progress", "done")))
                      .group_by(ActionView.commune), ActionView)
    for commune, count in read(session, launched):
        figures[commune]["actions_launched"] = count
    closed = scoped(select(SurveyView.commune, SurveyView.follow_up_of, SurveyView.responses,
                           CommuneView.population)
                    .join(CommuneView, (CommuneView.generation == SurveyView.generation)
                          & (CommuneView.commune == SurveyView.commune))
                    .where(SurveyView.status == "closed"), SurveyView)
    for commune, follow_up_of, responses, population in read(session, closed):
        if follow_up_of is None:
            best = figures[commune].get("closed_survey_participation") or 0.0
            figures[commune]["closed_survey_participation"] = max(best, responses / population if population else 0.0)
        else:
            figures[commune]["follow_up_surveys_closed"] = figures[commune].get("follow_up_surveys_closed", 0) + 1
    return figures

def with_zero_counts(figures: dict) -> dict:
    """Counting figures are 0, not unknown, for a commune with nothing to count yet."""
    zeros = {f"held_{kind}": 0 for kind in EVENT_KINDS} | {"themes": 0, "objectives": 0,
                                                           "actions_launched": 0, "follow_up_surveys_closed": 0}
    return zeros | {"checklist_done_share_1": 0.0} | figures

def event_summary(session: Session, generation: int, commune: str) -> dict:
    rows = read(session, select(CommunityEventView.__table__).where(
        CommunityEventView.generation == generation, CommunityEventView.commune == commune)
        .order_by(CommunityEventView.starts_at)).all()
    held = [row for row in rows if row.status == "held"]
    responses = sum(row.feedback_responses for row in held)
    by_month: dict[str, dict] = defaultdict(lambda: {"held": 0, "attendance": 0})
    for row in held:
        month = row.starts_at.strftime("%Y-%m")
        by_month[month]["held"] += 1
        by_month[month]["attendance"] += row.head_count or 0
    return {
        "held_by_kind": {kind: sum(1 for r in held if r.kind == kind) for kind in EVENT_KINDS},
        "scheduled": sum(1 for r in rows if r.status == "scheduled"),
        "registrations": sum(r.registered_people for r in rows if r.status != "cancelled"),
        "attendance": sum(r.head_count or 0 for r in held),
        "satisfaction_average": (sum(r.satisfaction_total for r in held) / responses) if responses else None,
        "met_someone_new_share": (sum(r.met_someone_new for r in held) / responses) if responses else None,
        "feedback_responses": responses,
        "co_organised_share": (sum(1 for r in rows if r.partner_ids and r.status != "cancelled")
                               / max(1, sum(1 for r in rows if r.status != "cancelled"))) if rows else None,
        "by_month": [{"month": month, **values} for month, values in sorted(by_month.items())],
    }

def partner_summary(session: Session, generation: int, commune: str) -> dict:
    rows = read(session, select(PartnerView.__table__).where(
        PartnerView.generation == generation, PartnerView.commune == commune)).all()
    current = [row for row in rows if row.ended_on is None]
    active = [row for row in current if row.status == "active"]
    by_month: dict[str, int] = defaultdict(int)
    for row in rows:
        by_month[row.registered_on.strftime("%Y-%m")] += 1
    growth, total = [], 0
    for month in sorted(by_month):
        total += by_month[month]
        growth.append({"month": month, "new": by_month[month], "total": total})
    kinds = sorted({row.kind for row in active})
    return {"partners": len(current), "active": len(active),
            "active_by_kind": {kind: sum(1 for r in active if r.kind == kind) for kind in kinds},
            "by_status": dict(sorted(_count_by(current, "status").items())),
            "growth": growth}

def _count_by(rows, attribute: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[getattr(row, attribute)] += 1
    return counts

def regional_counts(session: Session, generation: int) -> tuple[dict[str, int], dict[str, int]]:
    """(events held, active partners) per commune, in two grouped queries."""
    held = dict(read(session, select(CommunityEventView.commune, func.count())
                                .where(CommunityEventView.generation == generation,
                                       CommunityEventView.status == "held")
                                .group_by(CommunityEventView.commune)).all())
    active = dict(read(session, select(PartnerView.commune, func.sum(
        case((PartnerView.status == "active", 1), else_=0)))
        .where(PartnerView.generation == generation, PartnerView.ended_on.is_(None))
        .group_by(PartnerView.commune)).all())
    return held, active


def surveys(session: Session, generation: int, communes: list[str] | None = None) -> dict[str, list[SurveyView]]:
    query = select(SurveyView.__table__).where(SurveyView.generation == generation).order_by(SurveyView.survey_id)
    if communes is not None:
        query = query.where(SurveyView.commune.in_(communes))
    grouped: dict[str, list[SurveyView]] = defaultdict(list)
    for survey in read(session, query):
        grouped[survey.commune].append(survey)
    return grouped


def baseline(commune_surveys: list[SurveyView]) -> SurveyView | None:
    """The quality-of-life survey the indicators read: the latest one that is not a follow-up."""
    candidates = [s for s in commune_surveys if s.template == QUALITY_OF_LIFE_TEMPLATE
                  and s.follow_up_of is None and s.responses]
    return candidates[-1] if candidates else None


def indicator_shares(session: Session, generation: int,
                     chosen: dict[str, int]) -> dict[tuple[str, int], dict[str, Share]]:
    """(commune, survey id) -> indicator key -> Share, for the chosen survey of each commune
    (commune -> survey id), in one query."""
    if not chosen:
        return {}
    counts: dict[tuple[str, int], dict[tuple[str, str], int]] = defaultdict(dict)
    rows = read(session, select(SurveyAnswerCount.commune, SurveyAnswerCount.survey_id,
                                  SurveyAnswerCount.question, SurveyAnswerCount.answer, SurveyAnswerCount.count)
                           .where(SurveyAnswerCount.generation == generation,
                                  SurveyAnswerCount.question.in_(QUESTIONS),
                                  tuple_(SurveyAnswerCount.commune, SurveyAnswerCount.survey_id)
                                  .in_(list(chosen.items()))))
    for commune, survey_id, question, answer, count in rows:
        counts[(commune, survey_id)][(question, answer)] = count
    return {key: {indicator.key: Share(answers.get((indicator.question, indicator.key), 0),
                                       answers.get((indicator.question, ""), 0))
                  for indicator in INDICATORS}
            for key, answers in counts.items()}
