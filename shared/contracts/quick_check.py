"""A quick, compiled acceptance test in front of marshmallow's payload validation.

Every consumed message is checked against its contract; at a rebuild's pace marshmallow's
general machinery costs more than applying the event. `compile_check(schema)` turns a
contract into plain Python checks that answer only "certainly valid" (True) or "not sure"
(False). Not sure means: ask marshmallow, whose answer (and error messages) stay the
reference. So the quick check may be incomplete, never more permissive: it mirrors
marshmallow 4's deserialisation for the JSON values producers send, calls the fields' own
validators on the same deserialised values, and gives up (returns None: marshmallow only)
on any schema feature it does not know. tests/shared/test_contract_quick_check.py holds it
to that against marshmallow on generated payloads.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

Deserialise = Callable[[Any], Any]
ISO_FORMATS = (None, "iso", "iso8601")


class _Unsure(Exception):
    """Leave this value to marshmallow."""


class _NotCompilable(Exception):
    """A schema feature the quick check does not mirror."""


def compile_check(schema: Schema) -> Callable[[dict], bool] | None:
    """A function telling whether a payload is certainly valid for `schema`, or None when
    the schema uses something the quick check does not mirror."""
    try:
        deserialise = _schema(schema)
    except _NotCompilable:
        return None

    def certainly_valid(payload: dict) -> bool:
        try:
            deserialise(payload)
        except _Unsure:
            return False
        except Exception:  # noqa: BLE001 — whatever surprises the quick check, marshmallow decides
            return False
        return True

    return certainly_valid


def _schema(schema: Schema) -> Deserialise:
    if any(schema._hooks.get(tag) for tag in (PRE_LOAD, POST_LOAD, VALIDATES, VALIDATES_SCHEMA)):
        raise _NotCompilable("schema hooks")
    if schema.unknown not in (RAISE, EXCLUDE):
        raise _NotCompilable(f"unknown={schema.unknown}")
    members = [(field.data_key if field.data_key is not None else name, field, _field(field))
               for name, field in schema.load_fields.items()]
    known = frozenset(key for key, _, _ in members)
    refuse_unknown = schema.unknown == RAISE

    def deserialise(value: Any) -> dict:
        if type(value) is not dict or (refuse_unknown and not known.issuperset(value)):
            raise _Unsure
        for key, field, check in members:
            if key in value:
                check(value[key])
            elif field.required:
                raise _Unsure
        return value

    return deserialise


def _field(field: fields.Field) -> Deserialise:
    """Deserialise as marshmallow's Field.deserialize does, then run the field's validators."""
    if field.pre_load or field.post_load:
        raise _NotCompilable("field processors")
    convert = _converter(field)
    allow_none, validators = field.allow_none, tuple(field.validators)

    def check(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise _Unsure
        output = convert(value)
        for validator in validators:  # as marshmallow's And: a raise or a False is a refusal
            if validator(output) is False:
                raise _Unsure
        return output

    return check


def _converter(field: fields.Field) -> Deserialise:
    # Exact classes only: a subclass may deserialise differently.
    kind = type(field)
    if kind is fields.String:
        return _only(str)
    if kind is fields.Integer:
        return _only(int)  # bool is not `int` by type: left to marshmallow, which refuses it
    if kind is fields.Float:
        return _float(field.allow_nan)
    if kind is fields.Boolean:
        return _only(bool)
    if kind is fields.Raw:
        return lambda value: value
    if kind is fields.Date:
        return _temporal(field, date.fromisoformat)
    if kind is fields.AwareDateTime:
        if field.default_timezone is not None:
            raise _NotCompilable("AwareDateTime with a default time zone")
        return _aware(_temporal(field, datetime.fromisoformat))
    if kind is fields.List:
        return _list(_field(field.inner))
    if kind is fields.Dict:
        return _dict(field)
    if kind is fields.Nested:
        if field.many or field.only or field.exclude or not isinstance(field.schema, Schema):
            raise _NotCompilable("Nested with options")
        return _schema(field.schema)
    raise _NotCompilable(kind.__name__)


def _only(python_type: type) -> Deserialise:
    def convert(value: Any) -> Any:
        if type(value) is not python_type:
            raise _Unsure
        return value
    return convert


def _float(allow_nan: bool) -> Deserialise:
    def convert(value: Any) -> float:
        if type(value) is int:
            return float(value)  # as marshmallow does; too large, it raises: not sure
        if type(value) is float and (allow_nan or math.isfinite(value)):
            return value
        raise _Unsure
    return convert


def _temporal(field: fields.Field, from_iso: Callable[[str], Any]) -> Deserialise:
    if field.format not in ISO_FORMATS:
        raise _NotCompilable(f"format {field.format}")

    def convert(value: Any) -> Any:
        if type(value) is not str:
            raise _Unsure
        try:
            return from_iso(value)
        except ValueError:
            raise _Unsure from None
    return convert


def _aware(convert: Deserialise) -> Deserialise:
    def aware(value: Any) -> datetime:
        moment = convert(value)
        if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
            raise _Unsure
        return moment
    return aware


def _list(item: Deserialise) -> Deserialise:
    def convert(value: Any) -> list:
        if type(value) is not list:
            raise _Unsure
        return [item(each) for each in value]
    return convert


def _dict(field: fields.Dict) -> Deserialise:
    key = _field(field.key_field) if field.key_field is not None else None
    item = _field(field.value_field) if field.value_field is not None else None

    def convert(value: Any) -> dict:
        if type(value) is not dict:
            raise _Unsure
        if key is None and item is None:
            return value
        return {key(k) if key else k: item(v) if item else v for k, v in value.items()}
    return convert
