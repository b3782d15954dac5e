"""Guarding a public form against the same browser answering twice, without knowing who it is.

The browser gets a random nonce in a cookie (nothing about the person: it is made here,
at random). When it answers, the service stores only a keyed hash of (scope, nonce) — for
a survey, the scope is the survey — in a table of its own, with no time and no link to
the answer. The same browser answering the same survey again gives the same hash, which
the table refuses. Deleting cookies gets round it, as with any cookie; the per-client rate
limit (shared.http.rate_limit) bounds what that buys.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from flask import current_app, request

COOKIE = "asp_browser"
MAX_AGE_S = 2 * 365 * 24 * 3600
_NONCE = re.compile(r"^[0-9a-f]{32}$")


def browser_nonce() -> str | None:
    """This browser's nonce, if it sent a well-formed one."""
    nonce = request.cookies.get(COOKIE, "")
    return nonce if _NONCE.match(nonce) else None


def new_nonce() -> str:
    return secrets.token_hex(16)


def remember_browser(response, nonce: str):
    """Set the nonce cookie (only sent back to this site, never readable by scripts)."""
    response.set_cookie(COOKIE, nonce, max_age=MAX_AGE_S, httponly=True, samesite="Lax", path="/",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def browser_digest(scope: str, nonce: str) -> str:
    """What is stored: keyed with the app's secret, so the table alone cannot be matched
    against a browser's cookie by someone without the secret."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    return hmac.new(key, f"{scope}:{nonce}".encode(), hashlib.sha256).hexdigest()
