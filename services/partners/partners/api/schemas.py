"""What the partners' JSON API accepts and answers."""
import re

from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, validate

from shared.contracts.partners import KINDS, LINK_TARGETS, RELATIONS, ROLES, STATUSES
from shared.http.schemas import text


def phone_number(value: str) -> None:
    if value and not re.match(r"^[0-9+()./ -]{6,40}$", value):
        raise ValidationError(gettext("Must be a phone number such as 032 422 00 00."))


def _themes(**kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=60)),
                       validate=validate.Length(max=20), **kwargs)


def _partner_id(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=64), **kwargs)


class OrganisationSchema(Schema):
    """An organisation's own details (the fields a regional partner shares with communes)."""
    name = text(200)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    themes = _themes(load_default=list)
    address = text(300, required=False, load_default="")
    website = text(300, required=False, load_default="")


class OrganisationUpdateSchema(Schema):
    name = text(200, required=False, min_length=1)
    kind = fields.String(validate=validate.OneOf(KINDS))
    themes = _themes()
    address = text(300, required=False)
    website = text(300, required=False)


class PartnerCreateSchema(OrganisationSchema):
    status = fields.String(load_default="identified", validate=validate.OneOf(STATUSES))
    status_since = fields.Date(load_default=None)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), load_default=list,
                        validate=validate.Length(max=len(ROLES)))
    notes = text(5000, required=False, load_default="")


class PartnerUpdateSchema(OrganisationUpdateSchema):
    notes = text(5000, required=False)


class JoinSchema(Schema):
    partner_id = _partner_id(required=True)
    status = fields.String(load_default="identified", validate=validate.OneOf(STATUSES))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), load_default=list,
                        validate=validate.Length(max=len(ROLES)))
    notes = text(5000, required=False, load_default="")


class StatusChangeSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    reason = text(1000, required=False, load_default="")
    changed_on = fields.Date(load_default=None)


class RolesSchema(Schema):
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True,
                        validate=validate.Length(max=len(ROLES)))


class StatusChangeOutSchema(Schema):
    status = fields.String()
    previous_status = fields.String(allow_none=True)
    changed_on = fields.Date()
    reason = fields.String()


class PartnerSchema(Schema):
    id = fields.String(attribute="partner_id")
    name = fields.String(attribute="partner.name")
    kind = fields.String(attribute="partner.kind")
    regional = fields.Boolean(attribute="partner.regional")
    themes = fields.List(fields.String(), attribute="partner.themes")
    address = fields.String(attribute="partner.address")
    website = fields.String(attribute="partner.website")
    status = fields.String()
    status_since = fields.Date()
    roles = fields.List(fields.String())
    notes = fields.String()
    started_on = fields.Date()


class PartnerDetailSchema(PartnerSchema):
    history = fields.List(fields.Nested(StatusChangeOutSchema))


class RegionalPartnerSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    regional = fields.Boolean()
    themes = fields.List(fields.String())
    address = fields.String()
    website = fields.String()


class ContactCreateSchema(Schema):
    name = text(120)
    function = text(120, required=False, load_default="")
    email = fields.Email(load_default="", validate=validate.Length(max=254))
    phone = fields.String(load_default="", validate=[validate.Length(max=40), phone_number])


class ContactUpdateSchema(Schema):
    name = text(120, required=False, min_length=1)
    function = text(120, required=False)
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(validate=[validate.Length(max=40), phone_number])


class ContactSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    function = fields.String()
    email = fields.String()
    phone = fields.String()


class NoteCreateSchema(Schema):
    happened_on = fields.Date(required=True)
    summary = text(5000)


class NoteSchema(Schema):
    id = fields.Integer()
    happened_on = fields.Date()
    summary = fields.String()


class LinkCreateSchema(Schema):
    partner_id = _partner_id(required=True)
    target_type = fields.String(required=True, validate=validate.OneOf(LINK_TARGETS))
    target_id = _partner_id(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))


class LinkSchema(Schema):
    id = fields.String()
    partner_id = fields.String()
    target_type = fields.String()
    target_id = fields.String()
    relation = fields.String()
    origin = fields.String(metadata={"description": "commune: drawn here; events or programme: "
                                                    "learned from that service's events"})
    linked_on = fields.Date()


class ActivitySchema(Schema):
    kind = fields.String(metadata={"description": "event or action"})
    id = fields.String(attribute="external_id")
    title = fields.String()
    category = fields.String()
    starts_at = fields.DateTime(allow_none=True)
    cancelled = fields.Boolean()


class NodeSchema(Schema):
    id = fields.String()
    label = fields.String()
    group = fields.String()
    kind = fields.String()
    status = fields.String()
    regional = fields.Boolean()


class EdgeSchema(Schema):
    source = fields.String()
    target = fields.String()
    relation = fields.String()
    origin = fields.String()


class KindCountSchema(Schema):
    kind = fields.String()
    count = fields.Integer()


class MonthCountSchema(Schema):
    month = fields.String(metadata={"description": "YYYY-MM"})
    count = fields.Integer()


class FiguresSchema(Schema):
    partners = fields.Integer()
    links = fields.Integer()
    active_by_kind = fields.List(fields.Nested(KindCountSchema))
    new_per_month = fields.List(fields.Nested(MonthCountSchema))
    events = fields.Integer()
    events_co_organised = fields.Integer()
    co_organised_share = fields.Float(allow_none=True)


class NetworkSchema(Schema):
    nodes = fields.List(fields.Nested(NodeSchema))
    edges = fields.List(fields.Nested(EdgeSchema))
    figures = fields.Nested(FiguresSchema)


class ImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportRowSchema(Schema):
    line = fields.Integer()
    values = fields.Dict(keys=fields.String(), values=fields.String())
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    joins_regional_partner = fields.String(allow_none=True)


class ImportPreviewSchema(Schema):
    import_id = fields.String(allow_none=True, metadata={
        "description": "to confirm with; null when a row has an error (nothing can be imported)"})
    valid = fields.Boolean()
    rows = fields.List(fields.Nested(ImportRowSchema))


class ExportQuerySchema(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
