"""Reading the programme's rows, always within one commune."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.text import N_

from programme.adapters.orm import (Account, Action, ActivityCheck, Commune, Objective, Phase,
                                    Theme)


def commune_by_slug(session: Session, slug: str) -> Commune:
    commune = session.scalar(select(Commune).where(Commune.slug == slug))
    if commune is None:
        raise NotFound(N_("The commune %(commune)s does not exist."), commune=slug)
    return commune


def communes(session: Session, slugs: tuple[str, ...] | None = None) -> list[Commune]:
    query = select(Commune).order_by(Commune.name)
    if slugs is not None:
        query = query.where(Commune.slug.in_(slugs))
    return list(session.scalars(query))


def account_by_email(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(func.lower(Account.email) == email.strip().lower()))


def accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.email)))


def phases(session: Session, commune: Commune) -> list[Phase]:
    return list(session.scalars(
        select(Phase).where(Phase.commune_id == commune.id).order_by(Phase.number)))


def activity_checks(session: Session, commune: Commune) -> dict[tuple[int, str], ActivityCheck]:
    rows = session.scalars(select(ActivityCheck).where(ActivityCheck.commune_id == commune.id))
    return {(row.phase_number, row.activity_key): row for row in rows}


def themes(session: Session, commune: Commune) -> list[Theme]:
    return list(session.scalars(select(Theme).where(Theme.commune_id == commune.id).order_by(Theme.id)))


def theme(session: Session, commune: Commune, theme_id: int) -> Theme:
    row = session.scalar(select(Theme).where(Theme.commune_id == commune.id, Theme.id == theme_id))
    if row is None:
        raise NotFound(N_("This commune has no theme %(id)s."), field="theme_id", id=theme_id)
    return row


def objectives(session: Session, commune: Commune) -> list[Objective]:
    return list(session.scalars(
        select(Objective).where(Objective.commune_id == commune.id).order_by(Objective.id)))


def objective(session: Session, commune: Commune, objective_id: int, field: str | None = None) -> Objective:
    row = session.scalar(select(Objective).where(Objective.commune_id == commune.id,
                                                 Objective.id == objective_id))
    if row is None:
        raise NotFound(N_("This commune has no objective %(id)s."), field=field, id=objective_id)
    return row


def actions(session: Session, commune: Commune) -> list[Action]:
    return list(session.scalars(select(Action).where(Action.commune_id == commune.id).order_by(Action.id)))


def action(session: Session, commune: Commune, action_id: int) -> Action:
    row = session.scalar(select(Action).where(Action.commune_id == commune.id, Action.id == action_id))
    if row is None:
        raise NotFound(N_("This commune has no action %(id)s."), id=action_id)
    return row
