"""Tables as files a person opens in Excel: CSV (UTF-8 with a BOM, `;` as Swiss Excel
expects, so accents and columns come out right) or XLSX."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def document_table_files(blueprint):
    """For an API route that answers a table as a file too (?format=csv|xlsx): its 200 is
    documented with the CSV and XLSX bodies, beside the JSON one if any."""
    def decorate(view):
        view = blueprint.alt_response(200, schema={"type": "string"}, content_type="text/csv",
                                      success=True)(view)
        return blueprint.alt_response(200, schema={"type": "string", "format": "binary"},
                                      content_type=XLSX_TYPE, success=True)(view)
    return decorate


def _cell(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value  # Excel has no time zones
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return value


def _xlsx_cell(value):
    """XLSX (XML 1.0) cannot hold control characters; openpyxl refuses them, so a stored text
    containing one (from a form or an import) would break the whole export."""
    value = _cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else _cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Data") -> bytes:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    worksheet.append([_xlsx_cell(header) for header in headers])
    for row in rows:
        worksheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], file_format: str) -> Response:
    """`filename` without extension; `file_format` "csv" or "xlsx"."""
    if file_format == "xlsx":
        body, mimetype = xlsx_bytes(headers, rows), XLSX_TYPE
    else:
        body, mimetype = csv_bytes(headers, rows), CSV_TYPE
    # content_type, not mimetype: werkzeug would add a second "; charset=utf-8" to CSV_TYPE
    return Response(body, content_type=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}.{file_format}"'})



