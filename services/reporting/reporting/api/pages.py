"""Reporting's pages: a commune's dashboard, the regional overview, the evaluation report."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shared.errors import DomainError
from shared.http.auth import current_principal
from shared.http.pages import page_access
from shared.phases import PHASES

from reporting.api.charts import Bar, scale
from reporting.api.routes import commune_board, region_board
from reporting.domain import labels

pages = Blueprint("reporting_pages", __name__)


@pages.get("/")
@page_access()
def home():
    principal = current_principal()
    if principal.is_regional:
        return redirect(url_for(".region"))
    return redirect(url_for(".commune", commune=principal.communes[0]))


@pages.get("/communes/<commune>")
@page_access()
def commune(commune):
    try:
        board = commune_board(commune)
    except DomainError as error:
        return render_template("empty.html", message=_(error.message, **error.params)), 404
    timeline = [Bar(p["label"], p["months"], planned=p["planned_months"][1] if p["planned_months"] else None)
                for p in board["phases"]]
    indicators = [Bar(board["indicator_labels"][key], board["indicators"][key],
                      marker=board["regional_average"].get(key))
                  for key in board["indicator_labels"]]
    return render_template("commune.html", board=board, timeline=timeline, timeline_max=scale(timeline, 8),
                           indicators=indicators, **labels.__dict__)


@pages.get("/communes/<commune>/evaluation")
@page_access()
def evaluation(commune):
    """The evaluation report for the town council: printable, one click to PDF."""
    try:
        board = commune_board(commune)
    except DomainError as error:
        return render_template("empty.html", message=_(error.message, **error.params)), 404
    return render_template("evaluation.html", board=board, **labels.__dict__)


@pages.get("/region")
@page_access()
def region():
    if not current_principal().is_regional:
        return render_template("empty.html", message=_("Only the regional staff see every commune.")), 403
    board = dict(region_board())  # the overview is shared by the requests of the next seconds
    board["communes"] = _sorted_and_filtered(board["communes"], request.args)
    distribution = [Bar(f"{d.number}. {d.label('fr')}", board["phase_distribution"][str(d.number)])
                    for d in PHASES]
    return render_template("region.html", board=board, distribution=distribution,
                           distribution_max=scale(distribution), args=request.args, sort_link=_sort_link)


SORT_KEYS = ("name", "current_phase", "months_in_phase", "gates_met", "participation_rate",
             "network_restricted_share", "events_held", "partners_active")


def _sort_link(key: str, order: str) -> str:
    """This page, with the same filters, sorted by `key`."""
    return "?" + urlencode({**request.args.to_dict(), "sort": key, "order": order}) + "#communes"


def _sorted_and_filtered(rows: list[dict], args) -> list[dict]:
    """The table's sorting and filters, done on the server so they work without JavaScript."""
    query = args.get("q", "").strip().casefold()
    if query:
        rows = [row for row in rows if query in row["name"].casefold()]
    if args.get("phase", "").isdigit():
        rows = [row for row in rows if row["current_phase"] == int(args["phase"])]
    if args.get("behind") == "1":
        rows = [row for row in rows if row["behind_plan"]]
    key = args.get("sort") if args.get("sort") in SORT_KEYS else "name"
    missing = [row for row in rows if row[key] is None]  # unknown values last, either way
    known = sorted((row for row in rows if row[key] is not None), key=lambda row: row[key],
                   reverse=args.get("order") == "desc")
    return known + missing
