"""The questions' rules and the built-in quality-of-life template. Pure Python, no I/O."""
import copy

import pytest

from shared.errors import Invalid

from surveys.api.schemas import QuestionSchema
from surveys.domain.catalogue import BUILTIN_TEMPLATES, QUALITE_DE_VIE
from surveys.domain.questions import check_questions, questions_of

STABLE_KEYS = ("neighbour_network", "neighbour_interaction_frequency", "interaction_places",
               "interaction_duration", "local_politics_interest")


def test_the_builtin_template_follows_the_rules_the_api_applies():
    check_questions(QUALITE_DE_VIE["questions"])
    for question in QUALITE_DE_VIE["questions"]:
        assert QuestionSchema().validate(question) == {}, question["key"]


def test_the_quality_of_life_template_has_the_stable_keys_of_the_pilot():
    by_key = {q.key: q for q in questions_of(QUALITE_DE_VIE["questions"])}
    assert set(STABLE_KEYS) <= set(by_key)
    assert by_key["neighbour_network"].type == "single_choice"
    assert by_key["neighbour_network"].option_values == [
        "very_restricted", "restricted", "medium", "wide", "very_wide"]
    assert by_key["interaction_places"].type == "multiple_choice"
    assert by_key["wishes"].type == "long_text"
    assert {q.key for q in by_key.values() if q.profile} == {"age_band", "years_in_commune", "neighbourhood"}
    assert not any(q.required for q in by_key.values() if q.profile), "profile questions stay optional"
    assert list(BUILTIN_TEMPLATES) == ["qualite-de-vie"]


def _texts(value):
    if isinstance(value, dict) and set(value) >= {"fr"} and all(isinstance(v, str) for v in value.values()):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def test_every_text_of_the_template_exists_in_french_german_and_english():
    texts = list(_texts(QUALITE_DE_VIE))
    assert len(texts) > 60
    for labels in texts:
        assert set(labels) == {"fr", "de", "en"} and all(labels.values()), labels
        assert "ß" not in labels["de"], labels["de"]


def _broken(change):
    questions = copy.deepcopy(QUALITE_DE_VIE["questions"])
    change(questions)
    return questions


@pytest.mark.parametrize("case, change", [
    ("no question", lambda qs: qs.clear()),
    ("a key twice", lambda qs: qs.append(dict(qs[0]))),
    ("no French label", lambda qs: qs[0]["label"].pop("fr")),
    ("a page skipped", lambda qs: qs[-1].update(page=9)),
    ("a choice with one option", lambda qs: qs[0].update(options=qs[0]["options"][:1])),
    ("an option twice", lambda qs: qs[0]["options"].append(qs[0]["options"][0])),
    ("options on a scale", lambda qs: qs[5].update(options=qs[0]["options"])),
    ("a number without bounds", lambda qs: qs[1].pop("max")),
    ("bounds upside down", lambda qs: qs[1].update(min=10, max=1)),
    ("a scale without end labels", lambda qs: qs[5].pop("low_label")),
    ("more choices than options", lambda qs: qs[3].update(max_choices=20)),
    ("a profile question that is not a single choice", lambda qs: qs[3].update(profile=True)),
    ("a condition on a later question", lambda qs: qs[0].update(show_if={"question": "age_band", "values": ["age_25_44"]})),
    ("a condition on a value not offered", lambda qs: qs[9].update(show_if={"question": "involvement_wish", "values": ["sometimes"]})),
    ("a condition on a text", lambda qs: qs[-1].update(show_if={"question": "wishes", "values": ["x"]})),
    ("a text longer than allowed", lambda qs: qs[10].update(max_length=9000)),
])
def test_questions_breaking_a_rule_are_refused_naming_the_questions(case, change):
    with pytest.raises(Invalid) as refused:
        check_questions(_broken(change))
    assert refused.value.field == "questions", case
