"""What reporting's JSON API answers (and the little it accepts)."""
from marshmallow import Schema, fields, validate

from shared.http.schemas import StrictBoolean


class PhaseSchema(Schema):
    number = fields.Integer()
    label = fields.String()
    status = fields.String()
    started_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    planned_months = fields.List(fields.Integer(), allow_none=True)
    months = fields.Float(allow_none=True, metadata={"description": "months spent in the phase so far"})
    behind_plan = fields.Boolean()


class GateSchema(Schema):
    key = fields.String()
    phase = fields.Integer()
    label = fields.String()
    unit = fields.String(metadata={"description": "share (0 to 1) or count"})
    threshold = fields.Float()
    value = fields.Float(allow_none=True)
    met = fields.Boolean()
    current = fields.Boolean(metadata={"description": "a criterion of the phase in progress"})


class CommuneSchema(Schema):
    slug = fields.String()
    name = fields.String()
    canton = fields.String()
    population = fields.Integer()
    onboarded_on = fields.Date()


class CommuneDashboardSchema(Schema):
    commune = fields.Nested(CommuneSchema)
    as_of = fields.DateTime(allow_none=True, metadata={"description": "time of the newest event shown"})
    current_phase = fields.Integer(allow_none=True)
    phases = fields.List(fields.Nested(PhaseSchema))
    gates = fields.List(fields.Nested(GateSchema))
    indicators = fields.Dict(metadata={"description": "survey indicators, shares 0 to 1; null below the anonymity threshold"})
    indicator_labels = fields.Dict()
    respondents = fields.Dict(metadata={"description": "respondents behind each indicator"})
    regional_average = fields.Dict()
    survey = fields.Dict(allow_none=True)
    evaluation = fields.Dict(allow_none=True, metadata={"description": "follow-up survey against the baseline"})
    events = fields.Dict()
    partners = fields.Dict()
    plan = fields.Dict()
    anonymity_threshold = fields.Integer()


class RegionCommuneSchema(Schema):
    slug = fields.String()
    name = fields.String()
    canton = fields.String()
    population = fields.Integer()
    current_phase = fields.Integer(allow_none=True)
    phase_label = fields.String(allow_none=True)
    months_in_phase = fields.Float(allow_none=True)
    planned_months = fields.List(fields.Integer(), allow_none=True)
    behind_plan = fields.Boolean()
    gates_met = fields.Integer()
    gates_due = fields.Integer()
    participation_rate = fields.Float(allow_none=True)
    network_restricted_share = fields.Float(allow_none=True)
    events_held = fields.Integer()
    partners_active = fields.Integer()


class RegionOverviewSchema(Schema):
    as_of = fields.DateTime(allow_none=True)
    communes = fields.List(fields.Nested(RegionCommuneSchema))
    phase_distribution = fields.Dict(keys=fields.String(), values=fields.Integer())
    communes_behind_plan = fields.Integer()
    anonymity_threshold = fields.Integer()


class GateSettingSchema(Schema):
    threshold = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1_000_000))
    enabled = StrictBoolean(required=True)


class GateCriterionSchema(Schema):
    key = fields.String()
    phase = fields.Integer()
    label = fields.String()
    unit = fields.String()
    default_threshold = fields.Float()
    threshold = fields.Float()
    enabled = fields.Boolean()


class ExportQuerySchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
