"""Charts drawn on the server as SVG: readable without JavaScript, printable, and each
with a text alternative. Values come escaped through Jinja (templates/_charts.html)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    marker: float | None = None   # e.g. the regional average, drawn as a tick
    planned: float | None = None  # e.g. planned months, drawn as a lighter bar behind


def scale(bars: list[Bar], floor: float = 1.0) -> float:
    values = [v for b in bars for v in (b.value, b.marker, b.planned) if v is not None]
    return max(values + [floor])
