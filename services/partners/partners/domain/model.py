"""Partner rules: vocabularies, names, websites, statuses. Pure Python.

The rules act on plain values or on any objects with the attributes used here (the ORM
rows in practice) and raise DomainError subclasses with messages for the person who asked.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from shared.contracts.partners import (KINDS, LINK_TARGETS, PARTNER_RELATIONS, ROLES,
                                       STATUSES)
from shared.errors import Conflict, Invalid
from shared.text import N_

KIND_LABELS = {"association": N_("Association"), "school": N_("School"), "parish": N_("Parish"),
               "business": N_("Business"), "municipal_service": N_("Municipal service"),
               "social_service": N_("Social service"), "health": N_("Health"),
               "club": N_("Club or society"), "other": N_("Other")}
STATUS_LABELS = {"identified": N_("identified"), "contacted": N_("contacted"),
                 "engaged": N_("engaged"), "active": N_("active"), "inactive": N_("inactive")}
ROLE_LABELS = {"co_organiser": N_("co-organiser"), "venue": N_("venue"), "relay": N_("relay"),
               "funder": N_("funder"), "expert": N_("expert"), "other": N_("other role")}
RELATION_LABELS = {"works_with": N_("already work together"),
                   "introduced_by_us": N_("introduced by us"),
                   "involved": N_("takes part")}
TARGET_LABELS = {"partner": N_("partner"), "event": N_("event"), "action": N_("action")}
assert set(KIND_LABELS) == set(KINDS) and set(STATUS_LABELS) == set(STATUSES)
assert set(ROLE_LABELS) == set(ROLES)

# Statuses in the order a partnership normally grows; `inactive` comes last: a partner
# that stopped and starts again goes back, which needs a reason like any step back.
STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}
MAX_THEMES = 20


def name_key(name: str) -> str:
    """What two names share when they name the same organisation: case, accents,
    punctuation and spacing do not count ("Société de jeunesse" = "societe de JEUNESSE")."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare.replace("œ", "oe").replace("æ", "ae")).split())


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not name_key(cleaned):
        raise Invalid(N_("A partner needs a name with letters or digits."), field="name")
    return cleaned


def check_unique_name(name: str, taken: dict[str, str]) -> None:
    """`taken`: name key -> name as written, of every partner in the commune's network."""
    key = name_key(name)
    if key in taken:
        raise Conflict(N_("The commune already works with %(name)s: a partner's name appears once."),
                       field="name", name=taken[key])


_WEBSITE = re.compile(r"^(https?://)?([a-z0-9-]+\.)+[a-z]{2,}(:\d{1,5})?(/[^\s]*)?$", re.IGNORECASE)


def clean_website(website: str) -> str:
    """A web address as people type it ("www.paroisse.ch"), stored with its scheme; only
    http and https, so a link on a page can never run a script."""
    website = website.strip()
    if not website:
        return ""
    if not _WEBSITE.match(website):
        raise Invalid(N_("Must be a web address such as www.example.ch."), field="website")
    return website if re.match(r"^https?://", website, re.IGNORECASE) else f"https://{website}"


def clean_themes(themes: list[str]) -> list[str]:
    kept: dict[str, str] = {}
    for theme in themes:
        theme = " ".join(theme.split())
        if theme and name_key(theme) not in kept:
            kept[name_key(theme)] = theme
    if len(kept) > MAX_THEMES:
        raise Invalid(N_("At most %(max)s themes."), field="themes", max=MAX_THEMES)
    return list(kept.values())


def clean_roles(roles: list[str]) -> list[str]:
    """Roles in their canonical order, each once."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise Invalid(N_("Unknown role: %(role)s."), field="roles", role=unknown[0])
    return [role for role in ROLES if role in roles]


def check_status_change(current: str, new: str, reason: str | None, changed_on: date,
                        last_changed_on: date | None, today: date) -> bool:
    """True if the status really changes; raises if the change is not allowed as asked."""
    if new not in STATUS_RANK:
        raise Invalid(N_("Unknown status: %(status)s."), field="status", status=new)
    if new == current:
        return False
    if changed_on > today:
        raise Invalid(N_("A status change is recorded once it happened, not in advance."),
                      field="changed_on")
    if last_changed_on and changed_on < last_changed_on:
        raise Invalid(N_("The status last changed on %(date)s: a new change cannot be dated earlier."),
                      field="changed_on", date=last_changed_on.isoformat())
    if STATUS_RANK[new] < STATUS_RANK[current] and not (reason or "").strip():
        raise Invalid(N_("Moving a partner back to an earlier status needs a reason."), field="reason")
    return True


def check_not_in_future(day: date, today: date, field: str) -> None:
    if day > today:
        raise Invalid(N_("This date is in the future."), field=field)


def check_link(partner_id: str, target_type: str, target_id: str, relation: str) -> None:
    if target_type not in LINK_TARGETS:
        raise Invalid(N_("Unknown kind of link target: %(target)s."), field="target_type",
                      target=target_type)
    if target_type == "partner":
        if relation not in PARTNER_RELATIONS:
            raise Invalid(N_("Two partners either already work together or were introduced by us."),
                          field="relation")
        if partner_id == target_id:
            raise Invalid(N_("A partner cannot be linked to itself."), field="target_id")
    elif relation != "involved":
        raise Invalid(N_("A partner takes part in an event or an action: use the relation 'involved'."),
                      field="relation")


def undirected(partner_id: str, target_type: str, target_id: str) -> tuple[str, str]:
    """Partner-to-partner links have no direction: one order is stored, so A-B and B-A meet."""
    if target_type == "partner" and target_id < partner_id:
        return target_id, partner_id
    return partner_id, target_id
