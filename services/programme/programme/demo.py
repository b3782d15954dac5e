"""The demo data of `make run`: the pilot commune Courtételle (in phase 2) and two more.

Each step looks at what is there first, so a run stopped half-way through seeding
finishes it on the next start, and a second run adds nothing.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from programme.adapters import repository as repo
from shared.phases import phase_definition
from programme.service_layer import handlers
from shared.service import ServiceRuntime

DEMO_PASSWORD = "demo"


def _utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 8, 0, tzinfo=timezone.utc)


COMMUNES = (
    # slug, name, canton, population (Swiss Federal Statistical Office), onboarded,
    # start of each phase reached (the last one is in progress)
    ("courtetelle", "Courtételle", "JU", 2582, date(2025, 9, 1), (_utc(2025, 9, 1), _utc(2026, 5, 4))),
    ("delemont", "Delémont", "JU", 12625, date(2026, 3, 2), (_utc(2026, 3, 2),)),
    ("porrentruy", "Porrentruy", "JU", 6809, date(2026, 10, 19), ()),
)
ACCOUNTS = (
    ("region@asp.example", "Services sociaux régionaux", "regional_admin", []),
    ("coordination@courtetelle.example", "Coordination Courtételle", "coordinator", ["courtetelle"]),
    ("conseil@courtetelle.example", "Conseil communal de Courtételle", "viewer", ["courtetelle"]),
    ("coordination@delemont.example", "Coordination Delémont", "coordinator", ["delemont"]),
)
LOGINS = (("regional admin", "region@asp.example"),
          ("Courtételle coordinator", "coordination@courtetelle.example"),
          ("Courtételle council (read only)", "conseil@courtetelle.example"))


def seed(programme: ServiceRuntime) -> bool:
    """Seed what is missing; returns True if anything was added."""
    added = False
    for slug, name, canton, population, onboarded_on, phase_starts in COMMUNES:
        with programme.unit_of_work() as uow:
            if not repo.communes(uow.session, (slug,)):
                handlers.onboard_commune(uow, slug, name, canton, population, onboarded_on)
                added = True
        added |= _advance(programme, slug, phase_starts)
    for email, display_name, role, communes in ACCOUNTS:
        with programme.unit_of_work() as uow:
            if repo.account_by_email(uow.session, email) is None:
                handlers.create_account(uow, email, display_name, DEMO_PASSWORD, role, communes)
                added = True
    return added


def _advance(programme: ServiceRuntime, slug: str, phase_starts: tuple[datetime, ...]) -> bool:
    """Start each phase on its date; every phase but the last is completed (its checklist
    ticked) when the next one starts."""
    changed = False
    for number, started in enumerate(phase_starts, start=1):
        changed |= _start_if_pending(programme, slug, number, started)
        if number == len(phase_starts):
            break
        for activity in phase_definition(number).activities:
            with programme.unit_of_work() as uow:
                handlers.set_activity(uow, slug, number, activity.key, True)
        with programme.unit_of_work() as uow:
            if _status(uow, slug, number) == "active":
                handlers.complete_phase(uow, slug, number, now=phase_starts[number])
                changed = True
    return changed


def _status(uow, slug: str, number: int) -> str:
    commune = repo.commune_by_slug(uow.session, slug)
    return next(p.status for p in repo.phases(uow.session, commune) if p.number == number)


def _start_if_pending(programme: ServiceRuntime, slug: str, number: int, started: datetime) -> bool:
    with programme.unit_of_work() as uow:
        if _status(uow, slug, number) != "pending":
            return False
        handlers.start_phase(uow, slug, number, now=started)
        return True
