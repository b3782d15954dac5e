"""The quality-of-life indicators as the dashboards show them: the definitions (question,
answers counted in) are shared with the surveys service (shared/survey_indicators.py), so
both count alike; here they get the words a town council reads."""
from __future__ import annotations

from dataclasses import dataclass

from shared.survey_indicators import INDICATORS as DEFINITIONS
from shared.text import N_

QUALITY_OF_LIFE_TEMPLATE = "qualite-de-vie"
LABELS = {
    "network_restricted_share": N_("rate their network in the commune as restricted"),
    "neighbour_interaction_frequency": N_("talk with their neighbours once a month or less"),
    "places_of_passage_share": N_("meet other residents mostly in places of passage"),
    "interaction_duration": N_("have interactions of a quarter of an hour at most"),
    "local_politics_interest": N_("have little or no interest in local politics (1 or 2 out of 5)"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    question: str
    answers: frozenset[str]  # as the projections write answers: codes, numbers as text
    label: str               # msgid


INDICATORS: tuple[Indicator, ...] = tuple(
    Indicator(key, definition.question, frozenset(str(value) for value in definition.values), LABELS[key])
    for key, definition in DEFINITIONS.items())
QUESTIONS = frozenset(indicator.question for indicator in INDICATORS)
