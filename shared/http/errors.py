"""Every error as JSON (or an HTML page for a person), in the caller's language; never a bare 500."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_smorest import Api
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from shared.errors import DomainError
from shared.http.i18n import translate_errors
from shared.text import N_

log = logging.getLogger(__name__)

STATUS_MESSAGES = {
    400: N_("The request is not valid."),
    401: N_("Sign in to use this resource."),
    403: N_("You do not have access to this resource."),
    404: N_("Not found."),
    405: N_("This method is not allowed here."),
    409: N_("This conflicts with the current state."),
    413: N_("The request is too large."),
    415: N_("Send the request body as JSON."),
    422: N_("Some fields are not valid."),
    429: N_("Too many requests. Please wait a moment and try again."),
    500: N_("An unexpected error occurred. It has been logged."),
    503: N_("The service is temporarily unavailable. Please try again shortly."),
}


def _status_message(code: int) -> str:
    return _(STATUS_MESSAGES.get(code, STATUS_MESSAGES[400]))


def wants_html() -> bool:
    if "/api/" in request.path:
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def error_response(code: int, message: str | None = None, errors: dict | None = None):
    body = {"code": code, "status": _status_message(code), "message": message or _status_message(code)}
    if errors:
        body["errors"] = translate_errors(errors)
    if wants_html():
        return render_template("error.html", error=body), code
    return jsonify(body), code


class PlatformApi(Api):
    """flask-smorest's Api with our error body: code, status, message, errors by field."""

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = data.get("messages")
        message = data.get("message")
        if errors and not message:
            message = _status_message(error.code)
        response, code = error_response(error.code or 500, message, errors)
        if data.get("headers"):
            response.headers.extend(data["headers"])
        return response, code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        message = _(error.message, **error.params)
        errors = {"json": {error.field: [message]}} if error.field else None
        return error_response(error.status, message, errors)

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        log.info("integrity error answered with 409: %s", error.orig)
        return error_response(409)

    @app.errorhandler(DataError)
    def data_error(error: DataError):
        # A value the database cannot hold or compare (an id beyond its integers, a NUL
        # character in a text: PostgreSQL refuses both, SQLite does not): the input's fault.
        log.info("data error answered with 422: %s", error.orig)
        return error_response(422)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        log.warning("database unavailable: %s", error.orig)
        return error_response(503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return error_response(error.code or 500, None)
        log.exception("unexpected error")
        return error_response(500)
