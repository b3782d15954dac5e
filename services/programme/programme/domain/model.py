"""Programme rules: how phases move, what objectives and actions may hold. Pure Python.

The rules act on any objects with the attributes used here (the ORM rows in practice)
and raise DomainError subclasses with messages for the person who asked.
"""
from __future__ import annotations

from datetime import datetime

from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.text import N_

from shared.phases import PHASES, phase_definition

PENDING, ACTIVE, COMPLETED = "pending", "active", "completed"
ACTION_STATUS_LABELS = {"planned": N_("planned"), "in_progress": N_("in progress"),
                        "done": N_("done"), "abandoned": N_("abandoned")}
ACTION_STATUSES = tuple(ACTION_STATUS_LABELS)
# The survey indicators an objective can aim to move; each is a share between 0 and 1.
INDICATOR_LABELS = {
    "network_restricted_share": N_("Share of residents whose network in the commune is restricted"),
    "neighbour_interaction_frequency": N_("Share of residents who rarely interact with neighbours"),
    "interaction_duration": N_("Share of residents whose interactions are mostly short"),
    "places_of_passage_share": N_("Share of residents who meet others mostly in places of passage"),
    "local_politics_interest": N_("Share of residents with little interest in local politics"),
    "participation_rate": N_("Survey participation rate"),
}
INDICATORS = tuple(INDICATOR_LABELS)


def _phase(phases, number: int):
    if phase_definition(number) is None:
        raise NotFound(N_("There is no phase %(number)s: the programme has phases 1 to 5."),
                       number=number)
    return next(p for p in phases if p.number == number)


def start_phase(phases, number: int, now: datetime):
    phase = _phase(phases, number)
    if phase.status != PENDING:
        raise Conflict(N_("Phase %(number)s has already started."), number=number)
    active = [p for p in phases if p.status == ACTIVE]
    if active:
        raise Conflict(N_("Phase %(active)s is still in progress: complete it first."),
                       active=active[0].number)
    if number > 1 and _phase(phases, number - 1).status != COMPLETED:
        raise Conflict(N_("Phases follow each other: complete phase %(previous)s first."),
                       previous=number - 1)
    phase.status, phase.started_at, phase.completed_at = ACTIVE, now, None
    return phase


def startable_phase(phases) -> int | None:
    """The phase that may start now, if any: the first pending one, once none is active."""
    if any(p.status == ACTIVE for p in phases):
        return None
    return next((p.number for p in sorted(phases, key=lambda p: p.number) if p.status == PENDING), None)


def complete_phase(phases, number: int, now: datetime):
    phase = _phase(phases, number)
    if phase.status != ACTIVE:
        raise Conflict(N_("Only the phase in progress can be completed; phase %(number)s is not."),
                       number=number)
    phase.status, phase.completed_at = COMPLETED, now
    return phase


def reopen_phase(phases, number: int, is_regional_admin: bool):
    """A completed phase is reopened by the region only, and only the last completed one:
    a later phase in progress goes back to pending."""
    if not is_regional_admin:
        raise Forbidden(N_("Only the regional staff can reopen a completed phase."))
    phase = _phase(phases, number)
    if phase.status != COMPLETED:
        raise Conflict(N_("Phase %(number)s is not completed, so it cannot be reopened."),
                       number=number)
    later = [p for p in phases if p.number > number and p.status == COMPLETED]
    if later:
        raise Conflict(N_("Phase %(later)s is completed after it: reopen that one first."),
                       later=later[-1].number)
    reset = [p for p in phases if p.number > number and p.status == ACTIVE]
    for p in reset:
        p.status, p.started_at = PENDING, None
    phase.status, phase.completed_at = ACTIVE, None
    return phase, reset


def check_activity(number: int, key: str) -> None:
    definition = phase_definition(number)
    if definition is None:
        raise NotFound(N_("There is no phase %(number)s: the programme has phases 1 to 5."),
                       number=number)
    if definition.activity(key) is None:
        raise NotFound(N_("Phase %(number)s has no activity %(key)s."), number=number, key=key)


def check_objective_target(indicator: str | None, baseline: float | None, target: float | None) -> None:
    if indicator is None and (baseline is not None or target is not None):
        raise Invalid(N_("A baseline or target needs the indicator it measures."), field="indicator")
    for name, value in (("baseline", baseline), ("target", target)):
        if value is not None and not 0 <= value <= 1:
            raise Invalid(N_("Indicators are shares between 0 and 1 (0.25 means 25 percent)."),
                          field=name)


def initial_phases() -> list[int]:
    return [p.number for p in PHASES]
