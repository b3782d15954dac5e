"""The AsyncAPI 3.0 document of the platform's events, generated from the contracts.

`python -m shared.contracts.asyncapi write` writes docs/asyncapi.yaml; `... check` exits 1
when the committed document is not what the contracts generate. Payload schemas are
converted from the marshmallow contracts by apispec; the envelope, checked by hand in
envelope.py, is described here from the same constants. Every message carries an example
that went through the real `serialize()` and `parse()`.
"""
from __future__ import annotations

import difflib
import inspect
import json
import sys
import uuid
from datetime import datetime, timezone
from importlib.metadata import version as installed_version
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from shared.config import SERVICES
from shared.contracts import Event, parse, registered_contracts, serialize, topic_of
from shared.contracts.envelope import _ENVELOPE_FIELDS, _ENVELOPE_TEXT_FIELDS, _contracts

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
REGENERATE = ".venv/bin/python -m shared.contracts.asyncapi write"
KAFKA_BINDING_VERSION = "0.5.0"
# The relay sets it so a consumer can skip a message without parsing its value.
TYPE_HEADER = "event_type"

DESCRIPTION = """\
The domain events of the ASP platform (proximity social action), for the systems that
follow a commune's programme, quality-of-life surveys, community events and partner
network without calling the services' APIs: a commune's IT provider, the region's
statistics, the platform's own reporting.

Each service publishes its events on one topic, `<service>.events`. Every message's value
is a JSON envelope (UTF-8) with the event's `type` and `version`, which select one message
of this document and so the schema of its `payload`. Every message's key is the slug of the
commune the event is about (UTF-8, equal to the envelope's `commune`): all of a commune's
events on a topic go to one partition and so stay in the order they happened. There is no
order across topics.

Delivery is at least once: after a producer retry or a consumer restart the same event can
arrive again. Consumers must deduplicate on `event_id`, for instance by recording the ids
they applied in the same transaction as the effect.

No personal data is on the topics: residents' names, contacts and free-text comments,
partners' contact persons and notes stay in the services; survey answers travel anonymised
(closed questions only), registrations as counts, feedback as its rating.

Dead-letter topics (`<consumer group>.dead-letter`) are internal to the platform's own
consumers and not described here.
"""
SERVER_NOTE = ("Placeholder: the platform operator gives integrators the bootstrap address, "
               "the credentials and the TLS settings of the production cluster.")

ENVELOPE_DESCRIPTIONS = {
    "event_id": "Unique id of the event (a UUID): deduplicate on it, a message may arrive twice.",
    "type": "`<service>.<EventName>`: with `version`, selects the schema of `payload`.",
    "version": "Version of the payload contract of this type.",
    "occurred_at": "When the service recorded the event (ISO 8601, UTC).",
    "commune": "Slug of the commune the event is about; also the message key.",
    "source": "The service that published the event (its topic is `<source>.events`).",
    "correlation_id": "Id of the request or job that caused the event, to follow it across services.",
    "payload": "The event's facts, as its contract defines them.",
}
KEY_DESCRIPTION = "Slug of the commune the event is about, UTF-8; equal to the envelope's `commune`."

# Examples: the same commune, moments and ids in every run, so the document is stable.
EXAMPLE_COMMUNE = "courtetelle"
_EXAMPLE_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://asp.example/asyncapi/examples")


def example_id(name: str) -> str:
    return str(uuid.uuid5(_EXAMPLE_IDS, name))


_PRO_SENECTUTE = example_id("partner/pro-senectute")
_LUDOTHEQUE = example_id("partner/ludotheque")
_PAPOTAGE = example_id("event/papotage-mai")
_PAPOTAGE_FACTS = {"event_id": _PAPOTAGE, "series_id": example_id("series/papotages"), "kind": "papotage",
                   "phase": 2, "starts_at": "2026-05-26T13:30:00+00:00"}
_PAPOTAGE_SCHEDULED = {**_PAPOTAGE_FACTS, "title": "Papotage au café de la Gare",
                       "ends_at": "2026-05-26T15:30:00+00:00", "capacity": 20, "registration_required": True,
                       "partner_ids": [_PRO_SENECTUTE], "status": "scheduled"}
_ACTION = {"action_id": 12, "objective_id": 7, "title": "Papotages mensuels au café de la Gare",
           "status": "planned", "due_on": "2026-12-31", "partner_ids": [_PRO_SENECTUTE],
           "event_ids": [_PAPOTAGE]}
_SURVEY = {"survey_id": 4, "template": "qualite-de-vie", "follow_up_of": None}
_LINK = {"link_id": example_id("link/pro-senectute-papotage"), "partner_id": _PRO_SENECTUTE,
         "target_type": "event", "target_id": _PAPOTAGE}

# One realistic example per registered (type, version): when the service recorded it, and its
# payload. A new contract without one fails the generation.
EXAMPLES: dict[tuple[str, int], tuple[str, dict]] = {
    ("programme.CommuneOnboarded", 1): ("2026-01-05T08:12:00", {
        "slug": EXAMPLE_COMMUNE, "name": "Courtételle", "canton": "JU", "population": 2500,
        "onboarded_on": "2026-01-05"}),
    ("programme.PhaseStarted", 1): ("2026-03-02T09:30:00", {
        "phase": 2, "started_at": "2026-03-02T09:30:00+00:00"}),
    ("programme.PhaseCompleted", 1): ("2026-02-27T16:00:00", {
        "phase": 1, "completed_at": "2026-02-27T16:00:00+00:00"}),
    ("programme.PhaseReopened", 1): ("2026-03-04T10:15:00", {
        "phase": 1, "reopened_at": "2026-03-04T10:15:00+00:00"}),
    ("programme.ActivityChecked", 1): ("2026-04-08T14:05:00", {
        "phase": 2, "activity": "public_chats", "done": True}),
    ("programme.ThemeDefined", 1): ("2026-09-14T18:40:00", {
        "theme_id": 3, "title": "Rompre l'isolement des aînés"}),
    ("programme.ObjectiveSet", 1): ("2026-09-14T18:52:00", {
        "objective_id": 7, "title": "Moins de résidents au réseau restreint", "theme_id": 3,
        "indicator": "network_restricted_share", "baseline": 0.25, "target": 0.15}),
    ("programme.ActionLaunched", 1): ("2026-09-21T09:10:00", _ACTION),
    ("programme.ActionUpdated", 1): ("2026-10-02T11:25:00", {**_ACTION, "status": "in_progress"}),
    ("surveys.SurveyPublished", 1): ("2026-05-18T08:00:00", {
        **_SURVEY,
        "title": {"fr": "Sondage sur la qualité de vie à Courtételle",
                  "de": "Umfrage zur Lebensqualität in Courtételle",
                  "en": "Quality-of-life survey in Courtételle"},
        "questions": [
            {"key": "neighbour_network", "type": "single_choice", "profile": False,
             "options": ["very_restricted", "restricted", "medium", "wide", "very_wide"]},
            {"key": "interaction_places", "type": "multiple_choice", "profile": False,
             "options": ["street", "shops", "public_transport", "school", "cafes"]},
            {"key": "local_politics_interest", "type": "scale", "profile": False, "options": []},
            {"key": "wishes", "type": "long_text", "profile": False, "options": []},
            {"key": "age_band", "type": "single_choice", "profile": True,
             "options": ["age_under_25", "age_25_44", "age_45_64", "age_65_79", "age_80_plus"]},
        ],
        "published_at": "2026-05-18T08:00:00+00:00"}),
    ("surveys.ResponseSubmitted", 1): ("2026-05-21T15:47:00", {
        **_SURVEY, "channel": "paper", "submitted_on": "2026-05-21",
        "answers": {"neighbour_network": "restricted", "interaction_places": ["street", "shops"],
                    "local_politics_interest": 2, "age_band": "age_65_79"}}),
    ("surveys.SurveyClosed", 1): ("2026-06-30T16:00:00", {
        **_SURVEY, "closed_at": "2026-06-30T16:00:00+00:00", "responses": 120}),
    ("surveys.SurveyReopened", 1): ("2026-07-01T07:45:00", {
        **_SURVEY, "reopened_at": "2026-07-01T07:45:00+00:00"}),
    ("events.EventScheduled", 1): ("2026-05-04T10:20:00", _PAPOTAGE_SCHEDULED),
    ("events.EventUpdated", 1): ("2026-05-12T08:55:00", {**_PAPOTAGE_SCHEDULED, "capacity": 25}),
    ("events.EventCancelled", 1): ("2026-05-25T17:00:00", {
        **_PAPOTAGE_FACTS, "cancelled_at": "2026-05-25T17:00:00+00:00"}),
    ("events.RegistrationCounted", 1): ("2026-05-19T19:02:00", {
        **_PAPOTAGE_FACTS, "capacity": 20, "registrations": 6, "registered_people": 9,
        "waiting_registrations": 0, "waiting_people": 0}),
    ("events.AttendanceRecorded", 1): ("2026-05-26T15:40:00", {
        **_PAPOTAGE_FACTS, "head_count": 14, "registered_people": 9, "registered_attended": 8,
        "recorded_at": "2026-05-26T15:40:00+00:00"}),
    ("events.FeedbackRecorded", 1): ("2026-05-27T07:31:00", {
        **_PAPOTAGE_FACTS, "feedback_id": example_id("feedback/1"), "satisfaction": 5,
        "met_someone_new": True, "source": "public", "responses": 4, "satisfaction_total": 18,
        "met_someone_new_count": 3}),
    ("partners.PartnerRegistered", 1): ("2026-02-10T13:00:00", {
        "partner_id": _PRO_SENECTUTE, "name": "Pro Senectute Arc jurassien", "kind": "social_service",
        "regional": True, "status": "engaged", "roles": ["co_organiser", "relay"],
        "registered_on": "2026-02-10"}),
    ("partners.PartnerUpdated", 1): ("2026-02-11T09:45:00", {
        "partner_id": _LUDOTHEQUE, "name": "Ludothèque La Toupie", "kind": "association", "regional": False}),
    ("partners.PartnershipStatusChanged", 1): ("2026-03-15T10:00:00", {
        "partner_id": _PRO_SENECTUTE, "status": "active", "previous_status": "engaged",
        "changed_on": "2026-03-15"}),
    ("partners.PartnerRolesChanged", 1): ("2026-04-20T16:30:00", {
        "partner_id": _PRO_SENECTUTE, "roles": ["co_organiser", "venue"]}),
    ("partners.PartnersLinked", 1): ("2026-05-12T09:05:00", {
        **_LINK, "relation": "involved", "linked_on": "2026-05-12"}),
    ("partners.PartnersUnlinked", 1): ("2026-05-25T17:10:00", _LINK),
    ("partners.PartnershipEnded", 1): ("2026-09-30T11:00:00", {
        "partner_id": _LUDOTHEQUE, "ended_on": "2026-09-30"}),
}


def service_of(event_type: str) -> str:
    """Services name their event types `<service>.<EventName>` and publish them as `source`."""
    return event_type.split(".", 1)[0]


def message_id(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}"


def _payload_converter():
    # Nested schemas inline (no name), so each message's schema stands on its own; OpenAPI
    # 3.1 output writes nullable fields as JSON Schema type lists, as AsyncAPI schemas do.
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)
    APISpec("contracts", "1", "3.1.0", plugins=[plugin])
    return plugin.converter


def _text(name: str) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": _ENVELOPE_TEXT_FIELDS[name]}


def envelope_schema(event_type: str, version: int, payload: dict) -> dict:
    """The envelope as `_read_envelope` checks it, with this message's type, version and payload."""
    properties = {
        "event_id": {"type": "string", "format": "uuid"},
        "type": {**_text("type"), "const": event_type},
        "version": {"type": "integer", "minimum": 1, "const": version},
        "occurred_at": {"type": "string", "format": "date-time"},
        "commune": _text("commune"),
        "source": {**_text("source"), "const": service_of(event_type)},
        "correlation_id": _text("correlation_id"),
        "payload": payload,
    }
    if properties.keys() != _ENVELOPE_FIELDS or ENVELOPE_DESCRIPTIONS.keys() != _ENVELOPE_FIELDS:
        raise RuntimeError("the envelope changed: describe its fields here")
    for name, description in ENVELOPE_DESCRIPTIONS.items():
        properties[name] = {"description": description, **properties[name]}
    return {"type": "object", "properties": properties, "required": sorted(_ENVELOPE_FIELDS),
            "additionalProperties": False}


def example_envelope(event_type: str, version: int) -> dict:
    """The example event as `serialize()` writes it, checked by `parse()`."""
    try:
        recorded, payload = EXAMPLES[(event_type, version)]
    except KeyError:
        raise RuntimeError(f"no example for {event_type} v{version}: add one to EXAMPLES") from None
    name = message_id(event_type, version)
    raw = serialize(Event(type=event_type, version=version, commune=EXAMPLE_COMMUNE,
                          source=service_of(event_type), payload=payload, event_id=example_id(name),
                          occurred_at=datetime.fromisoformat(recorded).replace(tzinfo=timezone.utc),
                          correlation_id=example_id(f"correlation/{name}")))
    parse(raw)  # what a consumer would refuse is no example
    return json.loads(raw)


def _docstring(schema: Schema) -> str | None:
    # The class's own docstring only: inspect.getdoc would inherit marshmallow's.
    own = type(schema).__dict__.get("__doc__")
    return inspect.cleandoc(own) if own else None


def _message(event_type: str, version: int, schema: Schema, converter) -> dict:
    headers = {"type": "object", "properties": {TYPE_HEADER: {
        "type": "string", "const": event_type, "description": "The envelope's `type`, UTF-8."}}}
    message = {
        "name": event_type,
        "title": f"{event_type.split('.', 1)[1]} v{version}",
        "summary": f"{event_type} version {version}, published by the {service_of(event_type)} service.",
        "contentType": "application/json",
        "headers": headers,
        "payload": envelope_schema(event_type, version, converter.schema2jsonschema(schema)),
        "bindings": {"kafka": {"key": {"description": KEY_DESCRIPTION, **_text("commune")},
                               "bindingVersion": KAFKA_BINDING_VERSION}},
        "examples": [{"name": EXAMPLE_COMMUNE, "summary": f"Key: `{EXAMPLE_COMMUNE}`.",
                      "headers": {TYPE_HEADER: event_type},
                      "payload": example_envelope(event_type, version)}],
    }
    description = _docstring(schema)
    if description:
        message["description"] = description
    return message


def build_document() -> dict:
    converter = _payload_converter()
    by_service: dict[str, list[tuple[str, int]]] = {}
    for event_type, version in registered_contracts():
        by_service.setdefault(service_of(event_type), []).append((event_type, version))
    channels, operations, messages = {}, {}, {}
    for service in sorted(by_service):
        address = topic_of(service)
        contracts = by_service[service]
        ids = [message_id(*each) for each in contracts]
        for (event_type, version), name in zip(contracts, ids):
            schema = _contracts[(event_type, version)]
            messages[name] = _message(event_type, version, schema, converter)
        module = sys.modules[type(_contracts[contracts[0]]).__module__]
        channels[address] = {
            "address": address,
            "title": f"Events of the {service} service",
            "description": inspect.cleandoc(module.__doc__),
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in ids},
        }
        operations[f"receive.{address}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{address}"},
            "summary": f"Consume the {service} service's events (use a consumer group of your own).",
            "messages": [{"$ref": f"#/channels/{address}/messages/{name}"} for name in ids],
        }
    silent = [topic_of(service) for service in SERVICES if service not in by_service]
    description = DESCRIPTION + (f"\nTopics that carry no events yet: {', '.join(silent)}.\n" if silent else "")
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ASP platform events",
            "version": installed_version("asp-platform"),
            "description": description,
        },
        "defaultContentType": "application/json",
        "servers": {"production": {"host": "kafka.example.invalid:9092", "protocol": "kafka",
                                   "description": SERVER_NOTE}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render(document: dict) -> str:
    # pyyaml is a development extra, not a runtime dependency of the services.
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data) -> bool:  # shared example dicts are written out in full
            return True

    def text(dumper, value: str):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    Dumper.add_representer(str, text)
    header = f"# Generated from shared/contracts by `{REGENERATE}`: do not edit.\n"
    return header + yaml.dump(document, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str]) -> int:
    command = argv[0] if len(argv) == 1 else None
    if command not in ("write", "check"):
        print("usage: python -m shared.contracts.asyncapi write|check", file=sys.stderr)
        return 2
    generated = render(build_document())
    if command == "write":
        DOCUMENT_PATH.write_text(generated, encoding="utf-8")
        print(f"wrote {DOCUMENT_PATH}")
        return 0
    committed = DOCUMENT_PATH.read_text(encoding="utf-8") if DOCUMENT_PATH.exists() else ""
    if committed == generated:
        print(f"{DOCUMENT_PATH} matches the contracts")
        return 0
    diff = difflib.unified_diff(committed.splitlines(), generated.splitlines(), "committed", "generated",
                                lineterm="", n=1)
    print(f"{DOCUMENT_PATH} is not what the contracts generate; run `{REGENERATE}`.", file=sys.stderr)
    print("\n".join(list(diff)[:40]), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
