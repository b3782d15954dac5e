"""The event envelope (DESIGN.md §3) and the registry of payload contracts.

Producer and consumer both go through `serialize` and `parse`, so an event that does
not match its contract never leaves a service and is never applied by another.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate

from shared.observability.context import current_correlation_id


class ContractError(ValueError):
    """An event that does not match the envelope or its payload contract."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Event:
    type: str
    commune: str
    payload: dict
    source: str
    version: int = 1
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=utcnow)
    correlation_id: str = field(default_factory=lambda: current_correlation_id() or str(uuid.uuid4()))

    @property
    def topic(self) -> str:
        return topic_of(self.source)

    @property
    def key(self) -> bytes:
        # One commune's events share a partition, so they stay in order.
        return self.commune.encode()


def topic_of(service: str) -> str:
    return f"{service}.events"


class EnvelopeSchema(Schema):
    event_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=1, max=100))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    commune = fields.String(required=True, validate=validate.Length(min=1, max=100))
    source = fields.String(required=True, validate=validate.Length(min=1, max=50))
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    payload = fields.Dict(required=True)


_envelope = EnvelopeSchema()
_contracts: dict[tuple[str, int], Schema] = {}


def contract(event_type: str, version: int = 1):
    """Register a payload schema class as the contract of one event type and version."""
    def register(schema_class: type[Schema]) -> type[Schema]:
        key = (event_type, version)
        if key in _contracts:
            raise RuntimeError(f"contract {event_type} v{version} registered twice")
        _contracts[key] = schema_class()
        return schema_class
    return register


def registered_contracts() -> list[tuple[str, int]]:
    return sorted(_contracts)


def _check_payload(event_type: str, version: int, payload: dict) -> None:
    schema = _contracts.get((event_type, version))
    if schema is None:
        raise ContractError(f"unknown event type {event_type!r} version {version}")
    errors = schema.validate(payload)
    if errors:
        raise ContractError(f"{event_type} v{version} payload does not match its contract: {errors}")


def serialize(event: Event) -> bytes:
    _check_payload(event.type, event.version, event.payload)
    document = {
        "event_id": str(event.event_id),
        "type": event.type,
        "version": event.version,
        "occurred_at": event.occurred_at.astimezone(timezone.utc).isoformat(),
        "commune": event.commune,
        "source": event.source,
        "correlation_id": event.correlation_id,
        "payload": event.payload,
    }
    errors = _envelope.validate(document)
    if errors:
        raise ContractError(f"envelope does not match its contract: {errors}")
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def parse(raw: bytes | str) -> Event:
    try:
        document = json.loads(raw)
    except (TypeError, ValueError, UnicodeDecodeError) as exc:
        raise ContractError(f"not a JSON event: {exc}") from None
    if not isinstance(document, dict):
        raise ContractError("not a JSON object")
    try:
        envelope = _envelope.load(document)
    except ValidationError as exc:
        raise ContractError(f"envelope does not match its contract: {exc.messages}") from None
    _check_payload(envelope["type"], envelope["version"], envelope["payload"])
    return Event(
        event_id=str(envelope["event_id"]),
        type=envelope["type"],
        version=envelope["version"],
        occurred_at=envelope["occurred_at"],
        commune=envelope["commune"],
        source=envelope["source"],
        correlation_id=envelope["correlation_id"],
        payload=envelope["payload"],
    )
