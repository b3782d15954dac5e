"""The quality-of-life indicators, computed the same way wherever answers are counted.

The pilot (Courtételle, 2022) reported: the share of residents whose network in the
commune is restricted, how rarely neighbours interact, how short interactions are, and
the interest in local politics. Each indicator is the share of those who answered one
question of the `qualite-de-vie` template with one of the listed values. The surveys
service shows them with its results; reporting computes them from the anonymised
answers of `surveys.ResponseSubmitted` events. Keys match programme's objective indicators.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    question: str
    values: tuple  # the answers counted in; for a multiple choice, any of them

    def counts(self, answer_sets: Iterable[dict]) -> tuple[int, int]:
        """(respondents counted in, respondents who answered the question)."""
        hits = answered = 0
        for answers in answer_sets:
            given = answers.get(self.question)
            if given is None or given == []:
                continue
            answered += 1
            chosen = given if isinstance(given, list) else [given]
            hits += any(value in self.values for value in chosen)
        return hits, answered


INDICATORS: dict[str, Indicator] = {
    "network_restricted_share": Indicator("neighbour_network", ("very_restricted", "restricted")),
    # at most once a month
    "neighbour_interaction_frequency": Indicator(
        "neighbour_interaction_frequency", ("never", "few_times_a_year", "monthly")),
    # a quarter of an hour at most
    "interaction_duration": Indicator("interaction_duration", ("few_minutes", "up_to_15_minutes")),
    # 1 or 2 on the 1–5 scale
    "local_politics_interest": Indicator("local_politics_interest", (1, 2)),
    "places_of_passage_share": Indicator(
        "interaction_places", ("street", "shops", "public_transport", "school")),
}


def indicator_shares(answer_sets: list[dict]) -> dict[str, dict]:
    """{indicator: {"share": float | None, "count": int, "answered": int}}."""
    shares = {}
    for key, indicator in INDICATORS.items():
        count, answered = indicator.counts(answer_sets)
        shares[key] = {"share": count / answered if answered else None, "count": count, "answered": answered}
    return shares
