"""Small groups are never shown: the anonymity threshold of published figures.

A breakdown (say, answers by age band) may show a group only if at least `threshold`
people are in it (ASP_ANONYMITY_THRESHOLD, `Settings.anonymity_threshold`, default 5).
Smaller groups are merged into one; if that merged group is itself too small, the next
smallest groups join it (otherwise its size could be worked out by subtraction from the
total); if nothing but one group would be left, the breakdown is withheld. Used by the
surveys service for its results, and meant for reporting's dashboards as well.
"""
from __future__ import annotations

from dataclasses import dataclass, field

MERGED = "_merged"
# Why a breakdown differs from the raw counts; each service words it for its readers.
MERGED_REASON, WITHHELD_REASON = "merged", "withheld"


@dataclass(frozen=True)
class Group:
    key: str                      # a group's own key, or MERGED
    members: tuple[str, ...]      # the original groups it holds
    size: int


@dataclass(frozen=True)
class ProtectedGroups:
    groups: list[Group] = field(default_factory=list)
    withheld: bool = False
    reason: str | None = None     # MERGED_REASON, WITHHELD_REASON, or None: nothing changed

    def group_of(self, key: str) -> str | None:
        """The shown group an original group is counted in (None: not shown)."""
        return next((group.key for group in self.groups if key in group.members), None)


def meets_threshold(size: int, threshold: int) -> bool:
    return size >= threshold


def protect_groups(sizes: dict[str, int], threshold: int) -> ProtectedGroups:
    """Groups (in the given order) that may be shown, each with at least `threshold` people."""
    present = {key: size for key, size in sizes.items() if size > 0}
    small = [key for key, size in present.items() if size < threshold]
    if not small:
        return ProtectedGroups([Group(key, (key,), size) for key, size in present.items()])
    large = sorted((key for key in present if key not in small), key=lambda key: present[key])
    merged = list(small)
    while sum(present[key] for key in merged) < threshold and large:
        merged.append(large.pop(0))
    if not large:
        return ProtectedGroups([], withheld=True, reason=WITHHELD_REASON)
    kept = [Group(key, (key,), present[key]) for key in present if key in large]
    members = tuple(key for key in present if key in merged)
    return ProtectedGroups(kept + [Group(MERGED, members, sum(present[key] for key in merged))],
                           reason=MERGED_REASON)
