"""Exports for Excel: anonymised responses and results, as CSV and XLSX.

The files are written by shared.http.exports. CSV is UTF-8 with a byte-order mark and `;`
between fields: Excel opens a CSV file with the list separator of the computer's regional
settings, which is `;` in Switzerland (de-CH, fr-CH, it-CH), and reads it as UTF-8 only
when the mark is there — without it, "é" shows as "Ã©". Decimals use a point, as Swiss
settings do; shares are given in percent (25.0), the same number in CSV and XLSX.
A cell starting with = + - or @ would run as a formula in Excel: text cells are defused
with a leading apostrophe (residents' free text must never become a formula).
"""
from __future__ import annotations

from flask_babel import gettext as _

from shared.http.exports import table_response

from surveys.domain.questions import MULTIPLE, TEXT_TYPES, Question

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# -- what goes in the tables --------------------------------------------------------------
def response_columns(questions: list[Question], language: str, include_texts: bool) -> list[tuple]:
    """(header, how to read the cell from answers) for each column after the fixed ones."""
    columns = []
    for question in questions:
        if question.type in TEXT_TYPES and not include_texts:
            continue
        if question.type == MULTIPLE:
            for value in question.option_values:
                header = f"{question.label(language)} : {question.option_label(value, language)}"
                columns.append((header, _multiple_cell(question.key, value)))
        else:
            columns.append((question.label(language), _single_cell(question, language)))
    return columns


def _multiple_cell(key: str, value: str):
    return lambda answers: (1 if value in answers[key] else 0) if key in answers else None


def _single_cell(question: Question, language: str):
    def cell(answers):
        if question.key not in answers:
            return None
        given = answers[question.key]
        return question.option_label(given, language) if question.option_values else given
    return cell


def responses_table(questions: list[Question], responses, language: str, include_texts: bool):
    columns = response_columns(questions, language, include_texts)
    header = [_("No."), _("Date"), _("Channel")] + [name for name, _read in columns]
    channels = {"online": _("online"), "paper": _("paper")}
    rows = [[number, response.submitted_on.isoformat(), channels[response.channel]]
            + [read(response.answers) for _name, read in columns]
            for number, response in enumerate(responses, start=1)]
    return header, rows


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def results_table(results: dict):
    """Rows of (question, answer, count, share in percent with one decimal)."""
    header = [_("Question"), _("Answer"), _("Count"), _("Share") + " (%)"]
    share = results["participation"]
    rows = [[_("Responses"), "", share["responses"], None],
            [_("Population"), "", share["population"], None],
            [_("Participation rate"), "", None, _percent(share["rate"])]]
    for question in results["questions"]:
        for option in question.get("options") or []:
            rows.append([question["label"], option["label"], option["count"], _percent(option["share"])])
        if question.get("mean") is not None:
            rows.append([question["label"], _("Mean"), None, round(question["mean"], 2)])
        rows.extend([question["label"], text, None, None] for text in question.get("texts") or [])
    return header, rows


# -- as files: shared.http.exports writes them (UTF-8 with BOM, `;`), once defused ---------
def download(header: list[str], rows: list[list], kind: str, filename: str):
    return table_response(filename, header, [[safe_cell(value) for value in row] for row in rows], kind)
