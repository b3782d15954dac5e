"""Residents' privacy across the whole platform, after a full scenario in two communes.

- Nothing personal on the broker: every message of every topic (dead-letter topics included),
  read from the beginning, holds no resident's name, contact, free-text answer or address.
- Published results never show a group under the anonymity threshold (shared/anonymity.py):
  the survey results residents see, and reporting's dashboards and region figures.
- Registration contacts are erased on schedule. tests/events/test_retention.py proves the
  job's rule (which registrations, when, the command and the worker); this proves it at the
  platform level: after the job has run past the retention date, the names and contacts are
  in no service's database (outboxes and inboxes included) and on no route of any service.
"""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from shared.contracts import topic_of
from tests.stress.platform import (CLIENT_ADDRESS, FORWARDED_FOR, SERVICES, Platform, fill,
                                   forms_of, placeholders, routes, rows_containing, seed_commune, shown)

from events.service_layer import handlers as events_handlers

FEW_RESPONDENTS = 3  # commune A: fewer than the threshold, so none of its survey figures may show


@pytest.fixture(scope="module")
def platform(module_env, broker):
    built = Platform.create(module_env, broker.bootstrap_servers)
    yield built
    built.close()


@pytest.fixture(scope="module")
def scenario(platform):
    """Both communes through a year: A with few survey respondents, B with more; a message no
    consumer can apply, so a dead-letter topic exists and is read too."""
    a = seed_commune(platform, platform.a, "coordinator_a", respondents=FEW_RESPONDENTS)
    b = seed_commune(platform, platform.b, "coordinator_b")
    producer = KafkaProducer(bootstrap_servers=platform.bootstrap)
    producer.send(topic_of("programme"), key=platform.a.encode(), value=b"{not an event")
    producer.flush()
    producer.close()
    platform.settle()
    return a, b


def personal(seeded) -> dict[str, str]:
    """What identifies or was said by a resident (or a partner's contact person)."""
    keys = ("free_text", "paper_text", "named_in_text", "mail_in_text", "phone_in_text", "resident_1",
            "contact_1", "resident_2", "contact_2", "feedback", "partner_contact", "partner_mail",
            "partner_phone", "registration_token")
    return {f"{seeded.commune}:{key}": seeded.private[key] for key in keys}


ADDRESSES = {"client address": CLIENT_ADDRESS, "forwarded for": FORWARDED_FOR}


# -- the broker ----------------------------------------------------------------------------------
def every_message(bootstrap: str, timeout_s: float = 30.0) -> dict[str, list]:
    """topic -> every record on it, from the beginning to the end of each partition."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        topics = sorted(admin.list_topics())
    finally:
        admin.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for topic in topics for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        found = {topic: [] for topic in topics}
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(p) < end for p, end in ends.items()):
            assert time.monotonic() < deadline, "could not read every topic to its end"
            for partition, records in consumer.poll(timeout_ms=200).items():
                found[partition.topic] += records
        return found
    finally:
        consumer.close()


def text_of(record) -> str:
    parts = [record.key or b"", record.value or b""] + [value or b"" for _, value in record.headers or ()]
    return "\n".join(part.decode("utf-8", "replace") for part in parts)


def test_no_message_on_any_topic_holds_a_residents_data_or_address(platform, scenario):
    a, b = scenario
    needles = {**personal(a), **personal(b), **ADDRESSES}
    messages = every_message(platform.bootstrap)
    dead_letters = [topic for topic in messages if topic.endswith(".dead-letter")]
    assert dead_letters and sum(len(messages[t]) for t in dead_letters) >= 1, list(messages)
    for service in ("programme", "surveys", "events", "partners"):
        assert messages[topic_of(service)], f"nothing on {topic_of(service)}: the scan would prove nothing"
    leaks = [(topic, record.offset, name) for topic, records in messages.items() for record in records
             for name, text in needles.items() if any(form in text_of(record) for form in forms_of(text))]
    assert leaks == []
    scanned = sum(map(len, messages.values()))
    print(f"\nprivacy: {scanned} messages on {len(messages)} topics scanned ({len(dead_letters)} dead-letter)")
    # The scenario really produced what is looked for: the services hold it, where they should.
    held = {needle for _, _, needle in rows_containing(platform, list(needles.values()))}
    assert {text for name, text in needles.items() if "address" not in name and "forwarded" not in name} <= held
    assert not {CLIENT_ADDRESS, FORWARDED_FOR} & held  # and no service keeps who sent a request


# -- published results -----------------------------------------------------------------------------
def small_groups(counted: list[dict], profile_keys: set[str], threshold: int) -> list:
    """Published counts of a profile group (age, years here, neighbourhood) under the threshold."""
    return [(question["key"], option["value"], option["count"]) for question in counted
            if question["key"] in profile_keys for option in question.get("options") or []
            if 0 < option["count"] < threshold]


def test_published_survey_results_never_show_a_group_under_the_threshold(platform, scenario):
    _, b = scenario
    threshold = platform.runtimes["surveys"].settings.anonymity_threshold
    client, token = platform.client("surveys"), b.ids["survey_token"]
    template = client.get("/surveys/api/v1/templates/qualite-de-vie", headers=platform.headers("coordinator_b"))
    profile = {q["key"] for q in template.get_json()["questions"] if q.get("profile")}
    assert "age_band" in profile
    published = client.get(f"/surveys/api/v1/public/{token}/results")
    assert published.status_code == 200
    assert small_groups(published.get_json()["results"]["questions"], profile, threshold) == []
    page = client.get(f"/surveys/s/{token}/resultats").get_data(as_text=True)
    assert "80 ans et plus</td><td class=\"num\">1<" not in page
    # what staff see live is for the commune's staff; a breakdown there is protected too
    staff = client.get(f"/surveys/api/v1/communes/{b.commune}/surveys/{b.ids['survey_id']}/results?by=age_band",
                       headers=platform.headers("coordinator_b")).get_json()["breakdown"]
    assert all(group["size"] >= threshold for group in staff["groups"])


def shares_behind_too_few(document, threshold: int, path="") -> list:
    """Survey indicators shown although fewer than `threshold` people stand behind them."""
    found = []
    if isinstance(document, dict):
        respondents, indicators = document.get("respondents"), document.get("indicators")
        if isinstance(respondents, dict) and isinstance(indicators, dict):
            found += [(path, key, respondents[key]) for key, value in indicators.items()
                      if value is not None and key in respondents and respondents[key] < threshold]
        for key, value in document.items():
            found += shares_behind_too_few(value, threshold, f"{path}/{key}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += shares_behind_too_few(value, threshold, f"{path}[{index}]")
    return found


def test_reporting_never_shows_survey_figures_of_too_few_respondents(platform, scenario):
    threshold = platform.runtimes["reporting"].settings.anonymity_threshold
    client = platform.client("reporting")
    dashboards = {commune: client.get(f"/reporting/api/v1/communes/{commune}/dashboard",
                                      headers=platform.headers("regional")).get_json()
                  for commune in (platform.a, platform.b)}
    region = client.get("/reporting/api/v1/region/overview", headers=platform.headers("regional")).get_json()
    few, enough = dashboards[platform.a]["respondents"], dashboards[platform.b]["respondents"]
    assert few and all(0 < count < threshold for count in few.values()), few  # A's answers did arrive
    assert enough and all(count >= threshold for count in enough.values()), enough
    assert [key for key, value in dashboards[platform.b]["indicators"].items() if value is None] == []
    for commune, dashboard in dashboards.items():
        assert shares_behind_too_few(dashboard, threshold) == [], commune
    row = next(row for row in region["communes"] if row["slug"] == platform.a)
    assert row["network_restricted_share"] is None, row


# -- erasure on schedule ---------------------------------------------------------------------------
def test_registration_contacts_are_gone_everywhere_once_erased_on_schedule(platform, scenario):
    a, b = scenario
    people = {f"{seeded.commune}:{kind}": text for seeded in (a, b) for name, contact in seeded.people
              for kind, text in (("name", name), ("contact", contact))}
    assert {text for _, _, text in rows_containing(platform, list(people.values()))} == set(people.values())
    values = placeholders(platform, b)
    before = sweep_reads(platform, values, people, services=("events",))
    assert before, "B's coordinator sees the registrations before the erasure: the sweep can see them"

    after_retention = b.ids["event_starts"] + timedelta(hours=2, days=31)
    with platform.runtimes["events"].unit_of_work() as uow:
        erased = events_handlers.erase_contacts(uow, retention_days=30, now=after_retention)
    assert erased == 4  # two registrations in each commune
    platform.settle()

    assert rows_containing(platform, list(people.values())) == []
    assert sweep_reads(platform, values, people) == []
    assert platform.client("events").get(f"/events/r/{b.ids['registration_token']}").status_code == 404


def sweep_reads(platform: Platform, values: dict, needles: dict, services=SERVICES) -> list:
    """Every read route of every service, aimed at B, as B's coordinator, the region and a
    stranger: (who, url, what) for each needle shown."""
    found = []
    for service, endpoint, rule, method in routes(platform):
        if method != "GET" or service not in services:
            continue
        for who in ("coordinator_b", "regional", None):
            for url in fill(values, service, endpoint, rule):
                api = "/api/" in rule.rule
                client = platform.client(service, None if api else who)
                response = client.get(url, headers=platform.headers(who) if api and who else {})
                found += [(who, url, name) for name in shown(response, needles)]
    return found
