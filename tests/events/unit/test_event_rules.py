"""The rules of events, registrations and attendance, on plain objects: no database, no broker."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from shared.contracts.events import KINDS
from shared.errors import Conflict, Invalid

from events.domain import model

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def event(**fields):
    defaults = dict(status=model.SCHEDULED, starts_at=NOW + timedelta(days=3), ends_at=NOW + timedelta(days=3, hours=2),
                    capacity=None, registration_required=True)
    return SimpleNamespace(**{**defaults, **fields})


def registration(id, party_size, status=model.REGISTERED):
    return SimpleNamespace(id=id, party_size=party_size, status=status, cancelled_at=None)


def test_every_kind_has_a_label_and_a_usual_phase():
    assert set(model.KIND_LABELS) == set(KINDS) == set(model.USUAL_PHASE)


@pytest.mark.parametrize("starts, ends, field", [
    (NOW + timedelta(hours=2), NOW + timedelta(hours=1), "ends_at"),
    (NOW + timedelta(hours=2), NOW + timedelta(hours=2), "ends_at"),
    (NOW - timedelta(minutes=1), NOW + timedelta(hours=1), "starts_at"),
    (NOW + timedelta(hours=1), NOW + timedelta(days=15), "ends_at"),
])
def test_times_that_cannot_be_are_refused_naming_the_field(starts, ends, field):
    with pytest.raises(Invalid) as refused:
        model.check_times(starts, ends, NOW)
    assert refused.value.field == field


def test_a_held_event_keeps_its_date_but_may_change_the_rest():
    held = event(status=model.HELD, starts_at=NOW - timedelta(days=1), ends_at=NOW - timedelta(hours=20))
    with pytest.raises(Conflict) as refused:
        model.check_changes(held, {"starts_at": NOW + timedelta(days=1)}, NOW)
    assert refused.value.field == "starts_at"
    model.check_changes(held, {"title": "Autre", "starts_at": held.starts_at}, NOW)  # same date: no move


def test_only_the_end_moved_may_stay_in_an_ongoing_event():
    ongoing = event(starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1))
    model.check_changes(ongoing, {"ends_at": NOW + timedelta(hours=2)}, NOW)
    with pytest.raises(Invalid):
        model.check_changes(ongoing, {"starts_at": NOW - timedelta(hours=2)}, NOW)


def test_places_fill_then_the_waiting_list_takes_whoever_accepts_it():
    full = event(capacity=4)
    taken = [registration(1, 3)]
    assert model.place_registration(full, taken, 1, False, NOW) == model.REGISTERED
    with pytest.raises(Conflict) as too_many:
        model.place_registration(full, taken, 2, False, NOW)
    assert too_many.value.field == "party_size" and too_many.value.params == {"left": 1}
    assert model.place_registration(full, taken, 2, True, NOW) == model.WAITING
    with pytest.raises(Conflict) as no_place:
        model.place_registration(full, [registration(1, 4)], 1, False, NOW)
    assert no_place.value.field == "waiting_list"


@pytest.mark.parametrize("changes, field", [
    ({"status": model.CANCELLED}, "event"), ({"registration_required": False}, "event"),
    ({"starts_at": NOW - timedelta(minutes=5)}, "event"), ({"status": model.HELD}, "event"),
])
def test_registration_is_closed_for_cancelled_open_started_and_held_events(changes, field):
    with pytest.raises(Conflict) as refused:
        model.place_registration(event(**changes), [], 1, True, NOW)
    assert refused.value.field == field


@pytest.mark.parametrize("size", [0, -2, model.MAX_PARTY_SIZE + 1])
def test_a_party_size_out_of_bounds_is_refused(size):
    with pytest.raises(Invalid) as refused:
        model.place_registration(event(), [], size, True, NOW)
    assert refused.value.field == "party_size"


def test_a_cancellation_moves_the_waiting_list_up_in_order_as_far_as_places_allow():
    full = event(capacity=4)
    regs = [registration(1, 2), registration(2, 2), registration(3, 3, model.WAITING),
            registration(4, 1, model.WAITING), registration(5, 1, model.WAITING)]
    model.withdraw(regs[0], full, NOW)
    assert [r.id for r in model.promote(full, regs)] == [4, 5]  # the party of three waits for its turn
    assert model.waiting_position(regs[2], regs) == 1
    model.withdraw(regs[1], full, NOW)
    assert [r.id for r in model.promote(full, regs)] == []  # two places, a party of three
    model.withdraw(regs[3], full, NOW)
    assert [r.id for r in model.promote(full, regs)] == [3]


def test_nobody_moves_up_in_a_cancelled_event():
    regs = [registration(1, 2, model.WAITING)]
    assert model.promote(event(status=model.CANCELLED, capacity=None), regs) == []


def test_capacity_cannot_drop_below_the_people_registered():
    model.check_capacity(5, 5)
    model.check_capacity(None, 50)
    with pytest.raises(Conflict) as refused:
        model.check_capacity(4, 5)
    assert refused.value.field == "capacity"


def test_attendance_waits_for_the_start_and_counts_at_least_the_registered_present():
    started = event(starts_at=NOW - timedelta(minutes=1))
    present = [registration(1, 3)]
    model.check_attendance(started, NOW, 3, present)
    with pytest.raises(Invalid) as too_few:
        model.check_attendance(started, NOW, 2, present)
    assert too_few.value.field == "head_count"
    with pytest.raises(Conflict):
        model.check_attendance(event(), NOW, 3, [])
    with pytest.raises(Invalid):
        model.check_attendance(started, NOW, 3, [registration(2, 1, model.WITHDRAWN)])
    model.record_attendance(started, NOW, 7)
    assert (started.status, started.head_count) == (model.HELD, 7)


def test_a_held_or_cancelled_event_cannot_be_cancelled_again():
    for status in (model.HELD, model.CANCELLED):
        with pytest.raises(Conflict):
            model.cancel(event(status=status), "Pluie", NOW)
    scheduled = event()
    model.cancel(scheduled, "Pluie", NOW)
    assert (scheduled.status, scheduled.cancel_reason) == (model.CANCELLED, "Pluie")


def test_contacts_are_kept_the_retention_days_after_the_event():
    assert model.erasure_cutoff(NOW, 30) == NOW - timedelta(days=30)
