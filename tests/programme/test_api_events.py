"""Through HTTP and the broker: a change in programme puts exactly one event on Kafka."""

from shared.contracts import topic_of
from shared.contracts.envelope import registered_contracts
from tests.support.kafka import publish_all, read_events


def test_ticking_an_activity_puts_exactly_one_valid_event_on_the_broker(world, broker):
    client = world.client()
    response = client.put(f"/programme/api/v1/communes/{world.commune_a}/phases/1/activities/concept",
                          json={"done": True}, headers=world.headers("coordinator_a"))
    assert response.status_code == 200, response.json
    publish_all(world.runtime)
    events = read_events(broker.bootstrap_servers, topic_of("programme"), world.commune_a, expect=2)
    ticked = [e for e in events if e.type == "programme.ActivityChecked"]
    assert len(ticked) == 1
    assert ticked[0].payload == {"phase": 1, "activity": "concept", "done": True}
    assert ticked[0].commune == world.commune_a and ticked[0].source == "programme"
    assert (ticked[0].type, ticked[0].version) in registered_contracts()


def test_ticking_a_ticked_activity_again_publishes_nothing_more(world, broker):
    client = world.client()
    url = f"/programme/api/v1/communes/{world.commune_a}/phases/1/activities/concept"
    for _ in range(3):
        assert client.put(url, json={"done": True}, headers=world.headers("coordinator_a")).status_code == 200
    publish_all(world.runtime)
    events = read_events(broker.bootstrap_servers, topic_of("programme"), world.commune_a, expect=2)
    assert [e.type for e in events] == ["programme.CommuneOnboarded", "programme.ActivityChecked"]


def test_the_correlation_id_of_the_request_travels_in_the_event(world, broker):
    client = world.client()
    response = client.post(f"/programme/api/v1/communes/{world.commune_a}/phases/1/start",
                           headers={**world.headers("coordinator_a"), "X-Correlation-ID": "req-42-abc"})
    assert response.status_code == 200
    assert response.headers["X-Correlation-ID"] == "req-42-abc"
    publish_all(world.runtime)
    events = read_events(broker.bootstrap_servers, topic_of("programme"), world.commune_a, expect=2)
    started = [e for e in events if e.type == "programme.PhaseStarted"]
    assert [e.correlation_id for e in started] == ["req-42-abc"]


def test_a_phase_lifecycle_publishes_its_events_in_order(world, broker):
    client = world.client()
    base = f"/programme/api/v1/communes/{world.commune_a}/phases"
    coordinator, regional = world.headers("coordinator_a"), world.headers("regional")
    assert client.post(f"{base}/1/start", headers=coordinator).status_code == 200
    assert client.post(f"{base}/1/complete", headers=coordinator).status_code == 200
    assert client.post(f"{base}/2/start", headers=coordinator).status_code == 200
    assert client.post(f"{base}/1/reopen", headers=coordinator).status_code == 403
    reopened = client.post(f"{base}/1/reopen", headers=regional)
    assert reopened.status_code == 200 and reopened.json["status"] == "active"
    phases = client.get(base, headers=coordinator).json
    assert [p["status"] for p in phases] == ["active", "pending", "pending", "pending", "pending"]
    publish_all(world.runtime)
    events = read_events(broker.bootstrap_servers, topic_of("programme"), world.commune_a, expect=5)
    assert [e.type.split(".")[1] for e in events] == [
        "CommuneOnboarded", "PhaseStarted", "PhaseCompleted", "PhaseStarted", "PhaseReopened"]


def test_objectives_and_actions_are_published_with_their_links(world, broker):
    client = world.client()
    base = f"/programme/api/v1/communes/{world.commune_a}"
    headers = world.headers("coordinator_a")
    theme = client.post(f"{base}/themes", json={"title": "Relations entre voisins"}, headers=headers).json
    objective = client.post(f"{base}/objectives", headers=headers, json={
        "title": "Réduire l'isolement", "theme_id": theme["id"],
        "indicator": "network_restricted_share", "baseline": 0.25, "target": 0.15}).json
    action = client.post(f"{base}/actions", headers=headers, json={
        "title": "Fête des voisins", "objective_id": objective["id"], "owner": "Groupe de travail",
        "due_on": "2027-06-01", "partner_ids": ["p-1"], "event_ids": []}).json
    changed = client.patch(f"{base}/actions/{action['id']}", json={"status": "in_progress"}, headers=headers)
    assert changed.status_code == 200 and changed.json["status"] == "in_progress"
    publish_all(world.runtime)
    events = read_events(broker.bootstrap_servers, topic_of("programme"), world.commune_a, expect=5)
    by_type = {e.type: e.payload for e in events}
    assert by_type["programme.ObjectiveSet"]["baseline"] == 0.25
    assert by_type["programme.ActionLaunched"]["partner_ids"] == ["p-1"]
    assert by_type["programme.ActionUpdated"]["status"] == "in_progress"


def test_signing_in_gives_a_token_that_opens_the_api(world):
    client = world.client()
    with world.runtime.unit_of_work() as uow:
        from programme.service_layer import handlers
        handlers.create_account(uow, "Marie@Example.ch", "Marie", "correct horse", "coordinator",
                                [world.commune_a])
    response = client.post("/programme/api/v1/auth/token",
                           json={"email": "marie@example.ch", "password": "correct horse"})
    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer" and response.json["expires_in"] == 3600
    token = response.json["access_token"]
    listed = client.get("/programme/api/v1/communes", headers={"Authorization": f"Bearer {token}"})
    assert [c["slug"] for c in listed.json] == [world.commune_a]


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(world):
    client = world.client()
    with world.runtime.unit_of_work() as uow:
        from programme.service_layer import handlers
        handlers.create_account(uow, "paul@example.ch", "Paul", "correct horse", "viewer", [world.commune_a])
    wrong = client.post("/programme/api/v1/auth/token", json={"email": "paul@example.ch", "password": "nope"})
    unknown = client.post("/programme/api/v1/auth/token", json={"email": "nobody@example.ch", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_phase_labels_follow_the_callers_language_french_by_default(world):
    client = world.client()
    url = f"/programme/api/v1/communes/{world.commune_a}/phases"
    french = client.get(url, headers=world.headers("viewer_a")).json
    german = client.get(url, headers=world.headers("viewer_a", "de-CH,de;q=0.9")).json
    english = client.get(url, headers=world.headers("viewer_a", "en")).json
    assert french[0]["label"] == "Préparer et ancrer"
    assert german[0]["label"] == "Vorbereiten und verankern"
    assert english[4]["label"] == "Evaluate"
    assert french[1]["activities"][0]["label"] == "Papotages publics"
    assert french[3]["planned_months"] is None and french[0]["planned_months"] == [6, 8]
