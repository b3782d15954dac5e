"""The event envelope and contracts: what producers may send and consumers accept."""
import json

import pytest

from shared.contracts import ContractError, Event, parse, registered_contracts, serialize


def phase_started(**overrides) -> Event:
    fields = dict(type="programme.PhaseStarted", commune="courtetelle", source="programme",
                  payload={"phase": 2, "started_at": "2026-01-05T08:00:00+00:00"})
    fields.update(overrides)
    return Event(**fields)


def test_an_event_survives_the_round_trip_unchanged():
    event = phase_started(correlation_id="abc")
    parsed = parse(serialize(event))
    assert parsed == event


def test_the_envelope_carries_every_field_of_the_design():
    document = json.loads(serialize(phase_started()))
    assert set(document) == {"event_id", "type", "version", "occurred_at", "commune", "source",
                             "correlation_id", "payload"}
    assert document["occurred_at"].endswith("+00:00")


def test_every_programme_event_has_a_contract():
    types = {event_type for event_type, _ in registered_contracts()}
    assert {"programme.CommuneOnboarded", "programme.PhaseStarted", "programme.PhaseCompleted",
            "programme.PhaseReopened", "programme.ActivityChecked", "programme.ThemeDefined",
            "programme.ObjectiveSet", "programme.ActionLaunched", "programme.ActionUpdated"} <= types


def test_an_unknown_type_is_refused_on_both_sides():
    with pytest.raises(ContractError, match="unknown event type"):
        serialize(phase_started(type="programme.Nonsense"))
    document = json.loads(serialize(phase_started()))
    document["type"] = "programme.Nonsense"
    with pytest.raises(ContractError, match="unknown event type"):
        parse(json.dumps(document))


def test_a_payload_that_breaks_its_contract_never_leaves_the_service():
    with pytest.raises(ContractError, match="phase"):
        serialize(phase_started(payload={"phase": 9, "started_at": "2026-01-05T08:00:00+00:00"}))
    with pytest.raises(ContractError, match="started_at"):
        serialize(phase_started(payload={"phase": 2}))


def test_an_unknown_payload_field_is_refused():
    with pytest.raises(ContractError, match="resident_name"):
        serialize(phase_started(payload={"phase": 2, "started_at": "2026-01-05T08:00:00+00:00",
                                         "resident_name": "Jeanne"}))


@pytest.mark.parametrize("raw", [b"not json", b"[]", b"{}", json.dumps({"type": "x"}).encode(), b"\xff\xfe"])
def test_garbage_is_a_contract_error_not_a_crash(raw):
    with pytest.raises(ContractError):
        parse(raw)


def test_a_naive_timestamp_in_the_envelope_is_read_as_utc():
    document = json.loads(serialize(phase_started()))
    document["occurred_at"] = "2026-01-05T08:00:00"
    assert parse(json.dumps(document)).occurred_at.utcoffset().total_seconds() == 0
