"""Events published by the surveys service (topic `surveys.events`).

Answers travel anonymised: only closed questions (choices, scales, numbers), keyed by the
question's stable key; free text never. The contract itself enforces it: an answer value
is an option value (a short code), a number, or a list of option values.
The commune is the envelope's `commune` (and the message key).
"""
import re

from marshmallow import Schema, ValidationError, fields, validate

from shared.contracts.envelope import contract

CHANNELS = ("online", "paper")
TYPES = ("single_choice", "multiple_choice", "scale", "number", "short_text", "long_text")
CODE = re.compile(r"^[a-z0-9_]{1,60}$")
KEY = fields.String(validate=validate.Regexp(CODE))


class _Payload(Schema):
    pass


def _is_code(value) -> bool:
    return isinstance(value, str) and bool(CODE.match(value))


def _closed_answer(value) -> None:
    if isinstance(value, bool):
        raise ValidationError("an answer is an option value, a number or a list of option values")
    if isinstance(value, (int, float)) or _is_code(value):
        return
    if isinstance(value, list) and all(_is_code(item) for item in value):
        return
    raise ValidationError("an answer is an option value, a number or a list of option values")


class QuestionShape(Schema):
    key = fields.String(required=True, validate=validate.Regexp(CODE))
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    options = fields.List(fields.String(validate=validate.Regexp(CODE)), required=True)
    profile = fields.Boolean(required=True)


class _SurveyPayload(_Payload):
    survey_id = fields.Integer(required=True, strict=True)
    template = fields.String(required=True, allow_none=True)
    follow_up_of = fields.Integer(required=True, strict=True, allow_none=True)


@contract("surveys.SurveyPublished")
class SurveyPublished(_SurveyPayload):
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    questions = fields.List(fields.Nested(QuestionShape), required=True)
    published_at = fields.AwareDateTime(required=True)


@contract("surveys.ResponseSubmitted")
class ResponseSubmitted(_SurveyPayload):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    submitted_on = fields.Date(required=True)  # the day only: a time could help link an answer to a person
    answers = fields.Dict(keys=KEY, values=fields.Raw(validate=_closed_answer), required=True)


@contract("surveys.SurveyClosed")
class SurveyClosed(_SurveyPayload):
    closed_at = fields.AwareDateTime(required=True)
    responses = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


@contract("surveys.SurveyReopened")
class SurveyReopened(_SurveyPayload):
    reopened_at = fields.AwareDateTime(required=True)
