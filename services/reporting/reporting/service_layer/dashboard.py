"""The dashboards' content, as plain data: the JSON API returns it, the pages draw it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared.contracts.envelope import utcnow
from shared.db.engine import read_only
from shared.errors import NotFound
from shared.phases import PHASES
from shared.text import N_

from reporting.adapters.orm import (ActionView, CommuneView, Freshness, GateCriterion, ObjectiveView,
                                    PhaseView, ThemeView)
from reporting.domain import gates
from reporting.domain.indicators import INDICATORS
from reporting.domain.statistics import Change, Share
from shared.anonymity import meets_threshold
from reporting.service_layer import figures
from reporting.service_layer.cache import RefreshingCache
from reporting.service_layer.generations import active_generation

DAYS_PER_MONTH = 30.44
# A commune that knows its own figure could take it out of an average of two and read the
# other commune's: a regional average rests on three communes at least.
MIN_COMMUNES_IN_AVERAGE = 3


def months_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None:
        return None
    return round(((end or utcnow()) - start).days / DAYS_PER_MONTH, 1)


def gate_settings(session: Session) -> dict[str, tuple[float, bool]]:
    return {row.key: (row.threshold, row.enabled) for row in session.scalars(select(GateCriterion))}


def _phases(rows: list[PhaseView], language: str) -> list[dict]:
    by_number = {row.number: row for row in rows}
    timeline = []
    for definition in PHASES:
        row = by_number.get(definition.number)
        status = row.status if row else "pending"
        elapsed = months_between(row.started_at, row.completed_at) if row else None
        planned_max = definition.planned_months[1] if definition.planned_months else None
        timeline.append({
            "number": definition.number, "label": definition.label(language), "status": status,
            "started_at": row.started_at if row else None, "completed_at": row.completed_at if row else None,
            "planned_months": list(definition.planned_months) if definition.planned_months else None,
            "months": elapsed,
            "behind_plan": bool(status == "active" and planned_max and elapsed and elapsed > planned_max),
        })
    return timeline


def _gates(commune_figures: dict, settings: dict, current_phase: int | None) -> list[dict]:
    return [{"key": result.criterion.key, "phase": result.criterion.phase, "label": result.criterion.label,
             "unit": result.criterion.unit, "threshold": result.threshold, "value": result.value,
             "met": result.met, "current": result.criterion.phase == current_phase}
            for result in gates.evaluate(figures.with_zero_counts(commune_figures), settings)]


def _plan(session: Session, generation: int, commune: str) -> dict:
    """The chain theme → objectives → actions (→ events and partners, by id)."""
    def rows(model):
        return figures.read(session, select(model.__table__).where(model.generation == generation,
                                                                   model.commune == commune)).all()
    actions = rows(ActionView)
    objectives = [{"id": o.objective_id, "title": o.title, "theme_id": o.theme_id, "indicator": o.indicator,
                   "baseline": o.baseline, "target": o.target,
                   "actions": [{"id": a.action_id, "title": a.title, "status": a.status, "due_on": a.due_on,
                                "partner_ids": a.partner_ids, "event_ids": a.event_ids}
                               for a in actions if a.objective_id == o.objective_id]}
                  for o in sorted(rows(ObjectiveView), key=lambda o: o.objective_id)]
    themes = [{"id": t.theme_id, "title": t.title,
               "objectives": [o for o in objectives if o["theme_id"] == t.theme_id]}
              for t in sorted(rows(ThemeView), key=lambda t: t.theme_id)]
    known_themes = {t["id"] for t in themes}
    by_status: dict[str, int] = {}
    for action in actions:
        by_status[action.status] = by_status.get(action.status, 0) + 1
    return {"themes": themes,
            "objectives_without_theme": [o for o in objectives if o["theme_id"] not in known_themes],
            "actions_without_objective": [{"id": a.action_id, "title": a.title, "status": a.status}
                                          for a in actions if a.objective_id is None],
            "objectives": len(objectives), "actions_by_status": by_status}


def _shown(share: Share | None, threshold: int) -> float | None:
    """A share, or None when fewer than `threshold` respondents stand behind it."""
    if share is None or not meets_threshold(share.total, threshold):
        return None
    return share.value


def _survey_block(survey, population: int) -> dict | None:
    if survey is None:
        return None
    return {"survey_id": survey.survey_id, "status": survey.status, "responses": survey.responses,
            "participation_rate": survey.responses / population if population else None,
            # ISO 8601 like every other time of the API (this block is a free-form dict).
            "published_at": survey.published_at.isoformat() if survey.published_at else None,
            "closed_at": survey.closed_at.isoformat() if survey.closed_at else None}


AVERAGES = RefreshingCache(fresh_s=30.0, usable_s=300.0)
OVERVIEWS = RefreshingCache(fresh_s=2.0)


def regional_averages(engine: Engine, threshold: int) -> dict[str, float | None]:
    """Each indicator averaged over the communes that show it (every commune counts once).
    Cached: every commune dashboard shows it, and it reads every commune."""
    def compute():
        with Session(read_only(engine)) as session:
            return _regional_averages(session, active_generation(session), threshold)
    return AVERAGES.get((str(engine.url), threshold), compute)


def _regional_averages(session: Session, generation: int, threshold: int) -> dict[str, float | None]:
    by_commune = figures.surveys(session, generation)
    chosen = {c: b.survey_id for c, surveys in by_commune.items() if (b := figures.baseline(surveys))}
    shares = figures.indicator_shares(session, generation, chosen)
    averages = {}
    for indicator in INDICATORS:
        values = [v for key in shares if (v := _shown(shares[key][indicator.key], threshold)) is not None]
        averages[indicator.key] = sum(values) / len(values) if len(values) >= MIN_COMMUNES_IN_AVERAGE else None
    return averages


def _evaluation(session: Session, generation: int, base, commune_surveys: list, threshold: int) -> dict | None:
    """The follow-up survey against the baseline, indicator by indicator, with the change's
    95% confidence interval (Newcombe), only where both sides meet the anonymity threshold."""
    follow_ups = [s for s in commune_surveys if base and s.follow_up_of == base.survey_id and s.responses]
    if not follow_ups:
        return None
    follow_up = follow_ups[-1]
    shares = figures.indicator_shares(session, generation, {base.commune: base.survey_id})
    later = figures.indicator_shares(session, generation, {follow_up.commune: follow_up.survey_id})
    before = shares.get((base.commune, base.survey_id), {})
    after = later.get((follow_up.commune, follow_up.survey_id), {})
    rows = []
    for indicator in INDICATORS:
        first, second = before.get(indicator.key), after.get(indicator.key)
        visible = _shown(first, threshold) is not None and _shown(second, threshold) is not None
        change = Change(first, second) if visible else None
        interval = change.interval() if change else None
        rows.append({"key": indicator.key, "label": indicator.label,
                     "baseline": _shown(first, threshold), "follow_up": _shown(second, threshold),
                     "baseline_respondents": first.total if first else 0,
                     "follow_up_respondents": second.total if second else 0,
                     "change": change.difference if change else None,
                     "interval": list(interval) if interval else None,
                     "significant": bool(interval and (interval[0] > 0 or interval[1] < 0))})
    return {"baseline_survey_id": base.survey_id, "follow_up_survey_id": follow_up.survey_id,
            "indicators": rows}


def commune_dashboard(session: Session, commune: str, language: str, threshold: int,
                      regional_average: dict[str, float | None]) -> dict:
    generation = active_generation(session)
    row = session.get(CommuneView, (generation, commune))
    if row is None:
        raise NotFound(N_("There is no data for the commune %(commune)s yet."), commune=commune)
    phases = _phases(figures.read(session, select(PhaseView.__table__).where(
        PhaseView.generation == generation, PhaseView.commune == commune)).all(), language)
    current = next((p["number"] for p in phases if p["status"] == "active"), None)
    freshness = session.get(Freshness, (generation, commune))
    commune_figures = figures.gate_figures(session, generation, [commune]).get(commune, {})
    commune_surveys = figures.surveys(session, generation, [commune]).get(commune, [])
    base = figures.baseline(commune_surveys)
    shares = (figures.indicator_shares(session, generation, {commune: base.survey_id})
              .get((commune, base.survey_id), {})) if base else {}
    survey = _survey_block(base, row.population)
    indicators = {indicator.key: _shown(shares.get(indicator.key), threshold) for indicator in INDICATORS}
    indicators["participation_rate"] = survey["participation_rate"] if survey else None
    return {
        "commune": {"slug": row.commune, "name": row.name, "canton": row.canton,
                    "population": row.population, "onboarded_on": row.onboarded_on},
        "as_of": freshness.as_of if freshness else None,
        "current_phase": current,
        "phases": phases,
        "gates": _gates(commune_figures, gate_settings(session), current),
        "survey": survey,
        "indicators": indicators,
        "indicator_labels": {indicator.key: indicator.label for indicator in INDICATORS},
        "respondents": {key: share.total for key, share in shares.items()},
        "regional_average": regional_average,
        "evaluation": _evaluation(session, generation, base, commune_surveys, threshold),
        "events": figures.event_summary(session, generation, commune),
        "partners": figures.partner_summary(session, generation, commune),
        "plan": _plan(session, generation, commune),
        "anonymity_threshold": threshold,
    }


def region_overview(engine: Engine, language: str, threshold: int) -> dict:
    """Every commune side by side, a few seconds old at most (its "as of" says how old)."""
    def compute():
        with Session(read_only(engine)) as session:
            return _region_overview(session, active_generation(session), language, threshold)
    return OVERVIEWS.get((str(engine.url), language, threshold), compute)


def _region_overview(session: Session, generation: int, language: str, threshold: int) -> dict:
    communes = figures.read(session, select(CommuneView.__table__).where(CommuneView.generation == generation)
                            .order_by(CommuneView.name)).all()
    phases: dict[str, list] = {}
    for phase in figures.read(session, select(PhaseView.__table__).where(PhaseView.generation == generation)):
        phases.setdefault(phase.commune, []).append(phase)
    all_figures = figures.gate_figures(session, generation)
    settings = gate_settings(session)
    held, active_partners = figures.regional_counts(session, generation)
    by_commune = figures.surveys(session, generation)
    bases = {c: b for c, surveys in by_commune.items() if (b := figures.baseline(surveys))}
    shares = figures.indicator_shares(session, generation, {c: b.survey_id for c, b in bases.items()})
    rows, distribution = [], {str(d.number): 0 for d in PHASES}
    for commune in communes:
        timeline = _phases(phases.get(commune.commune, []), language)
        current = next((p for p in timeline if p["status"] == "active"), None)
        commune_gates = _gates(all_figures.get(commune.commune, {}), settings, current and current["number"])
        due = [g for g in commune_gates if g["current"]]
        if current:
            distribution[str(current["number"])] += 1
        rows.append({
            "slug": commune.commune, "name": commune.name, "canton": commune.canton,
            "population": commune.population,
            "current_phase": current["number"] if current else None,
            "phase_label": current["label"] if current else None,
            "months_in_phase": current["months"] if current else None,
            "planned_months": current["planned_months"] if current else None,
            "behind_plan": bool(current and current["behind_plan"]),
            "gates_met": sum(1 for g in due if g["met"]), "gates_due": len(due),
            "participation_rate": (bases[commune.commune].responses / commune.population
                                   if commune.commune in bases and commune.population else None),
            "network_restricted_share": _shown(
                shares.get((commune.commune, bases[commune.commune].survey_id), {}).get("network_restricted_share")
                if commune.commune in bases else None, threshold),
            "events_held": held.get(commune.commune, 0),
            "partners_active": int(active_partners.get(commune.commune) or 0),
        })
    as_of = session.scalar(select(func.max(Freshness.as_of)).where(Freshness.generation == generation))
    return {"as_of": as_of, "communes": rows, "phase_distribution": distribution,
            "communes_behind_plan": sum(1 for r in rows if r["behind_plan"]),
            "anonymity_threshold": threshold}
