"""The phase rules, without a database."""
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from shared.errors import Conflict, Forbidden, Invalid, NotFound

from programme.domain import model
from shared.phases import PHASES

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


@dataclass
class FakePhase:
    number: int
    status: str = "pending"
    started_at: datetime | None = None
    completed_at: datetime | None = None


def five(*statuses) -> list[FakePhase]:
    statuses = list(statuses) + ["pending"] * (5 - len(statuses))
    return [FakePhase(n + 1, s) for n, s in enumerate(statuses)]


def test_the_programme_has_five_phases_in_the_pilots_order():
    assert [p.labels["fr"] for p in PHASES] == [
        "Préparer et ancrer", "Analyser et mobiliser", "Élaborer", "Adopter et mettre en œuvre", "Évaluer"]
    assert [p.planned_months for p in PHASES] == [(6, 8), (6, 8), (6, 8), None, (6, 6)]
    assert [a.key for a in PHASES[1].activities] == ["public_chats", "survey", "ice_breaker_week"]


def test_the_first_phase_starts_and_records_its_date():
    phases = five()
    model.start_phase(phases, 1, NOW)
    assert phases[0].status == "active" and phases[0].started_at == NOW


def test_a_phase_cannot_start_before_the_previous_one_is_completed():
    with pytest.raises(Conflict):
        model.start_phase(five(), 2, NOW)


def test_only_one_phase_is_active_at_a_time():
    phases = five("completed", "active")
    with pytest.raises(Conflict):
        model.start_phase(phases, 3, NOW)


def test_completing_needs_the_phase_to_be_in_progress():
    with pytest.raises(Conflict):
        model.complete_phase(five("completed"), 1, NOW)
    phases = five("active")
    model.complete_phase(phases, 1, NOW)
    assert phases[0].status == "completed" and phases[0].completed_at == NOW


def test_only_the_region_reopens_a_completed_phase():
    with pytest.raises(Forbidden):
        model.reopen_phase(five("completed", "active"), 1, is_regional_admin=False)


def test_reopening_sends_the_next_phase_in_progress_back_to_pending():
    phases = five("completed", "active")
    model.reopen_phase(phases, 1, is_regional_admin=True)
    assert [p.status for p in phases[:2]] == ["active", "pending"]
    assert phases[1].started_at is None and phases[0].completed_at is None


def test_a_phase_with_a_later_completed_phase_cannot_be_reopened():
    with pytest.raises(Conflict):
        model.reopen_phase(five("completed", "completed", "active"), 1, is_regional_admin=True)


def test_there_is_no_sixth_phase():
    with pytest.raises(NotFound):
        model.start_phase(five(), 6, NOW)


def test_activities_are_those_of_the_phase():
    model.check_activity(2, "ice_breaker_week")
    with pytest.raises(NotFound):
        model.check_activity(1, "ice_breaker_week")


def test_an_objective_target_is_a_share_of_a_named_indicator():
    model.check_objective_target("network_restricted_share", 0.25, 0.15)
    with pytest.raises(Invalid) as missing:
        model.check_objective_target(None, 0.25, None)
    assert missing.value.field == "indicator"
    with pytest.raises(Invalid) as percent:
        model.check_objective_target("network_restricted_share", 25, None)
    assert percent.value.field == "baseline"


def test_only_the_next_phase_may_start():
    assert model.startable_phase(five()) == 1
    assert model.startable_phase(five("completed", "active")) is None
    assert model.startable_phase(five("completed", "completed")) == 3
    assert model.startable_phase(five(*["completed"] * 5)) is None
