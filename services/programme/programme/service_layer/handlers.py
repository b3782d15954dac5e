"""The programme's use cases: each one unit of work, its change and its events together."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from shared.contracts import Event
from shared.contracts.envelope import utcnow
from shared.db.uow import UnitOfWork
from shared.errors import Conflict, Invalid
from shared.http.auth import Principal
from shared.text import N_

from programme.adapters import repository as repo
from programme.adapters.orm import (Account, Action, ActivityCheck, Commune, Objective, Phase,
                                    Theme)
from programme.adapters.passwords import hash_password, verify_password
from programme.domain import model
from shared.phases import PHASES

SOURCE = "programme"


def _event(event_type: str, commune: str, **payload) -> Event:
    return Event(type=f"programme.{event_type}", commune=commune, source=SOURCE, payload=payload)


# -- communes and accounts -------------------------------------------------------------------
def onboard_commune(uow: UnitOfWork, slug: str, name: str, canton: str, population: int,
                    onboarded_on: date) -> Commune:
    session = uow.session
    if session.scalar(select(Commune).where(Commune.slug == slug)):
        raise Conflict(N_("A commune with the identifier %(slug)s exists already."), field="slug", slug=slug)
    commune = Commune(slug=slug, name=name, canton=canton.upper(), population=population,
                      onboarded_on=onboarded_on)
    session.add(commune)
    session.flush()
    for number in model.initial_phases():
        session.add(Phase(commune_id=commune.id, number=number, status=model.PENDING))
    uow.publish(_event("CommuneOnboarded", slug, slug=slug, name=name, canton=commune.canton,
                       population=population, onboarded_on=onboarded_on.isoformat()))
    uow.commit()
    return commune


def create_account(uow: UnitOfWork, email: str, display_name: str, password: str, role: str,
                   commune_slugs: list[str]) -> Account:
    session = uow.session
    if repo.account_by_email(session, email):
        raise Conflict(N_("An account with this e-mail address exists already."), field="email")
    if role != "regional_admin" and not commune_slugs:
        raise Invalid(N_("A coordinator or viewer needs at least one commune."), field="communes")
    communes = [repo.commune_by_slug(session, slug) for slug in commune_slugs]
    account = Account(email=email.strip().lower(), display_name=display_name,
                      password_hash=hash_password(password), role=role, communes=communes)
    session.add(account)
    uow.commit()  # accounts carry personal data of staff: no event
    return account


def authenticate(uow: UnitOfWork, email: str, password: str) -> Account | None:
    account = repo.account_by_email(uow.session, email)
    if not verify_password(account.password_hash if account else None, password):
        return None
    return account


# -- phases ----------------------------------------------------------------------------------
def start_phase(uow: UnitOfWork, slug: str, number: int, now: datetime | None = None) -> Phase:
    """`now` is for recording history (the demo's pilot dates); requests use the clock."""
    commune = repo.commune_by_slug(uow.session, slug)
    phase = model.start_phase(repo.phases(uow.session, commune), number, now or utcnow())
    uow.publish(_event("PhaseStarted", slug, phase=number, started_at=phase.started_at.isoformat()))
    uow.commit()
    return phase


def complete_phase(uow: UnitOfWork, slug: str, number: int, now: datetime | None = None) -> Phase:
    commune = repo.commune_by_slug(uow.session, slug)
    phase = model.complete_phase(repo.phases(uow.session, commune), number, now or utcnow())
    uow.publish(_event("PhaseCompleted", slug, phase=number, completed_at=phase.completed_at.isoformat()))
    uow.commit()
    return phase


def reopen_phase(uow: UnitOfWork, slug: str, number: int, principal: Principal) -> Phase:
    commune = repo.commune_by_slug(uow.session, slug)
    phase, _reset = model.reopen_phase(repo.phases(uow.session, commune), number, principal.is_regional)
    uow.publish(_event("PhaseReopened", slug, phase=number, reopened_at=utcnow().isoformat()))
    uow.commit()
    return phase


def set_activity(uow: UnitOfWork, slug: str, number: int, key: str, done: bool) -> ActivityCheck:
    model.check_activity(number, key)
    commune = repo.commune_by_slug(uow.session, slug)
    check = repo.activity_checks(uow.session, commune).get((number, key))
    if check is None:
        check = ActivityCheck(commune_id=commune.id, phase_number=number, activity_key=key, done=False)
        uow.session.add(check)
    if check.done == done:
        return check  # ticking a ticked box changes nothing and tells nobody
    check.done, check.checked_at = done, utcnow() if done else None
    uow.publish(_event("ActivityChecked", slug, phase=number, activity=key, done=done))
    uow.commit()
    return check


# -- themes, objectives, actions ----------------------------------------------------------------
def define_theme(uow: UnitOfWork, slug: str, title: str, description: str) -> Theme:
    commune = repo.commune_by_slug(uow.session, slug)
    if any(t.title.casefold() == title.casefold() for t in repo.themes(uow.session, commune)):
        raise Conflict(N_("This commune has a theme with this title already."), field="title")
    theme = Theme(commune_id=commune.id, title=title, description=description)
    uow.session.add(theme)
    uow.session.flush()
    uow.publish(_event("ThemeDefined", slug, theme_id=theme.id, title=title))
    uow.commit()
    return theme


def _objective_event(slug: str, objective: Objective) -> Event:
    return _event("ObjectiveSet", slug, objective_id=objective.id, title=objective.title,
                  theme_id=objective.theme_id, indicator=objective.indicator,
                  baseline=objective.baseline, target=objective.target)


def set_objective(uow: UnitOfWork, slug: str, objective_id: int | None = None, **fields) -> Objective:
    commune = repo.commune_by_slug(uow.session, slug)
    objective = repo.objective(uow.session, commune, objective_id) if objective_id else None
    if fields.get("theme_id") is not None:
        repo.theme(uow.session, commune, fields["theme_id"])
    current = {name: getattr(objective, name, None) for name in ("indicator", "baseline", "target")}
    merged = {**current, **{k: v for k, v in fields.items() if k in current}}
    model.check_objective_target(merged["indicator"], merged["baseline"], merged["target"])
    if objective is None:
        objective = Objective(commune_id=commune.id)
        uow.session.add(objective)
    for name, value in fields.items():
        setattr(objective, name, value)
    uow.session.flush()
    uow.publish(_objective_event(slug, objective))
    uow.commit()
    return objective


def _action_event(event_type: str, slug: str, action: Action) -> Event:
    return _event(event_type, slug, action_id=action.id, objective_id=action.objective_id,
                  title=action.title, status=action.status,
                  due_on=action.due_on.isoformat() if action.due_on else None,
                  partner_ids=list(action.partner_ids), event_ids=list(action.event_ids))


def save_action(uow: UnitOfWork, slug: str, action_id: int | None = None, **fields) -> Action:
    commune = repo.commune_by_slug(uow.session, slug)
    action = repo.action(uow.session, commune, action_id) if action_id else None
    if fields.get("objective_id") is not None:
        repo.objective(uow.session, commune, fields["objective_id"], field="objective_id")
    if action is None:
        action = Action(commune_id=commune.id, partner_ids=[], event_ids=[], status="planned", owner="")
        uow.session.add(action)
    for name, value in fields.items():
        setattr(action, name, list(value) if isinstance(value, (list, tuple)) else value)
    uow.session.flush()
    uow.publish(_action_event("ActionLaunched" if action_id is None else "ActionUpdated", slug, action))
    uow.commit()
    return action


def phase_timeline(uow: UnitOfWork, slug: str) -> tuple[Commune, list[dict]]:
    """The commune's five phases with their checklists, ready to show."""
    commune = repo.commune_by_slug(uow.session, slug)
    rows = {p.number: p for p in repo.phases(uow.session, commune)}
    checks = repo.activity_checks(uow.session, commune)
    timeline = []
    for definition in PHASES:
        row = rows[definition.number]
        activities = [(activity, checks.get((definition.number, activity.key)))
                      for activity in definition.activities]
        timeline.append({"definition": definition, "row": row, "activities": activities})
    return commune, timeline
