"""The compiled quick check in front of marshmallow (shared/contracts/quick_check.py) never
says "valid" where marshmallow refuses, and says it for the events producers send, so the
consumers' fast path is really taken. Payloads are generated from each contract's own
fields; each valid one is then tried with every field in turn left out or changed to each
junk value, and with an unknown field."""
import math

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from marshmallow import fields, validate

from shared.contracts import envelope, registered_contracts
from shared.contracts.quick_check import compile_check

JUNK_VALUES = [None, True, False, 0, -1, 7, 2 ** 53 + 1, 10 ** 400, 1.5, math.nan, math.inf, "",
                        "x", "Some text", "2026-03-02", "2026-13-45", "20260302", "2026-03-02T08:00:00",
                        "2026-03-02T08:00:00+01:00", "2026-03-02T08:00:00Z", "1", "true", [], ["x"], [1, "a"],
                        {}, {"k": "v"}, {"a_b": 3}]


def valid(field: fields.Field) -> st.SearchStrategy:
    """Values marshmallow accepts for `field`, of the JSON kinds producers send."""
    strategy = _valid_kind(field)
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            strategy = st.sampled_from(list(validator.choices))
        elif isinstance(validator, validate.Regexp):
            strategy = st.from_regex(validator.regex, fullmatch=True)
        elif isinstance(validator, validate.Range) and isinstance(field, fields.Integer):
            low = validator.min if validator.min is not None else -1000
            strategy = st.integers(low, validator.max if validator.max is not None else low + 1000)
        elif isinstance(validator, validate.Length):
            low = validator.equal or validator.min or 0
            strategy = st.text("abcdefé", min_size=low, max_size=validator.equal or validator.max or low + 20)
    if field.allow_none:
        strategy = st.none() | strategy
    return strategy.filter(lambda value: _field_accepts(field, value))


def _valid_kind(field: fields.Field) -> st.SearchStrategy:
    if isinstance(field, fields.Nested):
        return payloads(field.schema)
    if isinstance(field, fields.List):
        return st.lists(valid(field.inner), max_size=3)
    if isinstance(field, fields.Dict):
        keys = valid(field.key_field) if field.key_field else st.text(max_size=5)
        values = valid(field.value_field) if field.value_field else st.sampled_from(JUNK_VALUES)
        return st.dictionaries(keys, values, max_size=3)
    if isinstance(field, fields.AwareDateTime):
        return st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat())
    if isinstance(field, fields.Date):
        return st.dates().map(lambda day: day.isoformat())
    if isinstance(field, fields.Boolean):
        return st.booleans()
    if isinstance(field, fields.Integer):
        return st.integers(-10 ** 6, 10 ** 6)
    if isinstance(field, fields.Float):
        return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10 ** 6, 10 ** 6)
    if isinstance(field, fields.Raw):
        return st.sampled_from(["oui", "very_restricted", 3, 2.5, ["a", "b_c"], [], True, "Free text!"])
    return st.text(max_size=20)


def _field_accepts(field: fields.Field, value) -> bool:
    try:
        field.deserialize(value)
    except Exception:  # noqa: BLE001 — a refusal, whatever its kind
        return False
    return True


def payloads(schema) -> st.SearchStrategy:
    """Payloads of `schema` with every field valid (optional ones sometimes left out)."""
    members = {name: valid(field) if field.required else valid(field) | st.just(_MISSING)
               for name, field in schema.load_fields.items()}
    return st.fixed_dictionaries(members).map(lambda chosen: {k: v for k, v in chosen.items() if v is not _MISSING})


def near_misses(payload: dict, schema):
    """The payload with one field changed to each junk value, or left out; and with a field
    the contract does not know."""
    for name in schema.load_fields:
        yield {k: v for k, v in payload.items() if k != name}
        for junk in JUNK_VALUES:
            yield {**payload, name: junk}
    yield {**payload, "resident_name": "Jeanne"}


_MISSING = object()
CONTRACTS = registered_contracts()
# Failures are reported as found: shrinking them through the filters takes minutes.
QUICK = settings(max_examples=15, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.parametrize("event_type, version", CONTRACTS)
def test_every_contract_is_compiled(event_type, version):
    assert compile_check(envelope._contracts[(event_type, version)]) is not None


@pytest.mark.parametrize("event_type, version", CONTRACTS)
@QUICK
@given(data=st.data())
def test_the_quick_check_accepts_valid_payloads_and_nothing_marshmallow_refuses(event_type, version, data):
    schema = envelope._contracts[(event_type, version)]
    quick_check = compile_check(schema)
    payload = data.draw(payloads(schema))
    assert schema.validate(payload) == {}, payload
    assert quick_check(payload), payload
    for changed in near_misses(payload, schema):
        if quick_check(changed):
            assert schema.validate(changed) == {}, changed


def test_what_the_quick_check_does_not_mirror_is_left_to_marshmallow():
    from marshmallow import Schema, validates_schema

    class WithHook(Schema):
        number = fields.Integer()

        @validates_schema
        def check(self, data, **kwargs):
            pass

    class WithUuid(Schema):
        id = fields.UUID()

    assert compile_check(WithHook()) is None
    assert compile_check(WithUuid()) is None


@pytest.mark.parametrize("payload", [
    {"phase": True, "started_at": "2026-01-05T08:00:00+00:00"},   # a bool is no integer
    {"phase": 2, "started_at": "2026-01-05T08:00:00"},            # not aware of its zone
    {"phase": 6, "started_at": "2026-01-05T08:00:00+00:00"},      # out of range
    {"phase": 2},                                                  # required field missing
    {"phase": 2, "started_at": "2026-01-05T08:00:00+00:00", "x": 1},  # unknown field
])
def test_near_misses_are_not_sure(payload):
    schema = envelope._contracts[("programme.PhaseStarted", 1)]
    assert schema.validate(payload)
    assert not compile_check(schema)(payload)
