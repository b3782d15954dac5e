"""Erasure on request: a contact person erased is gone — from every table, from the exports,
and (on SQLite) from the bytes of the database file — and never was in an event."""
import io
from pathlib import Path

import openpyxl
from sqlalchemy import text

from tests.support.snapshots import database_snapshot

PERSON = ("Hélène Effacée", "helene.effacee@example.ch", "079 123 45 67")


def everything_stored(pw) -> str:
    return repr(database_snapshot(pw.runtime.engine))


def exports(pw) -> str:
    client, headers = pw.client(), pw.headers("coordinator_a")
    csv = client.get(pw.api() + "/export?format=csv", headers=headers).data.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(pw.api() + "/export?format=xlsx", headers=headers).data))
    cells = [str(cell.value) for row in workbook.active.iter_rows() for cell in row]
    return csv + "\n".join(cells)


def database_file_bytes(pw) -> bytes:
    """The SQLite file and its write-ahead log, after the log was folded into the file."""
    with pw.runtime.engine.connect() as connection:
        connection.exec_driver_sql("COMMIT")  # out of the engine's BEGIN IMMEDIATE
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(pw.runtime.engine.url.database)
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def add_person(pw, partner_id):
    name, email, phone = PERSON
    response = pw.client().post(pw.api() + f"/partners/{partner_id}/contacts", headers=pw.headers("coordinator_a"),
                                json={"name": name, "function": "Présidente", "email": email, "phone": phone})
    assert response.status_code == 201
    return response.json["id"]


def test_an_erased_contact_person_is_gone_from_the_database_and_the_exports(pw):
    client, headers = pw.client(), pw.headers("coordinator_a")
    partner = client.post(pw.api() + "/partners", headers=headers, json={"name": "Paroisse", "kind": "parish"}).json
    contact_id = add_person(pw, partner["id"])
    client.post(pw.api() + f"/partners/{partner['id']}/contacts", headers=headers, json={"name": "Reste Ici"})
    assert all(value in everything_stored(pw) for value in PERSON)
    assert all(value in exports(pw) for value in PERSON)

    erased = client.delete(pw.api() + f"/partners/{partner['id']}/contacts/{contact_id}", headers=headers)
    assert erased.status_code == 204
    stored, exported = everything_stored(pw), exports(pw)
    for value in PERSON:
        assert value not in stored and value not in exported, value
    assert "Reste Ici" in stored and "Reste Ici" in exported  # only that person is erased
    if pw.runtime.engine.dialect.name == "sqlite":
        raw = database_file_bytes(pw)
        for value in PERSON:
            assert value.encode() not in raw, value
    assert client.delete(pw.api() + f"/partners/{partner['id']}/contacts/{contact_id}",
                         headers=headers).status_code == 404


def test_a_corrected_contact_keeps_no_trace_of_the_old_details(pw):
    client, headers = pw.client(), pw.headers("coordinator_a")
    partner = client.post(pw.api() + "/partners", headers=headers, json={"name": "Paroisse", "kind": "parish"}).json
    contact_id = add_person(pw, partner["id"])
    changed = client.patch(pw.api() + f"/partners/{partner['id']}/contacts/{contact_id}", headers=headers,
                           json={"email": "presidence@example.ch", "phone": "032 000 00 00"})
    assert changed.status_code == 200 and changed.json["email"] == "presidence@example.ch"
    assert PERSON[1] not in everything_stored(pw) and PERSON[2] not in everything_stored(pw)


def test_ending_a_partnership_erases_its_contact_persons_notes_history_and_links(pw):
    client, headers = pw.client(), pw.headers("coordinator_a")
    partner = client.post(pw.api() + "/partners", headers=headers, json={"name": "Paroisse", "kind": "parish"}).json
    other = client.post(pw.api() + "/partners", headers=headers, json={"name": "École", "kind": "school"}).json
    add_person(pw, partner["id"])
    client.post(pw.api() + f"/partners/{partner['id']}/notes", headers=headers,
                json={"happened_on": "2026-01-05", "summary": "Entretien avec Hélène Effacée"})
    client.post(pw.api() + "/links", headers=headers, json={"partner_id": partner["id"], "target_type": "partner",
                                                            "target_id": other["id"], "relation": "works_with"})
    assert client.delete(pw.api() + f"/partners/{partner['id']}", headers=headers).status_code == 204
    stored = database_snapshot(pw.runtime.engine)
    for table in ("contacts", "engagement_notes", "status_changes", "links"):
        assert all(partner["id"] not in repr(row) for row in stored[table]), table
    assert "Effacée" not in repr(stored)
    assert [p["name"] for p in client.get(pw.api() + "/partners", headers=headers).json] == ["École"]
    assert client.get(pw.api() + f"/partners/{partner['id']}", headers=headers).status_code == 404


def test_contact_persons_in_an_import_are_kept_only_until_it_is_confirmed(pw):
    csv = "Nom;Type;Contact;E-mail\nLudothèque;Association;Hélène Effacée;helene.effacee@example.ch\n"
    client, headers = pw.client(), pw.headers("coordinator_a")
    preview = client.post(pw.api() + "/imports", headers=headers, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(csv.encode()), "liste.csv")}).json
    assert client.delete(pw.api() + f"/imports/{preview['import_id']}", headers=headers).status_code == 204
    assert PERSON[0] not in everything_stored(pw)
    preview = client.post(pw.api() + "/imports", headers=headers, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(csv.encode()), "liste.csv")}).json
    client.post(pw.api() + f"/imports/{preview['import_id']}/confirm", headers=headers)
    stored = database_snapshot(pw.runtime.engine)
    assert stored["partner_imports"] == []
    assert [row for row in stored["contacts"] if PERSON[0] in row]
    assert all(PERSON[1] not in event.payload.__repr__() for event in pw.published(expect=1))
