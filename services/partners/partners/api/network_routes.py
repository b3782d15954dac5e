"""The network's JSON routes: links, the commune's events and actions, the graph and its figures."""
from __future__ import annotations

from flask.views import MethodView

from shared.http.auth import commune_access

from partners.adapters import repository as repo
from partners.api import schemas
from partners.api.routes import communes_blp, uow
from partners.service_layer import network


@communes_blp.route("/<commune>/links")
class Links(MethodView):
    @commune_access()
    @communes_blp.response(200, schemas.LinkSchema(many=True))
    def get(self, commune):
        """Links between partners, and between partners and events or actions"""
        with uow() as work:
            return repo.links(work.session, repo.commune_by_slug(work.session, commune))

    @commune_access(write=True)
    @communes_blp.arguments(schemas.LinkCreateSchema)
    @communes_blp.response(201, schemas.LinkSchema)
    def post(self, body, commune):
        """Link a partner to another partner, an event or an action"""
        with uow() as work:
            return network.create_link(work, commune, **body)


@communes_blp.route("/<commune>/links/<link_id>", methods=["DELETE"])
@commune_access(write=True)
@communes_blp.response(204)
def delete_link(commune, link_id):
    """Remove a link the commune drew"""
    with uow() as work:
        network.delete_link(work, commune, link_id)


@communes_blp.route("/<commune>/activities")
@commune_access()
@communes_blp.response(200, schemas.ActivitySchema(many=True))
def activities(commune):
    """The commune's events and actions, as their services announced them"""
    with uow() as work:
        return repo.activities(work.session, repo.commune_by_slug(work.session, commune))


def network_document(view) -> dict:
    figures = dict(view.figures)
    figures["active_by_kind"] = [{"kind": kind, "count": count} for kind, count in figures["active_by_kind"]]
    figures["new_per_month"] = [{"month": f"{year}-{month:02d}", "count": count}
                                for year, month, count in figures["new_per_month"]]
    return {"nodes": view.partners + view.activities, "edges": view.edges, "figures": figures}


@communes_blp.route("/<commune>/network")
@commune_access()
@communes_blp.response(200, schemas.NetworkSchema)
def get_network(commune):
    """The network as a graph (nodes and edges) with its figures"""
    with uow() as work:
        return network_document(network.network(work, commune))
