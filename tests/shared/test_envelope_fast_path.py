"""`parse`'s fast path (msgspec) gives what the reference `parse_checked` gives: the same event
for every message the reference accepts, a ContractError for every one it refuses. Envelopes
are generated with each field valid, at its limits, or wrong in the ways a producer or a
hostile writer could get it wrong; they are sent as JSON both escaped and in UTF-8."""
import json
import math

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shared.contracts import ContractError, Event, parse, serialize
from shared.contracts.envelope import _ENVELOPE_FIELDS, parse_checked

PAYLOAD = {"phase": 1, "activity": "concept", "done": True}  # programme.ActivityChecked v1
SAMPLE_ID = "6f1c1b2e-8a4b-4c2d-9e3f-1a2b3c4d5e6f"
JUNK = [None, True, 0, 1.0, 1.5, math.nan, [], {}, "", " ", "\n"]


def text(longest: int) -> st.SearchStrategy:
    return st.text(min_size=1, max_size=longest)


def odd_text(longest: int) -> st.SearchStrategy:
    return st.sampled_from(["", "x" * longest, "x" * (longest + 1), "é" * longest, "é" * (longest + 1),
                            "\ud800", "a\n", *JUNK])


# Each field: what producers send, and what they (or a hostile writer) might send instead.
FIELDS = {
    "event_id": (st.uuids().map(str), st.sampled_from([
        SAMPLE_ID.upper(), SAMPLE_ID.replace("-", ""), "{" + SAMPLE_ID + "}", "urn:uuid:" + SAMPLE_ID,
        SAMPLE_ID + "\n", SAMPLE_ID[:-1], SAMPLE_ID[:-1] + "g", " " + SAMPLE_ID, *JUNK])),
    "type": (st.just("programme.ActivityChecked"), st.sampled_from(["programme.Unknown"]) | odd_text(100)),
    "version": (st.just(1), st.sampled_from([2, 0, -1, True, False, 1.0, "1", 2 ** 70, *JUNK])),
    "occurred_at": (st.datetimes(timezones=st.none() | st.timezones()).map(lambda moment: moment.isoformat()),
                    st.sampled_from(["2026-12-08T01:00:00Z", "2026-12-08T01:00:00+01:00", "2026-12-08",
                                     "2026-12-08 01:00", "20261208T010000", "2026-12-08T01:00:00.123456789+00:00",
                                     "2026-13-08T01:00:00", "2026-12-08T01:00:00z", "not a date", *JUNK])),
    "commune": (text(100), odd_text(100)),
    "source": (text(50), odd_text(50)),
    "correlation_id": (text(100), odd_text(100)),
    "payload": (st.just(PAYLOAD), st.sampled_from([{**PAYLOAD, "phase": 6}, {**PAYLOAD, "extra": 1}, {"phase": 1},
                                                   {**PAYLOAD, "done": "yes"}, {**PAYLOAD, "phase": 10 ** 400},
                                                   *JUNK])),
}


@st.composite
def envelopes(draw) -> dict:
    """A producer's envelope, then (most of the time) up to two fields changed or left out, or
    an unknown field added."""
    odd = draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=2))
    document = {name: draw(FIELDS[name][name in odd]) for name in FIELDS}
    for name in odd:
        if draw(st.integers(0, 4)) == 0:
            del document[name]
    if draw(st.integers(0, 9)) == 0:
        document[draw(st.sampled_from(["extra", "Type", "event id"]))] = draw(st.sampled_from(JUNK))
    return document


def outcome(read, raw):
    try:
        return read(raw)
    except ContractError:
        return ContractError


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelopes(), st.booleans(), st.booleans())
def test_fast_path_agrees_with_the_reference(document, escaped, as_text):
    raw = json.dumps(document, ensure_ascii=escaped)
    raw = raw if as_text else raw.encode("utf-8", "surrogatepass")
    expected = outcome(parse_checked, raw)
    event("accepted" if isinstance(expected, Event) else "refused")
    assert outcome(parse, raw) == expected


ODD_VALUES = {name: odd for name, (_, odd) in FIELDS.items()}
PRODUCED = {"event_id": SAMPLE_ID, "type": "programme.ActivityChecked", "version": 1,
            "occurred_at": "2026-12-08T01:00:00+00:00", "commune": "jura-bernois", "source": "programme",
            "correlation_id": "c-1", "payload": PAYLOAD}


def one_field_off() -> list:
    """A producer's envelope with each field in turn left out, or given each of its odd values
    that can be listed: every single deviation is tried, not left to chance."""
    cases = [{k: v for k, v in PRODUCED.items() if k != name} for name in PRODUCED]
    for name, odd in ODD_VALUES.items():
        for strategy in getattr(odd, "original_strategies", [odd]):
            cases += [{**PRODUCED, name: value} for value in getattr(strategy, "elements", ())]
    return cases


@pytest.mark.parametrize("escaped", [True, False])
def test_every_single_deviation_gets_the_reference_answer(escaped):
    cases = one_field_off()
    assert len(cases) > 80
    for document in cases:
        raw = json.dumps(document, ensure_ascii=escaped).encode("utf-8", "surrogatepass")
        assert outcome(parse, raw) == outcome(parse_checked, raw), document


def test_producers_events_take_the_fast_path(monkeypatch):
    """Not a fallback in disguise: a producer's event is read without the reference."""
    raw = serialize(Event(type="programme.ActivityChecked", commune="jura-bernois", payload=PAYLOAD,
                          source="programme"))
    expected = parse_checked(raw)
    monkeypatch.setattr("shared.contracts.envelope.parse_checked", lambda raw: pytest.fail("fell back"))
    assert parse(raw) == expected


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b"null", b'{"event_id": 1}', None, 7])
def test_what_is_not_an_envelope_is_refused_by_both(raw):
    assert outcome(parse, raw) is ContractError
    assert outcome(parse_checked, raw) is ContractError


def test_the_fast_path_knows_every_envelope_field():
    """A field added to the reference's envelope must be added to the fast path (it refuses
    unknown fields, so the fallback would hide the omission as a slowdown)."""
    from shared.contracts.envelope import _Envelope
    assert set(_Envelope.__struct_fields__) == _ENVELOPE_FIELDS
