"""Counting answers and protecting small groups (shared.anonymity). Pure Python."""
import pytest

from shared.anonymity import MERGED, MERGED_REASON, WITHHELD_REASON, protect_groups
from shared.survey_indicators import indicator_shares

from surveys.demo import pilot_answers
from surveys.domain.catalogue import QUALITE_DE_VIE
from surveys.domain.questions import questions_of
from surveys.domain.results import NO_ANSWER, breakdown, tally

QUESTIONS = questions_of(QUALITE_DE_VIE["questions"])
BY_KEY = {q.key: q for q in QUESTIONS}
LABELS = {MERGED: "Autres", NO_ANSWER: "Sans réponse"}


def result(key, answer_sets, **options):
    options = {"include_texts": False, "threshold": 5, **options}
    return next(r for r in tally(QUESTIONS, answer_sets, "fr", **options) if r["key"] == key)


def test_a_single_choice_counts_each_option_with_its_share_of_those_who_answered():
    answers = [{"neighbour_network": "restricted"}] * 3 + [{"neighbour_network": "wide"}] + [{}]
    counted = result("neighbour_network", answers)
    assert counted["answered"] == 4 and counted["skipped"] == 1
    shares = {o["value"]: (o["count"], o["share"]) for o in counted["options"]}
    assert shares["restricted"] == (3, 0.75) and shares["wide"] == (1, 0.25) and shares["medium"] == (0, 0.0)
    assert [o["label"] for o in counted["options"]][:2] == ["Très restreint", "Restreint"]


def test_a_multiple_choice_counts_each_person_once_per_option():
    answers = [{"interaction_places": ["street", "shops"]}, {"interaction_places": ["street"]}]
    shares = {o["value"]: o["share"] for o in result("interaction_places", answers)["options"]}
    assert shares["street"] == 1.0 and shares["shops"] == 0.5


def test_a_scale_has_its_mean_and_a_number_its_mean_only_from_the_threshold_on():
    assert result("local_politics_interest", [{"local_politics_interest": v} for v in (1, 2, 3)])["mean"] == 2
    few = [{"neighbours_known_by_name": v} for v in (1, 2, 90)]
    assert result("neighbours_known_by_name", few)["mean"] is None
    assert result("neighbours_known_by_name", few * 2)["median"] == 2


def test_free_text_is_listed_only_when_asked_for():
    answers = [{"wishes": "Un banc"}, {"wishes": "Une fête"}]
    assert result("wishes", answers)["texts"] is None
    assert result("wishes", answers, include_texts=True)["texts"] == ["Un banc", "Une fête"]


def test_groups_at_the_threshold_are_shown_unchanged():
    protected = protect_groups({"a": 5, "b": 7, "c": 0}, 5)
    assert [(g.key, g.size) for g in protected.groups] == [("a", 5), ("b", 7)]
    assert protected.reason is None and not protected.withheld


def test_small_groups_are_merged_and_a_merged_group_too_small_takes_the_next_smallest():
    protected = protect_groups({"a": 2, "b": 20, "c": 1, "d": 9, "e": 6}, 5)
    assert [(g.key, g.members, g.size) for g in protected.groups] == [
        ("b", ("b",), 20), ("d", ("d",), 9), (MERGED, ("a", "c", "e"), 9)]
    assert protected.reason == MERGED_REASON
    assert all(g.size >= 5 for g in protected.groups)


def test_a_breakdown_that_would_leave_one_group_is_withheld():
    protected = protect_groups({"a": 3, "b": 6}, 5)
    assert protected.withheld and protected.groups == [] and protected.reason == WITHHELD_REASON


@pytest.mark.parametrize("threshold", [2, 5, 10, 30])
def test_every_group_of_a_breakdown_has_at_least_the_threshold(threshold):
    found = breakdown(QUESTIONS, pilot_answers(), BY_KEY["age_band"], "fr", threshold, LABELS)
    if found["withheld"]:
        assert found["groups"] == [] and found["questions"] == []
        return
    assert all(group["size"] >= threshold for group in found["groups"])
    assert sum(group["size"] for group in found["groups"]) == 120
    network = next(q for q in found["questions"] if q["key"] == "neighbour_network")
    assert sum(sum(row["counts"]) for row in network["rows"]) == 120


def test_the_pilot_answers_reproduce_the_pilot_figures():
    shares = indicator_shares(pilot_answers())
    assert shares["network_restricted_share"] == {"share": 0.25, "count": 30, "answered": 120}
    assert shares["neighbour_interaction_frequency"]["share"] > 0.6      # infrequent
    assert shares["interaction_duration"]["share"] >= 0.75                # short
    assert shares["places_of_passage_share"]["share"] > 0.9               # places of passage
    assert shares["local_politics_interest"]["share"] > 0.5               # low interest
