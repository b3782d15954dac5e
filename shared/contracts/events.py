"""Events published by the events service (topic `events.events`, key = commune slug).

Each one names the community event it is about with the facts reporting groups by:
`event_id`, `series_id`, `kind`, `phase` and `starts_at` (UTC). Event and series ids are
opaque strings (UUIDs). Titles of public events travel; residents' names, contacts and
feedback comments, and the free-text reason of a cancellation, never do: registrations
travel as counts only, feedback as its rating and "met someone new" answer only.
"""
from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract

KINDS = ("papotage", "brise_glace", "forum_citoyen", "atelier", "other")
STATUSES = ("scheduled", "cancelled", "held")
FEEDBACK_SOURCES = ("public", "staff")  # a participant through the public link, or staff entering it

_COUNT = validate.Range(min=0)


def _id(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=64), **kwargs)


def _count(**kwargs) -> fields.Integer:
    return fields.Integer(required=True, strict=True, validate=_COUNT, **kwargs)


class _EventFacts(Schema):
    """What every message says about its community event."""
    event_id = _id(required=True)
    series_id = _id(required=True, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    phase = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    starts_at = fields.AwareDateTime(required=True)


@contract("events.EventScheduled")
class EventScheduled(_EventFacts):
    """A new community event in the commune's agenda. `capacity` null: no limit."""
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ends_at = fields.AwareDateTime(required=True)
    capacity = fields.Integer(required=True, strict=True, allow_none=True, validate=_COUNT)
    registration_required = fields.Boolean(required=True)
    partner_ids = fields.List(_id(), required=True)  # co-organising partners (partners service ids)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


@contract("events.EventUpdated")
class EventUpdated(EventScheduled):
    """The event as it is after a change (every field, not only the changed ones)."""


@contract("events.EventCancelled")
class EventCancelled(_EventFacts):
    cancelled_at = fields.AwareDateTime(required=True)


@contract("events.RegistrationCounted")
class RegistrationCounted(_EventFacts):
    """The event's registrations after one was made, cancelled or moved up from the
    waiting list: counts of registrations (parties) and of the people they bring."""
    capacity = fields.Integer(required=True, strict=True, allow_none=True, validate=_COUNT)
    registrations = _count()
    registered_people = _count()
    waiting_registrations = _count()
    waiting_people = _count()


@contract("events.AttendanceRecorded")
class AttendanceRecorded(_EventFacts):
    """Who came, counted by the staff; the event is held from then on. A later correction
    publishes the event's figures again (replace, do not add). `registered_attended`: people
    of the registrations marked as present, null when staff counted heads only."""
    head_count = _count()
    registered_people = _count()
    registered_attended = fields.Integer(required=True, strict=True, allow_none=True, validate=_COUNT)
    recorded_at = fields.AwareDateTime(required=True)


@contract("events.FeedbackRecorded")
class FeedbackRecorded(_EventFacts):
    """One participant's anonymous feedback, with the event's totals after it (so a reader
    may either add up the single answers or keep the latest totals)."""
    feedback_id = _id(required=True)
    satisfaction = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    met_someone_new = fields.Boolean(required=True)
    source = fields.String(required=True, validate=validate.OneOf(FEEDBACK_SOURCES))
    responses = _count()
    satisfaction_total = _count()
    met_someone_new_count = _count()
