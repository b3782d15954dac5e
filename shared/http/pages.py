"""What every service's HTML pages share: the signed-in person, CSRF, form errors."""
from __future__ import annotations

import functools
from urllib.parse import urlencode

from flask import abort, flash, redirect, request, session, url_for
from marshmallow import Schema, ValidationError

from shared.http.app import csrf
from shared.http.auth import SESSION_TOKEN_KEY, current_principal
from shared.http.i18n import translate_errors

LOGIN_PAGE = "/programme/login"


def page_access(write: bool = False):
    """Guard for page views: sign-in first (back here afterwards), then the commune check,
    then CSRF on every form post."""
    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                return redirect(f"{LOGIN_PAGE}?{urlencode({'next': request.full_path.rstrip('?')})}")
            commune = kwargs.get("commune")
            if commune is not None and not principal.can_read(commune):
                abort(403)
            if write and commune is not None and not principal.can_write(commune):
                abort(403)
            if request.method == "POST":
                csrf.protect()
            return view(*args, **kwargs)
        return guarded
    return decorate


def sign_in(token: str) -> None:
    session.clear()
    session[SESSION_TOKEN_KEY] = token
    session.permanent = False


def sign_out() -> None:
    session.clear()


def load_form(schema: Schema, form) -> tuple[dict | None, dict]:
    """Validate a submitted form with the API's schema: (data, {}) or (None, errors by field).
    Empty inputs count as absent, as a browser sends every field."""
    raw = {key: value for key, value in form.items() if value != "" and key != "csrf_token"}
    try:
        return schema.load(raw), {}
    except ValidationError as error:
        return None, translate_errors(error.messages)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths: a sign-in link must not send anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


__all__ = ["page_access", "sign_in", "sign_out", "load_form", "safe_next", "flash", "redirect", "url_for"]
