"""Importing a partner list through HTTP — a preview with each row's errors, then all rows or
nothing — and exporting it as CSV and XLSX that Excel opens with its accents."""
import io

import openpyxl
import pytest

from tests.support.snapshots import database_snapshot

from partners.demo import SAMPLE, SAMPLE_ROWS

GOOD = ("Nom;Type;Statut;Rôles;Thèmes;Site web;Depuis le\r\n"
        "Société de développement;Société locale;Actif;Co-organisateur, Lieu;fêtes, été;www.sdd.example.ch;01.03.2026\r\n"
        "Crèche Les Lutins;Autre;;;petite enfance;;\r\n")
ONE_BAD_ROW = GOOD + "Garage du Centre;Garage;Peut-être;;;;\r\n"


def upload(pw, data: bytes, filename="partenaires.csv", who="coordinator_a"):
    return pw.client().post(pw.api() + "/imports", headers=pw.headers(who), content_type="multipart/form-data",
                            data={"file": (io.BytesIO(data), filename)})


def names(pw) -> list[str]:
    return [p["name"] for p in pw.client().get(pw.api() + "/partners", headers=pw.headers("viewer_a")).json]


def test_a_file_with_one_bad_row_shows_every_rows_errors_and_imports_nothing(pw):
    before = database_snapshot(pw.runtime.engine)
    preview = upload(pw, ONE_BAD_ROW.encode("utf-8-sig"))
    assert preview.status_code == 200
    assert preview.json["valid"] is False and preview.json["import_id"] is None
    rows = {row["line"]: row for row in preview.json["rows"]}
    assert rows[2]["errors"] == {} and rows[3]["errors"] == {}
    assert set(rows[4]["errors"]) == {"kind", "status"}
    assert "Garage" in rows[4]["errors"]["kind"][0]  # names the value at fault, in French
    assert database_snapshot(pw.runtime.engine) == before
    assert pw.published(expect=0) == []


def test_a_valid_file_imports_all_its_rows_once_confirmed(pw):
    preview = upload(pw, GOOD.encode("utf-8"))
    assert preview.json["valid"] is True
    assert names(pw) == []  # a preview changes nothing
    confirmed = pw.client().post(pw.api() + f"/imports/{preview.json['import_id']}/confirm",
                                 headers=pw.headers("coordinator_a"))
    assert confirmed.status_code == 201
    partners = {p["name"]: p for p in pw.client().get(pw.api() + "/partners", headers=pw.headers("viewer_a")).json}
    society = partners["Société de développement"]
    assert (society["kind"], society["status"], society["roles"]) == ("club", "active", ["co_organiser", "venue"])
    assert society["themes"] == ["fêtes", "été"] and society["website"] == "https://www.sdd.example.ch"
    assert society["status_since"] == "2026-03-01"
    assert partners["Crèche Les Lutins"]["status"] == "identified"
    again = pw.client().post(pw.api() + f"/imports/{preview.json['import_id']}/confirm",
                             headers=pw.headers("coordinator_a"))
    assert again.status_code == 404  # a confirmed import is gone: it cannot be imported twice


def test_confirming_after_the_network_changed_imports_nothing(pw):
    preview = upload(pw, GOOD.encode("utf-8"))
    assert pw.client().post(pw.api() + "/partners", headers=pw.headers("coordinator_a"),
                            json={"name": "CRECHE les lutins", "kind": "other"}).status_code == 201
    before = database_snapshot(pw.runtime.engine)
    confirmed = pw.client().post(pw.api() + f"/imports/{preview.json['import_id']}/confirm",
                                 headers=pw.headers("coordinator_a"))
    assert confirmed.status_code == 409 and "file" in confirmed.json["errors"]["json"]
    assert database_snapshot(pw.runtime.engine) == before
    assert names(pw) == ["CRECHE les lutins"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_utf8_with_or_without_bom_and_windows_1252_keep_their_accents(pw, encoding):
    preview = upload(pw, GOOD.encode(encoding))
    assert preview.json["valid"], preview.json
    assert preview.json["rows"][1]["values"]["name"] == "Crèche Les Lutins"


@pytest.mark.parametrize("data, filename, status, words", [
    ("Nom;Type;Couleur\nA;Autre;bleu\n".encode(), "a.csv", 422, "Couleur"),
    ("Adresse;Statut\nRue 1;Actif\n".encode(), "a.csv", 422, "Nom"),
    (GOOD.encode("utf-16"), "a.csv", 422, "UTF-8"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a.xls", 422, ".xlsx"),
    (b"PK\x03\x04broken", "a.xlsx", 422, "Excel"),
    (GOOD.encode() + b";" * (600 * 1024), "a.csv", 422, "512"),
])
def test_wrong_files_are_refused_on_the_field_file_saying_why(pw, data, filename, status, words):
    before = database_snapshot(pw.runtime.engine)
    response = upload(pw, data, filename)
    assert response.status_code == status, response.json
    assert words in response.json["errors"]["json"]["file"][0]
    assert database_snapshot(pw.runtime.engine) == before


def test_a_file_far_too_large_is_refused_before_being_read(pw):
    response = upload(pw, b"x" * (5 * 1024 * 1024))
    assert response.status_code == 413


def test_the_sample_spreadsheet_of_the_walk_through_imports_cleanly(pw):
    regional = pw.client().post("/partners/api/v1/regional-partners", headers=pw.headers("regional"),
                                json={"name": "Caritas Jura", "kind": "social_service"}).json
    preview = upload(pw, SAMPLE.read_bytes(), "partenaires-courtetelle.xlsx")
    assert preview.json["valid"], [r["errors"] for r in preview.json["rows"] if r["errors"]]
    assert len(preview.json["rows"]) == len(SAMPLE_ROWS)
    assert [r["joins_regional_partner"] for r in preview.json["rows"] if r["joins_regional_partner"]] == [regional["id"]]
    assert pw.client().post(pw.api() + f"/imports/{preview.json['import_id']}/confirm",
                            headers=pw.headers("coordinator_a")).status_code == 201
    assert len(names(pw)) == len(SAMPLE_ROWS)
    registered = [e for e in pw.published(expect=len(SAMPLE_ROWS)) if e.type == "partners.PartnerRegistered"]
    assert [e.payload["regional"] for e in registered].count(True) == 1


def test_an_export_imports_again_into_another_commune(pw):
    client = pw.client()
    preview = upload(pw, GOOD.encode())
    client.post(pw.api() + f"/imports/{preview.json['import_id']}/confirm", headers=pw.headers("coordinator_a"))
    partner = client.get(pw.api() + "/partners", headers=pw.headers("viewer_a")).json[0]
    for name in ("Anne Exemple", "Bruno Modèle"):
        client.post(pw.api() + f"/partners/{partner['id']}/contacts", headers=pw.headers("coordinator_a"),
                    json={"name": name, "email": f"{name.split()[0].lower()}@example.ch"})
    for file_format in ("csv", "xlsx"):
        exported = client.get(pw.api() + f"/export?format={file_format}", headers=pw.headers("coordinator_a"))
        assert exported.status_code == 200
        assert exported.headers["Content-Disposition"].endswith(f'partenaires-{pw.commune_a}.{file_format}"')
        again = pw.client().post(pw.api(pw.commune_b) + "/imports", headers=pw.headers("coordinator_b"),
                                 content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(exported.data), f"export.{file_format}")})
        assert again.json["valid"], again.json
        assert sorted(r["values"]["name"] for r in again.json["rows"]) == sorted(names(pw))
        with_contacts = [r for r in again.json["rows"] if r["values"].get("contact_name")]
        assert [r["values"]["contact_name"] for r in with_contacts] == ["Anne Exemple\nBruno Modèle"]


def test_the_xlsx_export_has_french_headers_labels_and_accents(pw):
    upload_id = upload(pw, GOOD.encode()).json["import_id"]
    pw.client().post(pw.api() + f"/imports/{upload_id}/confirm", headers=pw.headers("coordinator_a"))
    exported = pw.client().get(pw.api() + "/export?format=xlsx", headers=pw.headers("viewer_a"))
    assert exported.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(exported.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Nom", "Type", "Régional", "Adresse", "Site web", "Thèmes", "Statut", "Depuis le",
                       "Rôles", "Remarques"]  # a viewer's export: no contact columns
    society = next(row for row in rows if row[0] == "Société de développement")
    assert society[1] == "Club ou société" and society[6] == "Actif" and society[8] == "Co-organisateur, Lieu"
    assert society[5] == "fêtes, été"
    assert pw.client().get(pw.api() + "/export?format=pdf", headers=pw.headers("viewer_a")).status_code == 422


def test_a_list_at_the_size_limit_imports_in_one_go(pw):
    import time
    rows = "".join(f"Organisation {n};Association;Actif;Relais;Contact {n};c{n}@example.ch\n" for n in range(2000))
    preview = upload(pw, ("Nom;Type;Statut;Rôles;Contact;E-mail\n" + rows).encode())
    assert preview.json["valid"] and len(preview.json["rows"]) == 2000
    started = time.perf_counter()
    confirmed = pw.client().post(pw.api() + f"/imports/{preview.json['import_id']}/confirm",
                                 headers=pw.headers("coordinator_a"))
    assert confirmed.status_code == 201 and len(confirmed.json) == 2000
    assert time.perf_counter() - started < 60  # one pass, not a query per row per row
    too_many = upload(pw, ("Nom;Type\n" + "".join(f"X{n};Autre\n" for n in range(2001))).encode())
    assert too_many.status_code == 422 and "2000" in too_many.json["errors"]["json"]["file"][0]
