"""A token of commune A never reads or changes anything of commune B — on every route of the
partners service; viewers change nothing; contact persons only for the commune's coordinators.

The routes come from the app itself, so a new route is covered without editing this test.
"""
import io
import re

from tests.support.snapshots import database_snapshot

SECRET_WORDS = (b"Paroisse de B", b"Marguerite Cachee", b"marguerite@example.ch", b"Rencontre B")


def commune_routes(app):
    for rule in app.url_map.iter_rules():
        if "commune" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def fill(rule: str, commune: str, ids: dict) -> str:
    def value(match):
        name = match.group(1).split(":")[-1]
        return commune if name == "commune" else str(ids[name])
    return re.sub(r"<([^>]+)>", value, rule)


def seed_commune_b(pw) -> dict:
    """A whole network in commune B, so that every route of B has something to leak."""
    client, headers = pw.client(), pw.headers("coordinator_b")
    b = pw.api(pw.commune_b)
    parish = client.post(f"{b}/partners", headers=headers, json={"name": "Paroisse de B", "kind": "parish"}).json
    club = client.post(f"{b}/partners", headers=headers, json={"name": "Club de B", "kind": "club"}).json
    contact = client.post(f"{b}/partners/{parish['id']}/contacts", headers=headers,
                          json={"name": "Marguerite Cachee", "email": "marguerite@example.ch"}).json
    note = client.post(f"{b}/partners/{parish['id']}/notes", headers=headers,
                       json={"happened_on": "2026-01-05", "summary": "Rencontre B"}).json
    link = client.post(f"{b}/links", headers=headers, json={"partner_id": parish["id"], "target_type": "partner",
                                                            "target_id": club["id"], "relation": "works_with"}).json
    preview = client.post(f"{b}/imports", headers=headers, content_type="multipart/form-data",
                          data={"file": (io.BytesIO("Nom;Type\nLudothèque de B;Association\n".encode()), "b.csv")})
    return {"partner_id": parish["id"], "contact_id": contact["id"], "note_id": note["id"], "link_id": link["id"],
            "import_id": preview.json["import_id"], "file_format": "csv"}


def test_the_app_has_commune_routes_to_check(pw):
    assert len(list(commune_routes(pw.app()))) >= 40


def test_a_coordinator_of_a_gets_nothing_of_b_on_any_route(pw):
    ids = seed_commune_b(pw)
    client = pw.client()
    before = database_snapshot(pw.runtime.engine)
    with client.session_transaction() as session:  # the pages' sign-in, for the page routes
        session["access_token"] = pw.token("coordinator_a")
    for method, rule in commune_routes(pw.app()):
        url = fill(rule, pw.commune_b, ids)
        response = client.open(url, method=method, json={} if method != "GET" else None,
                               headers=pw.headers("coordinator_a") if "/api/" in rule else {})
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert not any(word in response.data for word in SECRET_WORDS), (method, url)
    assert database_snapshot(pw.runtime.engine) == before


def test_a_viewer_changes_nothing_even_in_their_own_commune(pw):
    client, headers = pw.client(), pw.headers("coordinator_a")
    partner = client.post(pw.api() + "/partners", headers=headers, json={"name": "Paroisse", "kind": "parish"}).json
    contact = client.post(pw.api() + f"/partners/{partner['id']}/contacts", headers=headers,
                          json={"name": "Anne"}).json
    ids = {"partner_id": partner["id"], "contact_id": contact["id"], "note_id": 1, "link_id": "x",
           "import_id": "x", "file_format": "csv"}
    before = database_snapshot(pw.runtime.engine)
    for method, rule in commune_routes(pw.app()):
        if method == "GET" or "/api/" not in rule:
            continue
        response = client.open(fill(rule, pw.commune_a, ids), method=method,
                               json={"name": "x", "status": "active", "roles": []}, headers=pw.headers("viewer_a"))
        assert response.status_code == 403, (method, rule, response.status_code)
    assert database_snapshot(pw.runtime.engine) == before


def test_without_a_token_the_api_answers_401_and_pages_send_to_the_sign_in(pw):
    ids = {"partner_id": "p", "contact_id": 1, "note_id": 1, "link_id": "l", "import_id": "i", "file_format": "csv"}
    client = pw.client()
    before = database_snapshot(pw.runtime.engine)
    for method, rule in commune_routes(pw.app()):
        response = client.open(fill(rule, pw.commune_a, ids), method=method, json={} if method != "GET" else None)
        if "/api/" in rule:
            assert response.status_code == 401, (method, rule)
        else:
            assert response.status_code == 302 and "/programme/login" in response.headers["Location"], rule
    assert database_snapshot(pw.runtime.engine) == before


def test_contact_persons_are_for_the_communes_coordinators_only(pw):
    client, headers = pw.client(), pw.headers("coordinator_a")
    partner = client.post(pw.api() + "/partners", headers=headers, json={"name": "Paroisse", "kind": "parish"}).json
    contacts = pw.api() + f"/partners/{partner['id']}/contacts"
    assert client.post(contacts, headers=headers, json={"name": "Anne Privée", "phone": "032 000 00 00"}).status_code == 201
    assert [c["name"] for c in client.get(contacts, headers=headers).json] == ["Anne Privée"]
    for who in ("viewer_a", "regional", "coordinator_b"):
        response = client.get(contacts, headers=pw.headers(who))
        assert response.status_code == 403 and b"Anne" not in response.data, who
        export = client.get(pw.api() + "/export?format=csv", headers=pw.headers(who))
        assert b"Anne" not in export.data and "Privée".encode() not in export.data, who
    assert "Anne Privée" in client.get(pw.api() + "/export?format=csv", headers=headers).data.decode("utf-8-sig")
    with client.session_transaction() as session:
        session["access_token"] = pw.token("viewer_a")
    page = client.get(f"/partners/communes/{pw.commune_a}/partners/{partner['id']}")
    assert page.status_code == 200 and "Anne Privée".encode() not in page.data and b'id="contacts"' not in page.data


def test_a_regional_admin_reads_and_changes_every_commune_but_sees_no_contact_person(pw):
    ids = seed_commune_b(pw)
    client, headers = pw.client(), pw.headers("regional")
    b = pw.api(pw.commune_b)
    assert [p["name"] for p in client.get(f"{b}/partners", headers=headers).json] == ["Club de B", "Paroisse de B"]
    assert client.post(f"{b}/partners/{ids['partner_id']}/status", headers=headers,
                       json={"status": "contacted"}).status_code == 200
    assert client.get(f"{b}/partners/{ids['partner_id']}/contacts", headers=headers).status_code == 403


def test_only_the_region_registers_or_changes_regional_partners(pw):
    client = pw.client()
    for who in ("coordinator_a", "viewer_a"):
        response = client.post("/partners/api/v1/regional-partners", headers=pw.headers(who),
                                json={"name": "Caritas Jura", "kind": "social_service"})
        assert response.status_code == 403
    made = client.post("/partners/api/v1/regional-partners", headers=pw.headers("regional"),
                       json={"name": "Caritas Jura", "kind": "social_service"}).json
    assert client.patch(f"/partners/api/v1/regional-partners/{made['id']}", headers=pw.headers("coordinator_a"),
                        json={"name": "Autre"}).status_code == 403
    listed = client.get("/partners/api/v1/regional-partners", headers=pw.headers("viewer_a"))
    assert [p["name"] for p in listed.json] == ["Caritas Jura"]
    assert client.get("/partners/api/v1/regional-partners").status_code == 401
