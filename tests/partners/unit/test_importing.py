"""Reading a commune's partner list: headers, values in three languages, one error report per row."""
from datetime import date

import pytest

from shared.errors import Invalid

from partners.adapters import spreadsheets
from partners.domain import importing, model

TODAY = date(2026, 5, 4)


def check(headers, rows, taken=None, regional=None):
    return importing.check_rows(headers, rows, taken or {}, regional or {}, TODAY)


@pytest.mark.parametrize("headers", [
    ["Nom", "Type"], ["name", "KIND"], ["Raison sociale", "Catégorie"], ["NOM DU PARTENAIRE", "genre"],
    ["Organisation", "Type de partenaire", ""],
])
def test_french_headers_and_their_synonyms_are_recognised(headers):
    [row] = check(headers, [["Paroisse", "Paroisse"]])
    assert row.valid and row.cleaned["name"] == "Paroisse" and row.cleaned["kind"] == "parish"


def test_unknown_missing_and_doubled_columns_are_refused_naming_them():
    with pytest.raises(Invalid, match="Unknown columns") as raised:
        check(["Nom", "Type", "Couleur préférée"], [])
    assert raised.value.field == "file" and "Couleur préférée" in raised.value.params["columns"]
    with pytest.raises(Invalid, match="Missing columns") as raised:
        check(["Nom", "Adresse"], [])
    assert raised.value.params["columns"] == "« Type »"
    with pytest.raises(Invalid, match="twice"):
        check(["Nom", "Name", "Type"], [])


@pytest.mark.parametrize("kind, status, roles, expected", [
    ("Club ou société", "Actif", "Co-organisateur, Lieu", ("club", "active", ["co_organiser", "venue"])),
    ("ecole", "engagee", "relais; financeur", ("school", "engaged", ["relay", "funder"])),
    ("Schule", "Kontaktiert", "Ort", ("school", "contacted", ["venue"])),
    ("municipal_service", "", "", ("municipal_service", "identified", [])),
])
def test_values_are_read_in_french_german_or_english(kind, status, roles, expected):
    [row] = check(["Nom", "Type", "Statut", "Rôles"], [["X", kind, status, roles]])
    assert row.valid, row.errors
    assert (row.cleaned["kind"], row.cleaned["status"], row.cleaned["roles"]) == expected


def test_each_row_gets_its_own_errors_with_its_line_in_the_file():
    rows = [["Bonne ligne", "Association", "Actif", "", ""],
            ["", "Inconnu", "Peut-être", "Chanteur", "pas un site"],
            ["Bonne ligne", "Association", "", "", ""]]
    good, bad, twice = check(["Nom", "Type", "Statut", "Rôles", "Site web"], rows)
    assert good.valid and good.line == 2
    assert bad.line == 3 and set(bad.errors) == {"name", "kind", "status", "roles", "website"}
    assert twice.line == 4 and twice.errors["name"][0][1] == {"line": 2}


def test_empty_rows_are_skipped_and_a_file_without_rows_is_refused():
    assert len(check(["Nom", "Type"], [["", ""], ["A", "Autre"], [" ", ""]])) == 1
    with pytest.raises(Invalid, match="no partner rows"):
        check(["Nom", "Type"], [["", ""]])


def test_a_partner_already_in_the_network_is_an_error_case_and_accents_aside():
    [row] = check(["Nom", "Type"], [["SOCIETE de jeunesse", "Club"]],
                  taken={model.name_key("Société de jeunesse"): "Société de jeunesse"})
    assert row.errors["name"][0][1] == {"name": "Société de jeunesse"}


def test_a_regional_partners_name_joins_it_and_an_unknown_regional_one_is_an_error():
    regional = {model.name_key("Caritas Jura"): ("p-1", "Caritas Jura")}
    joins, unknown = check(["Nom", "Type", "Régional"], [["caritas jura", "Service social", ""],
                                                          ["Inconnue", "Autre", "oui"]], regional=regional)
    assert joins.valid and joins.joins == "p-1"
    assert "regional" in unknown.errors


def test_contact_columns_hold_one_person_per_line():
    [row] = check(["Nom", "Type", "Contact", "E-mail", "Téléphone"],
                  [["A", "Autre", "Anne\nBruno", "anne@example.ch\nbruno@example.ch", "032 000 00 01"]])
    assert row.valid
    assert [(c["contact_name"], c["contact_email"], c["contact_phone"]) for c in row.cleaned["contacts"]] == [
        ("Anne", "anne@example.ch", "032 000 00 01"), ("Bruno", "bruno@example.ch", "")]
    [bad] = check(["Nom", "Type", "E-mail"], [["A", "Autre", "pas-une-adresse"]])
    assert set(bad.errors) == {"contact_name", "contact_email"}


def test_dates_of_the_status_are_read_as_people_write_them():
    rows = [["A", "Autre", "31.12.2025"], ["B", "Autre", "2025-12-31"], ["C", "Autre", "demain"],
            ["D", "Autre", "31.12.2099"]]
    a, b, c, d = check(["Nom", "Type", "Depuis le"], rows)
    assert a.cleaned["status_since"] == b.cleaned["status_since"] == "2025-12-31"
    assert "status_since" in c.errors and "status_since" in d.errors


# -- the files themselves ---------------------------------------------------------------------
CSV_TEXT = "Nom;Type;Thèmes\r\nSociété de développement;Société;fêtes, été\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_utf8_with_or_without_bom_and_in_windows_1252_is_read_with_its_accents(encoding):
    headers, rows = spreadsheets.read_table(CSV_TEXT.encode(encoding))
    assert headers == ["Nom", "Type", "Thèmes"]
    assert rows == [["Société de développement", "Société", "fêtes, été"]]


def test_commas_as_separators_are_read_too():
    assert spreadsheets.read_table("Nom,Type\nA,Autre\n".encode())[1] == [["A", "Autre"]]


@pytest.mark.parametrize("data, message", [
    (CSV_TEXT.encode("utf-16"), "encoding"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
    (b"PK\x03\x04 not really a workbook", "Excel workbook"),
    (b"   \n ", "empty"),
    (b"Nom;Type\n" + b"x" * (513 * 1024), "too large"),
])
def test_files_that_are_not_readable_tables_are_refused_saying_why(data, message):
    with pytest.raises(Invalid, match=message) as raised:
        spreadsheets.read_table(data)
    assert raised.value.field == "file"


def test_an_xlsx_written_by_the_export_reads_back_the_same():
    headers, rows = ["Nom", "Type", "Contact"], [["Église réformée", "Paroisse", "Anne\nBruno"]]
    assert spreadsheets.read_table(spreadsheets.xlsx_bytes(headers, rows, "Partenaires")) == (headers, rows)


def test_the_csv_export_opens_in_excel_with_its_accents_and_runs_no_formula():
    data = spreadsheets.csv_bytes(["Nom", "Téléphone"], [["=HYPERLINK(\"x\")", "+41 32 000 00 00"]])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    text = data.decode("utf-8-sig")
    assert "Téléphone" in text and "'=HYPERLINK" in text and ";+41 32 000 00 00" in text
