"""The quality-of-life indicators, as the pilot read its survey: each is the share of the
respondents who answered a question and gave one of the answers named here.

They read the built-in `qualite-de-vie` template's stable question keys and option codes
(services/surveys), which is why follow-up surveys must keep those keys.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.text import N_

QUALITY_OF_LIFE_TEMPLATE = "qualite-de-vie"


@dataclass(frozen=True)
class Indicator:
    key: str
    question: str
    answers: frozenset[str]
    label: str  # msgid


INDICATORS: tuple[Indicator, ...] = (
    Indicator("network_restricted_share", "neighbour_network", frozenset({"very_restricted", "restricted"}),
              N_("rate their network in the commune as restricted")),
    Indicator("neighbour_interaction_frequency", "neighbour_interaction_frequency",
              frozenset({"monthly", "few_times_a_year", "never"}),
              N_("talk with their neighbours less than once a week")),
    Indicator("interaction_places_of_passage", "interaction_places",
              frozenset({"street", "shops", "public_transport", "school"}),
              N_("meet other residents mostly in places of passage")),
    Indicator("interaction_duration", "interaction_duration", frozenset({"few_minutes", "up_to_15_minutes"}),
              N_("have interactions of a quarter of an hour at most")),
    Indicator("local_politics_interest", "local_politics_interest", frozenset({"1", "2"}),
              N_("have little or no interest in local politics (1 or 2 out of 5)")),
)
QUESTIONS = frozenset(indicator.question for indicator in INDICATORS)
