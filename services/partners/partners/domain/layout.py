"""Where each node of the network graph goes: a deterministic radial layout.

Partners sit on an outer ring, grouped by kind (a gap between groups), each label running
outward from its node so that 50 and more names stay legible; events and actions sit on an
inner ring, their labels running outward into the band between the rings (labels fan out,
so they never meet). Links between partners are curves through the middle; links to
events and actions are straight. Same network, same picture.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from shared.contracts.partners import KINDS

from partners.domain.network import Edge, Node

SLOT = 24            # px along the outer ring per partner: a 12 px label plus air
INNER_SLOT = 26
MIN_RADIUS = 230
LABEL_ROOM = 200     # px beyond the outer ring for labels
OUTER_LABEL = 30     # characters shown; the full name is in the node's <title>
CHAR_WIDTH = 6.5     # px of an average character at the inner labels' 11 px
# Okabe–Ito colours (told apart with the common colour-vision deficiencies), then grey.
KIND_COLOURS = dict(zip(KINDS, ("#0072B2", "#E69F00", "#CC79A7", "#8C6D00", "#009E73",
                                "#D55E00", "#56B4E9", "#332288", "#777777")))
GROUP_COLOURS = {"event": "#1d2733", "action": "#0b5c8c"}


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    x: float
    y: float
    angle: float          # degrees, 0 = to the right, clockwise
    label: str
    label_x: float
    label_y: float
    rotate: float
    anchor: str
    colour: str


@dataclass(frozen=True)
class PlacedEdge:
    edge: Edge
    path: str


@dataclass(frozen=True)
class Arc:
    kind: str
    path: str
    colour: str


@dataclass(frozen=True)
class Layout:
    size: float
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]
    arcs: list[Arc]


def shorten(text: str, longest: int) -> str:
    return text if len(text) <= longest else text[:longest - 1].rstrip() + "…"


def _point(centre: float, radius: float, angle: float) -> tuple[float, float]:
    radians = math.radians(angle)
    return centre + radius * math.cos(radians), centre + radius * math.sin(radians)


def _placed(node: Node, centre: float, radius: float, angle: float, outward: bool,
            longest: int, colour: str) -> PlacedNode:
    x, y = _point(centre, radius, angle)
    gap = 12 if outward else -12
    label_x, label_y = _point(centre, radius + gap, angle)
    # Text reads left to right: on the left half the label is turned half a turn.
    left_half = 90 < (angle % 360) < 270
    rotate = angle + 180 if left_half else angle
    anchor = "end" if left_half == outward else "start"
    return PlacedNode(node, round(x, 1), round(y, 1), angle, shorten(node.label, longest),
                      round(label_x, 1), round(label_y, 1), round(rotate % 360, 2), anchor, colour)


def _ring_angles(groups: list[list[Node]]) -> list[list[float]]:
    """Angles for each group's nodes, one empty slot between groups, starting at the top."""
    slots = sum(len(group) for group in groups) + (len(groups) if len(groups) > 1 else 0)
    step = 360 / max(slots, 1)
    angles, slot = [], 0
    for group in groups:
        angles.append([-90 + step * (slot + index) for index in range(len(group))])
        slot += len(group) + (1 if len(groups) > 1 else 0)
    return angles


def _arc(centre: float, radius: float, start: float, end: float) -> str:
    x1, y1 = _point(centre, radius, start)
    x2, y2 = _point(centre, radius, end)
    large = 1 if end - start > 180 else 0
    return f"M{x1:.1f},{y1:.1f} A{radius:.1f},{radius:.1f} 0 {large} 1 {x2:.1f},{y2:.1f}"


def _edge_path(edge: Edge, at: dict[str, PlacedNode], centre: float, radius: float) -> str:
    a, b = at[edge.source], at[edge.target]
    if edge.relation == "involved":
        return f"M{a.x},{a.y} L{b.x},{b.y}"
    # A chord bent towards the centre: the closer the two partners on the ring, the less
    # it bends, so links between neighbours stay short and the others cross the middle.
    closeness = 1 - math.dist((a.x, a.y), (b.x, b.y)) / (2 * radius)
    pull = 0.15 + 0.7 * closeness
    cx, cy = centre + (a.x + b.x - 2 * centre) / 2 * pull, centre + (a.y + b.y - 2 * centre) / 2 * pull
    return f"M{a.x},{a.y} Q{cx:.1f},{cy:.1f} {b.x},{b.y}"


def layout(partners: list[Node], activities: list[Node], edges: list[Edge]) -> Layout:
    by_kind = [sorted((p for p in partners if p.kind == kind), key=lambda p: p.label.casefold())
               for kind in KINDS]
    groups = [group for group in by_kind if group]
    slots = len(partners) + len(groups)
    radius = max(MIN_RADIUS, slots * SLOT / (2 * math.pi))
    centre = radius + LABEL_ROOM
    nodes, arcs = [], []
    for group, angles in zip(groups, _ring_angles(groups)):
        colour = KIND_COLOURS[group[0].kind]
        nodes += [_placed(node, centre, radius, angle, True, OUTER_LABEL, colour)
                  for node, angle in zip(group, angles)]
        half = 360 / max(slots, 1) / 2
        arcs.append(Arc(group[0].kind, _arc(centre, radius - 14, angles[0] - half, angles[-1] + half), colour))
    ordered = sorted(activities, key=lambda a: (a.group, a.label.casefold(), a.id))
    inner = min(radius * 0.6, max(radius * 0.35, len(ordered) * INNER_SLOT / (2 * math.pi)))
    room = int((radius - inner - 32) / CHAR_WIDTH)  # the inner labels stop short of the partners
    for node, angle in zip(ordered, _ring_angles([ordered])[0] if ordered else []):
        nodes.append(_placed(node, centre, inner, angle, True, max(room, 8), GROUP_COLOURS[node.group]))
    at = {placed.node.id: placed for placed in nodes}
    placed_edges = [PlacedEdge(edge, _edge_path(edge, at, centre, radius))
                    for edge in sorted(edges, key=lambda e: (e.relation != "involved", e.source, e.target))
                    if edge.source in at and edge.target in at]
    return Layout(round(2 * centre, 1), nodes, placed_edges, arcs)
