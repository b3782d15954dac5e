"""The network's use cases: links drawn by the commune, and the graph with its figures."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from shared.db.uow import UnitOfWork
from shared.errors import Conflict
from shared.text import N_

from partners.adapters import repository as repo
from partners.adapters.orm import Link
from partners.domain import model
from partners.domain.network import (Edge, Node, active_by_kind, co_organised_share, new_per_month,
                                     node_key)
from partners.service_layer.handlers import event, today


def _check_target(uow: UnitOfWork, commune, target_type: str, target_id: str) -> None:
    if target_type == "partner":
        repo.partnership(uow.session, commune, target_id, field="target_id")
    else:
        repo.activity(uow.session, commune, target_type, target_id, field="target_id")


def create_link(uow: UnitOfWork, slug: str, partner_id: str, target_type: str, target_id: str,
                relation: str) -> Link:
    commune = repo.commune_by_slug(uow.session, slug)
    model.check_link(partner_id, target_type, target_id, relation)
    repo.partnership(uow.session, commune, partner_id, field="partner_id")
    _check_target(uow, commune, target_type, target_id)
    partner_id, target_id = model.undirected(partner_id, target_type, target_id)
    if repo.find_link(uow.session, commune, partner_id, target_type, target_id):
        raise Conflict(N_("These two are linked already."), field="target_id")
    link = Link(id=str(uuid.uuid4()), commune_id=commune.id, partner_id=partner_id,
                target_type=target_type, target_id=target_id, relation=relation, origin="commune",
                linked_on=today())
    uow.session.add(link)
    uow.publish(event("PartnersLinked", slug, link_id=link.id, partner_id=partner_id,
                      target_type=target_type, target_id=target_id, relation=relation,
                      linked_on=link.linked_on.isoformat()))
    uow.commit()
    return link


def delete_link(uow: UnitOfWork, slug: str, link_id: str) -> None:
    commune = repo.commune_by_slug(uow.session, slug)
    link = repo.link(uow.session, commune, link_id)
    if link.origin != "commune":
        source = N_("the events service") if link.origin == "events" else N_("the programme's actions")
        raise Conflict(N_("This link comes from %(source)s: change it there."), source=source)
    uow.session.delete(link)
    uow.publish(event("PartnersUnlinked", slug, link_id=link.id, partner_id=link.partner_id,
                      target_type=link.target_type, target_id=link.target_id))
    uow.commit()


@dataclass
class NetworkView:
    commune: object
    partners: list[Node]
    activities: list[Node]
    edges: list[Edge]
    links: list[Link]
    names: dict[str, str]   # node key -> label
    figures: dict


def network(uow: UnitOfWork, slug: str) -> NetworkView:
    session = uow.session
    commune = repo.commune_by_slug(session, slug)
    partnerships = repo.partnerships(session, commune)
    partners = [Node(node_key("partner", p.partner_id), p.partner.name, "partner", p.partner.kind,
                     p.status, p.partner.regional) for p in partnerships]
    activities = [Node(node_key(a.kind, a.external_id), a.title, a.kind, a.category)
                  for a in repo.activities(session, commune) if not a.cancelled]
    links = repo.links(session, commune)
    edges = [Edge(node_key("partner", link.partner_id), node_key(link.target_type, link.target_id),
                  link.relation, link.origin) for link in links]
    known = {node.id for node in partners + activities}
    edges = [edge for edge in edges if edge.source in known and edge.target in known]
    event_ids = [a.external_id for a in repo.activities(session, commune, "event") if not a.cancelled]
    linked, total, share = co_organised_share(event_ids, edges)
    figures = {"active_by_kind": active_by_kind(partners),
               "new_per_month": new_per_month([p.started_on for p in partnerships], today()),
               "events_co_organised": linked, "events": total, "co_organised_share": share,
               "partners": len(partners), "links": len(edges)}
    names = {node.id: node.label for node in partners + activities}
    return NetworkView(commune, partners, activities, edges, links, names, figures)
