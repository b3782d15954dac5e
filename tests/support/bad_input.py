"""Bad bodies for a write route, derived from the route's own marshmallow schema:
for each field, a missing required value, a wrong type, an oversize value; plus an unknown field."""
from __future__ import annotations

from marshmallow import Schema, fields, validate


def _max_length(field: fields.Field) -> int | None:
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
    return None


def _wrong_type(field: fields.Field):
    if isinstance(field, (fields.Integer, fields.Float, fields.Number)):
        return "beaucoup"
    if isinstance(field, fields.Boolean):
        return "oui"
    if isinstance(field, (fields.Date, fields.DateTime)):
        return "31.12.2026"
    if isinstance(field, fields.List):
        return "pas une liste"
    return {"nested": "object"}  # for strings and everything else


def _oversize(field: fields.Field):
    longest = _max_length(field)
    if longest is None:
        return None
    if isinstance(field, fields.List):
        return ["x"] * (longest + 1)
    if isinstance(field, fields.Email):
        return "a" * longest + "@example.ch"
    return "x" * (longest + 1)


def bad_bodies(schema: Schema, valid: dict) -> list[tuple[str, str, dict]]:
    """(case, field that must be named, body) for every way to get the body wrong."""
    cases = []
    for name, field in schema.fields.items():
        if field.required:
            cases.append(("missing", name, {k: v for k, v in valid.items() if k != name}))
        cases.append(("wrong type", name, {**valid, name: _wrong_type(field)}))
        oversize = _oversize(field)
        if oversize is not None:
            cases.append(("oversize", name, {**valid, name: oversize}))
    cases.append(("unknown field", "surprise", {**valid, "surprise": "!"}))
    return cases
