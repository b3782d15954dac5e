"""Counting answers: per question, per channel, and broken down by a profile question.

Pure functions over lists of answer dicts. Labels come from the survey's own questions in
the reader's language; group names that are not data (merged groups, no answer) are
given by the caller, already translated.
"""
from __future__ import annotations

import statistics
from collections import Counter

from shared.anonymity import MERGED, protect_groups

from surveys.domain.questions import MULTIPLE, NUMBER, SCALE, TEXT_TYPES, Question

NO_ANSWER = "_no_answer"


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def question_result(question: Question, answer_sets: list[dict], language: str,
                    include_texts: bool, threshold: int) -> dict:
    given = [answers[question.key] for answers in answer_sets if question.key in answers]
    result = {"key": question.key, "type": question.type, "label": question.label(language),
              "answered": len(given), "skipped": len(answer_sets) - len(given)}
    if question.type in TEXT_TYPES:
        result["texts"] = sorted(given, key=str.casefold) if include_texts else None
        return result
    if question.type == NUMBER:
        # Averages only over enough answers: a single extreme value would be recognisable.
        enough = len(given) >= threshold
        result["mean"] = statistics.fmean(given) if given and enough else None
        result["median"] = statistics.median(given) if given and enough else None
        return result
    counts = Counter(chosen for answer in given
                     for chosen in (answer if question.type == MULTIPLE else [answer]))
    result["options"] = [{"value": value, "label": question.option_label(value, language),
                          "count": counts[value], "share": _share(counts[value], len(given))}
                         for value in question.possible_values()]
    if question.type == SCALE:
        result["mean"] = statistics.fmean(given) if given else None
    return result


def protect_profile_counts(result: dict, threshold: int) -> dict:
    """A profile question's counts for the public: each answer (an age band, a neighbourhood) is
    a group of residents, so the groups follow the anonymity threshold like a breakdown's —
    the small ones merged into one entry, or all withheld."""
    protected = protect_groups({option["value"]: option["count"] for option in result["options"]}, threshold)
    if protected.reason is None:
        return result
    if protected.withheld:
        return {**result, "options": [], "withheld": True}
    merged = next(group for group in protected.groups if group.key == MERGED)
    kept = [option for option in result["options"] if option["value"] not in merged.members]
    return {**result, "options": kept + [{"value": MERGED, "members": list(merged.members), "count": merged.size,
                                          "share": _share(merged.size, result["answered"])}]}


def tally(questions: list[Question], answer_sets: list[dict], language: str, *,
          include_texts: bool, threshold: int, keys: list[str] | None = None) -> list[dict]:
    return [question_result(question, answer_sets, language, include_texts, threshold)
            for question in questions if keys is None or question.key in keys]


def participation(responses: list, population: int | None) -> dict:
    """`responses`: objects with a `channel`."""
    channels = Counter(response.channel for response in responses)
    total = len(responses)
    return {"responses": total, "online": channels["online"], "paper": channels["paper"],
            "population": population, "rate": total / population if population else None}


def breakdown(questions: list[Question], answer_sets: list[dict], by: Question, language: str,
              threshold: int, special_labels: dict[str, str]) -> dict:
    """Closed questions' counts per group of the profile question `by`, where every group
    shown has at least `threshold` respondents (smaller ones merged or all withheld)."""
    group_of_answers = [answers.get(by.key, NO_ANSWER) for answers in answer_sets]
    sizes = Counter(group_of_answers)
    ordered = {value: sizes[value] for value in [*by.option_values, NO_ANSWER]}
    protected = protect_groups(ordered, threshold)
    result = {"by": by.key, "label": by.label(language), "threshold": threshold,
              "withheld": protected.withheld, "reason": protected.reason, "groups": [], "questions": []}
    if protected.withheld:
        return result
    result["groups"] = [{"key": group.key, "size": group.size,
                         "label": _group_label(by, group, language, special_labels)}
                        for group in protected.groups]
    members = [protected.group_of(value) for value in group_of_answers]
    for question in questions:
        if question.key == by.key or not question.closed or question.type == NUMBER:
            continue
        result["questions"].append(_cross(question, answer_sets, members, protected.groups, language))
    return result


def _group_label(by: Question, group, language: str, special_labels: dict[str, str]) -> str:
    if group.key == MERGED:
        names = [special_labels.get(m) or by.option_label(m, language) for m in group.members]
        return f"{special_labels[MERGED]} ({', '.join(names)})"
    return special_labels.get(group.key) or by.option_label(group.key, language)


def _cross(question: Question, answer_sets: list[dict], members: list, groups, language: str) -> dict:
    answered = Counter(member for answers, member in zip(answer_sets, members) if question.key in answers)
    rows = []
    for value in question.possible_values():
        hits = Counter(member for answers, member in zip(answer_sets, members)
                       if _chose(answers.get(question.key), value))
        rows.append({"value": value, "label": question.option_label(value, language),
                     "counts": [hits[group.key] for group in groups],
                     "shares": [_share(hits[group.key], answered[group.key]) for group in groups]})
    return {"key": question.key, "label": question.label(language), "rows": rows,
            "answered": [answered[group.key] for group in groups]}


def _chose(given, value) -> bool:
    return value in given if isinstance(given, list) else given == value
