"""Shares with their uncertainty, and the anonymity rule for anything shown."""
from __future__ import annotations

import math
from dataclasses import dataclass

Z_95 = 1.959964


@dataclass(frozen=True)
class Share:
    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    def interval(self, z: float = Z_95) -> tuple[float, float] | None:
        """Wilson score interval: sound for small samples and shares near 0 or 1."""
        if not self.total:
            return None
        n, p = self.total, self.count / self.total
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)


def shown(share: Share, threshold: int) -> float | None:
    """The share, or None when fewer than `threshold` people stand behind it."""
    return share.value if share.total >= threshold else None


@dataclass(frozen=True)
class Change:
    baseline: Share
    follow_up: Share

    @property
    def difference(self) -> float | None:
        if self.baseline.value is None or self.follow_up.value is None:
            return None
        return self.follow_up.value - self.baseline.value

    def interval(self, z: float = Z_95) -> tuple[float, float] | None:
        """Newcombe's hybrid score interval for a difference of two independent shares."""
        first, second = self.baseline.interval(z), self.follow_up.interval(z)
        if first is None or second is None:
            return None
        p1, p2 = self.baseline.value, self.follow_up.value
        (l1, u1), (l2, u2) = first, second
        d = p2 - p1
        return (d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2),
                d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))
