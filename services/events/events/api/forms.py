"""What the HTML forms send: text from a browser, read into the values the JSON API takes.

The rules (lengths, ranges, choices) are the API schemas' own validators; only the reading
differs: numbers and ticks arrive as text, and dates and times as the local time of a
`datetime-local` input, which is Europe/Zurich time.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields

from shared.errors import DomainError

from shared.http.pages import load_form
from shared.http.schemas import text

from events.api import schemas
from events.config import ZURICH

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class ZurichDateTime(fields.Field):
    """A `datetime-local` value ("2026-06-13T14:30", seconds allowed), Zurich time, read as UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            local = datetime.strptime(str(value)[:16], LOCAL_INPUT)
        except ValueError:
            raise ValidationError("Not a valid datetime.") from None
        return local.replace(tzinfo=ZURICH).astimezone(timezone.utc)


def local_input(moment: datetime | None) -> str:
    """The value a `datetime-local` input shows for a UTC moment."""
    return moment.astimezone(ZURICH).strftime(LOCAL_INPUT) if moment else ""


class EventForm(Schema):
    kind = fields.String(required=True, validate=schemas.KIND)
    title = text(200)
    description = text(5000, required=False, load_default="")
    starts_at = ZurichDateTime(required=True)
    ends_at = ZurichDateTime(required=True)
    place_name = text(200)
    place_address = text(300, required=False, load_default="")
    accessibility_notes = text(1000, required=False, load_default="")
    capacity = fields.Integer(load_default=None, validate=schemas.CAPACITY)
    registration_required = fields.Boolean(load_default=False)
    phase = fields.Integer(required=True, validate=schemas.PHASE)
    series_id = fields.String(load_default=None, validate=schemas.SERIES_ID)
    partner_ids = schemas.partner_id_list(load_default=list)


class RegistrationForm(Schema):
    name = text(120)
    contact = text(200, required=False, load_default="")
    party_size = fields.Integer(load_default=1, validate=schemas.PARTY_SIZE)
    waiting_list = fields.Boolean(load_default=False)


class FeedbackForm(Schema):
    satisfaction = fields.Integer(required=True, validate=schemas.SATISFACTION)
    met_someone_new = fields.Boolean(required=True)
    comment = text(2000, required=False, load_default="")


class AttendanceForm(Schema):
    head_count = fields.Integer(required=True, validate=schemas.HEAD_COUNT)
    attended_registration_ids = fields.List(fields.Integer(), load_default=None)


def read(schema: Schema, form, lists: tuple[str, ...] = ()) -> tuple[dict | None, dict]:
    """Validate a submitted form: (data, {}) or (None, errors by field). Fields in `lists`
    are read with every value sent (ticked boxes); the others with their first. Inputs the
    schema does not know (the CSRF token, hidden hints) are left to the view."""
    raw = {key: value for key, value in form.items() if key in schema.fields and key not in lists}
    for name in lists:
        if name in form:
            raw[name] = [value for value in form.getlist(name) if value != ""]
    return load_form(schema, raw)


def refusal(error: DomainError) -> dict:
    """A rule's refusal as form errors: next to its field, or above the form ("form") when it
    is about the event or the registration as a whole."""
    field = error.field if error.field not in (None, "event", "registration") else "form"
    return {field: [_(error.message, **error.params)]}
