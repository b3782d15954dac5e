"""A commune's lifecycle driven through every service's own HTTP API — programme, surveys,
events, partners — with their outbox relays and consumers on the real broker, gives exact,
known figures on reporting's dashboard JSON.

Phase 1 prepared and done, phase 2 with a survey of 20 answers of known distribution (19
online from residents, 1 on paper), a papotage held with its attendance and feedback, an
ice-breaker event with registrations, partners, then phase 3's themes, objectives and
actions. The other communes on the shared topics (other tests') do not touch A's figures.
"""
from datetime import timedelta

import pytest

from tests.events.town import utc
from tests.stress.platform import Platform, _past_event
from tests.surveys.conftest import VALID_ANSWERS

WHO = "coordinator_a"


@pytest.fixture
def platform(settings_env, broker):
    built = Platform.create(settings_env, broker.bootstrap_servers)
    yield built
    built.close()


def test_a_lifecycle_through_every_service_gives_exact_figures(platform):
    commune = platform.a
    programme, surveys, events, partners = (platform.api(s, commune) for s in
                                            ("programme", "surveys", "events", "partners"))
    call = platform.call

    # phase 1: the preparation checklist, done
    call("programme", "POST", f"{programme}/phases/1/start", WHO)
    for activity in ("working_group", "concept", "negotiation", "authorities"):
        call("programme", "PUT", f"{programme}/phases/1/activities/{activity}", WHO, json={"done": True})
    call("programme", "POST", f"{programme}/phases/1/complete", WHO)
    call("programme", "POST", f"{programme}/phases/2/start", WHO)

    # phase 2: the quality-of-life survey, 5 of 20 with a restricted network (the pilot's 25 %)
    survey = call("surveys", "POST", f"{surveys}/surveys", WHO, json={"template": "qualite-de-vie"})
    survey = call("surveys", "POST", f"{surveys}/surveys/{survey['id']}/publish", WHO)
    residents = platform.client("surveys")
    networks = ["very_restricted"] + ["restricted"] * 4 + ["medium"] * 8 + ["wide"] * 6
    for number, network in enumerate(networks):
        answers = {**VALID_ANSWERS, "neighbour_network": network,
                   "local_politics_interest": 1 if number < 10 else 4,             # 10 of 20 low
                   "interaction_places": ["street"] if number < 15 else ["cafes"]}  # 15 of 20 in passing
        answered = residents.post(f"/surveys/api/v1/public/{survey['token']}/responses", json={"answers": answers})
        assert answered.status_code == 201, answered.get_data(as_text=True)
    call("surveys", "POST", f"{surveys}/surveys/{survey['id']}/responses", WHO,
         json={"answers": {"neighbour_network": "wide", "local_politics_interest": 5,
                           "interaction_places": ["homes"]}})
    call("surveys", "POST", f"{surveys}/surveys/{survey['id']}/close", WHO)

    # partners: three registered, two of them active
    made = [call("partners", "POST", f"{partners}/partners", WHO, json={"name": name, "kind": kind})
            for name, kind in (("Paroisse réformée", "parish"), ("FC Courtételle", "club"),
                               ("Ludothèque", "association"))]
    for partner in made[:2]:
        call("partners", "POST", f"{partners}/partners/{partner['id']}/status", WHO, json={"status": "active"})
    platform.settle()  # events learns the partners from the broker

    # events: an ice-breaker event ahead with 3 people registered (1 + 2), a papotage held
    starts = utc(days=10)
    ahead = call("events", "POST", f"{events}/events", WHO, json={
        "kind": "brise_glace", "title": "Apéro des voisins", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(), "place_name": "Préau", "phase": 2,
        "registration_required": True, "capacity": 30, "partner_ids": [made[1]["id"]]})
    for name, party in (("Anne", 1), ("Famille Voisin", 2)):
        call("events", "POST", f"{events}/events/{ahead['id']}/registrations", WHO,
             json={"name": name, "party_size": party})
    held = _past_event(platform, commune, "Papotage du marché")
    call("events", "PUT", f"{events}/events/{held}/attendance", WHO, json={"head_count": 12})
    for satisfaction, met in ((4, True), (5, False)):
        call("events", "POST", f"{events}/events/{held}/feedback", WHO,
             json={"satisfaction": satisfaction, "met_someone_new": met})

    # phase 3: two themes, two objectives, two actions (one under way)
    call("programme", "POST", f"{programme}/phases/2/complete", WHO)
    call("programme", "POST", f"{programme}/phases/3/start", WHO)
    for title in ("Voisinage", "Vie locale"):
        theme = call("programme", "POST", f"{programme}/themes", WHO, json={"title": title})
        objective = call("programme", "POST", f"{programme}/objectives", WHO, json={
            "title": f"Objectif {title}", "theme_id": theme["id"], "indicator": "network_restricted_share",
            "baseline": 0.25, "target": 0.15})
        action = call("programme", "POST", f"{programme}/actions", WHO,
                      json={"title": f"Action {title}", "objective_id": objective["id"]})
    call("programme", "PATCH", f"{programme}/actions/{action['id']}", WHO, json={"status": "in_progress"})
    platform.settle()

    board = call("reporting", "GET", f"/reporting/api/v1/communes/{commune}/dashboard", WHO)
    assert board["current_phase"] == 3
    assert [p["status"] for p in board["phases"]] == ["completed", "completed", "active", "pending", "pending"]
    assert board["survey"]["responses"] == 20 and board["survey"]["status"] == "closed"
    assert board["indicators"]["participation_rate"] == 20 / 1000
    assert board["indicators"]["network_restricted_share"] == 0.25
    assert board["indicators"]["local_politics_interest"] == 10 / 20
    assert board["indicators"]["places_of_passage_share"] == 15 / 20
    assert board["respondents"]["network_restricted_share"] == 20
    events_figures = board["events"]
    assert events_figures["held_by_kind"]["papotage"] == 1 and events_figures["held_by_kind"]["brise_glace"] == 0
    assert events_figures["attendance"] == 12 and events_figures["registrations"] == 3
    assert events_figures["scheduled"] == 1 and events_figures["feedback_responses"] == 2
    assert events_figures["satisfaction_average"] == 4.5 and events_figures["met_someone_new_share"] == 0.5
    assert board["partners"]["partners"] == 3 and board["partners"]["active"] == 2
    assert board["partners"]["active_by_kind"] == {"club": 1, "parish": 1}
    plan = board["plan"]
    assert [t["title"] for t in plan["themes"]] == ["Voisinage", "Vie locale"]
    assert plan["objectives"] == 2 and plan["actions_by_status"] == {"planned": 1, "in_progress": 1}
    gates = {g["key"]: (g["value"], g["met"]) for g in board["gates"]}
    assert gates["phase1.checklist"] == (1.0, True)
    assert gates["phase2.survey"] == (0.02, False)       # the pilot asks for 10 % of the population
    assert gates["phase2.papotages"] == (1, True)
    assert gates["phase2.ice_breaker_week"] == (0, False)  # announced, not yet held
    assert gates["phase3.themes"] == (2, True) and gates["phase3.objectives"] == (2, True)
    assert board["as_of"] is not None
