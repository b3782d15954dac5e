"""Reporting's JSON API: /reporting/api/v1/…"""
from __future__ import annotations

import json

from flask import Response, current_app
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from shared.db.engine import read_only
from shared.http.auth import commune_access, require_role
from shared.http.exports import table_response

from reporting.api import schemas
from reporting.service_layer import dashboard, settings as region_settings
from reporting.service_layer.cache import RefreshingCache

communes_blp = Blueprint("dashboards", __name__, url_prefix="/communes", description="Commune dashboards")
region_blp = Blueprint("region", __name__, url_prefix="/region",
                       description="The regional overview and the region's settings")


def runtime():
    return current_app.extensions["asp_runtime"]


def language() -> str:
    return str(get_locale() or "fr")


def session() -> Session:
    return Session(runtime().engine)


def translated(board: dict) -> dict:
    for gate in board.get("gates", []):
        gate["label"] = _(gate["label"])
    board["indicator_labels"] = {key: _(label) for key, label in board.get("indicator_labels", {}).items()}
    for row in (board.get("evaluation") or {}).get("indicators", []):
        row["label"] = _(row["label"])
    return board


def commune_board(commune: str) -> dict:
    threshold = runtime().settings.anonymity_threshold
    averages = dashboard.regional_averages(runtime().engine, threshold)
    with Session(read_only(runtime().engine)) as work:
        return translated(dashboard.commune_dashboard(work, commune, language(), threshold, averages))


def region_board() -> dict:
    return dashboard.region_overview(runtime().engine, language(), runtime().settings.anonymity_threshold)


@communes_blp.route("/<commune>/dashboard")
@commune_access()
@communes_blp.response(200, schemas.CommuneDashboardSchema)
def commune_dashboard(commune):
    """A commune's dashboard: phases, gates, indicators, events, partners, plan"""
    return commune_board(commune)


@communes_blp.route("/<commune>/export")
@commune_access()
@communes_blp.arguments(schemas.ExportQuerySchema, location="query")
@communes_blp.response(200)
def commune_export(query, commune):
    """The dashboard's gates and figures as CSV or XLSX"""
    board = commune_board(commune)
    rows = [(_("Phase %(number)s", number=g["phase"]), g["label"], g["value"], g["threshold"],
             _("met") if g["met"] else _("not met")) for g in board["gates"]]
    headers = (_("Phase"), _("Criterion"), _("Value"), _("Threshold"), _("Status"))
    return table_response(f"tableau-de-bord-{commune}", headers, rows, query["format"])


OVERVIEW_JSON = RefreshingCache(fresh_s=2.0)


@region_blp.route("/overview")
@require_role("regional_admin")
@region_blp.response(200, schemas.RegionOverviewSchema)
def region_overview():
    """Every commune side by side (regional staff)"""
    # Thousands of rows: serialised once for the requests of the next seconds, and again
    # behind them (the cache's compute must not touch the request: it may outlive it).
    engine, chosen, threshold = runtime().engine, language(), runtime().settings.anonymity_threshold
    body = OVERVIEW_JSON.get((str(engine.url), chosen, threshold), lambda: json.dumps(
        schemas.RegionOverviewSchema().dump(dashboard.region_overview(engine, chosen, threshold))))
    return Response(body, mimetype="application/json")


REGION_COLUMNS = (("name", "Commune"), ("canton", "Canton"), ("population", "Population"),
                  ("current_phase", "Current phase"), ("months_in_phase", "Months in phase"),
                  ("behind_plan", "Behind plan"), ("gates_met", "Gates met"), ("gates_due", "Gates due"),
                  ("participation_rate", "Participation"),
                  ("network_restricted_share", "Restricted network"),
                  ("events_held", "Events held"), ("partners_active", "Active partners"))


@region_blp.route("/export")
@require_role("regional_admin")
@region_blp.arguments(schemas.ExportQuerySchema, location="query")
@region_blp.response(200)
def region_export(query):
    """The regional overview as CSV or XLSX (regional staff)"""
    rows = [[row.get(key) for key, _label in REGION_COLUMNS] for row in region_board()["communes"]]
    return table_response("communes", [_(label) for _key, label in REGION_COLUMNS], rows, query["format"])


@region_blp.route("/gates")
class Gates(MethodView):
    @require_role("regional_admin")
    @region_blp.response(200, schemas.GateCriterionSchema(many=True))
    def get(self):
        """The phase-gate criteria with the region's thresholds (regional staff)"""
        with session() as work:
            return [{**row, "label": _(row["label"])} for row in region_settings.criteria(work)]


@region_blp.route("/gates/<key>", methods=["PUT"])
@require_role("regional_admin")
@region_blp.arguments(schemas.GateSettingSchema)
@region_blp.response(200, schemas.GateCriterionSchema)
def set_gate(body, key):
    """Change a criterion's threshold or switch it off (regional staff)"""
    with session() as work:
        row = region_settings.set_criterion(work, key, body["threshold"], body["enabled"])
        return {**row, "label": _(row["label"])}


