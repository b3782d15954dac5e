"""Spreadsheets in and out: CSV (UTF-8, with or without BOM, or Windows-1252) and XLSX.

Reading gives the header row and the rows below it as text; anything that is not a
readable table is a DomainError on the field `file`, with what to do about it.
Writing makes files Excel opens with their accents right (CSV: UTF-8 with BOM, `;`).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime

from shared.errors import DomainError, Invalid
from shared.text import N_

MAX_FILE_BYTES = 512 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # an XLSX is a zip: refuse one that unpacks to a flood
MAX_COLUMNS = 40
MAX_ROWS_READ = 2001 + 1  # the domain's limit plus the header, plus one to notice more


def _refuse(message: str, **params) -> DomainError:
    return Invalid(message, field="file", **params)


def read_table(data: bytes) -> tuple[list[str], list[list[str]]]:
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(N_("The file is too large: at most %(size)s KB."), size=MAX_FILE_BYTES // 1024)
    if not data.strip():
        raise _refuse(N_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(N_("This is an old Excel file (.xls): save it as .xlsx or as CSV, then import it."))
    else:
        table = _read_csv(_decode(data))
    table = [_trimmed(row) for row in table]
    while table and not table[0]:
        table.pop(0)  # blank lines above the headers
    if not table:
        raise _refuse(N_("The file is empty."))
    return table[0], table[1:]


def _trimmed(row: list[str]) -> list[str]:
    """A row without the empty cells at its end (a workbook pads rows to its widest)."""
    while row and not row[-1].strip():
        row = row[:-1]
    return row


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise _refuse(N_("The file's text encoding is not supported: save it as « CSV UTF-8 » "
                         "or as CSV in Windows-1252 (ANSI)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise _refuse(N_("The file's text encoding is not supported: save it as « CSV UTF-8 » "
                         "or as CSV in Windows-1252 (ANSI).")) from None


def _read_csv(text: str) -> list[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([cell for cell in row[:MAX_COLUMNS]])
            if len(rows) > MAX_ROWS_READ:
                break
        return rows
    except csv.Error:
        raise _refuse(N_("The file is not a readable CSV table.")) from None


def _read_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _refuse(N_("The file is too large: at most %(size)s KB."),
                              size=MAX_FILE_BYTES // 1024)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 — a broken zip or workbook fails in many ways
        raise _refuse(N_("The file is not a readable Excel workbook (.xlsx).")) from None
    try:
        rows = []
        for values in workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > MAX_ROWS_READ:
                break
        return rows
    except Exception:  # noqa: BLE001
        raise _refuse(N_("The file is not a readable Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- writing -------------------------------------------------------------------------------
_PHONE_LIKE = re.compile(r"^[+-][0-9 ().]+$")


def _inert(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV/formula injection)."""
    if value[:1] in ("=", "@") or (value[:1] in ("+", "-") and not _PHONE_LIKE.match(value)):
        return "'" + value
    return value


def csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_inert(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(headers: list[str], rows: list[list[str]], title: str) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for row in rows:
        # XLSX (XML 1.0) holds no control characters: openpyxl would refuse the whole file.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", _inert(cell)) for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # text stays text, even "=…" (already made inert above)
            if "\n" in str(cell.value or ""):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, header in enumerate(headers, start=1):
        widest = max([len(header)] + [len(line) for row in rows if index - 1 < len(row)
                                      for line in row[index - 1].splitlines() or [""]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, widest + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
