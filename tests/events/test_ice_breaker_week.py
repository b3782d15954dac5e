"""Through HTTP and the broker: Commune A's ice-breaker week, from scheduling to feedback.

Registrations go through the public form (CSRF and all), staff work through the API, and
what the service tells the others is read back from the broker's `events.events` topic.
"""
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from shared.contracts import Event, topic_of
from shared.contracts.envelope import registered_contracts
from tests.events.town import csrf_token, publish, raw_messages, register, token_of, utc

from events.adapters.orm import Partner

WEEK = ["Apéro de quartier", "Balade intergénérationnelle", "Atelier cuisine des voisins",
        "Soirée jeux de société", "Repas canadien"]


def schedule_week(town) -> tuple[str, list[dict]]:
    client, headers = town.client(), town.headers("coordinator_a")
    series = client.post(f"{town.api(town.a)}/series", headers=headers,
                         json={"title": "Semaine brise-glace", "description": "Se rencontrer entre voisins"})
    assert series.status_code == 201, series.json
    monday = utc(days=14).replace(hour=16, minute=0, second=0, microsecond=0)
    events = [town.schedule(title=title, starts_at=monday + timedelta(days=day), series_id=series.json["id"],
                            partner_ids=town.partners[town.a], registration_required=day > 0,
                            capacity=4 if title.startswith("Atelier") else None)
              for day, title in enumerate(WEEK)]
    return series.json["id"], events


def test_the_week_is_scheduled_with_two_partners_and_shown_together(town):
    series_id, events = schedule_week(town)
    client = town.client()
    series = client.get(f"{town.api(town.a)}/series/{series_id}", headers=town.headers("viewer_a")).json
    assert [e["title"] for e in series["events"]] == WEEK
    assert all([p["name"] for p in e["partners"]] == ["Société de développement", "Paroisse catholique"]
               for e in series["events"])
    agenda = client.get(f"/events/c/{town.a}").get_data(as_text=True)
    week = agenda[agenda.index("Semaine brise-glace"):]
    assert [week.index(title) for title in WEEK] == sorted(week.index(title) for title in WEEK)

    scheduled = [m for m in town.messages(town.a) if m.type == "events.EventScheduled"]
    assert [m.payload["title"] for m in scheduled] == WEEK
    assert {m.payload["series_id"] for m in scheduled} == {series_id}
    assert all(m.payload["partner_ids"] == town.partners[town.a] and m.payload["kind"] == "brise_glace"
               and m.payload["phase"] == 2 for m in scheduled)
    assert scheduled[0].payload["starts_at"] == events[0]["starts_at"]


def test_registrations_fill_the_places_then_the_waiting_list_and_a_cancellation_moves_the_next_up(town):
    _, events = schedule_week(town)
    cooking = next(e for e in events if e["capacity"] == 4)
    client = town.client()  # one resident's browser after another: the session only carries CSRF
    alice = token_of(register(client, town.a, cooking["id"], name="Alice Aubry", contact="079 111 11 11", party_size="2"))
    bob = token_of(register(client, town.a, cooking["id"], name="Bob Berdat", contact="bob@example.ch", party_size="2"))

    refused = register(client, town.a, cooking["id"], name="Claire Chételat", party_size="1")
    assert refused.status_code == 422
    offered = refused.get_data(as_text=True)
    assert 'id="register-waiting_list-error"' in offered and "est complet" in offered
    assert '<input type="hidden" name="waiting_list" value="true">' in offered  # one click to join the list
    assert 'value="Claire Chételat"' in offered  # what she typed is kept
    claire = token_of(register(client, town.a, cooking["id"], name="Claire Chételat", party_size="1",
                               waiting_list="true"))
    denis = token_of(register(client, town.a, cooking["id"], name="Denis Droz", contact="032 000 00 00",
                              party_size="2", waiting_list="true"))
    page = client.get(f"/events/r/{denis}?new=1").get_data(as_text=True)
    assert "liste d’attente" in page or "liste d'attente" in page
    assert "position 2" in page

    assert client.post(f"/events/r/{bob}/cancel",
                       data={"csrf_token": csrf_token(client, f"/events/r/{bob}")}).status_code == 303
    statuses = registrations(town, cooking["id"])
    assert statuses == {"Alice Aubry": ("registered", None), "Bob Berdat": ("cancelled", None),
                        "Claire Chételat": ("registered", None), "Denis Droz": ("waiting", 1)}

    # Staff cancel Alice for her (she phoned): Denis's two fit now.
    alice_id = registration_id(town, cooking["id"], "Alice Aubry")
    cancelled = town.client().post(f"{town.api(town.a)}/events/{cooking['id']}/registrations/{alice_id}/cancel",
                                   headers=town.headers("coordinator_a"))
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert registrations(town, cooking["id"])["Denis Droz"] == ("registered", None)
    assert alice and claire

    counted = [m.payload for m in town.messages(town.a)
               if m.type == "events.RegistrationCounted" and m.payload["event_id"] == cooking["id"]]
    assert [(c["registered_people"], c["waiting_people"]) for c in counted] == [
        (2, 0), (4, 0), (4, 1), (4, 3), (3, 2), (3, 0)]
    assert counted[-1] == {"event_id": cooking["id"], "series_id": cooking["series_id"], "kind": "brise_glace",
                           "phase": 2, "starts_at": cooking["starts_at"], "capacity": 4, "registrations": 2,
                           "registered_people": 3, "waiting_registrations": 0, "waiting_people": 0}


def test_attendance_and_feedback_are_recorded_and_published_with_no_personal_data(town):
    client, staff = town.client(), town.headers("coordinator_a")
    soon = town.schedule(title="Papotage au café", kind="papotage", starts_at=utc(seconds=4),
                         registration_required=True, partner_ids=town.partners[town.a])
    eva = token_of(register(client, town.a, soon["id"], name="Eva Erard", contact="eva@example.ch", party_size="3"))
    register(client, town.a, soon["id"], name="Fred Frossard", contact="078 222 22 22", party_size="1")
    early = client.put(f"{town.api(town.a)}/events/{soon['id']}/attendance", json={"head_count": 5}, headers=staff)
    assert early.status_code == 409 and "head_count" in early.json["errors"]["json"]
    wait_until_started(soon)

    came = [registration_id(town, soon["id"], "Eva Erard")]
    held = client.put(f"{town.api(town.a)}/events/{soon['id']}/attendance", headers=staff,
                      json={"head_count": 7, "attended_registration_ids": came})
    assert held.status_code == 200, held.json
    assert (held.json["status"], held.json["head_count"], held.json["attended_people"]) == ("held", 7, 3)

    feedback_link = f"/events/feedback/{soon['feedback_token']}"
    given = client.post(feedback_link, data={"csrf_token": csrf_token(client, feedback_link), "satisfaction": "5",
                                             "met_someone_new": "true", "comment": "Merci Eva Erard, super !"})
    assert given.status_code == 303
    assert "Merci" in client.get(given.headers["Location"]).get_data(as_text=True)
    entered = client.post(f"{town.api(town.a)}/events/{soon['id']}/feedback", headers=staff,
                          json={"satisfaction": 3, "met_someone_new": False, "comment": "Salle trop froide"})
    assert entered.status_code == 201 and entered.json["source"] == "staff"
    listed = client.get(f"{town.api(town.a)}/events/{soon['id']}/feedback", headers=staff).json
    assert (listed["responses"], listed["average_satisfaction"], listed["met_someone_new_share"]) == (2, 4.0, 0.5)
    assert {a["comment"] for a in listed["answers"]} == {"Merci Eva Erard, super !", "Salle trop froide"}
    assert client.get(f"/events/r/{eva}").status_code == 200

    messages = [m for m in town.messages(town.a) if m.payload.get("event_id") == soon["id"]]
    assert [m.type for m in messages] == ["events.EventScheduled", "events.RegistrationCounted",
                                          "events.RegistrationCounted", "events.AttendanceRecorded",
                                          "events.FeedbackRecorded", "events.FeedbackRecorded"]
    assert all((m.type, m.version) in registered_contracts() and m.source == "events" for m in messages)
    attendance = messages[3].payload
    assert (attendance["head_count"], attendance["registered_people"], attendance["registered_attended"]) == (7, 4, 3)
    assert attendance["kind"] == "papotage" and attendance["phase"] == 2
    last = messages[-1].payload
    assert (last["satisfaction"], last["met_someone_new"], last["source"]) == (3, False, "staff")
    assert (last["responses"], last["satisfaction_total"], last["met_someone_new_count"]) == (2, 8, 1)
    assert_no_personal_data(town, ["Eva", "Erard", "eva@example.ch", "Fred", "Frossard", "078 222 22 22",
                                   "Merci", "froide"])


def test_cancelling_an_event_tells_residents_and_publishes_no_reason(town):
    client, staff = town.client(), town.headers("coordinator_a")
    event = town.schedule(registration_required=True, capacity=10)
    gina = token_of(register(client, town.a, event["id"], name="Gina Gigon", party_size="2"))
    csrf = csrf_token(client, f"/events/c/{town.a}/e/{event['id']}")  # a resident with the page still open
    cancelled = client.post(f"{town.api(town.a)}/events/{event['id']}/cancel", headers=staff,
                            json={"reason": "La salle est inondée, désolés !"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    page = client.get(f"/events/c/{town.a}/e/{event['id']}").get_data(as_text=True)
    assert "La salle est inondée" in page and 'name="party_size"' not in page
    assert "La salle est inondée" in client.get(f"/events/r/{gina}").get_data(as_text=True)
    refused = register(client, town.a, event["id"], csrf, name="Hélène Houlmann")
    assert refused.status_code == 422
    assert "a été annulé : il n'accepte plus d'inscriptions" in refused.get_data(as_text=True).replace("&#39;", "'")

    messages = [m for m in town.messages(town.a) if m.payload.get("event_id") == event["id"]]
    assert [m.type for m in messages][-1] == "events.EventCancelled"
    assert set(messages[-1].payload) == {"event_id", "series_id", "kind", "phase", "starts_at", "cancelled_at"}
    assert_no_personal_data(town, ["inondée", "Gina", "Gigon"])


def test_raising_the_capacity_moves_the_waiting_list_up_and_says_so(town):
    client, staff = town.client(), town.headers("coordinator_a")
    event = town.schedule(registration_required=True, capacity=2)
    register(client, town.a, event["id"], name="Ivan", party_size="2")
    register(client, town.a, event["id"], name="Julie", party_size="3", waiting_list="true")
    register(client, town.a, event["id"], name="Karim", party_size="1", waiting_list="true")
    raised = client.patch(f"{town.api(town.a)}/events/{event['id']}", json={"capacity": 4}, headers=staff)
    assert raised.status_code == 200
    # Julie's three do not fit in the two new places; Karim behind her moves up, she keeps her turn.
    assert registrations(town, event["id"]) == {"Ivan": ("registered", None), "Julie": ("waiting", 1),
                                                "Karim": ("registered", None)}
    raised = client.patch(f"{town.api(town.a)}/events/{event['id']}", json={"capacity": None}, headers=staff)
    assert (raised.json["registered_people"], raised.json["waiting_people"], raised.json["places_left"]) == (6, 0, None)
    types = [m.type for m in town.messages(town.a) if m.payload.get("event_id") == event["id"]]
    assert types[-4:] == ["events.EventUpdated", "events.RegistrationCounted",
                          "events.EventUpdated", "events.RegistrationCounted"]


def test_partners_are_the_ones_the_partners_service_announced(town):
    first, second = town.partners[town.a]
    publish(town.bootstrap, [
        Event(type="partners.PartnerUpdated", commune=town.a, source="partners", payload={
            "partner_id": first, "name": "SDC Courtételle", "kind": "association", "regional": False}),
        Event(type="partners.PartnershipEnded", commune=town.a, source="partners",
              payload={"partner_id": second, "ended_on": "2026-02-01"})])
    town.consume_until(lambda session: not session.scalar(select(Partner.active).where(Partner.partner_id == second)))
    listed = town.client().get(f"{town.api(town.a)}/partners", headers=town.headers("viewer_a")).json
    assert listed == [{"partner_id": first, "name": "SDC Courtételle"}]
    refused = town.client().post(f"{town.api(town.a)}/events", headers=town.headers("coordinator_a"), json={
        "kind": "atelier", "title": "x", "starts_at": utc(days=3).isoformat(), "ends_at": utc(days=3, hours=1).isoformat(),
        "place_name": "Salle", "phase": 4, "partner_ids": [second]})
    assert refused.status_code == 422 and "partner_ids" in refused.json["errors"]["json"]
    assert town.schedule(partner_ids=[first])["partners"] == [{"id": first, "name": "SDC Courtételle"}]


# -- helpers ---------------------------------------------------------------------------------
def csrf_token(client, path: str) -> str:
    from tests.events.town import csrf_token
    return csrf_token(client, path)


def registrations(town, event_id: str) -> dict[str, tuple[str, int | None]]:
    listed = town.client().get(f"{town.api(town.a)}/events/{event_id}/registrations",
                               headers=town.headers("coordinator_a"))
    assert listed.status_code == 200, listed.json
    return {r["name"]: (r["status"], r["waiting_position"]) for r in listed.json}


def registration_id(town, event_id: str, name: str) -> int:
    listed = town.client().get(f"{town.api(town.a)}/events/{event_id}/registrations",
                               headers=town.headers("coordinator_a")).json
    return next(r["id"] for r in listed if r["name"] == name)


def wait_until_started(event: dict) -> None:
    starts = datetime.fromisoformat(event["starts_at"])
    while utc() < starts:
        time.sleep(0.1)


def assert_no_personal_data(town, words: list[str]) -> None:
    """Not in any message of the topic, of any commune, in any field."""
    town.publish_all()
    everything = b"\n".join(value for _, value in raw_messages(town.bootstrap, topic_of("events")))
    for word in words:
        assert word.encode() not in everything, f"{word!r} travelled in an event"
