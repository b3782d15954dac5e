"""The AsyncAPI document for integrators (docs/asyncapi.yaml): what the contracts generate,
valid for the AsyncAPI project's own parser, and true of the bytes that go through the broker."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import datetime

import msgspec
import pytest
import yaml
from jsonschema import Draft7Validator, FormatChecker
from kafka import KafkaConsumer, TopicPartition

from shared.contracts import ContractError, parse, registered_contracts, serialize
from shared.contracts import asyncapi
from shared.messaging.kafka import make_producer
from tests.deploy.conftest import require_tool
from tests.support.kafka import publish_all

REPO = asyncapi.DOCUMENT_PATH.parents[1]
VALIDATOR_DIR = asyncapi.DOCUMENT_PATH.parent / "asyncapi"

# Every format jsonschema knows (uuid, date, ...). Its date-time check needs rfc3339-validator,
# which is not installed: without this one, date-times would go unchecked.
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    return not isinstance(value, str) or ("T" in value and datetime.fromisoformat(value).tzinfo is not None)


@pytest.fixture(scope="module")
def document() -> dict:
    return yaml.safe_load(asyncapi.DOCUMENT_PATH.read_text(encoding="utf-8"))


def resolve(document: dict, reference: dict) -> dict:
    node = document
    for part in reference["$ref"].removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@pytest.fixture(scope="module")
def messages(document) -> dict[tuple[str, int], tuple[str, dict]]:
    """(channel address, message) by the envelope's (type, version) the message describes."""
    found = {}
    for channel in document["channels"].values():
        for reference in channel["messages"].values():
            message = resolve(document, reference)
            envelope = message["payload"]["properties"]
            contract = (envelope["type"]["const"], envelope["version"]["const"])
            assert contract not in found, f"two messages describe {contract}"
            found[contract] = (channel["address"], message)
    return found


def problems(messages, topic: str, key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> list[str]:
    """Everything in one Kafka record that the document does not allow (empty: it matches)."""
    envelope = json.loads(value)
    contract = (envelope.get("type"), envelope.get("version"))
    if contract not in messages:
        return [f"no message in the document for {contract}"]
    address, message = messages[contract]
    found = [f"{contract} came on {topic}, the document puts it on {address}"] if topic != address else []
    checks = ((message["payload"], envelope, "value"),
              (message["bindings"]["kafka"]["key"], key.decode(), "key"),
              (message["headers"], {name: raw.decode() for name, raw in headers}, "headers"))
    for schema, instance, part in checks:
        found += [f"{part} /{'/'.join(map(str, error.path))}: {error.message}"
                  for error in Draft7Validator(schema, format_checker=FORMATS).iter_errors(instance)]
    if key.decode() != envelope.get("commune"):
        found.append(f"key {key!r} is not the envelope's commune {envelope.get('commune')!r}")
    return found


def read_records(bootstrap: str, topics: set[str], keys: set[bytes], expect: int, timeout_s: float = 20.0) -> list:
    """The raw records of `topics` under `keys`, from the beginning: at least `expect` of them."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             isolation_level="read_committed")
    try:
        partitions = [TopicPartition(topic, number) for topic in sorted(topics)
                      for number in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found, deadline = [], time.monotonic() + timeout_s
        while len(found) < expect and time.monotonic() < deadline:
            found += [record for records in consumer.poll(timeout_ms=200).values()
                      for record in records if record.key in keys]
        return found
    finally:
        consumer.close()


def test_the_committed_document_is_what_the_contracts_generate():
    checked = subprocess.run([sys.executable, "-m", "shared.contracts.asyncapi", "check"], cwd=REPO,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr


def test_the_check_fails_loudly_when_the_document_differs(tmp_path, monkeypatch, capsys):
    committed = asyncapi.DOCUMENT_PATH.read_text(encoding="utf-8")
    stale = tmp_path / "asyncapi.yaml"
    stale.write_text(committed.replace("title: ASP platform events", "title: Old events", 1), encoding="utf-8")
    monkeypatch.setattr(asyncapi, "DOCUMENT_PATH", stale)
    assert asyncapi.main(["check"]) == 1
    error = capsys.readouterr().err
    assert "is not what the contracts generate" in error and asyncapi.REGENERATE in error
    assert "-  title: Old events\n+  title: ASP platform events" in error  # and the diff says where


def test_the_asyncapi_parser_accepts_the_document(document, messages):
    node, npm = require_tool("node"), require_tool("npm")
    if not (VALIDATOR_DIR / "node_modules" / "@asyncapi" / "parser").is_dir():
        installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=VALIDATOR_DIR,
                                   capture_output=True, text=True, timeout=600)
        assert installed.returncode == 0, installed.stdout + installed.stderr
    validated = subprocess.run([node, "validate.mjs", "../asyncapi.yaml"], cwd=VALIDATOR_DIR,
                               capture_output=True, text=True, timeout=120)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    summary = f"valid AsyncAPI 3.0.0, {len(document['channels'])} channels, {len(messages)} messages"
    assert summary in validated.stdout


def test_every_contract_has_a_message_with_an_example_parse_accepts(messages):
    assert set(messages) == set(registered_contracts())
    for (event_type, version), (address, message) in messages.items():
        [example] = message["examples"]
        raw = json.dumps(example["payload"]).encode()
        event = parse(raw)
        assert (event.type, event.version, event.topic) == (event_type, version, address)
        key = event.commune.encode()
        assert problems(messages, address, key, raw, [("event_type", event_type.encode())]) == []


def test_the_programme_services_real_messages_match_the_document(world, broker, messages):
    """Every kind of programme event, as the service publishes it through its outbox and relay."""
    client, base = world.client(), f"/programme/api/v1/communes/{world.commune_a}"
    coordinator = world.headers("coordinator_a")
    assert client.post(f"{base}/phases/1/start", headers=coordinator).status_code == 200
    ticked = client.put(f"{base}/phases/1/activities/concept", json={"done": True}, headers=coordinator)
    assert ticked.status_code == 200
    assert client.post(f"{base}/phases/1/complete", headers=coordinator).status_code == 200
    assert client.post(f"{base}/phases/1/reopen", headers=world.headers("regional")).status_code == 200
    theme = client.post(f"{base}/themes", json={"title": "Relations entre voisins"}, headers=coordinator).json
    objective = client.post(f"{base}/objectives", headers=coordinator, json={
        "title": "Réduire l'isolement", "theme_id": theme["id"], "indicator": "network_restricted_share",
        "baseline": 0.25, "target": 0.15}).json
    action = client.post(f"{base}/actions", headers=coordinator, json={
        "title": "Fête des voisins", "objective_id": objective["id"], "owner": "Groupe de travail",
        "due_on": "2027-06-01", "partner_ids": ["p-1"], "event_ids": []}).json
    assert client.patch(f"{base}/actions/{action['id']}", json={"status": "in_progress"},
                        headers=coordinator).status_code == 200
    publish_all(world.runtime)

    records = read_records(broker.bootstrap_servers, {"programme.events"},
                           {world.commune_a.encode(), world.commune_b.encode()}, expect=10)
    seen = {json.loads(record.value)["type"] for record in records}
    assert seen == {contract for contract, _ in registered_contracts() if contract.startswith("programme.")}
    for record in records:
        assert problems(messages, record.topic, record.key, record.value, record.headers) == [], record.value


def test_an_example_of_every_message_through_the_broker_matches_the_document(broker, messages):
    # Real topics, so the channel mapping is what is tested; communes of their own, so the
    # other tests (which read the topics by commune) never see these.
    run = uuid.uuid4().hex[:8]
    producer = make_producer(broker.bootstrap_servers)
    sent = {}
    try:
        for (event_type, version), (address, message) in messages.items():
            example = parse(json.dumps(message["examples"][0]["payload"]))
            commune = f"asyncapi-{run}-{event_type.lower()}-v{version}"
            # An onboarding names its commune in its payload too: the consumers of the other
            # tests on this broker would otherwise learn the example's Courtételle.
            payload = {**example.payload, "slug": commune} if "slug" in example.payload else example.payload
            event = msgspec.structs.replace(example, commune=commune, payload=payload, event_id=str(uuid.uuid4()))
            producer.send(address, key=event.key, value=serialize(event),
                          headers=[("event_type", event_type.encode())])
            sent[event.key] = (event_type, version)
        producer.flush(timeout=30)
    finally:
        producer.close()

    records = read_records(broker.bootstrap_servers, {address for address, _ in messages.values()},
                           set(sent), expect=len(sent))
    assert sorted(sent[record.key] for record in records) == sorted(messages)
    for record in records:
        assert problems(messages, record.topic, record.key, record.value, record.headers) == [], record.value


def test_the_document_refuses_a_wrong_payload_type_and_a_missing_envelope_field(messages):
    address, message = messages[("programme.CommuneOnboarded", 1)]
    example = message["examples"][0]["payload"]
    key, headers = example["commune"].encode(), [("event_type", b"programme.CommuneOnboarded")]
    assert problems(messages, address, key, json.dumps(example).encode(), headers) == []

    wrong_type = {**example, "payload": {**example["payload"], "population": "2500"}}
    no_event_id = {name: value for name, value in example.items() if name != "event_id"}
    naive_time = {**example, "occurred_at": "2026-05-18 08:00"}
    for broken, expected in ((wrong_type, "value /payload/population: '2500' is not of type 'integer'"),
                             (no_event_id, "value /: 'event_id' is a required property"),
                             (naive_time, "value /occurred_at: '2026-05-18 08:00' is not a 'date-time'")):
        raw = json.dumps(broken).encode()
        assert problems(messages, address, key, raw, headers) == [expected]
        if broken is not naive_time:  # parse() reads a zoneless time as UTC; the document asks for a zone
            with pytest.raises(ContractError):
                parse(raw)
    assert problems(messages, address, b"someone-else", json.dumps(example).encode(), headers) == [
        f"key b'someone-else' is not the envelope's commune {example['commune']!r}"]
    assert problems(messages, "surveys.events", key, json.dumps(example).encode(), headers) == [
        "('programme.CommuneOnboarded', 1) came on surveys.events, the document puts it on programme.events"]
