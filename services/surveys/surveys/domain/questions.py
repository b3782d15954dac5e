"""What a survey asks: questions, their types, options and skip logic. Pure Python.

Questions travel as plain dicts (JSON in the database, the API and templates); `Question`
reads one, and `check_questions` holds the rules a list of them must follow.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Invalid
from shared.text import N_

SINGLE, MULTIPLE, SCALE, NUMBER, SHORT_TEXT, LONG_TEXT = (
    "single_choice", "multiple_choice", "scale", "number", "short_text", "long_text")
TYPES = (SINGLE, MULTIPLE, SCALE, NUMBER, SHORT_TEXT, LONG_TEXT)
CHOICE_TYPES = (SINGLE, MULTIPLE)
TEXT_TYPES = (SHORT_TEXT, LONG_TEXT)
# Answers that may travel in events and be published: everything but free text.
CLOSED_TYPES = (SINGLE, MULTIPLE, SCALE, NUMBER)
SCALE_POINTS = (1, 2, 3, 4, 5)
TEXT_LIMITS = {SHORT_TEXT: (200, 200), LONG_TEXT: (2000, 5000)}  # (default, largest allowed)
MAX_QUESTIONS, MAX_OPTIONS = 100, 30
LANGUAGES = ("fr", "de", "en")


def localized(labels: dict | None, language: str) -> str:
    """A label in the asked language, else in French (every label has French)."""
    if not labels:
        return ""
    return labels.get(language) or labels.get("fr") or next(iter(labels.values()))


@dataclass(frozen=True)
class Question:
    data: dict

    @property
    def key(self) -> str:
        return self.data["key"]

    @property
    def type(self) -> str:
        return self.data["type"]

    @property
    def required(self) -> bool:
        return bool(self.data.get("required"))

    @property
    def page(self) -> int:
        return int(self.data.get("page", 1))

    @property
    def profile(self) -> bool:
        return bool(self.data.get("profile"))

    @property
    def closed(self) -> bool:
        return self.type in CLOSED_TYPES

    @property
    def option_values(self) -> list[str]:
        return [option["value"] for option in self.data.get("options", [])]

    @property
    def min_choices(self) -> int:
        return int(self.data.get("min_choices") or 0)

    @property
    def max_choices(self) -> int:
        return int(self.data.get("max_choices") or len(self.option_values))

    @property
    def bounds(self) -> tuple[float, float]:
        return self.data["min"], self.data["max"]

    @property
    def max_length(self) -> int:
        return int(self.data.get("max_length") or TEXT_LIMITS[self.type][0])

    @property
    def show_if(self) -> dict | None:
        return self.data.get("show_if")

    def label(self, language: str) -> str:
        return localized(self.data.get("label"), language)

    def hint(self, language: str) -> str:
        return localized(self.data.get("hint"), language)

    def option_label(self, value, language: str) -> str:
        for option in self.data.get("options", []):
            if option["value"] == value:
                return localized(option["label"], language)
        if self.type == SCALE:
            ends = {1: self.data.get("low_label"), 5: self.data.get("high_label")}
            end = localized(ends.get(value), language)
            return f"{value} – {end}" if end else str(value)
        return str(value)

    def possible_values(self) -> list:
        """What a closed question's answers can be, in order (numbers have no list)."""
        if self.type in CHOICE_TYPES:
            return self.option_values
        if self.type == SCALE:
            return list(SCALE_POINTS)
        return []

    def shown(self, answers: dict) -> bool:
        """Skip logic: shown unless its condition names an earlier answer it does not have."""
        condition = self.show_if
        if not condition:
            return True
        given = answers.get(condition["question"])
        given = given if isinstance(given, list) else [given]
        return any(value in condition["values"] for value in given if value is not None)


def questions_of(raw: list[dict]) -> list[Question]:
    return [Question(item) for item in raw]


def pages(questions: list[Question]) -> list[int]:
    return sorted({question.page for question in questions})


def _invalid(message: str, **params) -> Invalid:
    return Invalid(message, field="questions", **params)


def check_questions(raw: list[dict]) -> None:
    """The rules a survey's or template's questions follow together, beyond each one's shape."""
    if not 1 <= len(raw) <= MAX_QUESTIONS:
        raise _invalid(N_("A survey has between 1 and %(max)s questions."), max=MAX_QUESTIONS)
    seen: dict[str, Question] = {}
    previous_page = 1
    for question in questions_of(raw):
        if question.key in seen:
            raise _invalid(N_("Two questions have the key %(key)s: keys must be unique."), key=question.key)
        if "fr" not in question.data.get("label", {}):
            raise _invalid(N_("Question %(key)s needs a French label."), key=question.key)
        if not previous_page <= question.page <= previous_page + 1:
            raise _invalid(N_("Question %(key)s: pages start at 1 and follow each other in order."),
                           key=question.key)
        previous_page = question.page
        _check_type_fields(question)
        if question.show_if:
            _check_condition(question, seen)
        seen[question.key] = question


def _check_type_fields(question: Question) -> None:
    data, key = question.data, question.key
    if question.type in CHOICE_TYPES:
        values = question.option_values
        if not 2 <= len(values) <= MAX_OPTIONS or len(set(values)) != len(values):
            raise _invalid(N_("Question %(key)s needs 2 to %(max)s options with different values."),
                           key=key, max=MAX_OPTIONS)
    elif data.get("options"):
        raise _invalid(N_("Question %(key)s is not a choice: it takes no options."), key=key)
    if question.profile and question.type != SINGLE:
        raise _invalid(N_("Profile question %(key)s must be a single choice."), key=key)
    if question.type == MULTIPLE and not 0 <= question.min_choices <= question.max_choices <= len(question.option_values):
        raise _invalid(N_("Question %(key)s: choose between min_choices and max_choices, within the options."),
                       key=key)
    if question.type == SCALE and not (data.get("low_label") and data.get("high_label")):
        raise _invalid(N_("Scale question %(key)s needs labels for both ends."), key=key)
    if question.type == NUMBER and not (data.get("min") is not None and data.get("max") is not None
                                        and data["min"] <= data["max"]):
        raise _invalid(N_("Number question %(key)s needs bounds, min not above max."), key=key)
    if question.type in TEXT_TYPES and question.max_length > TEXT_LIMITS[question.type][1]:
        raise _invalid(N_("Question %(key)s: answers can be at most %(max)s characters long."),
                       key=key, max=TEXT_LIMITS[question.type][1])


def _check_condition(question: Question, earlier: dict[str, Question]) -> None:
    condition = question.show_if
    source = earlier.get(condition["question"])
    if source is None or source.type not in (SINGLE, MULTIPLE, SCALE):
        raise _invalid(N_("Question %(key)s can depend only on an earlier choice or scale question."),
                       key=question.key)
    if not condition["values"] or any(value not in source.possible_values() for value in condition["values"]):
        raise _invalid(N_("Question %(key)s depends on answers that question %(source)s does not offer."),
                       key=question.key, source=source.key)


TYPE_LABELS = {SINGLE: N_("single choice"), MULTIPLE: N_("multiple choice"), SCALE: N_("scale from 1 to 5"),
               NUMBER: N_("number"), SHORT_TEXT: N_("short text"), LONG_TEXT: N_("long text")}
