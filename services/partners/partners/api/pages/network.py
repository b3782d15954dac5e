"""Page: the commune's partner network drawn as a graph (server-rendered SVG), its figures,
and the same network as a table for whoever does not see the drawing."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import render_template

from shared.errors import DomainError
from shared.http.auth import current_principal
from shared.http.pages import page_access

from partners.api.pages import not_found, pages
from partners.api.pages.partners import LABELS
from partners.api.routes import uow
from partners.domain.layout import GROUP_COLOURS, KIND_COLOURS, layout
from partners.service_layer import network


def connections(view) -> dict[str, list[tuple[str, str, str]]]:
    """Node key -> (relation, the other end's name, origin) for every link at that node."""
    found = defaultdict(list)
    for edge in view.edges:
        found[edge.source].append((edge.relation, view.names[edge.target], edge.origin))
        if edge.target.startswith("partner:"):
            found[edge.target].append((edge.relation, view.names[edge.source], edge.origin))
    return found


@pages.get("/communes/<commune>/network")
@page_access()
def network_page(commune):
    with uow() as work:
        try:
            view = network.network(work, commune)
        except DomainError:
            return not_found()
    months = [(date(year, month, 1), count) for year, month, count in view.figures["new_per_month"]]
    return render_template("network.html", commune=view.commune, view=view,
                           graph=layout(view.partners, view.activities, view.edges),
                           connections=connections(view), months=months,
                           busiest_month=max([count for _, count in months] + [1]),
                           busiest_kind=max([count for _, count in view.figures["active_by_kind"]] + [1]),
                           kind_colours=KIND_COLOURS, group_colours=GROUP_COLOURS,
                           can_write=current_principal().can_write(commune), **LABELS)
