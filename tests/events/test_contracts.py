"""The events service's contracts: every event type the issue names, each refusing what must
not travel (a name, a contact, a comment, a reason)."""
import pytest

from shared.contracts import ContractError, Event, parse, registered_contracts, serialize

FACTS = {"event_id": "e-1", "series_id": None, "kind": "brise_glace", "phase": 2,
         "starts_at": "2026-06-13T12:00:00+00:00"}
SAMPLES = {
    "events.EventScheduled": {**FACTS, "title": "Apéro", "ends_at": "2026-06-13T14:00:00+00:00", "capacity": None,
                              "registration_required": False, "partner_ids": ["p-1"], "status": "scheduled"},
    "events.EventCancelled": {**FACTS, "cancelled_at": "2026-06-10T08:00:00+00:00"},
    "events.RegistrationCounted": {**FACTS, "capacity": 8, "registrations": 3, "registered_people": 7,
                                   "waiting_registrations": 1, "waiting_people": 2},
    "events.AttendanceRecorded": {**FACTS, "head_count": 12, "registered_people": 7, "registered_attended": None,
                                  "recorded_at": "2026-06-13T15:00:00+00:00"},
    "events.FeedbackRecorded": {**FACTS, "feedback_id": "f-1", "satisfaction": 4, "met_someone_new": True,
                                "source": "public", "responses": 3, "satisfaction_total": 12,
                                "met_someone_new_count": 2},
}
SAMPLES["events.EventUpdated"] = SAMPLES["events.EventScheduled"]


def test_every_event_of_the_issue_has_a_contract():
    assert set(SAMPLES) <= {event_type for event_type, _ in registered_contracts()}


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_event_survives_the_round_trip(event_type):
    event = Event(type=event_type, commune="courtetelle", source="events", payload=SAMPLES[event_type])
    assert parse(serialize(event)) == event


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
@pytest.mark.parametrize("personal", ["name", "contact", "comment", "cancel_reason"])
def test_no_event_carries_personal_data_or_free_text(event_type, personal):
    payload = {**SAMPLES[event_type], personal: "Jeanne Chapatte"}
    with pytest.raises(ContractError, match=personal):
        serialize(Event(type=event_type, commune="courtetelle", source="events", payload=payload))


def test_a_rating_outside_one_to_five_never_leaves_the_service():
    payload = {**SAMPLES["events.FeedbackRecorded"], "satisfaction": 6}
    with pytest.raises(ContractError, match="satisfaction"):
        serialize(Event(type="events.FeedbackRecorded", commune="courtetelle", source="events", payload=payload))
