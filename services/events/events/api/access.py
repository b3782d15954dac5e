"""Who may see residents' names and contacts: the commune's own coordinators, nobody else
(not its viewers, not the regional staff)."""
from __future__ import annotations

import functools

from flask import current_app
from flask_babel import gettext as _
from flask_smorest import abort

from shared.http.auth import Principal, require_principal


def sees_contacts(principal: Principal | None, commune: str) -> bool:
    return principal is not None and principal.role == "coordinator" and commune in principal.communes


def contacts_access(view):
    """API guard for views with a `commune` URL argument that show or take residents' contacts."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        principal = require_principal()
        if not principal.can_read(kwargs["commune"]):
            abort(403, message=_("You do not have access to this commune."))
        if not sees_contacts(principal, kwargs["commune"]):
            abort(403, message=_("Only the commune's coordinators see registrations and their contacts."))
        return view(*args, **kwargs)
    return guarded


def uow():
    return current_app.extensions["asp_runtime"].unit_of_work()
