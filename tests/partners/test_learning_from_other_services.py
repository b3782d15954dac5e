"""What the partners service learns from the broker: the communes (programme), the actions
and their partners (programme), the events and their co-organising partners (events) — each
applied once, kept in step with later changes, and never echoed back as partners events."""
from shared.contracts import Event

from tests.partners.conftest import event_scheduled, publish_all


def activities(pw):
    return {(a["kind"], a["id"]): a for a in pw.client().get(pw.api() + "/activities",
                                                             headers=pw.headers("viewer_a")).json}


def links(pw):
    return sorted((l["partner_id"], l["target_type"], l["target_id"], l["origin"])
                  for l in pw.client().get(pw.api() + "/links", headers=pw.headers("viewer_a")).json)


def partner(pw, name, kind="association", commune=None, who="coordinator_a"):
    response = pw.client().post(pw.api(commune) + "/partners", headers=pw.headers(who),
                                json={"name": name, "kind": kind})
    assert response.status_code == 201
    return response.json["id"]


def test_communes_are_known_from_programmes_onboarding_events(pw):
    assert {pw.commune_a, pw.commune_b} <= pw.known_communes()
    assert pw.client().get("/partners/api/v1/communes/nowhere/partners",
                           headers=pw.headers("regional")).status_code == 404


def test_an_events_co_organisers_become_links_that_follow_its_changes(pw):
    first, second = partner(pw, "Paroisse"), partner(pw, "Jeunesse", "club")
    pw.produce(event_scheduled(pw.commune_a, "ev-1", "Papotage", [first, "someone-else"]))
    pw.consume_until(lambda: ("event", "ev-1") in activities(pw))
    assert links(pw) == [(first, "event", "ev-1", "events")]
    assert activities(pw)[("event", "ev-1")]["title"] == "Papotage"

    pw.produce(event_scheduled(pw.commune_a, "ev-1", "Papotage au café", [second], type="events.EventUpdated"))
    pw.consume_until(lambda: activities(pw)[("event", "ev-1")]["title"] == "Papotage au café")
    assert links(pw) == [(second, "event", "ev-1", "events")]

    pw.produce(Event(type="events.EventCancelled", commune=pw.commune_a, source="events", payload={
        "event_id": "ev-1", "series_id": None, "kind": "papotage", "phase": 2,
        "starts_at": "2026-05-12T17:00:00+00:00", "cancelled_at": "2026-05-01T08:00:00+00:00"}))
    pw.consume_until(lambda: activities(pw)[("event", "ev-1")]["cancelled"])
    figures = pw.client().get(pw.api() + "/network", headers=pw.headers("viewer_a")).json["figures"]
    assert figures["events"] == 0  # a cancelled event no longer counts


def test_a_link_the_commune_drew_stays_when_the_event_drops_that_partner(pw):
    first = partner(pw, "Paroisse")
    pw.produce(event_scheduled(pw.commune_a, "ev-2", "Forum", []))
    pw.consume_until(lambda: ("event", "ev-2") in activities(pw))
    drawn = pw.client().post(pw.api() + "/links", headers=pw.headers("coordinator_a"), json={
        "partner_id": first, "target_type": "event", "target_id": "ev-2", "relation": "involved"})
    assert drawn.status_code == 201
    pw.produce(event_scheduled(pw.commune_a, "ev-2", "Forum citoyen", [first], type="events.EventUpdated"),
               event_scheduled(pw.commune_a, "ev-2", "Forum citoyen", [], type="events.EventUpdated"))
    pw.drain()
    assert links(pw) == [(first, "event", "ev-2", "commune")]


def test_actions_and_their_partners_come_from_the_programme(pw):
    first, second = partner(pw, "Paroisse"), partner(pw, "Jeunesse", "club")
    programme, headers = pw.programme.client(), pw.headers("coordinator_a")
    url = f"/programme/api/v1/communes/{pw.commune_a}/actions"
    action = programme.post(url, headers=headers, json={"title": "Fête des voisins", "partner_ids": [first]}).json
    publish_all(pw.programme.runtime)
    pw.consume_until(lambda: ("action", str(action["id"])) in activities(pw))
    assert links(pw) == [(first, "action", str(action["id"]), "programme")]
    programme.patch(f"{url}/{action['id']}", headers=headers, json={"partner_ids": [second], "status": "in_progress"})
    publish_all(pw.programme.runtime)
    pw.consume_until(lambda: links(pw) == [(second, "action", str(action["id"]), "programme")])
    removed = pw.client().get(pw.api() + "/links", headers=headers).json[0]
    refused = pw.client().delete(pw.api() + f"/links/{removed['id']}", headers=headers)
    assert refused.status_code == 409  # learned from the programme: changed there, not here


def test_an_event_applied_twice_changes_nothing_more_and_nothing_is_echoed(pw):
    first = partner(pw, "Paroisse")
    scheduled = event_scheduled(pw.commune_a, "ev-3", "Brise-glace", [first])
    pw.produce(scheduled, scheduled)
    pw.drain()
    assert links(pw) == [(first, "event", "ev-3", "events")]
    assert [e.type for e in pw.published(expect=1)] == ["partners.PartnerRegistered"]


def test_events_of_a_commune_not_yet_onboarded_wait_for_it_invisible(pw, commune_slug):
    pw.produce(event_scheduled(commune_slug, "ev-4", "Papotage", []))
    pw.drain()
    assert commune_slug not in pw.known_communes()
    url = f"/partners/api/v1/communes/{commune_slug}/activities"
    assert pw.client().get(url, headers=pw.headers("regional")).status_code == 404
    pw.produce(Event(type="programme.CommuneOnboarded", commune=commune_slug, source="programme", payload={
        "slug": commune_slug, "name": "Nouvelle", "canton": "JU", "population": 500, "onboarded_on": "2026-05-04"}))
    pw.consume_until(lambda: commune_slug in pw.known_communes())
    assert [a["id"] for a in pw.client().get(url, headers=pw.headers("regional")).json] == ["ev-4"]
