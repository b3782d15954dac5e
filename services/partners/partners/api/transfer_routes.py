"""Import and export JSON routes: a checked file, its confirmation (all rows or none), and
the commune's partners as CSV or XLSX."""
from __future__ import annotations

import functools

from flask import Response, request
from flask_babel import gettext as _

from shared.http.auth import commune_access, require_principal
from shared.http.exports import document_table_files

from partners.adapters.spreadsheets import MAX_FILE_BYTES
from partners.api import schemas
from partners.api.routes import communes_blp, sees_contacts, uow
from partners.service_layer import imports


def uploads_up_to(limit: int):
    """Let this view read a body up to `limit` (above the app's 1 MB), so that a file a
    little too large gets the import's own clear answer rather than a bare 413."""
    def decorate(view):
        @functools.wraps(view)
        def allowing(*args, **kwargs):
            request.max_content_length = limit
            return view(*args, **kwargs)
        return allowing
    return decorate


UPLOAD_LIMIT = 4 * 1024 * 1024


def preview_document(kept, results) -> dict:
    return {"import_id": kept.id if kept else None, "valid": kept is not None,
            "rows": [{"line": r.line, "values": r.values, "joins_regional_partner": r.joins,
                      "errors": {name: [_(message, **params) for message, params in messages]
                                 for name, messages in r.errors.items()}} for r in results]}


@communes_blp.route("/<commune>/imports", methods=["POST"])
@uploads_up_to(UPLOAD_LIMIT)
@commune_access(write=True)
@communes_blp.arguments(schemas.ImportFileSchema, location="files")
@communes_blp.response(200, schemas.ImportPreviewSchema)
def preview_import(files, commune):
    """Check a CSV or XLSX file: every row with its errors; kept for confirmation if all are valid"""
    upload = files["file"]
    data = upload.stream.read(MAX_FILE_BYTES + 1)
    with uow() as work:
        return preview_document(*imports.preview(work, commune, upload.filename or "", data))


@communes_blp.route("/<commune>/imports/<import_id>/confirm", methods=["POST"])
@commune_access(write=True)
@communes_blp.response(201, schemas.PartnerSchema(many=True))
def confirm_import(commune, import_id):
    """Import every row of a checked file, or none if one is no longer valid"""
    with uow() as work:
        return imports.confirm(work, commune, import_id)


@communes_blp.route("/<commune>/imports/<import_id>", methods=["DELETE"])
@commune_access(write=True)
@communes_blp.response(204)
def cancel_import(commune, import_id):
    """Drop a checked file without importing it"""
    with uow() as work:
        imports.cancel(work, commune, import_id)


EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_response(commune: str, file_format: str) -> Response:
    principal = require_principal()
    with uow() as work:
        data = imports.export_file(work, commune, file_format, sees_contacts(principal, commune))
    # content_type, not mimetype: werkzeug would add a second "; charset=utf-8" to the CSV type
    return Response(data, content_type=EXPORT_TYPES[file_format], headers={
        "Content-Disposition": f'attachment; filename="partenaires-{commune}.{file_format}"',
        "Cache-Control": "no-store"})


@communes_blp.route("/<commune>/export")
@commune_access()
@communes_blp.arguments(schemas.ExportQuerySchema, location="query")
@communes_blp.response(200)
@document_table_files(communes_blp)
def export(query, commune):
    """The commune's partners as CSV or XLSX (contact persons for its coordinators only)"""
    return export_response(commune, query["format"])
