"""Every write route of the partners' API: bad input gets a 4xx naming the field, and changes
nothing — wrong bodies, and each rule of the issue: a status skipping back without a reason,
duplicate names (case and accents aside), links to unknown partners, another commune's partner."""
import pytest

from tests.support.bad_input import bad_bodies
from tests.support.snapshots import database_snapshot

from partners.api import schemas


@pytest.fixture
def existing(pw):
    client, headers = pw.client(), pw.headers("coordinator_a")
    regional = client.post("/partners/api/v1/regional-partners", headers=pw.headers("regional"),
                           json={"name": "Caritas Jura", "kind": "social_service"}).json
    parish = client.post(pw.api() + "/partners", headers=headers,
                         json={"name": "Société de jeunesse", "kind": "club", "status": "active"}).json
    school = client.post(pw.api() + "/partners", headers=headers, json={"name": "École", "kind": "school"}).json
    contact = client.post(pw.api() + f"/partners/{parish['id']}/contacts", headers=headers,
                          json={"name": "Anne Exemple"}).json
    other = client.post(pw.api(pw.commune_b) + "/partners", headers=pw.headers("coordinator_b"),
                        json={"name": "Paroisse de B", "kind": "parish"}).json
    return {"regional": regional["id"], "partner": parish["id"], "school": school["id"],
            "contact": contact["id"], "other_commune_partner": other["id"]}


def write_routes(pw, ids):
    a = pw.api()
    partner = f"{a}/partners/{ids['partner']}"
    return [
        ("POST", "/partners/api/v1/regional-partners", schemas.OrganisationSchema(),
         {"name": "Pro Senectute", "kind": "association"}, "regional"),
        ("PATCH", f"/partners/api/v1/regional-partners/{ids['regional']}", schemas.OrganisationUpdateSchema(),
         {"name": "Caritas Jura (Delémont)"}, "regional"),
        ("POST", f"{a}/partners", schemas.PartnerCreateSchema(), {"name": "Ludothèque", "kind": "association"},
         "coordinator_a"),
        ("PATCH", partner, schemas.PartnerUpdateSchema(), {"address": "Rue 1"}, "coordinator_a"),
        ("POST", f"{a}/partnerships", schemas.JoinSchema(), {"partner_id": ids["regional"]}, "coordinator_a"),
        ("POST", f"{partner}/status", schemas.StatusChangeSchema(), {"status": "inactive"}, "coordinator_a"),
        ("PUT", f"{partner}/roles", schemas.RolesSchema(), {"roles": ["venue"]}, "coordinator_a"),
        ("POST", f"{partner}/contacts", schemas.ContactCreateSchema(), {"name": "Bruno"}, "coordinator_a"),
        ("PATCH", f"{partner}/contacts/{ids['contact']}", schemas.ContactUpdateSchema(), {"function": "Caissier"},
         "coordinator_a"),
        ("POST", f"{partner}/notes", schemas.NoteCreateSchema(), {"happened_on": "2026-01-05", "summary": "Vu"},
         "coordinator_a"),
        ("POST", f"{a}/links", schemas.LinkCreateSchema(),
         {"partner_id": ids["partner"], "target_type": "partner", "target_id": ids["school"],
          "relation": "works_with"}, "coordinator_a"),
    ]


def test_every_bad_body_is_refused_naming_the_field_and_changes_nothing(pw, existing):
    client = pw.client()
    before = database_snapshot(pw.runtime.engine)
    checked = 0
    for method, url, schema, valid, who in write_routes(pw, existing):
        for case, field, body in bad_bodies(schema, valid):
            response = client.open(url, method=method, json=body, headers=pw.headers(who))
            assert response.status_code == 422, (method, url, case, field, response.status_code, response.json)
            named = response.json["errors"]["json"]
            assert field in named, (method, url, case, field, named)
            assert all(isinstance(m, str) and m for m in named[field]), named
            checked += 1
    assert checked > 60
    assert database_snapshot(pw.runtime.engine) == before


@pytest.mark.parametrize("body, content_type", [
    (b"{not json", "application/json"), (b"x" * (1024 * 1024 + 1), "application/json"),
    (b"name=x", "application/x-www-form-urlencoded"), (b"[1, 2]", "application/json"), (b"null", "application/json"),
])
def test_malformed_bodies_get_a_4xx_never_a_500(pw, body, content_type):
    before = database_snapshot(pw.runtime.engine)
    response = pw.client().post(pw.api() + "/partners", data=body, content_type=content_type,
                                headers=pw.headers("coordinator_a"))
    assert 400 <= response.status_code < 500 and response.json["message"]
    assert database_snapshot(pw.runtime.engine) == before


def refused(pw, method, path, body, status, field, who="coordinator_a"):
    response = pw.client().open(pw.api() + path, method=method, json=body, headers=pw.headers(who))
    assert response.status_code == status, (path, response.status_code, response.json)
    assert field in response.json["errors"]["json"], response.json
    return response.json["errors"]["json"][field]


def test_a_status_change_skipping_back_without_a_reason_is_refused(pw, existing):
    before = database_snapshot(pw.runtime.engine)
    path = f"/partners/{existing['partner']}/status"
    [message] = refused(pw, "POST", path, {"status": "contacted"}, 422, "reason")
    assert "raison" in message  # in the caller's language: French by default
    refused(pw, "POST", path, {"status": "identified", "reason": "   "}, 422, "reason")
    refused(pw, "POST", path, {"status": "inactive", "changed_on": "2099-01-01"}, 422, "changed_on")
    refused(pw, "POST", path, {"status": "inactive", "changed_on": "2000-01-01"}, 422, "changed_on")
    assert database_snapshot(pw.runtime.engine) == before
    moved = pw.client().post(pw.api() + path, json={"status": "contacted", "reason": "Nouveau comité"},
                             headers=pw.headers("coordinator_a"))
    assert moved.status_code == 200 and moved.json["history"][-1]["reason"] == "Nouveau comité"


@pytest.mark.parametrize("name", ["societe de JEUNESSE", "  Société   de jeunesse ", "Société-de-Jeunesse"])
def test_a_duplicate_name_in_the_commune_is_refused_case_and_accents_aside(pw, existing, name):
    before = database_snapshot(pw.runtime.engine)
    [message] = refused(pw, "POST", "/partners", {"name": name, "kind": "club"}, 409, "name")
    assert "Société de jeunesse" in message
    refused(pw, "PATCH", f"/partners/{existing['school']}", {"name": name}, 409, "name")
    assert database_snapshot(pw.runtime.engine) == before


def test_the_same_name_in_another_commune_is_fine(pw, existing):
    response = pw.client().post(pw.api(pw.commune_b) + "/partners", headers=pw.headers("coordinator_b"),
                                json={"name": "Société de jeunesse", "kind": "club"})
    assert response.status_code == 201


def test_a_regional_partners_name_cannot_be_copied_and_it_is_joined_only_once(pw, existing):
    before = database_snapshot(pw.runtime.engine)
    refused(pw, "POST", "/partners", {"name": "CARITAS jura", "kind": "social_service"}, 409, "name")
    refused(pw, "POST", "/partnerships", {"partner_id": "no-such-partner"}, 404, "partner_id")
    regional = pw.client().post("/partners/api/v1/regional-partners", headers=pw.headers("regional"),
                                json={"name": "caritas JURA", "kind": "social_service"})
    assert regional.status_code == 409 and "name" in regional.json["errors"]["json"]
    assert database_snapshot(pw.runtime.engine) == before
    assert pw.client().post(pw.api() + "/partnerships", json={"partner_id": existing["regional"]},
                            headers=pw.headers("coordinator_a")).status_code == 201
    refused(pw, "POST", "/partnerships", {"partner_id": existing["regional"]}, 409, "partner_id")


def test_a_commune_cannot_change_a_regional_partners_details(pw, existing):
    pw.client().post(pw.api() + "/partnerships", json={"partner_id": existing["regional"]},
                     headers=pw.headers("coordinator_a"))
    before = database_snapshot(pw.runtime.engine)
    refused(pw, "PATCH", f"/partners/{existing['regional']}", {"name": "Caritas"}, 403, "name")
    assert database_snapshot(pw.runtime.engine) == before


def test_links_to_unknown_partners_events_or_actions_are_refused(pw, existing):
    before = database_snapshot(pw.runtime.engine)
    link = {"partner_id": existing["partner"], "target_type": "partner", "target_id": "unknown",
            "relation": "works_with"}
    refused(pw, "POST", "/links", link, 404, "target_id")
    refused(pw, "POST", "/links", {**link, "partner_id": "unknown", "target_id": existing["school"]}, 404, "partner_id")
    refused(pw, "POST", "/links", {**link, "target_type": "event", "target_id": "ev-404", "relation": "involved"},
            404, "target_id")
    refused(pw, "POST", "/links", {**link, "target_type": "action", "target_id": "7", "relation": "involved"},
            404, "target_id")
    refused(pw, "POST", "/links", {**link, "target_id": existing["partner"]}, 422, "target_id")
    refused(pw, "POST", "/links", {**link, "target_id": existing["school"], "relation": "involved"}, 422, "relation")
    assert database_snapshot(pw.runtime.engine) == before


def test_a_link_is_drawn_once_whichever_way_round(pw, existing):
    link = {"partner_id": existing["partner"], "target_type": "partner", "target_id": existing["school"],
            "relation": "works_with"}
    assert pw.client().post(pw.api() + "/links", json=link, headers=pw.headers("coordinator_a")).status_code == 201
    reverse = {**link, "partner_id": existing["school"], "target_id": existing["partner"]}
    refused(pw, "POST", "/links", reverse, 409, "target_id")


def test_another_communes_partner_is_not_found_from_this_commune(pw, existing):
    theirs = existing["other_commune_partner"]
    before = database_snapshot(pw.runtime.engine)
    client, headers = pw.client(), pw.headers("coordinator_a")
    for method, path, body in [
        ("GET", f"/partners/{theirs}", None), ("PATCH", f"/partners/{theirs}", {"notes": "x"}),
        ("POST", f"/partners/{theirs}/status", {"status": "active"}),
        ("PUT", f"/partners/{theirs}/roles", {"roles": ["venue"]}),
        ("POST", f"/partners/{theirs}/contacts", {"name": "X"}),
        ("POST", f"/partners/{theirs}/notes", {"happened_on": "2026-01-05", "summary": "x"}),
        ("DELETE", f"/partners/{theirs}", None),
        ("POST", "/partnerships", {"partner_id": theirs}),
    ]:
        response = client.open(pw.api() + path, method=method, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.status_code)
        assert b"Paroisse de B" not in response.data
    refused(pw, "POST", "/links", {"partner_id": existing["partner"], "target_type": "partner",
                                   "target_id": theirs, "relation": "works_with"}, 404, "target_id")
    assert database_snapshot(pw.runtime.engine) == before


def test_dates_in_the_future_are_refused_for_notes_and_first_statuses(pw, existing):
    before = database_snapshot(pw.runtime.engine)
    refused(pw, "POST", f"/partners/{existing['partner']}/notes", {"happened_on": "2099-01-01", "summary": "x"},
            422, "happened_on")
    refused(pw, "POST", "/partners", {"name": "Nouveau", "kind": "other", "status_since": "2099-01-01"},
            422, "status_since")
    refused(pw, "POST", "/partners", {"name": "Nouveau", "kind": "other", "website": "javascript:alert(1)"},
            422, "website")
    assert database_snapshot(pw.runtime.engine) == before


def test_unknown_rows_answer_404_and_a_learned_link_cannot_be_removed_here(pw, existing):
    client, headers = pw.client(), pw.headers("coordinator_a")
    assert client.delete(pw.api() + "/links/nope", headers=headers).status_code == 404
    assert client.delete(pw.api() + f"/partners/{existing['partner']}/contacts/999", headers=headers).status_code == 404
    assert client.delete(pw.api() + f"/partners/{existing['partner']}/notes/999", headers=headers).status_code == 404
    assert client.post(pw.api() + "/imports/nope/confirm", headers=headers).status_code == 404
    assert client.get("/partners/api/v1/communes/nowhere/partners", headers=pw.headers("regional")).status_code == 404
