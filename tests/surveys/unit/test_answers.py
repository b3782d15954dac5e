"""Checking answers against the questions: each type, skip logic, required answers."""
import pytest

from surveys.domain.answers import check_answers, closed_answers
from surveys.domain.catalogue import QUALITE_DE_VIE
from surveys.domain.questions import questions_of
from tests.surveys.conftest import VALID_ANSWERS

QUESTIONS = questions_of(QUALITE_DE_VIE["questions"])


def problems(answers, **options):
    return check_answers(QUESTIONS, answers, **options)[1]


def test_a_complete_set_of_answers_is_accepted_as_given():
    clean, found = check_answers(QUESTIONS, VALID_ANSWERS)
    assert found == {}
    assert clean == {**VALID_ANSWERS, "wishes": VALID_ANSWERS["wishes"].strip()}


@pytest.mark.parametrize("key, value", [
    ("neighbour_network", "enormous"),                      # not an option
    ("neighbour_network", 3),                               # wrong type
    ("neighbour_network", ["restricted"]),                  # a list for a single choice
    ("interaction_places", "street"),                       # not a list
    ("interaction_places", ["street", "moon"]),             # an option not in the list
    ("interaction_places", ["street", "street"]),           # twice the same
    ("interaction_places", ["street", "shops", "school", "cafes"]),  # more than three
    ("local_politics_interest", 6),                         # off the scale
    ("local_politics_interest", 2.5),
    ("local_politics_interest", True),                      # a boolean is not a number
    ("local_politics_interest", "2"),
    ("neighbours_known_by_name", 501),                      # out of bounds
    ("neighbours_known_by_name", -1),
    ("neighbours_known_by_name", float("nan")),
    ("neighbours_known_by_name", "many"),
    ("wishes", 42),
    ("wishes", "x" * 2001),
])
def test_a_wrong_answer_is_named_by_its_question(key, value):
    assert set(problems({**VALID_ANSWERS, key: value})) == {key}


def test_an_unknown_question_is_named():
    assert set(problems({**VALID_ANSWERS, "favourite_colour": "blue"})) == {"favourite_colour"}


def test_required_answers_are_asked_for_and_optional_ones_are_not():
    found = problems({"neighbour_network": "medium"})
    assert set(found) == {"neighbour_interaction_frequency", "interaction_places", "interaction_duration",
                          "local_politics_interest"}
    assert all(p.message == "Please answer this question." for p in found.values())


def test_a_question_hidden_by_skip_logic_is_dropped_not_stored():
    clean, found = check_answers(QUESTIONS, {**VALID_ANSWERS, "involvement_wish": "no"})
    assert found == {}
    assert "involvement_areas" not in clean


def test_skip_logic_makes_a_required_follow_up_question_required_only_when_shown():
    questions = questions_of([
        {"key": "has_car", "type": "single_choice", "required": True, "label": {"fr": "Voiture ?"},
         "options": [{"value": "yes", "label": {"fr": "Oui"}}, {"value": "no", "label": {"fr": "Non"}}]},
        {"key": "car_sharing", "type": "single_choice", "required": True, "label": {"fr": "Partage ?"},
         "show_if": {"question": "has_car", "values": ["yes"]},
         "options": [{"value": "yes", "label": {"fr": "Oui"}}, {"value": "no", "label": {"fr": "Non"}}]},
    ])
    assert check_answers(questions, {"has_car": "no"})[1] == {}
    assert set(check_answers(questions, {"has_car": "yes"})[1]) == {"car_sharing"}


def test_a_page_is_checked_on_its_own():
    assert problems({"neighbour_network": "wide", "neighbour_interaction_frequency": "daily"}, pages={1}) == {}
    assert set(problems({}, pages={2})) == {"interaction_places", "interaction_duration"}


def test_paper_forms_may_leave_required_questions_blank():
    assert problems({"neighbour_network": "medium"}, enforce_required=False) == {}


def test_numbers_and_texts_are_tidied():
    clean, _ = check_answers(QUESTIONS, {**VALID_ANSWERS, "neighbours_known_by_name": 7.0, "wishes": "  Un banc  "})
    assert clean["neighbours_known_by_name"] == 7 and isinstance(clean["neighbours_known_by_name"], int)
    assert clean["wishes"] == "Un banc"


def test_free_text_never_counts_as_a_closed_answer():
    closed = closed_answers(QUESTIONS, VALID_ANSWERS)
    assert "wishes" not in closed
    assert closed["neighbour_network"] == "restricted"
