"""Reading answers from an HTML form, and carrying them from page to page without storing them.

A form field is named `q_<key>`; a multiple choice sends the field once per option ticked.
The answers of the pages not on screen travel as hidden fields, so nothing is kept on the
server before the last page is sent.
"""
from __future__ import annotations

from surveys.domain.questions import MULTIPLE, NUMBER, SCALE, Question

PREFIX = "q_"


def field_name(question: Question) -> str:
    return PREFIX + question.key


def _typed(question: Question, raw: str):
    """Scales and numbers as numbers (Swiss ways of writing them accepted); what does not
    parse stays text, and the answer check says what is expected."""
    text = raw.strip()
    try:
        if question.type == SCALE:
            return int(text)
        if question.type == NUMBER:
            number = float(text.replace("'", "").replace("’", "").replace(",", ".").replace(" ", ""))
            return int(number) if number.is_integer() else number
    except (ValueError, OverflowError):
        return text
    return raw


def answers_from_form(questions: list[Question], form) -> dict:
    answers = {}
    for question in questions:
        name = field_name(question)
        if question.type == MULTIPLE:
            chosen = [value for value in form.getlist(name) if value]
            if chosen:
                answers[question.key] = chosen
            continue
        raw = form.get(name, "")
        if raw.strip():
            answers[question.key] = _typed(question, raw)
    return answers


def carried_fields(questions: list[Question], answers: dict, page: int) -> list[tuple[str, str]]:
    """Hidden (name, value) pairs for the answers of the other pages."""
    fields = []
    for question in questions:
        if question.page == page or question.key not in answers:
            continue
        value = answers[question.key]
        for item in value if isinstance(value, list) else [value]:
            fields.append((field_name(question), str(item)))
    return fields


def visible_pages(questions: list[Question], answers: dict) -> list[int]:
    """Pages with at least one question to show, given the answers so far (skip logic)."""
    return sorted({question.page for question in questions if question.shown(answers)})


def form_value(question: Question, answers: dict):
    """What to put back in the inputs: strings (or a list of strings) as the browser sent."""
    value = answers.get(question.key)
    if value is None:
        return [] if question.type == MULTIPLE else ""
    return [str(v) for v in value] if isinstance(value, list) else str(value)
