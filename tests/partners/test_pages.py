"""The partners' pages through HTTP (no browser): French first, forms that show each error
next to its field, CSRF on every form, and what a viewer may not see or do."""
import io
import re

import pytest

from tests.support.snapshots import database_snapshot


def signed_in(pw, who="coordinator_a"):
    client = pw.client()
    with client.session_transaction() as session:
        session["access_token"] = pw.token(who)
    return client


def csrf(client, url) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).data.decode()).group(1)


def page(pw, path="") -> str:
    return f"/partners/communes/{pw.commune_a}{path}"


@pytest.fixture
def parish(pw):
    return pw.client().post(pw.api() + "/partners", headers=pw.headers("coordinator_a"),
                            json={"name": "Paroisse", "kind": "parish", "status": "active"}).json


def test_partners_leads_a_signed_in_person_to_their_commune_and_others_to_the_sign_in(pw):
    assert pw.client().get("/partners/").headers["Location"].startswith("/programme/login?next=")
    assert signed_in(pw).get("/partners/").headers["Location"].endswith(page(pw))
    regional = signed_in(pw, "regional").get("/partners/")
    assert regional.status_code == 200 and b"Commune A" in regional.data and b"Commune B" in regional.data


def test_the_pages_speak_french_first(pw, parish):
    client = signed_in(pw)
    for path in ("", "/new", f"/partners/{parish['id']}", "/network", "/import"):
        response = client.get(page(pw, path))
        assert response.status_code == 200 and response.headers["Content-Language"] == "fr", path
        assert 'lang="fr"' in response.data.decode()
    assert "Partenaires de Commune A" in client.get(page(pw)).data.decode()
    assert "Partner von Commune A" in client.get(page(pw) + "?lang=de").data.decode()


def test_adding_a_partner_without_name_shows_the_error_next_to_the_field_and_stores_nothing(pw):
    client = signed_in(pw)
    token = csrf(client, page(pw, "/new"))
    before = database_snapshot(pw.runtime.engine)
    response = client.post(page(pw, "/new"), data={"csrf_token": token, "kind": "parish", "name": ""})
    html = response.data.decode()
    assert response.status_code == 422
    assert re.search(r'<input type="text" id="partner-name" name="name" value="" required aria-invalid="true" '
                     r'aria-describedby="partner-name-error"', html)
    assert 'id="partner-name-error"' in html and "obligatoire" in html
    assert database_snapshot(pw.runtime.engine) == before


def test_a_duplicate_name_on_the_page_is_refused_case_and_accents_aside(pw, parish):
    client = signed_in(pw)
    response = client.post(page(pw, "/new"), data={"csrf_token": csrf(client, page(pw, "/new")),
                                                   "name": "PAROISSE", "kind": "parish"})
    assert response.status_code == 422 and "travaille déjà avec Paroisse" in response.data.decode()


def test_a_coordinator_adds_a_partner_then_moves_it_back_only_with_a_reason(pw):
    client = signed_in(pw)
    added = client.post(page(pw, "/new"), data={"csrf_token": csrf(client, page(pw, "/new")), "name": "École",
                                                "kind": "school", "status": "engaged", "roles": ["relay", "venue"],
                                                "themes": "enfance, familles"})
    assert added.status_code == 302
    file_url = added.headers["Location"]
    token = csrf(client, file_url)
    back = client.post(file_url + "/status", data={"csrf_token": token, "status": "identified", "reason": ""})
    assert back.status_code == 422
    assert 'id="status-reason" name="reason" rows="3" aria-invalid="true"' in back.data.decode()
    moved = client.post(file_url + "/status", data={"csrf_token": token, "status": "identified",
                                                     "reason": "Changement de direction"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("#status")
    html = client.get(file_url).data.decode()
    assert "Changement de direction" in html and "engagé → identifié" in html


def test_every_form_needs_its_csrf_token(pw, parish):
    client = signed_in(pw)
    before = database_snapshot(pw.runtime.engine)
    for path, data in ((page(pw, "/new"), {"name": "X", "kind": "other"}),
                       (page(pw, f"/partners/{parish['id']}/status"), {"status": "inactive"}),
                       (page(pw, f"/partners/{parish['id']}/end"), {})):
        assert client.post(path, data=data).status_code == 400, path
    assert database_snapshot(pw.runtime.engine) == before


def test_a_viewer_sees_the_partner_but_no_form_no_contact_and_no_log(pw, parish):
    coordinator = signed_in(pw)
    file_url = page(pw, f"/partners/{parish['id']}")
    token = csrf(coordinator, file_url)
    coordinator.post(file_url + "/contacts", data={"csrf_token": token, "name": "Anne Privée"})
    coordinator.post(file_url + "/notes", data={"csrf_token": token, "happened_on": "2026-01-05",
                                                "summary": "Rencontre discrète"})
    assert "Anne Privée" in coordinator.get(file_url).data.decode()
    html = signed_in(pw, "viewer_a").get(file_url).data.decode()
    assert "Paroisse" in html and "<form method=\"post\"" not in html.split("</header>")[1]
    assert "Anne Privée" not in html and "Rencontre discrète" not in html
    regional = signed_in(pw, "regional").get(file_url).data.decode()
    assert "Rencontre discrète" in regional and "Anne Privée" not in regional
    assert signed_in(pw, "viewer_a").post(file_url + "/contacts", data={"name": "X"}).status_code == 403


def test_erasing_a_contact_from_the_page_deletes_it(pw, parish):
    client = signed_in(pw)
    file_url = page(pw, f"/partners/{parish['id']}")
    token = csrf(client, file_url)
    client.post(file_url + "/contacts", data={"csrf_token": token, "name": "Anne Privée", "email": "pas une adresse"})
    assert "Anne Privée" not in repr(database_snapshot(pw.runtime.engine))  # refused: bad e-mail
    client.post(file_url + "/contacts", data={"csrf_token": token, "name": "Anne Privée", "phone": "032 000 00 00"})
    contact_id = re.search(r"/contacts/(\d+)/erase", client.get(file_url).data.decode()).group(1)
    erased = client.post(f"{file_url}/contacts/{contact_id}/erase", data={"csrf_token": token})
    assert erased.status_code == 302
    assert "Anne Privée" not in repr(database_snapshot(pw.runtime.engine))


def test_the_import_page_previews_errors_row_by_row_and_offers_no_confirmation(pw):
    client = signed_in(pw)
    token = csrf(client, page(pw, "/import"))
    data = "Nom;Type;Statut\nBonne;Association;Actif\nMauvaise;Fusée;Actif\n".encode("cp1252")
    response = client.post(page(pw, "/import"), content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(data), "liste.csv")})
    html = response.data.decode()
    assert response.status_code == 422
    assert 'id="line-3"' in html and "Valeur inconnue « Fusée »" in html
    assert "1 lignes sur 2 contiennent des erreurs" in html and "confirm-import" not in html
    wrong = client.post(page(pw, "/import"), content_type="multipart/form-data",
                        data={"csrf_token": token, "file": (io.BytesIO(b"Couleur\nbleu\n"), "x.csv")})
    assert wrong.status_code == 422 and 'id="import-file-error"' in wrong.data.decode()
    assert "Colonnes inconnues : « Couleur »" in wrong.data.decode()
    huge = client.post(page(pw, "/import"), content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "x.csv")})
    assert huge.status_code == 422 and "trop volumineux" in huge.data.decode()


def test_a_valid_import_is_confirmed_from_the_page(pw):
    client = signed_in(pw)
    token = csrf(client, page(pw, "/import"))
    data = "Nom;Type\nLudothèque;Association\nCrèche;Autre\n".encode("utf-8-sig")
    preview = client.post(page(pw, "/import"), content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(data), "liste.csv")}).data.decode()
    confirm = re.search(r'action="([^"]+/confirm)"', preview).group(1)
    done = client.post(confirm, data={"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(page(pw))
    listed = client.get(page(pw)).data.decode()
    assert "2 partenaires importés." in listed and "Ludothèque" in listed and "Crèche" in listed


def test_the_network_page_draws_the_graph_with_a_legend_and_a_table(pw, parish):
    other = pw.client().post(pw.api() + "/partners", headers=pw.headers("coordinator_a"),
                             json={"name": "École", "kind": "school"}).json
    pw.client().post(pw.api() + "/links", headers=pw.headers("coordinator_a"), json={
        "partner_id": parish["id"], "target_type": "partner", "target_id": other["id"], "relation": "works_with"})
    html = signed_in(pw, "viewer_a").get(page(pw, "/network")).data.decode()
    assert '<svg class="network-graph"' in html and 'role="img"' in html and 'aria-labelledby="graph-title graph-desc"' in html
    assert html.count('class="node node-partner') == 2 and html.count('class="edge edge-works_with"') == 1
    assert "Légende" in html and "travaillent déjà ensemble : École" in html
    assert "<script" not in html and "style=" not in html  # the CSP allows neither


def test_a_regional_admin_registers_a_regional_partner_that_a_commune_then_joins(pw):
    region = signed_in(pw, "regional")
    token = csrf(region, "/partners/regional")
    added = region.post("/partners/regional", data={"csrf_token": token, "name": "Caritas Jura",
                                                    "kind": "social_service", "themes": "précarité"})
    assert added.status_code == 302
    coordinator = signed_in(pw)
    assert coordinator.post("/partners/regional", data={"csrf_token": csrf(coordinator, "/partners/regional"),
                                                        "name": "X", "kind": "other"}).status_code == 403
    listed = coordinator.get(page(pw)).data.decode()
    partner_id = re.search(r'<option value="([^"]+)">Caritas Jura', listed).group(1)
    joined = coordinator.post(page(pw, "/join"), data={"csrf_token": csrf(coordinator, page(pw)),
                                                       "partner_id": partner_id, "status": "contacted"})
    assert joined.status_code == 302
    html = coordinator.get(joined.headers["Location"]).data.decode()
    assert "Caritas Jura" in html and "régional" in html
    edit = coordinator.get(joined.headers["Location"] + "/edit").data.decode()
    assert 'name="name"' not in edit and 'name="notes"' in edit  # the region keeps its details


def test_a_confirmation_that_became_invalid_shows_why_on_the_import_page(pw):
    client = signed_in(pw)
    token = csrf(client, page(pw, "/import"))
    data = "Nom;Type\nLudothèque;Association\n".encode()
    preview = client.post(page(pw, "/import"), content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(data), "liste.csv")}).data.decode()
    pw.client().post(pw.api() + "/partners", headers=pw.headers("coordinator_a"),
                     json={"name": "LUDOTHEQUE", "kind": "association"})
    refused = client.post(re.search(r'action="([^"]+/confirm)"', preview).group(1), data={"csrf_token": token})
    assert refused.status_code == 409
    assert "Rien n'a été importé" in refused.data.decode() or "Rien n&#39;a été importé" in refused.data.decode()
