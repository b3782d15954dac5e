"""Events published by the partners service (topic `partners.events`, key = commune slug).

Every event is about one commune's partner network: a regional organisation that several
communes work with is one partner (same `partner_id`, `regional: true`) with one
partnership per commune, and each commune hears only of its own partnership. A regional
partner the region registers is announced to a commune when the commune starts working
with it (PartnerRegistered with `regional: true`).

Partner ids are opaque strings (UUIDs). Organisation names are not personal data and
travel; contact persons, notes and reasons are personal or free text and never do.
"""
from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract

KINDS = ("association", "school", "parish", "business", "municipal_service", "social_service",
         "health", "club", "other")
STATUSES = ("identified", "contacted", "engaged", "active", "inactive")
ROLES = ("co_organiser", "venue", "relay", "funder", "expert", "other")
# What a link joins a partner to, and what it says about them.
LINK_TARGETS = ("partner", "event", "action")
PARTNER_RELATIONS = ("works_with", "introduced_by_us")
ACTIVITY_RELATIONS = ("involved",)  # a partner takes part in an event or an action
RELATIONS = PARTNER_RELATIONS + ACTIVITY_RELATIONS


def _partner_id(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=64), **kwargs)


def _roles():
    return fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)


class _Payload(Schema):
    pass


@contract("partners.PartnerRegistered")
class PartnerRegistered(_Payload):
    """A partner joined the commune's network (a new local partner, or a partnership with a
    regional one)."""
    partner_id = _partner_id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    regional = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    roles = _roles()
    registered_on = fields.Date(required=True)


@contract("partners.PartnerUpdated")
class PartnerUpdated(_Payload):
    """The organisation's name or kind changed (sent to every commune working with it)."""
    partner_id = _partner_id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    regional = fields.Boolean(required=True)


@contract("partners.PartnershipStatusChanged")
class PartnershipStatusChanged(_Payload):
    partner_id = _partner_id(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    previous_status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    changed_on = fields.Date(required=True)


@contract("partners.PartnerRolesChanged")
class PartnerRolesChanged(_Payload):
    partner_id = _partner_id(required=True)
    roles = _roles()


@contract("partners.PartnersLinked")
class PartnersLinked(_Payload):
    """A link drawn by the commune from a partner to another partner, an event or an action.

    `target_type` says what `target_id` names: a partner id, an event id (events service) or
    an action id (programme service, as a string). Partner-to-partner links use a relation of
    PARTNER_RELATIONS and have no direction (the smaller id comes first as `partner_id`);
    links to events and actions use `involved`, the partner taking part in it.
    Links the partners service learned from other services' events (an event's
    `partner_ids`, an action's `partner_ids`) are not published again.
    """
    link_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    partner_id = _partner_id(required=True)
    target_type = fields.String(required=True, validate=validate.OneOf(LINK_TARGETS))
    target_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    linked_on = fields.Date(required=True)


@contract("partners.PartnersUnlinked")
class PartnersUnlinked(_Payload):
    link_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    partner_id = _partner_id(required=True)
    target_type = fields.String(required=True, validate=validate.OneOf(LINK_TARGETS))
    target_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


@contract("partners.PartnershipEnded")
class PartnershipEnded(_Payload):
    """The commune no longer works with the partner: it left the commune's network, and
    every link of it in that commune went with it (no PartnersUnlinked is sent for those)."""
    partner_id = _partner_id(required=True)
    ended_on = fields.Date(required=True)
