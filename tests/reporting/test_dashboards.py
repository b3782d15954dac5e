"""A scripted commune lifecycle through the real services' events gives exact figures."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.contracts import Event

from programme.service_layer import handlers
from reporting.adapters.orm import PROJECTIONS, PartnerView
from reporting.service_layer.generations import GROUP_PREFIX, active_generation, rebuild, state
from tests.support.kafka import publish_all

START = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)


def run_programme_lifecycle(world, commune: str) -> None:
    """Phase 1 done with its checklist, phase 2 in progress, two themes, two objectives,
    three actions (one in progress, one done, one planned)."""
    def work(handler, *args, **kwargs):
        with world.runtime.unit_of_work() as uow:
            return handler(uow, commune, *args, **kwargs)
    work(handlers.start_phase, 1, now=START)
    for activity in ("working_group", "concept", "negotiation", "authorities"):
        work(handlers.set_activity, 1, activity, True)
    work(handlers.complete_phase, 1, now=START + timedelta(days=200))
    work(handlers.start_phase, 2, now=START + timedelta(days=200))
    neighbours = work(handlers.define_theme, "Relations entre voisins", "")
    work(handlers.define_theme, "Participation", "")
    objective = work(handlers.set_objective, title="Réduire l'isolement", theme_id=neighbours.id,
                     indicator="network_restricted_share", baseline=0.25, target=0.15)
    work(handlers.set_objective, title="Faire connaître la commune", theme_id=None)
    work(handlers.save_action, title="Fête des voisins", objective_id=objective.id, status="in_progress",
         partner_ids=["p-paroisse"], event_ids=["e-1"])
    work(handlers.save_action, title="Repas canadien", objective_id=objective.id, status="done")
    work(handlers.save_action, title="Bourse aux plantons", objective_id=None, status="planned")
    publish_all(world.runtime)


def community_event(commune: str, event_type: str, event_id: str, kind: str, **payload) -> Event:
    facts = {"event_id": event_id, "series_id": None, "kind": kind, "phase": 2,
             "starts_at": (START + timedelta(days=220)).isoformat()}
    return Event(type=f"events.{event_type}", commune=commune, source="events", payload={**facts, **payload})


def scheduled(commune: str, event_id: str, kind: str, partners=()) -> Event:
    return community_event(commune, "EventScheduled", event_id, kind, title=f"{kind} {event_id}",
                           ends_at=(START + timedelta(days=220, hours=2)).isoformat(), capacity=20,
                           registration_required=False, partner_ids=list(partners), status="scheduled")


def attended(commune: str, event_id: str, kind: str, heads: int) -> Event:
    return community_event(commune, "AttendanceRecorded", event_id, kind, head_count=heads, registered_people=0,
                           registered_attended=None, recorded_at=(START + timedelta(days=221)).isoformat())


def feedback(commune: str, event_id: str, kind: str, responses: int, satisfaction: int, met: int) -> Event:
    return community_event(commune, "FeedbackRecorded", event_id, kind, feedback_id=str(uuid.uuid4()),
                           satisfaction=4, met_someone_new=True, source="public", responses=responses,
                           satisfaction_total=satisfaction, met_someone_new_count=met)


def partner(commune: str, partner_id: str, kind: str, status: str, on: str) -> Event:
    return Event(type="partners.PartnerRegistered", commune=commune, source="partners", payload={
        "partner_id": partner_id, "name": f"Partenaire {partner_id}", "kind": kind, "regional": False,
        "status": status, "roles": [], "registered_on": on})


def activity_events(commune: str) -> list[Event]:
    return [
        scheduled(commune, "e-1", "papotage", partners=["p-paroisse"]), attended(commune, "e-1", "papotage", 14),
        feedback(commune, "e-1", "papotage", 10, 42, 6),
        scheduled(commune, "e-2", "papotage"), attended(commune, "e-2", "papotage", 9),
        scheduled(commune, "e-3", "brise_glace", partners=["p-ecole"]), attended(commune, "e-3", "brise_glace", 30),
        feedback(commune, "e-3", "brise_glace", 20, 90, 15),
        scheduled(commune, "e-4", "forum_citoyen"),
        partner(commune, "p-paroisse", "parish", "active", "2026-02-10"),
        partner(commune, "p-ecole", "school", "engaged", "2026-03-01"),
        partner(commune, "p-club", "club", "identified", "2026-03-15"),
        Event(type="partners.PartnershipStatusChanged", commune=commune, source="partners", payload={
            "partner_id": "p-ecole", "status": "active", "previous_status": "engaged", "changed_on": "2026-04-01"}),
    ]


@pytest.fixture
def lifecycle(world, reporting, produce):
    run_programme_lifecycle(world, world.commune_a)
    produce(*activity_events(world.commune_a))
    reporting.catch_up()
    return world


def dashboard(reporting, world, who="coordinator_a", commune=None):
    response = reporting.client().get(f"/reporting/api/v1/communes/{commune or world.commune_a}/dashboard",
                                      headers=world.headers(who))
    assert response.status_code == 200, response.json
    return response.json


def test_the_commune_dashboard_gives_the_exact_figures_of_its_lifecycle(lifecycle, reporting):
    board = dashboard(reporting, lifecycle)
    assert board["commune"]["name"] == "Commune A" and board["current_phase"] == 2
    assert [p["status"] for p in board["phases"]] == ["completed", "active", "pending", "pending", "pending"]
    assert board["phases"][0]["months"] == 6.6 and board["phases"][0]["behind_plan"] is False
    gates = {g["key"]: (g["value"], g["met"]) for g in board["gates"]}
    assert gates["phase1.checklist"] == (1.0, True)
    assert gates["phase2.papotages"] == (2, True)
    assert gates["phase2.ice_breaker_week"] == (1, False)  # 1 of the 3 the pilot held
    assert gates["phase3.citizen_forum"] == (0, False)  # scheduled, not held
    assert gates["phase3.themes"] == (2, True) and gates["phase3.objectives"] == (2, True)
    assert gates["phase4.actions"] == (2, True)
    events = board["events"]
    assert events["held_by_kind"] == {"papotage": 2, "brise_glace": 1, "forum_citoyen": 0, "atelier": 0, "other": 0}
    assert events["attendance"] == 53 and events["scheduled"] == 1
    assert events["satisfaction_average"] == pytest.approx(132 / 30)
    assert events["met_someone_new_share"] == pytest.approx(21 / 30)
    assert events["co_organised_share"] == pytest.approx(2 / 4)
    partners = board["partners"]
    assert partners["partners"] == 3 and partners["active"] == 2
    assert partners["active_by_kind"] == {"parish": 1, "school": 1}
    assert [m["total"] for m in partners["growth"]] == [1, 3]
    plan = board["plan"]
    assert [t["title"] for t in plan["themes"]] == ["Relations entre voisins", "Participation"]
    chain = plan["themes"][0]["objectives"][0]
    assert chain["title"] == "Réduire l'isolement" and chain["baseline"] == 0.25
    assert [(a["title"], a["status"], a["event_ids"]) for a in chain["actions"]] == [
        ("Fête des voisins", "in_progress", ["e-1"]), ("Repas canadien", "done", [])]
    assert plan["actions_without_objective"][0]["title"] == "Bourse aux plantons"
    assert plan["actions_by_status"] == {"in_progress": 1, "done": 1, "planned": 1}
    assert board["as_of"] is not None


def test_the_regional_overview_compares_the_communes(lifecycle, reporting):
    response = reporting.client().get("/reporting/api/v1/region/overview", headers=lifecycle.headers("regional"))
    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json["communes"]}
    a, b = rows[lifecycle.commune_a], rows[lifecycle.commune_b]
    assert (a["current_phase"], a["events_held"], a["partners_active"]) == (2, 3, 2)
    assert (a["gates_met"], a["gates_due"]) == (1, 3)
    assert (b["current_phase"], b["events_held"], b["partners_active"]) == (None, 0, 0)
    assert response.json["phase_distribution"]["2"] >= 1


def projections(reporting) -> dict[str, list[tuple]]:
    """Every read-model row of the active generation, without the generation number."""
    with Session(reporting.runtime.engine) as session:
        generation = active_generation(session)
        snapshot = {}
        for model in PROJECTIONS:
            table = model.__table__
            rows = session.execute(select(table).where(table.c.generation == generation)).all()
            snapshot[table.name] = sorted((tuple(v for k, v in row._mapping.items() if k != "generation")
                                           for row in rows), key=repr)
    return snapshot


def test_a_rebuild_gives_exactly_what_live_consumption_gave(lifecycle, reporting):
    before = projections(reporting)
    served = dashboard(reporting, lifecycle)
    assert rebuild(reporting.runtime) == 2
    assert projections(reporting) == before
    assert dashboard(reporting, lifecycle) == served


def test_replaying_every_event_twice_changes_nothing(lifecycle, reporting, produce, broker):
    from tests.support.kafka import read_events
    before = projections(reporting)
    replay = [e for topic in ("programme.events", "events.events", "partners.events")
              for e in read_events(broker.bootstrap_servers, topic, lifecycle.commune_a)]
    produce(*replay, *replay)
    reporting.catch_up()
    assert projections(reporting) == before


def test_a_rebuild_skips_repeated_events_and_sets_a_malformed_one_aside(lifecycle, reporting, produce, broker):
    """The rebuild parses the history in a second process: what it refuses must still reach
    the dead-letter topic, and events published twice must still count once."""
    from kafka import KafkaConsumer, KafkaProducer

    from shared.messaging.inbox import dead_letter_topic
    from tests.support.kafka import read_events
    before = projections(reporting)
    produce(*[e for topic in ("programme.events", "events.events", "partners.events")
              for e in read_events(broker.bootstrap_servers, topic, lifecycle.commune_a)])
    raw = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    raw.send("programme.events", key=lifecycle.commune_a.encode(), value=b'{"type": "programme.PhaseStarted"}')
    raw.flush()
    raw.close()
    assert rebuild(reporting.runtime) == 2
    assert projections(reporting) == before
    # The topic compose and Kubernetes create, whatever the generation's group is called.
    dead = KafkaConsumer(dead_letter_topic(GROUP_PREFIX), bootstrap_servers=broker.bootstrap_servers,
                         auto_offset_reset="earliest", consumer_timeout_ms=3000)
    try:
        letters = [message for message in dead]
    finally:
        dead.close()
    letters = [message for message in letters if message.key == lifecycle.commune_a.encode()]
    assert [message.value for message in letters] == [b'{"type": "programme.PhaseStarted"}']
    assert dict(letters[0].headers)["error"].startswith(b"contract: envelope does not match")


def test_the_live_consumer_takes_over_exactly_where_the_rebuild_stopped(lifecycle, reporting, produce, broker):
    """The rebuild reads every partition without joining the group, then commits its
    offsets under the group's name: the live consumer must start there, not from the start."""
    from kafka import KafkaConsumer, TopicPartition
    assert rebuild(reporting.runtime) == 2
    with Session(reporting.runtime.engine) as session:
        group = state(session).active_group
    reader = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=group, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, number) for topic in reporting.runtime.definition.subscriptions[0].topics
                      for number in reader.partitions_for_topic(topic)]
        committed = {partition: reader.committed(partition) for partition in partitions}
        ends = reader.end_offsets(partitions)
    finally:
        reader.close()
    assert sum(ends.values()) > 0
    assert committed == ends
    produce(partner(lifecycle.commune_a, "p-after", "club", "active", "2026-05-04"))
    reporting.catch_up()
    with Session(reporting.runtime.engine) as session:
        partners = session.scalars(select(PartnerView.partner_id).where(
            PartnerView.generation == 2, PartnerView.commune == lifecycle.commune_a)).all()
    assert "p-after" in partners


def test_a_viewer_of_a_sees_nothing_of_b_and_only_the_region_sees_the_region(lifecycle, reporting):
    client = reporting.client()
    assert client.get(f"/reporting/api/v1/communes/{lifecycle.commune_b}/dashboard",
                      headers=lifecycle.headers("viewer_a")).status_code == 403
    assert client.get(f"/reporting/api/v1/communes/{lifecycle.commune_a}/dashboard",
                      headers=lifecycle.headers("viewer_a")).status_code == 200
    for who in ("viewer_a", "coordinator_a"):
        assert client.get("/reporting/api/v1/region/overview", headers=lifecycle.headers(who)).status_code == 403
        assert client.get("/reporting/api/v1/region/export", headers=lifecycle.headers(who)).status_code == 403
    assert client.get("/reporting/api/v1/region/overview").status_code == 401


def test_the_region_sets_a_gate_threshold_and_the_dashboard_follows(lifecycle, reporting):
    client = reporting.client()
    url = "/reporting/api/v1/region/gates/phase2.ice_breaker_week"
    assert client.put(url, json={"threshold": 1, "enabled": True}, headers=lifecycle.headers("coordinator_a")).status_code == 403
    bad = client.put(url, json={"threshold": "beaucoup", "enabled": "oui"}, headers=lifecycle.headers("regional"))
    assert bad.status_code == 422 and {"threshold", "enabled"} <= set(bad.json["errors"]["json"])
    share = client.put("/reporting/api/v1/region/gates/phase2.survey", json={"threshold": 10, "enabled": True},
                       headers=lifecycle.headers("regional"))
    assert share.status_code == 422 and "threshold" in share.json["errors"]["json"]
    assert client.put("/reporting/api/v1/region/gates/nonsense", json={"threshold": 1, "enabled": True},
                      headers=lifecycle.headers("regional")).status_code == 404
    changed = client.put(url, json={"threshold": 1, "enabled": True}, headers=lifecycle.headers("regional"))
    assert changed.status_code == 200 and changed.json["threshold"] == 1
    gates = {g["key"]: g["met"] for g in dashboard(reporting, lifecycle)["gates"]}
    assert gates["phase2.ice_breaker_week"] is True
    client.put("/reporting/api/v1/region/gates/phase3.citizen_forum", json={"threshold": 1, "enabled": False},
               headers=lifecycle.headers("regional"))
    assert "phase3.citizen_forum" not in {g["key"] for g in dashboard(reporting, lifecycle)["gates"]}


def test_exports_open_in_excel(lifecycle, reporting):
    import io

    from openpyxl import load_workbook
    client = reporting.client()
    csv = client.get("/reporting/api/v1/region/export?format=csv", headers=lifecycle.headers("regional"))
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    assert "Commune A" in csv.data.decode("utf-8-sig")
    xlsx = client.get(f"/reporting/api/v1/communes/{lifecycle.commune_a}/export?format=xlsx",
                      headers=lifecycle.headers("coordinator_a"))
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 1 + len(dashboard(reporting, lifecycle)["gates"])
    assert client.get("/reporting/api/v1/region/export?format=pdf",
                      headers=lifecycle.headers("regional")).status_code == 422


def survey_events(commune: str, survey_id: int, restricted: int, others: int, follow_up_of=None,
                  close=True) -> list[Event]:
    """A quality-of-life survey whose answers have a known distribution."""
    base = {"survey_id": survey_id, "template": "qualite-de-vie", "follow_up_of": follow_up_of}
    published = Event(type="surveys.SurveyPublished", commune=commune, source="surveys", payload={
        **base, "title": {"fr": "Qualité de vie"}, "published_at": START.isoformat(),
        "questions": [{"key": "neighbour_network", "type": "single_choice", "profile": False,
                       "options": ["very_restricted", "restricted", "medium", "wide", "very_wide"]}]})
    answers = ([{"neighbour_network": "restricted", "interaction_places": ["street", "shops"],
                 "local_politics_interest": 1}] * restricted
               + [{"neighbour_network": "wide", "interaction_places": ["homes"], "local_politics_interest": 4,
                   "age_band": "age_25_44"}] * others)
    responses = [Event(type="surveys.ResponseSubmitted", commune=commune, source="surveys", payload={
        **base, "channel": "online", "submitted_on": "2026-03-02", "answers": answer}) for answer in answers]
    closed = [Event(type="surveys.SurveyClosed", commune=commune, source="surveys", payload={
        **base, "closed_at": (START + timedelta(days=60)).isoformat(), "responses": len(answers)})] if close else []
    return [published, *responses, *closed]


def test_survey_answers_of_known_distribution_give_exact_indicators(world, reporting, produce):
    publish_all(world.runtime)
    produce(*survey_events(world.commune_a, 11, restricted=10, others=30))
    produce(*survey_events(world.commune_b, 12, restricted=1, others=3))  # 4 answers: under the threshold
    reporting.catch_up()
    board = dashboard(reporting, world)
    assert board["indicators"]["network_restricted_share"] == 0.25
    assert board["indicators"]["places_of_passage_share"] == 0.25  # one respondent, two such places
    assert board["indicators"]["local_politics_interest"] == 0.25
    assert board["indicators"]["participation_rate"] == 0.04
    assert board["survey"]["responses"] == 40 and board["survey"]["status"] == "closed"
    gates = {g["key"]: (g["value"], g["met"]) for g in board["gates"]}
    assert gates["phase2.survey"] == (0.04, False)  # the pilot's default asks for 10%
    small = dashboard(reporting, world, who="coordinator_b", commune=world.commune_b)
    assert small["indicators"]["network_restricted_share"] is None  # 4 respondents < 5
    assert small["indicators"]["participation_rate"] == 0.004
    # (the regional average depends on every commune on the shared topics: its rules are
    # proved on a database of their own in test_regional_average_privacy.py)
    region = reporting.client().get("/reporting/api/v1/region/overview", headers=world.headers("regional")).json
    rows = {row["slug"]: row for row in region["communes"]}
    assert rows[world.commune_a]["network_restricted_share"] == 0.25
    assert rows[world.commune_b]["network_restricted_share"] is None


def test_a_follow_up_survey_is_compared_with_the_baseline_with_its_uncertainty(world, reporting, produce):
    publish_all(world.runtime)
    produce(*survey_events(world.commune_a, 21, restricted=10, others=30))
    produce(*survey_events(world.commune_a, 22, restricted=4, others=36, follow_up_of=21))
    reporting.catch_up()
    board = dashboard(reporting, world)
    assert board["indicators"]["network_restricted_share"] == 0.25  # the baseline, not the follow-up
    evaluation = {row["key"]: row for row in board["evaluation"]["indicators"]}
    network = evaluation["network_restricted_share"]
    assert (network["baseline"], network["follow_up"]) == (0.25, 0.1)
    assert network["change"] == pytest.approx(-0.15)
    low, high = network["interval"]
    assert -0.32 < low < -0.15 < high < 0.03  # Newcombe's interval around -15 points
    gates = {g["key"]: g["met"] for g in board["gates"]}
    assert gates["phase5.follow_up"] is True


def test_programme_figures_and_freshness_are_exported_to_prometheus(lifecycle, reporting, produce):
    produce(*survey_events(lifecycle.commune_a, 31, restricted=2, others=6))
    reporting.catch_up()
    text = reporting.client().get("/reporting/metrics").data.decode()
    assert 'asp_communes_by_phase{phase="2"}' in text
    assert f'asp_survey_responses_total{{commune="{lifecycle.commune_a}"}} 8.0' in text
    assert "asp_reporting_data_age_seconds " in text


def test_the_rebuild_command_shows_its_progress_and_switches_generation(lifecycle, reporting, settings_env):
    import os
    import subprocess
    import sys
    before = projections(reporting)
    done = subprocess.run([sys.executable, "-m", "reporting.entrypoints.rebuild"], capture_output=True, text=True,
                          env={**os.environ, **settings_env}, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "100%" in done.stderr and "#" * 40 in done.stderr  # the progress bar, filled
    assert "generation 2" in done.stdout
    assert projections(reporting) == before
