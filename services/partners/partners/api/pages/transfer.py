"""Pages: importing a partner list (upload, preview with each row's errors, confirm: all rows
or none) and exporting it as CSV or XLSX."""
from __future__ import annotations

from pathlib import Path

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from shared.errors import DomainError
from shared.http.pages import page_access

from partners.adapters import repository as repo
from partners.adapters.spreadsheets import MAX_FILE_BYTES
from partners.api.pages import domain_errors, not_found, pages
from partners.api.pages.partners import LABELS
from partners.api.routes import uow
from partners.api.transfer_routes import UPLOAD_LIMIT, export_response, uploads_up_to
from partners.domain import importing
from partners.service_layer import imports

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "partenaires-courtetelle.xlsx"


def _import_page(commune: str, errors=None, kept=None, results=None, status=200):
    with uow() as work:
        commune_row = repo.commune_by_slug(work.session, commune)
    return render_template("import.html", commune=commune_row, errors=errors or {}, kept=kept,
                           results=results, headers=importing.HEADERS, values=importing.VALUES,
                           max_kb=MAX_FILE_BYTES // 1024, max_rows=importing.MAX_ROWS, **LABELS), status


@pages.get("/communes/<commune>/import")
@page_access(write=True)
def import_form(commune):
    return _import_page(commune)


@pages.post("/communes/<commune>/import")
@uploads_up_to(UPLOAD_LIMIT)
@page_access(write=True)
def import_preview(commune):
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return _import_page(commune, {"file": [_("The file is too large: at most %(size)s KB.",
                                                 size=MAX_FILE_BYTES // 1024)]}, status=422)
    if upload is None or not upload.filename:
        return _import_page(commune, {"file": [_("Choose a CSV or Excel (.xlsx) file.")]}, status=422)
    with uow() as work:  # the page is drawn once this unit of work is closed: one at a time
        try:
            kept, results = imports.preview(work, commune, upload.filename, upload.stream.read(MAX_FILE_BYTES + 1))
        except DomainError as error:
            kept, results, errors = None, None, domain_errors(error, "file")
    if results is None:
        return _import_page(commune, errors, status=422)
    return _import_page(commune, kept=kept, results=results, status=200 if kept else 422)


@pages.post("/communes/<commune>/import/<import_id>/confirm")
@page_access(write=True)
def import_confirm(commune, import_id):
    with uow() as work:
        try:
            added = imports.confirm(work, commune, import_id)
        except DomainError as error:
            added, refused = None, error
    if added is None:
        if refused.status == 404:
            flash(_(refused.message, **refused.params), "error")
            return redirect(url_for(".import_form", commune=commune))
        return _import_page(commune, domain_errors(refused, "file"), status=409)
    flash(_("%(count)s partners imported.", count=len(added)))
    return redirect(url_for(".partner_list", commune=commune))


@pages.post("/communes/<commune>/import/<import_id>/cancel")
@page_access(write=True)
def import_cancel(commune, import_id):
    with uow() as work:
        try:
            imports.cancel(work, commune, import_id)
        except DomainError:
            pass  # already gone: what was asked is done
    flash(_("Import cancelled: nothing was imported."))
    return redirect(url_for(".import_form", commune=commune))


@pages.get("/communes/<commune>/import/exemple.xlsx")
@page_access(write=True)
def import_sample(commune):
    return send_file(SAMPLE, as_attachment=True, download_name="partenaires-courtetelle.xlsx")


@pages.get("/communes/<commune>/export.<file_format>")
@page_access()
def export_file(commune, file_format):
    if file_format not in ("csv", "xlsx"):
        return not_found()
    return export_response(commune, file_format)
