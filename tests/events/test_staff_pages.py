"""The coordinator's pages over HTTP: reaching them, scheduling and changing through the
forms (Swiss time in, UTC stored), errors next to their fields, registrations and attendance."""
import re
from datetime import timedelta

from sqlalchemy import select

from tests.support.kafka import publish_all
from tests.events.town import csrf_token, register, utc
from tests.support.snapshots import database_snapshot

from events.adapters.orm import Commune, CommunityEvent, Registration
from events.api.forms import local_input
from events.service_layer import handlers
from programme.service_layer import handlers as programme


def signed_in(town, who: str = "coordinator_a"):
    client = town.client()
    town.sign_in(client, who)
    return client


def event_form(town, client, **fields) -> dict:
    starts = utc(days=12).replace(second=0, microsecond=0)
    return {"csrf_token": csrf_token(client, f"/events/communes/{town.a}/new"), "kind": "papotage",
            "title": "Papotage du marché", "starts_at": local_input(starts),
            "ends_at": local_input(starts + timedelta(hours=2)), "place_name": "Place du village",
            "phase": "2", **fields}


def test_the_events_entry_leads_each_person_to_their_communes_events(town):
    assert signed_in(town).get("/events/").headers["Location"].endswith(f"/events/communes/{town.a}")
    regional = signed_in(town, "regional").get("/events/").get_data(as_text=True)
    assert "Commune A" in regional and "Commune B" in regional
    anonymous = town.client().get("/events/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/programme/login?next=")
    page = signed_in(town).get(f"/events/communes/{town.a}").get_data(as_text=True)
    assert 'aria-current="page">Événements' in page and "Planifier un événement" in page


def test_scheduling_through_the_form_stores_utc_and_publishes(town):
    client = signed_in(town)
    form = event_form(town, client, partner_ids=town.partners[town.a], registration_required="true", capacity="25")
    response = client.post(f"/events/communes/{town.a}/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with town.runtime.session_factory() as session:
        row = session.scalar(select(CommunityEvent))
    assert local_input(row.starts_at) == form["starts_at"] and row.starts_at.utcoffset() == timedelta(0)
    assert (row.capacity, row.registration_required, row.partner_ids) == (25, True, town.partners[town.a])
    scheduled = [m for m in town.messages(town.a) if m.type == "events.EventScheduled"]
    assert [m.payload["event_id"] for m in scheduled] == [row.id]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Papotage du marché" in page and "L&#39;événement est planifié" in page


def test_the_schedule_form_shows_each_error_next_to_its_field_and_stores_nothing(town):
    client = signed_in(town)
    other_series = town.client().post(f"{town.api(town.b)}/series", json={"title": "B"},
                                      headers=town.headers("coordinator_b")).json["id"]
    before = database_snapshot(town.runtime.engine)
    starts = utc(days=5).replace(second=0, microsecond=0)
    for fields, field in [({"title": ""}, "title"), ({"kind": "fete"}, "kind"),
                          ({"ends_at": local_input(starts - timedelta(hours=1)), "starts_at": local_input(starts)}, "ends_at"),
                          ({"starts_at": local_input(utc(days=-1)), "ends_at": local_input(utc(hours=1))}, "starts_at"),
                          ({"starts_at": "demain"}, "starts_at"), ({"capacity": "beaucoup"}, "capacity"),
                          ({"capacity": "0"}, "capacity"), ({"phase": "7"}, "phase"),
                          ({"series_id": other_series}, "series_id"), ({"partner_ids": ["p-nobody"]}, "partner_ids")]:
        response = client.post(f"/events/communes/{town.a}/new", data=event_form(town, client, **fields))
        assert response.status_code in (404, 422), (fields, response.status_code)
        page = response.get_data(as_text=True)
        assert f'id="event-{field}-error"' in page, (fields, re.findall(r'field-error[^>]*>([^<]*)', page))
    assert client.post(f"/events/communes/{town.a}/new",
                       data={k: v for k, v in event_form(town, client).items() if k != "csrf_token"}).status_code == 400
    assert database_snapshot(town.runtime.engine) == before


def test_a_held_events_date_cannot_be_changed_through_the_form_but_its_title_can(town):
    ended = utc(days=-3)
    with town.runtime.unit_of_work() as uow:
        row = handlers.schedule_event(uow, town.a, now=utc(days=-10), kind="atelier", title="Atelier",
                                      starts_at=ended - timedelta(hours=2), ends_at=ended, place_name="Salle", phase=4)
    with town.runtime.unit_of_work() as uow:
        handlers.record_attendance(uow, town.a, row.id, 8, now=ended)
    client = signed_in(town)
    url = f"/events/communes/{town.a}/events/{row.id}/edit"
    shown = client.get(url).get_data(as_text=True)
    assert f'value="{local_input(row.starts_at)}"' in shown
    form = {"csrf_token": csrf_token(client, url), "kind": "atelier", "title": "Atelier", "place_name": "Salle",
            "phase": "4", "starts_at": local_input(utc(days=2)), "ends_at": local_input(utc(days=2, hours=2))}
    before = database_snapshot(town.runtime.engine)
    refused = client.post(url, data=form)
    assert refused.status_code == 422 and 'id="event-starts_at-error"' in refused.get_data(as_text=True)
    assert database_snapshot(town.runtime.engine) == before
    renamed = client.post(url, data={**form, "title": "Atelier cuisine", "starts_at": local_input(row.starts_at),
                                     "ends_at": local_input(row.ends_at)})
    assert renamed.status_code == 302
    assert [m.payload["title"] for m in town.messages(town.a) if m.type == "events.EventUpdated"] == ["Atelier cuisine"]


def test_a_coordinator_sees_the_waiting_list_and_cancels_for_someone(town):
    event = town.schedule(registration_required=True, capacity=2)
    register(town.client(), town.a, event["id"], name="Yves Yerly", contact="yves@example.ch", party_size="2")
    register(town.client(), town.a, event["id"], name="Zita Zuber", party_size="1", waiting_list="true")
    client = signed_in(town)
    url = f"/events/communes/{town.a}/events/{event['id']}"
    page = client.get(url).get_data(as_text=True).replace("&#39;", "'")
    assert "Yves Yerly" in page and "yves@example.ch" in page and "liste d'attente (1)" in page
    with town.runtime.session_factory() as session:
        yves = session.scalar(select(Registration.id).where(Registration.name == "Yves Yerly"))
    done = client.post(f"{url}/registrations/{yves}/cancel", data={"csrf_token": csrf_token(client, url)})
    assert done.status_code == 302
    statuses = {r["name"]: r["status"] for r in town.client().get(
        f"{town.api(town.a)}/events/{event['id']}/registrations", headers=town.headers("coordinator_a")).json}
    assert statuses == {"Yves Yerly": "cancelled", "Zita Zuber": "registered"}
    viewer = signed_in(town, "viewer_a").get(url).get_data(as_text=True)
    assert "Zita" not in viewer and "Enregistrer la participation" not in viewer


def test_cancelling_through_the_page_needs_a_reason_shown_next_to_it(town):
    event = town.schedule()
    client = signed_in(town)
    url = f"/events/communes/{town.a}/events/{event['id']}"
    before = database_snapshot(town.runtime.engine)
    refused = client.post(f"{url}/cancel", data={"csrf_token": csrf_token(client, url), "reason": ""})
    assert refused.status_code == 422 and 'id="cancel-reason-error"' in refused.get_data(as_text=True)
    assert database_snapshot(town.runtime.engine) == before
    done = client.post(f"{url}/cancel", data={"csrf_token": csrf_token(client, url), "reason": "Grippe"})
    assert done.status_code == 302
    assert [m.type for m in town.messages(town.a) if m.payload["event_id"] == event["id"]][-1] == "events.EventCancelled"


def test_attendance_through_the_page_before_the_start_is_refused_next_to_the_head_count(town):
    event = town.schedule()
    client = signed_in(town)
    url = f"/events/communes/{town.a}/events/{event['id']}"
    before = database_snapshot(town.runtime.engine)
    refused = client.post(f"{url}/attendance", data={"csrf_token": csrf_token(client, url), "head_count": "4"})
    assert refused.status_code == 422 and 'id="attendance-head_count-error"' in refused.get_data(as_text=True)
    assert database_snapshot(town.runtime.engine) == before


def test_the_new_event_form_preselects_the_phase_the_commune_is_in(town):
    for number in (1, 2):
        with town.world.runtime.unit_of_work() as uow:
            programme.start_phase(uow, town.a, number)
        if number == 1:
            with town.world.runtime.unit_of_work() as uow:
                programme.complete_phase(uow, town.a, 1)
    publish_all(town.world.runtime)
    town.consume_until(lambda session: session.scalar(select(Commune.current_phase).where(Commune.slug == town.a)) == 2)
    form = signed_in(town).get(f"/events/communes/{town.a}/new").get_data(as_text=True)
    assert re.search(r'<option value="2" selected>Phase 2</option>', form)
