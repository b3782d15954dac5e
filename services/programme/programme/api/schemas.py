"""What the programme's JSON API accepts and answers."""
from marshmallow import Schema, fields, validate

from shared.http.auth import ROLES
from shared.http.schemas import CANTONS, SLUG, StrictBoolean, identifier_list, text

from programme.domain.model import ACTION_STATUSES, INDICATORS

SHARE = dict(allow_none=True, allow_nan=False)


class TokenRequestSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = text(200)


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class CommuneCreateSchema(Schema):
    slug = fields.String(required=True, validate=[validate.Length(min=2, max=60), SLUG])
    name = text(120)
    canton = fields.String(required=True, validate=validate.OneOf(CANTONS))
    population = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10_000_000))
    onboarded_on = fields.Date()


class CommuneSchema(Schema):
    slug = fields.String()
    name = fields.String()
    canton = fields.String()
    population = fields.Integer()
    onboarded_on = fields.Date()
    current_phase = fields.Integer(allow_none=True)


class AccountCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    display_name = text(120)
    password = text(200, min_length=8)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    communes = fields.List(fields.String(validate=validate.Length(max=60)),
                           load_default=list, validate=validate.Length(max=500))


class AccountSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    role = fields.String()
    communes = fields.Method("commune_slugs")

    def commune_slugs(self, account):
        return [c.slug for c in account.communes]


class ActivitySchema(Schema):
    key = fields.String()
    label = fields.String()
    done = fields.Boolean()
    checked_at = fields.DateTime(allow_none=True)


class PhaseSchema(Schema):
    number = fields.Integer()
    key = fields.String()
    label = fields.String()
    goal = fields.String()
    status = fields.String()
    planned_months = fields.List(fields.Integer(), allow_none=True,
                                 metadata={"description": "[min, max]; null: depends on the actions"})
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    activities = fields.List(fields.Nested(ActivitySchema))


class ActivityUpdateSchema(Schema):
    done = StrictBoolean(required=True)


class ThemeCreateSchema(Schema):
    title = text(200)
    description = text(5000, required=False, load_default="")


class ThemeSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()


class ObjectiveCreateSchema(Schema):
    title = text(200)
    description = text(5000, required=False, load_default="")
    theme_id = fields.Integer(strict=True, allow_none=True, load_default=None)
    indicator = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(INDICATORS))
    baseline = fields.Float(load_default=None, **SHARE)
    target = fields.Float(load_default=None, **SHARE)


class ObjectiveUpdateSchema(Schema):
    title = text(200, required=False, min_length=1)
    description = text(5000, required=False)
    theme_id = fields.Integer(strict=True, allow_none=True)
    indicator = fields.String(allow_none=True, validate=validate.OneOf(INDICATORS))
    baseline = fields.Float(**SHARE)
    target = fields.Float(**SHARE)


class ObjectiveSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    theme_id = fields.Integer(allow_none=True)
    indicator = fields.String(allow_none=True)
    baseline = fields.Float(allow_none=True)
    target = fields.Float(allow_none=True)


class ActionCreateSchema(Schema):
    title = text(200)
    owner = text(120, required=False, load_default="")
    status = fields.String(load_default="planned", validate=validate.OneOf(ACTION_STATUSES))
    due_on = fields.Date(allow_none=True, load_default=None)
    objective_id = fields.Integer(strict=True, allow_none=True, load_default=None)
    partner_ids = identifier_list(load_default=list)
    event_ids = identifier_list(load_default=list)


class ActionUpdateSchema(Schema):
    title = text(200, required=False, min_length=1)
    owner = text(120, required=False)
    status = fields.String(validate=validate.OneOf(ACTION_STATUSES))
    due_on = fields.Date(allow_none=True)
    objective_id = fields.Integer(strict=True, allow_none=True)
    partner_ids = identifier_list()
    event_ids = identifier_list()


class ActionSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    owner = fields.String()
    status = fields.String()
    due_on = fields.Date(allow_none=True)
    objective_id = fields.Integer(allow_none=True)
    partner_ids = fields.List(fields.String())
    event_ids = fields.List(fields.String())
