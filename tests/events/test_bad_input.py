"""Bad input, on every write route and every public form: a 4xx naming the field, and nothing
stored or published (the whole database, outbox included, is compared before and after)."""
from datetime import timedelta

import pytest

from tests.events.town import csrf_token, register, token_of, utc
from tests.support.bad_input import bad_bodies
from tests.support.snapshots import database_snapshot

from events.api import schemas
from events.service_layer import handlers


@pytest.fixture
def scene(town):
    """Commune A's upcoming event (capacity 3, three people registered), a held one, a
    series; commune B's event and series."""
    client, headers = town.client(), town.headers("coordinator_a")
    series = client.post(f"{town.api(town.a)}/series", json={"title": "Semaine"}, headers=headers).json
    full = town.schedule(registration_required=True, capacity=3)
    first = token_of(register(client, town.a, full["id"], name="Anne", party_size="3"))
    open_event = town.schedule(title="Papotage", kind="papotage")
    with town.runtime.unit_of_work() as uow:  # an event of last month, held: history, set up directly
        last_month = utc(days=-30)
        held = handlers.schedule_event(uow, town.a, now=utc(days=-40), kind="papotage", title="Passé",
                                       starts_at=last_month, ends_at=last_month + timedelta(hours=2),
                                       place_name="Café", phase=2, registration_required=True)
    with town.runtime.unit_of_work() as uow:
        handlers.record_attendance(uow, town.a, held.id, 12, now=utc(days=-29))
    other = town.schedule(town.b, who="coordinator_b", title="Événement de B", registration_required=True)
    other_series = client.post(f"{town.api(town.b)}/series", json={"title": "Série B"},
                               headers=town.headers("coordinator_b")).json
    return {"series": series["id"], "event": full["id"], "open": open_event["id"], "held": held.id,
            "other": other["id"], "other_series": other_series["id"], "token": first}


def write_routes(town, scene):
    """(method, url, schema, a valid body)."""
    a = town.api(town.a)
    event = f"{a}/events/{scene['event']}"
    return [
        ("POST", f"{a}/series", schemas.SeriesCreateSchema(), {"title": "Série"}),
        ("PATCH", f"{a}/series/{scene['series']}", schemas.SeriesUpdateSchema(), {"title": "Autre"}),
        ("POST", f"{a}/events", schemas.EventCreateSchema(), valid_event()),
        ("PATCH", event, schemas.EventUpdateSchema(), {"title": "Autre"}),
        ("POST", f"{event}/cancel", schemas.CancelSchema(), {"reason": "Pluie"}),
        ("POST", f"{event}/registrations", schemas.RegistrationCreateSchema(), {"name": "Zoé"}),
        ("PUT", f"{event}/attendance", schemas.AttendanceSchema(), {"head_count": 3}),
        ("POST", f"{event}/feedback", schemas.FeedbackCreateSchema(), {"satisfaction": 4, "met_someone_new": True}),
    ]


def valid_event(**overrides) -> dict:
    starts = utc(days=10)
    return {"kind": "forum_citoyen", "title": "Forum citoyen", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(), "place_name": "Salle communale",
            "phase": 3, **overrides}


def test_every_bad_body_is_refused_naming_the_field_and_changes_nothing(town, scene):
    client, headers = town.client(), town.headers("coordinator_a")
    before = database_snapshot(town.runtime.engine)
    checked = 0
    for method, url, schema, valid in write_routes(town, scene):
        for case, field, body in bad_bodies(schema, valid):
            response = client.open(url, method=method, json=body, headers=headers)
            assert response.status_code == 422, (method, url, case, field, response.status_code, response.json)
            named = response.json["errors"]["json"]
            assert field in named, (method, url, case, field, named)
            checked += 1
    assert checked > 60
    assert database_snapshot(town.runtime.engine) == before


def refused(response, status: int, field: str) -> str:
    assert response.status_code == status, (response.status_code, response.json)
    messages = response.json["errors"]["json"][field]
    assert messages and all(isinstance(m, str) and m for m in messages)
    return messages[0]


def test_the_rules_of_the_issue_are_refused_with_the_field_named_and_nothing_stored(town, scene):
    client, headers = town.client(), town.headers("coordinator_a")
    a, en = town.api(town.a), town.headers("coordinator_a", "en")
    before = database_snapshot(town.runtime.engine)

    # End before start; a new event in the past; an unknown partner; another commune's series.
    assert refused(client.post(f"{a}/events", headers=en, json=valid_event(
        ends_at=utc(days=9).isoformat())), 422, "ends_at") == "The end must come after the start."
    assert "past" in refused(client.post(f"{a}/events", headers=en, json=valid_event(
        starts_at=utc(hours=-1).isoformat(), ends_at=utc(hours=1).isoformat())), 422, "starts_at")
    assert "p-unknown" in refused(client.post(f"{a}/events", headers=headers, json=valid_event(
        partner_ids=["p-unknown"])), 422, "partner_ids")
    assert "partner_ids" in client.post(f"{a}/events", headers=headers, json=valid_event(
        partner_ids=town.partners[town.b])).json["errors"]["json"]  # B's partner is not A's
    refused(client.post(f"{a}/events", headers=headers, json=valid_event(series_id=scene["other_series"])),
            404, "series_id")
    refused(client.patch(f"{a}/events/{scene['event']}", headers=headers, json={"partner_ids": ["p-unknown"]}),
            422, "partner_ids")
    refused(client.patch(f"{a}/events/{scene['event']}", headers=headers,
                         json={"ends_at": utc(days=1).isoformat()}), 422, "ends_at")

    # Capacity below the people registered.
    assert "3" in refused(client.patch(f"{a}/events/{scene['event']}", headers=headers, json={"capacity": 2}),
                          409, "capacity")

    # Registering: a full event without the waiting list, a party too large or too small, a
    # cancelled event, a past (held) one, one without registration.
    event = f"{a}/events/{scene['event']}/registrations"
    refused(client.post(event, headers=headers, json={"name": "Zoé"}), 409, "waiting_list")
    for size in (0, 11, -1):
        refused(client.post(event, headers=headers, json={"name": "Zoé", "party_size": size}), 422, "party_size")
    refused(client.post(f"{a}/events/{scene['held']}/registrations", headers=headers, json={"name": "Zoé"}),
            409, "event")
    refused(client.post(f"{a}/events/{scene['open']}/registrations", headers=headers, json={"name": "Zoé"}),
            409, "event")

    # A held event keeps its date; it cannot be cancelled.
    held = f"{a}/events/{scene['held']}"
    refused(client.patch(held, headers=headers, json={"starts_at": utc(days=3).isoformat()}), 409, "starts_at")
    refused(client.patch(held, headers=headers, json={"ends_at": utc(days=-1).isoformat()}), 409, "ends_at")
    refused(client.post(f"{held}/cancel", headers=headers, json={"reason": "Trop tard"}), 409, "event")

    # Attendance and feedback before the event; attendance below the registered who came.
    refused(client.put(f"{a}/events/{scene['event']}/attendance", headers=headers, json={"head_count": 3}),
            409, "head_count")
    refused(client.post(f"{a}/events/{scene['event']}/feedback", headers=headers,
                        json={"satisfaction": 4, "met_someone_new": True}), 409, "event")
    refused(client.put(f"{held}/attendance", headers=headers,
                       json={"head_count": 3, "attended_registration_ids": [999]}), 422, "attended_registration_ids")

    # A series title twice.
    refused(client.post(f"{a}/series", headers=headers, json={"title": "semaine"}), 409, "title")
    assert database_snapshot(town.runtime.engine) == before


def test_a_cancelled_event_takes_no_registration_and_no_change(town, scene):
    client, headers = town.client(), town.headers("coordinator_a")
    a = town.api(town.a)
    csrf = csrf_token(client, f"/events/r/{scene['token']}")  # Anne's page, open before the cancellation
    assert client.post(f"{a}/events/{scene['open']}/cancel", headers=headers, json={"reason": "Pluie"}).status_code == 200
    assert client.post(f"{a}/events/{scene['event']}/cancel", headers=headers, json={"reason": "Pluie"}).status_code == 200
    before = database_snapshot(town.runtime.engine)
    refused(client.post(f"{a}/events/{scene['event']}/registrations", headers=headers,
                        json={"name": "Zoé", "waiting_list": True}), 409, "event")
    refused(client.patch(f"{a}/events/{scene['event']}", headers=headers, json={"title": "Autre"}), 409, "event")
    refused(client.post(f"{a}/events/{scene['event']}/cancel", headers=headers, json={"reason": "Encore"}), 409, "event")
    cancel_mine = client.post(f"/events/r/{scene['token']}/cancel", data={"csrf_token": csrf})
    assert cancel_mine.status_code == 409
    assert database_snapshot(town.runtime.engine) == before


def test_another_communes_event_is_not_found_through_ones_own_commune(town, scene):
    client, headers = town.client(), town.headers("coordinator_a")
    other = f"{town.api(town.a)}/events/{scene['other']}"
    before = database_snapshot(town.runtime.engine)
    for method, url, body in [("GET", other, None), ("PATCH", other, {"title": "Pris"}),
                              ("POST", f"{other}/cancel", {"reason": "x"}),
                              ("POST", f"{other}/registrations", {"name": "Zoé"}),
                              ("GET", f"{other}/registrations", None),
                              ("PUT", f"{other}/attendance", {"head_count": 1}),
                              ("POST", f"{other}/feedback", {"satisfaction": 1, "met_someone_new": False}),
                              ("GET", f"{town.api(town.a)}/series/{scene['other_series']}", None)]:
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Événement de B" not in response.get_data(as_text=True)
    assert client.get(f"/events/c/{town.a}/e/{scene['other']}").status_code == 404
    assert database_snapshot(town.runtime.engine) == before


# -- the public forms ------------------------------------------------------------------------
@pytest.mark.parametrize("form, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "Zoé", "contact": "x" * 201}, "contact"),
    ({"name": "Zoé", "party_size": "0"}, "party_size"),
    ({"name": "Zoé", "party_size": "11"}, "party_size"),
    ({"name": "Zoé", "party_size": "beaucoup"}, "party_size"),
    ({"name": "Zoé", "party_size": "1"}, "waiting_list"),  # full, and the waiting list not accepted
])
def test_the_public_registration_form_shows_the_error_next_to_its_field(town, scene, form, field):
    client = town.client()
    before = database_snapshot(town.runtime.engine)
    response = register(client, town.a, scene["event"], **form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="register-{field}-error"' in page, page[page.find("<main"):][:3000]
    if field != "waiting_list":
        assert f'aria-describedby="register-{field}-error"' in page or f'register-{field}-error"' in page
        assert 'aria-invalid="true"' in page
    assert database_snapshot(town.runtime.engine) == before


def test_registering_after_the_start_is_refused_on_the_public_form(town, scene):
    client = town.client()
    csrf = csrf_token(client, f"/events/c/{town.a}/e/{scene['event']}")
    before = database_snapshot(town.runtime.engine)
    response = register(client, town.a, scene["held"], csrf, name="Zoé")
    assert response.status_code == 422
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert 'id="form-error"' in page and "les inscriptions sont closes" in page
    assert database_snapshot(town.runtime.engine) == before


def test_public_forms_without_their_csrf_token_are_refused(town, scene):
    client = town.client()
    before = database_snapshot(town.runtime.engine)
    assert client.post(f"/events/c/{town.a}/e/{scene['event']}",
                       data={"name": "Zoé", "party_size": "1", "waiting_list": "true"}).status_code == 400
    assert client.post(f"/events/r/{scene['token']}/cancel").status_code == 400
    held_feedback = feedback_link(town, scene["held"])
    assert client.post(held_feedback, data={"satisfaction": "4", "met_someone_new": "true"}).status_code == 400
    assert database_snapshot(town.runtime.engine) == before


@pytest.mark.parametrize("form, field", [
    ({"met_someone_new": "true"}, "satisfaction"),
    ({"satisfaction": "6", "met_someone_new": "true"}, "satisfaction"),
    ({"satisfaction": "0", "met_someone_new": "false"}, "satisfaction"),
    ({"satisfaction": "4"}, "met_someone_new"),
    ({"satisfaction": "4", "met_someone_new": "peut-être"}, "met_someone_new"),
    ({"satisfaction": "4", "met_someone_new": "true", "comment": "x" * 2001}, "comment"),
])
def test_the_public_feedback_form_shows_the_error_next_to_its_field(town, scene, form, field):
    client = town.client()
    link = feedback_link(town, scene["held"])
    data = {"csrf_token": csrf_token(client, link), **form}
    before = database_snapshot(town.runtime.engine)
    response = client.post(link, data=data)
    assert response.status_code == 422
    assert f'id="feedback-{field}-error"' in response.get_data(as_text=True)
    assert database_snapshot(town.runtime.engine) == before


def test_feedback_before_the_event_is_refused(town, scene):
    client = town.client()
    link = feedback_link(town, scene["event"])
    page = client.get(link).get_data(as_text=True)
    assert 'name="satisfaction"' not in page  # the form waits for the event
    before = database_snapshot(town.runtime.engine)
    response = client.post(link, data={"csrf_token": csrf_token(client, f"/events/c/{town.a}/e/{scene['event']}"),
                                       "satisfaction": "5", "met_someone_new": "true"})
    assert response.status_code == 422
    assert database_snapshot(town.runtime.engine) == before


def test_a_client_posting_public_forms_too_fast_is_slowed_down_and_nothing_stored(town, monkeypatch):
    monkeypatch.setenv("ASP_PUBLIC_RATE_LIMIT", "2/minute")
    event = town.schedule(registration_required=True)  # the app starts here, with that limit
    client = town.client()
    csrf = csrf_token(client, f"/events/c/{town.a}/e/{event['id']}")
    assert [register(client, town.a, event["id"], csrf, name=f"Personne {n}").status_code for n in range(2)] == [303, 303]
    before = database_snapshot(town.runtime.engine)
    slowed = register(client, town.a, event["id"], csrf, name="Une de trop")
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1
    assert database_snapshot(town.runtime.engine) == before


def test_unknown_links_are_not_found(town, scene):
    client = town.client()
    assert client.get("/events/r/not-a-token").status_code == 404
    assert client.get("/events/feedback/not-a-token").status_code == 404
    assert client.get(f"/events/c/{town.a}/e/not-an-event").status_code == 404
    assert client.get("/events/c/nowhere").status_code == 404


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"),
    (b"x" * (1024 * 1024 + 1), "application/json"),
    (b"title=x", "application/x-www-form-urlencoded"),
    (b"[1, 2]", "application/json"),
    (b"null", "application/json"),
])
def test_malformed_bodies_get_a_4xx_never_a_500(town, scene, body, content_type):
    client = town.client()
    before = database_snapshot(town.runtime.engine)
    for url in (f"{town.api(town.a)}/events", f"{town.api(town.a)}/events/{scene['event']}/registrations"):
        response = client.post(url, data=body, content_type=content_type, headers=town.headers("coordinator_a"))
        assert 400 <= response.status_code < 500, response.status_code
        assert response.json["message"]
    assert database_snapshot(town.runtime.engine) == before


def test_errors_are_in_the_callers_language(town, scene):
    client = town.client()
    url = f"{town.api(town.a)}/events"
    body = valid_event(ends_at=utc(days=9).isoformat())
    said = {language: client.post(url, json=body, headers=town.headers("coordinator_a", language)).json
            for language in ("fr", "de", "en")}
    assert said["fr"]["errors"]["json"]["ends_at"] == ["La fin doit suivre le début."]
    assert said["de"]["errors"]["json"]["ends_at"] == ["Das Ende muss nach dem Beginn liegen."]
    assert said["en"]["errors"]["json"]["ends_at"] == ["The end must come after the start."]


def feedback_link(town, event_id: str) -> str:
    response = town.client().get(f"{town.api(town.a)}/events/{event_id}", headers=town.headers("coordinator_a"))
    return f"/events/feedback/{response.json['feedback_token']}"

