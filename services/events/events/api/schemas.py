"""What the events service's JSON API accepts and answers."""
from marshmallow import Schema, fields, validate

from shared.contracts.events import FEEDBACK_SOURCES, KINDS, STATUSES
from shared.http.schemas import StrictBoolean, identifier_list, text

from events.domain.model import MAX_CAPACITY, MAX_PARTY_SIZE

# Shared with the HTML forms (api/forms.py), which read the same values from text.
KIND = validate.OneOf(KINDS)
CAPACITY = validate.Range(min=1, max=MAX_CAPACITY)
PHASE = validate.Range(min=1, max=5)
SERIES_ID = validate.Length(min=1, max=36)
PARTY_SIZE = validate.Range(min=1, max=MAX_PARTY_SIZE)
SATISFACTION = validate.Range(min=1, max=5)
HEAD_COUNT = validate.Range(min=0, max=100_000)


def partner_id_list(**kwargs):
    return identifier_list(max_items=20, **kwargs)


# -- series ----------------------------------------------------------------------------------
class SeriesCreateSchema(Schema):
    title = text(200)
    description = text(2000, required=False, load_default="")


class SeriesUpdateSchema(Schema):
    title = text(200, required=False, min_length=1)
    description = text(2000, required=False)


class SeriesSchema(Schema):
    id = fields.String()
    title = fields.String()
    description = fields.String()


# -- events ----------------------------------------------------------------------------------
class EventCreateSchema(Schema):
    kind = fields.String(required=True, validate=KIND)
    title = text(200)
    description = text(5000, required=False, load_default="")
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with its zone"})
    ends_at = fields.AwareDateTime(required=True)
    place_name = text(200)
    place_address = text(300, required=False, load_default="")
    accessibility_notes = text(1000, required=False, load_default="")
    capacity = fields.Integer(strict=True, allow_none=True, load_default=None, validate=CAPACITY,
                              metadata={"description": "null: no limit"})
    registration_required = StrictBoolean(load_default=False)
    phase = fields.Integer(required=True, strict=True, validate=PHASE)
    series_id = fields.String(allow_none=True, load_default=None, validate=SERIES_ID)
    partner_ids = partner_id_list(load_default=list,
                              metadata={"description": "co-organising partners (partners service ids)"})


class EventUpdateSchema(Schema):
    kind = fields.String(validate=KIND)
    title = text(200, required=False, min_length=1)
    description = text(5000, required=False)
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    place_name = text(200, required=False, min_length=1)
    place_address = text(300, required=False)
    accessibility_notes = text(1000, required=False)
    capacity = fields.Integer(strict=True, allow_none=True, validate=CAPACITY)
    registration_required = StrictBoolean()
    phase = fields.Integer(strict=True, validate=PHASE)
    series_id = fields.String(allow_none=True, validate=SERIES_ID)
    partner_ids = partner_id_list()


class PartnerRefSchema(Schema):
    id = fields.String()
    name = fields.String()


class FeedbackSummarySchema(Schema):
    responses = fields.Integer()
    average_satisfaction = fields.Float(allow_none=True)
    met_someone_new_share = fields.Float(allow_none=True)


class EventSchema(Schema):
    id = fields.String()
    commune = fields.String()
    kind = fields.String()
    title = fields.String()
    description = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    place_name = fields.String()
    place_address = fields.String()
    accessibility_notes = fields.String()
    capacity = fields.Integer(allow_none=True)
    registration_required = fields.Boolean()
    phase = fields.Integer()
    series_id = fields.String(allow_none=True)
    series_title = fields.String(allow_none=True)
    partners = fields.List(fields.Nested(PartnerRefSchema))
    status = fields.String(metadata={"enum": list(STATUSES)})
    cancel_reason = fields.String(allow_none=True)
    registrations = fields.Integer()
    registered_people = fields.Integer()
    waiting_registrations = fields.Integer()
    waiting_people = fields.Integer()
    places_left = fields.Integer(allow_none=True)
    head_count = fields.Integer(allow_none=True)
    attended_people = fields.Integer()
    feedback = fields.Nested(FeedbackSummarySchema)
    feedback_token = fields.String(metadata={"description": "the event's public feedback link: /events/feedback/<token>"})


class SeriesWithEventsSchema(SeriesSchema):
    events = fields.List(fields.Nested(EventSchema))


class CancelSchema(Schema):
    reason = text(500)


class PartnerSchema(Schema):
    partner_id = fields.String()
    name = fields.String()


# -- registrations ---------------------------------------------------------------------------
class RegistrationCreateSchema(Schema):
    name = text(120)
    contact = text(200, required=False, load_default="",
                   metadata={"description": "phone or e-mail, for the coordinators only"})
    party_size = fields.Integer(strict=True, load_default=1, validate=PARTY_SIZE)
    waiting_list = StrictBoolean(load_default=False,
                                 metadata={"description": "if the event is full, join its waiting list"})


class RegistrationSchema(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    party_size = fields.Integer()
    status = fields.String()
    waiting_position = fields.Integer(allow_none=True)
    attended = fields.Boolean(allow_none=True)
    created_at = fields.AwareDateTime()
    erased = fields.Boolean()


# -- what happened ---------------------------------------------------------------------------
class AttendanceSchema(Schema):
    head_count = fields.Integer(required=True, strict=True, validate=HEAD_COUNT)
    attended_registration_ids = fields.List(
        fields.Integer(strict=True), allow_none=True, load_default=None, validate=validate.Length(max=2000),
        metadata={"description": "who of the registered came; null: heads counted only"})


class FeedbackCreateSchema(Schema):
    satisfaction = fields.Integer(required=True, strict=True, validate=SATISFACTION)
    met_someone_new = StrictBoolean(required=True)
    comment = text(2000, required=False, load_default="")


class FeedbackSchema(Schema):
    id = fields.String()
    satisfaction = fields.Integer()
    met_someone_new = fields.Boolean()
    comment = fields.String()
    source = fields.String(metadata={"enum": list(FEEDBACK_SOURCES)})
    created_at = fields.AwareDateTime()


class FeedbackListSchema(FeedbackSummarySchema):
    answers = fields.List(fields.Nested(FeedbackSchema))
