"""The partners' pages for commune staff (French first): the partner list, a partner's file,
import and export, the network graph, and the region's catalogue of regional partners.

Every form posts and redirects back with a message; a refused form is shown again with
the error next to its field (status 422). Nothing needs JavaScript.
"""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from shared.errors import DomainError
from shared.http.i18n import translate_errors

pages = Blueprint("partners_pages", __name__)


@pages.app_context_processor
def choices() -> dict:
    def options(labels: dict[str, str]) -> list[tuple[str, str]]:
        """(value, translated label) pairs for a select or a group of checkboxes."""
        return [(value, _(label)) for value, label in labels.items()]
    return {"options": options}


def domain_errors(error: DomainError, default_field: str) -> dict[str, list[str]]:
    return {error.field or default_field: [_(error.message, **error.params)]}


def not_found():
    return render_template("error.html", error={"status": _("Not found."), "message": ""}), 404


def form_values(form, lists: tuple[str, ...] = (), comma_lists: tuple[str, ...] = ()) -> dict:
    """A submitted form as the API's schema reads it: checkbox groups as lists, comma
    separated fields split; empty inputs left out (load_form drops them)."""
    values = {key: value.strip() for key, value in form.items() if key not in lists}
    for name in lists:
        values[name] = form.getlist(name)
    for name in comma_lists:
        if name in values:
            values[name] = [part.strip() for part in values[name].replace(";", ",").split(",") if part.strip()]
    return values


def load_complete(schema: Schema, values: dict) -> tuple[dict | None, dict]:
    """Like shared load_form, but an empty input counts: it clears its field."""
    try:
        return schema.load(values), {}
    except ValidationError as error:
        return None, translate_errors(error.messages)


from partners.api.pages import network, partners, regional, transfer  # noqa: E402,F401  (their views)
