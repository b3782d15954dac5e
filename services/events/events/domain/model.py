"""Rules of community events, their registrations, attendance and feedback. Pure Python.

The rules act on any objects with the attributes used here (the ORM rows in practice)
and raise DomainError subclasses with messages for the person who asked.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from shared.contracts.events import STATUSES
from shared.errors import Conflict, Invalid
from shared.text import N_

SCHEDULED, CANCELLED, HELD = STATUSES
REGISTERED, WAITING, WITHDRAWN = "registered", "waiting", "cancelled"

KIND_LABELS = {
    "papotage": N_("Public chat (papotage)"),
    "brise_glace": N_("Ice-breaker event"),
    "forum_citoyen": N_("Citizen forum"),
    "atelier": N_("Workshop"),
    "other": N_("Other event"),
}
STATUS_LABELS = {SCHEDULED: N_("scheduled"), CANCELLED: N_("cancelled"), HELD: N_("held")}
REGISTRATION_STATUS_LABELS = {REGISTERED: N_("registered"), WAITING: N_("waiting list"),
                              WITHDRAWN: N_("cancelled")}
# The phase a kind of event usually belongs to in the pilot, to preselect it in forms.
USUAL_PHASE = {"papotage": 2, "brise_glace": 2, "forum_citoyen": 3, "atelier": 4, "other": 2}

MAX_PARTY_SIZE = 10
MAX_CAPACITY = 10_000
MAX_DURATION = timedelta(days=14)


# -- scheduling ------------------------------------------------------------------------------
def check_times(starts_at: datetime, ends_at: datetime, now: datetime, start_moved: bool = True) -> None:
    """`start_moved`: the start is new or changed, so it must lie ahead."""
    if ends_at <= starts_at:
        raise Invalid(N_("The end must come after the start."), field="ends_at")
    if ends_at - starts_at > MAX_DURATION:
        raise Invalid(N_("An event lasts at most %(days)s days."), field="ends_at",
                      days=MAX_DURATION.days)
    if start_moved and starts_at <= now:
        raise Invalid(N_("The start lies in the past: choose a date and time to come."),
                      field="starts_at")


def check_changes(event, changes: dict, now: datetime) -> None:
    """May `changes` (field -> new value) be applied to the event?"""
    if event.status == CANCELLED:
        raise Conflict(N_("This event was cancelled: it can no longer be changed."), field="event")
    moved = [name for name in ("starts_at", "ends_at")
             if name in changes and changes[name] != getattr(event, name)]
    if moved and event.status == HELD:
        raise Conflict(N_("This event has taken place: its date and time can no longer be changed."),
                       field=moved[0])
    if moved:
        check_times(changes.get("starts_at", event.starts_at), changes.get("ends_at", event.ends_at),
                    now, start_moved="starts_at" in moved)


def check_capacity(capacity: int | None, registered_people: int) -> None:
    if capacity is not None and capacity < registered_people:
        raise Conflict(N_("%(people)s people are registered already: the capacity cannot be lower."),
                       field="capacity", people=registered_people)


def cancel(event, reason: str, now: datetime) -> None:
    if event.status == CANCELLED:
        raise Conflict(N_("This event is cancelled already."), field="event")
    if event.status == HELD:
        raise Conflict(N_("This event has taken place: it can no longer be cancelled."), field="event")
    event.status, event.cancel_reason, event.cancelled_at = CANCELLED, reason, now


# -- registrations ---------------------------------------------------------------------------
def people(registrations, status: str) -> int:
    return sum(r.party_size for r in registrations if r.status == status)


def places_left(event, registrations) -> int | None:
    """None: no limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - people(registrations, REGISTERED))


def check_open_for_registration(event, now: datetime) -> None:
    if event.status == CANCELLED:
        raise Conflict(N_("This event was cancelled: it takes no registrations."), field="event")
    if not event.registration_required:
        raise Conflict(N_("This event needs no registration: just come along."), field="event")
    if event.status == HELD or event.starts_at <= now:
        raise Conflict(N_("This event has started or taken place: registration is closed."),
                       field="event")


def place_registration(event, registrations, party_size: int, waiting_list: bool, now: datetime) -> str:
    """The status of a new registration: registered if its people fit, waiting if it accepts
    the waiting list, refused otherwise."""
    check_open_for_registration(event, now)
    if not 1 <= party_size <= MAX_PARTY_SIZE:
        raise Invalid(N_("Register from 1 to %(most)s people at once."), field="party_size",
                      most=MAX_PARTY_SIZE)
    left = places_left(event, registrations)
    if left is None or party_size <= left:
        return REGISTERED
    if waiting_list:
        return WAITING
    if left == 0:
        raise Conflict(N_("This event is full. You may join the waiting list: if a place frees up, "
                          "you move up in turn."), field="waiting_list")
    raise Conflict(N_("Not enough places left (%(left)s): register fewer people, or join the waiting list."),
                   field="party_size", left=left)


def promote(event, registrations) -> list:
    """Move waiting registrations up, in the order they came, as far as places allow. A party
    too large for the places left keeps its turn; a smaller one behind it may move up."""
    if event.status != SCHEDULED:
        return []
    left = places_left(event, registrations)
    promoted = []
    for registration in sorted((r for r in registrations if r.status == WAITING), key=lambda r: r.id):
        if left is None or registration.party_size <= left:
            registration.status = REGISTERED
            promoted.append(registration)
            if left is not None:
                left -= registration.party_size
    return promoted


def withdraw(registration, event, now: datetime) -> None:
    if registration.status == WITHDRAWN:
        raise Conflict(N_("This registration is cancelled already."), field="registration")
    if event.status == CANCELLED:
        raise Conflict(N_("The event itself was cancelled: there is nothing more to cancel."),
                       field="registration")
    if event.status == HELD or event.starts_at <= now:
        raise Conflict(N_("The event has started: the registration can no longer be cancelled."),
                       field="registration")
    registration.status, registration.cancelled_at = WITHDRAWN, now


def waiting_position(registration, registrations) -> int | None:
    if registration.status != WAITING:
        return None
    ahead = [r for r in registrations if r.status == WAITING and r.id < registration.id]
    return len(ahead) + 1


# -- what happened ---------------------------------------------------------------------------
def check_attendance(event, now: datetime, head_count: int, present: list) -> None:
    if event.status == CANCELLED:
        raise Conflict(N_("This event was cancelled: there is no attendance to record."),
                       field="head_count")
    if event.starts_at > now:
        raise Conflict(N_("Attendance can be recorded once the event has started."), field="head_count")
    if any(r.status == WITHDRAWN for r in present):
        raise Invalid(N_("A cancelled registration cannot be marked as present."),
                      field="attended_registration_ids")
    counted = sum(r.party_size for r in present)
    if head_count < counted:
        raise Invalid(N_("The head count (%(count)s) is lower than the people of the registrations "
                         "marked as present (%(people)s)."), field="head_count",
                      count=head_count, people=counted)


def record_attendance(event, now: datetime, head_count: int) -> None:
    event.status, event.head_count, event.attendance_recorded_at = HELD, head_count, now


def check_feedback_open(event, now: datetime) -> None:
    if event.status == CANCELLED:
        raise Conflict(N_("This event was cancelled: it takes no feedback."), field="event")
    if event.starts_at > now:
        raise Conflict(N_("Feedback opens once the event has started."), field="event")


# -- personal data ---------------------------------------------------------------------------
def erasure_cutoff(now: datetime, retention_days: int) -> datetime:
    """Contacts of registrations for events that ended before this moment are erased."""
    return now - timedelta(days=retention_days)
