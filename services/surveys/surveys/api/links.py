"""The public address of a survey and its QR code (PNG and SVG, for posters and flyers)."""
from __future__ import annotations

import io
import os

import segno
from flask import request

# Behind a reverse proxy, the address residents reach (e.g. https://asp.jura.ch); without
# it, the address this request came in by.
PUBLIC_BASE_URL_VARIABLE = "ASP_PUBLIC_BASE_URL"


def public_url(token: str) -> str:
    base = os.environ.get(PUBLIC_BASE_URL_VARIABLE) or request.url_root
    return f"{base.rstrip('/')}/surveys/s/{token}"


def qr_code(url: str, kind: str) -> bytes:
    """Medium error correction: the code still reads when a poster is creased or stained."""
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    if kind == "png":
        code.save(buffer, kind="png", scale=12, border=4)
    else:
        code.save(buffer, kind="svg", scale=12, border=4, title=url, xmldecl=True)
    return buffer.getvalue()
