"""Exports that open correctly in Excel: CSV (UTF-8 with BOM, `;`) and XLSX."""
import csv
import io

from openpyxl import load_workbook

from tests.surveys.conftest import VALID_ANSWERS

FORMULA = "=HYPERLINK(\"http://evil.example\",\"cliquez\")"


def exported(surveys, survey, what, fmt, who="coordinator_a"):
    response = surveys.client().get(f"{surveys.base()}/{survey['id']}/{what}?format={fmt}",
                                    headers=surveys.headers(who))
    assert response.status_code == 200, response.data[:300]
    return response


def test_the_responses_csv_opens_in_swiss_excel_with_accents_and_no_formula(surveys):
    survey = surveys.published()
    surveys.answer(survey["token"], {**VALID_ANSWERS, "wishes": FORMULA})
    surveys.answer(survey["token"], {**VALID_ANSWERS, "neighbour_network": "very_restricted", "wishes": "Fête à l'école"})
    response = exported(surveys, survey, "responses", "csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["N°", "Date", "Canal"]
    assert "Comment évaluez-vous votre réseau de relations au sein de la commune ?" in header
    network = header.index("Comment évaluez-vous votre réseau de relations au sein de la commune ?")
    assert sorted(row[network] for row in rows[1:]) == ["Restreint", "Très restreint"]
    wishes = [column for column in header if column.startswith("Qu'est-ce qui améliorerait")]
    texts = {row[header.index(wishes[0])] for row in rows[1:]}
    assert texts == {"'" + FORMULA, "Fête à l'école"}  # the formula is defused
    street = header.index("Où vos échanges avec les autres habitants ont-ils lieu le plus souvent ? : "
                          "Dans la rue, sur le trottoir")
    assert [row[street] for row in rows[1:]] == ["1", "1"]


def test_the_results_xlsx_has_counts_and_shares_in_percent_as_numbers(surveys):
    survey = surveys.published()
    for network in ("restricted", "restricted", "wide", "medium"):
        surveys.answer(survey["token"], {**VALID_ANSWERS, "neighbour_network": network})
    response = exported(surveys, survey, "results", "xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Question", "Réponse", "Nombre", "Part (%)"]
    assert rows[1][0] == "Réponses" and rows[1][2] == 4 and rows[2][2] == 1000
    assert rows[3][0] == "Taux de participation" and rows[3][3] == 0.4
    restricted = next(row for row in rows if row[1] == "Restreint")
    assert restricted[2] == 2 and restricted[3] == 50.0


def test_the_responses_xlsx_of_a_viewer_has_no_free_text(surveys):
    survey = surveys.published()
    surveys.answer(survey["token"], {**VALID_ANSWERS, "wishes": FORMULA})
    coordinator = load_workbook(io.BytesIO(exported(surveys, survey, "responses", "xlsx").data)).active
    viewer = load_workbook(io.BytesIO(exported(surveys, survey, "responses", "xlsx", "viewer_a").data)).active
    values = [cell.value for row in coordinator.iter_rows() for cell in row]
    assert "'" + FORMULA in values and FORMULA not in values  # stored as text, not as a formula
    assert all(cell.data_type != "f" for row in coordinator.iter_rows() for cell in row)
    assert coordinator.max_column == viewer.max_column + 1
    assert not any("HYPERLINK" in str(cell.value) for row in viewer.iter_rows() for cell in row)


def test_the_results_csv_gives_shares_in_percent_with_a_point(surveys):
    survey = surveys.published()
    for network in ("restricted", "wide", "wide"):
        surveys.answer(survey["token"], {**VALID_ANSWERS, "neighbour_network": network})
    text = exported(surveys, survey, "results", "csv").data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Question;Réponse;Nombre;Part (%)"
    assert ";Restreint;1;33.3" in text and ";Étendu;2;66.7" in text
