"""The programme's JSON API: /programme/api/v1/…"""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from shared.http.auth import (Principal, TokenIssuer, commune_access, require_principal,
                              require_role)

from programme.adapters import repository as repo
from programme.api import schemas
from programme.api.login_throttle import TOO_MANY_ATTEMPTS, client_address, throttle
from programme.service_layer import handlers

auth_blp = Blueprint("auth", __name__, url_prefix="/auth", description="Sign in: access tokens")
communes_blp = Blueprint("communes", __name__, url_prefix="/communes",
                         description="Communes, their phases, themes, objectives and actions")
accounts_blp = Blueprint("accounts", __name__, url_prefix="/accounts", description="Staff accounts")


def uow():
    return current_app.extensions["asp_runtime"].unit_of_work()


def language() -> str:
    return str(get_locale() or "fr")


# -- sign in ------------------------------------------------------------------------------------
@auth_blp.route("/token", methods=["POST"])
@auth_blp.arguments(schemas.TokenRequestSchema)
@auth_blp.response(200, schemas.TokenSchema)
@auth_blp.doc(security=[])
def issue_token(credentials):
    """Exchange an e-mail and password for a bearer token"""
    email, address = credentials["email"], client_address()
    wait = throttle().retry_after(email, address)
    if wait:
        abort(429, message=_(TOO_MANY_ATTEMPTS), headers={"Retry-After": str(wait)})
    with uow() as work:
        account = handlers.authenticate(work, email, credentials["password"])
        if account is None:
            throttle().failed(email, address)
            # One message whatever was wrong, so the answer does not reveal who has an account.
            abort(401, message=_("Wrong e-mail address or password."))
        throttle().succeeded(email)
        token = issuer().issue(str(account.id), account.role, [c.slug for c in account.communes],
                               account.email)
    return {"access_token": token, "token_type": "Bearer", "expires_in": issuer().ttl}


def issuer() -> TokenIssuer:
    if "asp_token_issuer" not in current_app.extensions:
        current_app.extensions["asp_token_issuer"] = TokenIssuer(
            current_app.extensions["asp_runtime"].settings)
    return current_app.extensions["asp_token_issuer"]


# -- communes -----------------------------------------------------------------------------------
def commune_view(session, commune) -> dict:
    active = [p.number for p in repo.phases(session, commune) if p.status == "active"]
    return {"slug": commune.slug, "name": commune.name, "canton": commune.canton,
            "population": commune.population, "onboarded_on": commune.onboarded_on,
            "current_phase": active[0] if active else None}


@communes_blp.route("")
class Communes(MethodView):
    @communes_blp.response(200, schemas.CommuneSchema(many=True))
    def get(self):
        """List the communes the caller may see"""
        principal: Principal = require_principal()
        with uow() as work:
            visible = repo.communes(work.session, None if principal.is_regional else principal.communes)
            return [commune_view(work.session, c) for c in visible]

    @require_role("regional_admin")
    @communes_blp.arguments(schemas.CommuneCreateSchema)
    @communes_blp.response(201, schemas.CommuneSchema)
    def post(self, body):
        """Onboard a commune (regional staff)"""
        with uow() as work:
            commune = handlers.onboard_commune(work, body["slug"], body["name"], body["canton"],
                                               body["population"], body.get("onboarded_on", date.today()))
            return commune_view(work.session, commune)


@communes_blp.route("/<commune>")
@commune_access()
@communes_blp.response(200, schemas.CommuneSchema)
def get_commune(commune):
    """One commune"""
    with uow() as work:
        return commune_view(work.session, repo.commune_by_slug(work.session, commune))


# -- phases -------------------------------------------------------------------------------------
def phase_view(entry: dict, lang: str) -> dict:
    definition, row = entry["definition"], entry["row"]
    return {
        "number": definition.number, "key": definition.key, "label": definition.label(lang),
        "goal": definition.goals.get(lang, definition.goals["fr"]), "status": row.status,
        "planned_months": list(definition.planned_months) if definition.planned_months else None,
        "started_at": row.started_at, "completed_at": row.completed_at,
        "activities": [{"key": a.key, "label": a.labels.get(lang, a.labels["fr"]),
                        "done": bool(check and check.done),
                        "checked_at": check.checked_at if check else None}
                       for a, check in entry["activities"]],
    }


def timeline_views(work, commune: str) -> list[dict]:
    _commune, timeline = handlers.phase_timeline(work, commune)
    return [phase_view(entry, language()) for entry in timeline]


@communes_blp.route("/<commune>/phases")
@commune_access()
@communes_blp.response(200, schemas.PhaseSchema(many=True))
def list_phases(commune):
    """The five phases with their checklists (labels in the caller's language)"""
    with uow() as work:
        return timeline_views(work, commune)


def _phase_after(commune: str, number: int) -> dict:
    with uow() as work:
        return next(p for p in timeline_views(work, commune) if p["number"] == number)


@communes_blp.route("/<commune>/phases/<int:number>/start", methods=["POST"])
@commune_access(write=True)
@communes_blp.response(200, schemas.PhaseSchema)
def start_phase(commune, number):
    """Start a phase (the previous one must be completed)"""
    with uow() as work:
        handlers.start_phase(work, commune, number)
    return _phase_after(commune, number)


@communes_blp.route("/<commune>/phases/<int:number>/complete", methods=["POST"])
@commune_access(write=True)
@communes_blp.response(200, schemas.PhaseSchema)
def complete_phase(commune, number):
    """Complete the phase in progress"""
    with uow() as work:
        handlers.complete_phase(work, commune, number)
    return _phase_after(commune, number)


@communes_blp.route("/<commune>/phases/<int:number>/reopen", methods=["POST"])
@commune_access(write=True)
@communes_blp.response(200, schemas.PhaseSchema)
def reopen_phase(commune, number):
    """Reopen a completed phase (regional staff only)"""
    with uow() as work:
        handlers.reopen_phase(work, commune, number, require_principal())
    return _phase_after(commune, number)


@communes_blp.route("/<commune>/phases/<int:number>/activities/<key>", methods=["PUT"])
@commune_access(write=True)
@communes_blp.arguments(schemas.ActivityUpdateSchema)
@communes_blp.response(200, schemas.PhaseSchema)
def set_activity(body, commune, number, key):
    """Tick or untick an activity of a phase's checklist"""
    with uow() as work:
        handlers.set_activity(work, commune, number, key, body["done"])
    return _phase_after(commune, number)


# -- themes, objectives, actions ------------------------------------------------------------------
@communes_blp.route("/<commune>/themes")
class Themes(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.ThemeSchema(many=True))
    def get(self, commune):
        """Themes (axes) that came out of the survey"""
        with uow() as work:
            return repo.themes(work.session, repo.commune_by_slug(work.session, commune))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.ThemeCreateSchema)
    @communes_blp.response(201, schemas.ThemeSchema)
    def post(self, body, commune):
        """Define a theme"""
        with uow() as work:
            return handlers.define_theme(work, commune, body["title"], body["description"])


@communes_blp.route("/<commune>/objectives")
class Objectives(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.ObjectiveSchema(many=True))
    def get(self, commune):
        """Objectives"""
        with uow() as work:
            return repo.objectives(work.session, repo.commune_by_slug(work.session, commune))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.ObjectiveCreateSchema)
    @communes_blp.response(201, schemas.ObjectiveSchema)
    def post(self, body, commune):
        """Set an objective, optionally with the indicator it aims to move"""
        with uow() as work:
            return handlers.set_objective(work, commune, **body)


@communes_blp.route("/<commune>/objectives/<int:objective_id>")
class ObjectiveItem(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.ObjectiveSchema)
    def get(self, commune, objective_id):
        """One objective"""
        with uow() as work:
            return repo.objective(work.session, repo.commune_by_slug(work.session, commune), objective_id)

    @commune_access(write=True)
    @communes_blp.arguments(schemas.ObjectiveUpdateSchema)
    @communes_blp.response(200, schemas.ObjectiveSchema)
    def patch(self, body, commune, objective_id):
        """Change an objective"""
        with uow() as work:
            return handlers.set_objective(work, commune, objective_id, **body)


@communes_blp.route("/<commune>/actions")
class Actions(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.ActionSchema(many=True))
    def get(self, commune):
        """Actions and projects"""
        with uow() as work:
            return repo.actions(work.session, repo.commune_by_slug(work.session, commune))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.ActionCreateSchema)
    @communes_blp.response(201, schemas.ActionSchema)
    def post(self, body, commune):
        """Launch an action"""
        with uow() as work:
            return handlers.save_action(work, commune, **body)


@communes_blp.route("/<commune>/actions/<int:action_id>")
class ActionItem(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.ActionSchema)
    def get(self, commune, action_id):
        """One action"""
        with uow() as work:
            return repo.action(work.session, repo.commune_by_slug(work.session, commune), action_id)

    @commune_access(write=True)
    @communes_blp.arguments(schemas.ActionUpdateSchema)
    @communes_blp.response(200, schemas.ActionSchema)
    def patch(self, body, commune, action_id):
        """Change an action: status, owner, due date, partners and events involved"""
        with uow() as work:
            return handlers.save_action(work, commune, action_id, **body)


# -- accounts -----------------------------------------------------------------------------------
@accounts_blp.route("")
class Accounts(MethodView):
    @require_role("regional_admin")
    @accounts_blp.response(200, schemas.AccountSchema(many=True))
    def get(self):
        """Staff accounts (regional staff)"""
        with uow() as work:
            return repo.accounts(work.session)

    @require_role("regional_admin")
    @accounts_blp.arguments(schemas.AccountCreateSchema)
    @accounts_blp.response(201, schemas.AccountSchema)
    def post(self, body):
        """Create a staff account (regional staff)"""
        with uow() as work:
            return handlers.create_account(work, body["email"], body["display_name"], body["password"],
                                           body["role"], body["communes"])
