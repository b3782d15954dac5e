"""Tables as files a person opens in Excel: CSV (UTF-8 with a BOM, `;` as Swiss Excel
expects, so accents and columns come out right) or XLSX."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from flask import Response
from openpyxl import Workbook

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value  # Excel has no time zones
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return value


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
    worksheet.append(list(headers))
    for row in rows:
        worksheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], file_format: str) -> Response:
    """`filename` without extension; `file_format` "csv" or "xlsx"."""
    if file_format == "xlsx":
        body, mimetype = xlsx_bytes(headers, rows), XLSX_TYPE
    else:
        body, mimetype = csv_bytes(headers, rows), CSV_TYPE
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}.{file_format}"'})



