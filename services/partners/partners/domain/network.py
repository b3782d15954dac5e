"""A commune's network as a graph, and the figures that sum it up. Pure Python."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from shared.contracts.partners import KINDS


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    group: str            # "partner", "event" or "action"
    kind: str = ""        # a partner's kind, an event's category
    status: str = ""      # a partner's status
    regional: bool = False


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str
    origin: str


def node_key(group: str, identifier: str) -> str:
    """Ids of partners, events and actions come from different services: a node's key says which."""
    return f"{group}:{identifier}"


def months_back(today: date, count: int) -> list[tuple[int, int]]:
    """The `count` months up to and including today's, oldest first."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def active_by_kind(partners: list[Node]) -> list[tuple[str, int]]:
    counts = Counter(p.kind for p in partners if p.status == "active")
    return [(kind, counts[kind]) for kind in KINDS if counts[kind]]


def new_per_month(started: list[date], today: date, months: int = 12) -> list[tuple[int, int, int]]:
    """(year, month, partners that joined the network that month) for the last `months`."""
    counts = Counter((day.year, day.month) for day in started)
    return [(year, month, counts[(year, month)]) for year, month in months_back(today, months)]


def co_organised_share(event_ids: list[str], edges: list[Edge]) -> tuple[int, int, float | None]:
    """(events with at least one partner, events, their share) over the commune's events."""
    with_partner = {e.target for e in edges if e.target.startswith("event:")}
    linked = sum(1 for event_id in event_ids if node_key("event", event_id) in with_partner)
    return linked, len(event_ids), (linked / len(event_ids) if event_ids else None)
