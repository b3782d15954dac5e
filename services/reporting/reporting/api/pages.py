"""Reporting's pages: a commune's dashboard, the regional overview, the evaluation report."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _

from shared.errors import DomainError
from shared.http.auth import current_principal
from shared.http.pages import page_access
from shared.phases import PHASES

from reporting.api.charts import Bar, scale
from reporting.api.routes import commune_board, region_board

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
                           indicators=indicators)


@pages.get("/communes/<commune>/evaluation")
@page_access()
def evaluation(commune):
    """The evaluation report for the town council: printable, one click to PDF."""
    try:
        board = commune_board(commune)
    except DomainError as error:
        return render_template("empty.html", message=_(error.message, **error.params)), 404
    return render_template("evaluation.html", board=board)


@pages.get("/region")
@page_access()
def region():
    if not current_principal().is_regional:
        return render_template("empty.html", message=_("Only the regional staff see every commune.")), 403
    board = region_board()
    distribution = [Bar(f"{d.number}. {d.label('fr')}", board["phase_distribution"][str(d.number)])
                    for d in PHASES]
    return render_template("region.html", board=board, distribution=distribution,
                           distribution_max=scale(distribution))
