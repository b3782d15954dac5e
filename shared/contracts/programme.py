"""Events published by the programme service (topic `programme.events`)."""
from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract

PHASES = validate.Range(min=1, max=5)


class _Payload(Schema):
    pass


@contract("programme.CommuneOnboarded")
class CommuneOnboarded(_Payload):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    canton = fields.String(required=True, validate=validate.Length(equal=2))
    population = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    onboarded_on = fields.Date(required=True)


@contract("programme.PhaseStarted")
class PhaseStarted(_Payload):
    phase = fields.Integer(required=True, strict=True, validate=PHASES)
    started_at = fields.AwareDateTime(required=True)


@contract("programme.PhaseCompleted")
class PhaseCompleted(_Payload):
    phase = fields.Integer(required=True, strict=True, validate=PHASES)
    completed_at = fields.AwareDateTime(required=True)


@contract("programme.PhaseReopened")
class PhaseReopened(_Payload):
    phase = fields.Integer(required=True, strict=True, validate=PHASES)
    reopened_at = fields.AwareDateTime(required=True)


@contract("programme.ActivityChecked")
class ActivityChecked(_Payload):
    phase = fields.Integer(required=True, strict=True, validate=PHASES)
    activity = fields.String(required=True)
    done = fields.Boolean(required=True)


@contract("programme.ThemeDefined")
class ThemeDefined(_Payload):
    theme_id = fields.Integer(required=True, strict=True)
    title = fields.String(required=True)


@contract("programme.ObjectiveSet")
class ObjectiveSet(_Payload):
    objective_id = fields.Integer(required=True, strict=True)
    title = fields.String(required=True)
    theme_id = fields.Integer(required=True, strict=True, allow_none=True)
    indicator = fields.String(required=True, allow_none=True)
    baseline = fields.Float(required=True, allow_none=True)
    target = fields.Float(required=True, allow_none=True)


@contract("programme.ActionLaunched")
class ActionLaunched(_Payload):
    action_id = fields.Integer(required=True, strict=True)
    objective_id = fields.Integer(required=True, strict=True, allow_none=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    due_on = fields.Date(required=True, allow_none=True)
    partner_ids = fields.List(fields.String(), required=True)
    event_ids = fields.List(fields.String(), required=True)


@contract("programme.ActionUpdated")
class ActionUpdated(ActionLaunched):
    pass
