"""Phase gates: what a commune should have done before moving on, computed from events.

The criteria and their defaults come from the pilot; the region changes thresholds or
switches criteria off (stored in gate_criteria), without code changes.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.text import N_

SHARE, COUNT = "share", "count"


@dataclass(frozen=True)
class Criterion:
    key: str
    phase: int
    label: str          # msgid
    figure: str         # the name of the figure it reads (service_layer/figures.py)
    default_threshold: float
    unit: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("phase1.checklist", 1, N_("The preparation checklist is done"), "checklist_done_share_1", 1.0, SHARE),
    Criterion("phase2.survey", 2, N_("A survey was closed with enough of the population answering"),
              "closed_survey_participation", 0.10, SHARE),
    Criterion("phase2.papotages", 2, N_("Public chats were held"), "held_papotage", 1, COUNT),
    Criterion("phase2.ice_breaker_week", 2, N_("The ice-breaker week was held"), "held_brise_glace", 3, COUNT),
    Criterion("phase3.citizen_forum", 3, N_("A citizen forum was held"), "held_forum_citoyen", 1, COUNT),
    Criterion("phase3.themes", 3, N_("Themes from the survey are set"), "themes", 2, COUNT),
    Criterion("phase3.objectives", 3, N_("Objectives are set"), "objectives", 2, COUNT),
    Criterion("phase4.actions", 4, N_("Actions are under way or done"), "actions_launched", 1, COUNT),
    Criterion("phase5.follow_up", 5, N_("A follow-up survey was closed"), "follow_up_surveys_closed", 1, COUNT),
)
BY_KEY = {criterion.key: criterion for criterion in CRITERIA}


@dataclass(frozen=True)
class GateResult:
    criterion: Criterion
    threshold: float
    value: float | None  # None: no figure yet (e.g. no survey closed)
    met: bool


def evaluate(figures: dict[str, float | None], settings: dict[str, tuple[float, bool]]) -> list[GateResult]:
    """`settings`: key -> (threshold, enabled), from the region; missing keys use defaults."""
    results = []
    for criterion in CRITERIA:
        threshold, enabled = settings.get(criterion.key, (criterion.default_threshold, True))
        if not enabled:
            continue
        value = figures.get(criterion.figure)
        results.append(GateResult(criterion, threshold, value, value is not None and value >= threshold))
    return results
