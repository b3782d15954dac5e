"""What the sources hold, figure by figure, in the shape of reporting's commune dashboard.

Every figure is recomputed from the owning service's own API (programme, surveys, events,
partners) — never from reporting or from the events — and compared with the dashboard,
exactly: integers equal, shares equal as floats (each side divides the same two integers),
times equal to the microsecond where the dashboard keeps them. `as_of` is checked
against the newest event of the commune in the four services' outbox tables.
"""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from shared.anonymity import meets_threshold

from reporting.service_layer.dashboard import MIN_COMMUNES_IN_AVERAGE

from tests.stress.fault_client import Client

INDICATOR_KEYS = ("network_restricted_share", "neighbour_interaction_frequency", "interaction_duration",
                  "local_politics_interest", "places_of_passage_share")
EVENT_KINDS = ("papotage", "brise_glace", "forum_citoyen", "atelier", "other")
GATE_FIGURES = {"phase1.checklist": "checklist_done_share_1", "phase2.survey": "closed_survey_participation",
                "phase2.papotages": "held_papotage", "phase2.ice_breaker_week": "held_brise_glace",
                "phase3.citizen_forum": "held_forum_citoyen", "phase3.themes": "themes",
                "phase3.objectives": "objectives", "phase4.actions": "actions_launched",
                "phase5.follow_up": "follow_up_surveys_closed"}


def when(value):
    """A time or a date as either side writes it (ISO 8601, or HTTP dates in free-form dicts)."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        return date.fromisoformat(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = parsedate_to_datetime(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def day(value):
    moment = when(value)
    return moment.date() if isinstance(moment, datetime) else moment


class Sources:
    def __init__(self, client: Client, headers: dict, data_dir: Path, threshold: int):
        self.client = client
        self.headers = headers
        self.data_dir = data_dir
        self.threshold = threshold

    def get(self, path: str):
        return self.client.get(path, self.headers)

    def communes(self) -> list[str]:
        return sorted(c["slug"] for c in self.get("/programme/api/v1/communes"))

    # -- one commune --------------------------------------------------------------------------
    def expected(self, commune: str, handled_types: set[str]) -> dict:
        p = f"/programme/api/v1/communes/{commune}"
        info = self.get(p)
        phases = self.get(f"{p}/phases")
        expected = {
            "commune": {"slug": info["slug"], "name": info["name"], "canton": info["canton"],
                        "population": info["population"], "onboarded_on": day(info["onboarded_on"])},
            "current_phase": next((ph["number"] for ph in phases if ph["status"] == "active"), None),
            "phases": [{"number": ph["number"], "status": ph["status"], "started_at": when(ph["started_at"]),
                        "completed_at": when(ph["completed_at"])} for ph in phases],
        }
        figures = {"checklist_done_share_1": _share_done(phases[0])}
        expected["plan"], plan_figures = self._plan(p)
        figures.update(plan_figures)
        expected.update(self._surveys(commune, info["population"], figures))
        expected["events"], held = self._events(commune)
        figures.update({f"held_{kind}": count for kind, count in held.items()})
        expected["partners"] = self._partners(commune)
        expected["gates"] = {key: figures.get(figure) for key, figure in GATE_FIGURES.items()}
        expected["as_of"] = self.newest_event(commune, handled_types)
        return expected

    def _plan(self, p: str) -> tuple[dict, dict]:
        themes, objectives, actions = (self.get(f"{p}/{what}") for what in ("themes", "objectives", "actions"))
        acts = [{"id": a["id"], "title": a["title"], "status": a["status"], "due_on": day(a["due_on"]),
                 "partner_ids": sorted(a["partner_ids"]), "event_ids": sorted(a["event_ids"]),
                 "objective_id": a["objective_id"]} for a in actions]
        objs = [{"id": o["id"], "title": o["title"], "theme_id": o["theme_id"], "indicator": o["indicator"],
                 "baseline": o["baseline"], "target": o["target"],
                 "actions": _by_id([{k: v for k, v in a.items() if k != "objective_id"}
                                    for a in acts if a["objective_id"] == o["id"]])} for o in objectives]
        theme_ids = {t["id"] for t in themes}
        by_status = defaultdict(int)
        for action in acts:
            by_status[action["status"]] += 1
        plan = {"themes": _by_id([{"id": t["id"], "title": t["title"],
                                   "objectives": _by_id([o for o in objs if o["theme_id"] == t["id"]])}
                                  for t in themes]),
                "objectives_without_theme": _by_id([o for o in objs if o["theme_id"] not in theme_ids]),
                "actions_without_objective": _by_id([{"id": a["id"], "title": a["title"], "status": a["status"]}
                                                     for a in acts if a["objective_id"] is None]),
                "objectives": len(objs), "actions_by_status": dict(by_status)}
        return plan, {"themes": len(themes), "objectives": len(objs),
                      "actions_launched": sum(1 for a in acts if a["status"] in ("in_progress", "done"))}

    def _surveys(self, commune: str, population: int, figures: dict) -> dict:
        base_path = f"/surveys/api/v1/communes/{commune}/surveys"
        surveys = sorted(self.get(base_path), key=lambda s: s["id"])
        published = [s for s in surveys if s["status"] in ("published", "closed")]
        closed_participation = [s["responses"] / population if population else 0.0
                                for s in published if s["status"] == "closed" and s["follow_up_of"] is None]
        figures["closed_survey_participation"] = max(closed_participation) if closed_participation else None
        figures["follow_up_surveys_closed"] = sum(1 for s in published if s["status"] == "closed"
                                                  and s["follow_up_of"] is not None)
        bases = [s for s in published if s["template"] == "qualite-de-vie" and s["follow_up_of"] is None
                 and s["responses"]]
        if not bases:
            return {"survey": None, "respondents": {},
                    "indicators": {**{k: None for k in INDICATOR_KEYS}, "participation_rate": None},
                    "evaluation": None}
        base = bases[-1]
        rate = base["responses"] / population if population else None
        results = self.get(f"{base_path}/{base['id']}/results")["indicators"]
        shown = {k: (results[k]["count"] / results[k]["answered"]
                     if meets_threshold(results[k]["answered"], self.threshold) else None) for k in INDICATOR_KEYS}
        answered_any = any(results[k]["answered"] for k in INDICATOR_KEYS)
        follow_ups = [s for s in published if s["follow_up_of"] == base["id"] and s["responses"]]
        return {"survey": {"survey_id": base["id"], "status": base["status"], "responses": base["responses"],
                           "participation_rate": rate, "published_at": when(base["published_at"]),
                           "closed_at": when(base["closed_at"])},
                "indicators": {**shown, "participation_rate": rate},
                "respondents": {k: results[k]["answered"] for k in INDICATOR_KEYS} if answered_any else {},
                "evaluation": None if not follow_ups else "follow-up: not compared"}

    def _events(self, commune: str) -> tuple[dict, dict]:
        path = f"/events/api/v1/communes/{commune}/events"
        rows = self.get(path)
        held = [e for e in rows if e["status"] == "held"]
        satisfaction = met = responses = 0
        for event in held:
            answers = self.get(f"{path}/{event['id']}/feedback")["answers"]
            responses += len(answers)
            satisfaction += sum(a["satisfaction"] for a in answers)
            met += sum(1 for a in answers if a["met_someone_new"])
        live = [e for e in rows if e["status"] != "cancelled"]
        by_month = defaultdict(lambda: {"held": 0, "attendance": 0})
        for event in held:
            month = when(event["starts_at"]).astimezone(timezone.utc).strftime("%Y-%m")
            by_month[month]["held"] += 1
            by_month[month]["attendance"] += event["head_count"] or 0
        held_by_kind = {kind: sum(1 for e in held if e["kind"] == kind) for kind in EVENT_KINDS}
        return {
            "held_by_kind": held_by_kind,
            "scheduled": sum(1 for e in rows if e["status"] == "scheduled"),
            "registrations": sum(e["registered_people"] for e in live),
            "attendance": sum(e["head_count"] or 0 for e in held),
            "satisfaction_average": satisfaction / responses if responses else None,
            "met_someone_new_share": met / responses if responses else None,
            "feedback_responses": responses,
            "co_organised_share": (sum(1 for e in live if e["partners"]) / max(1, len(live))) if rows else None,
            "by_month": [{"month": m, **v} for m, v in sorted(by_month.items())],
        }, held_by_kind

    def _partners(self, commune: str) -> dict:
        rows = self.get(f"/partners/api/v1/communes/{commune}/partners")
        active = [r for r in rows if r["status"] == "active"]
        by_month = defaultdict(int)
        for row in rows:
            by_month[day(row["started_on"]).strftime("%Y-%m")] += 1
        growth, total = [], 0
        for month in sorted(by_month):
            total += by_month[month]
            growth.append({"month": month, "new": by_month[month], "total": total})
        by_status = defaultdict(int)
        for row in rows:
            by_status[row["status"]] += 1
        return {"partners": len(rows), "active": len(active),
                "active_by_kind": {k: sum(1 for r in active if r["kind"] == k) for k in sorted({r["kind"] for r in active})},
                "by_status": dict(sorted(by_status.items())), "growth": growth}

    def newest_event(self, commune: str, handled_types: set[str]):
        newest = None
        for service in ("programme", "surveys", "events", "partners"):
            with sqlite3.connect(f"file:{self.data_dir / service}.db?mode=ro", uri=True) as connection:
                for event_type, body in connection.execute(
                        "SELECT event_type, body FROM outbox WHERE message_key = ?", (commune,)):
                    if event_type in handled_types:
                        at = when(json.loads(body)["occurred_at"])
                        newest = at if newest is None or at > newest else newest
        return newest


def _share_done(phase: dict) -> float:
    done = sum(1 for a in phase["activities"] if a["done"])
    return min(1.0, done / len(phase["activities"])) if phase["activities"] else 0.0


def _by_id(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item["id"])


# -- the dashboard in the same shape --------------------------------------------------------------
def shown(dashboard: dict) -> dict:
    plan = dashboard["plan"]

    def action(a, with_links=True):
        out = {"id": a["id"], "title": a["title"], "status": a["status"]}
        if with_links:
            out.update(due_on=day(a["due_on"]), partner_ids=sorted(a["partner_ids"]), event_ids=sorted(a["event_ids"]))
        return out

    def objective(o):
        return {"id": o["id"], "title": o["title"], "theme_id": o["theme_id"], "indicator": o["indicator"],
                "baseline": o["baseline"], "target": o["target"], "actions": _by_id([action(a) for a in o["actions"]])}
    survey = dashboard["survey"]
    commune = dashboard["commune"]
    return {
        "commune": {**commune, "onboarded_on": day(commune["onboarded_on"])},
        "current_phase": dashboard["current_phase"],
        "phases": [{"number": ph["number"], "status": ph["status"], "started_at": when(ph["started_at"]),
                    "completed_at": when(ph["completed_at"])} for ph in dashboard["phases"]],
        "plan": {"themes": _by_id([{"id": t["id"], "title": t["title"],
                                    "objectives": _by_id([objective(o) for o in t["objectives"]])}
                                   for t in plan["themes"]]),
                 "objectives_without_theme": _by_id([objective(o) for o in plan["objectives_without_theme"]]),
                 "actions_without_objective": _by_id([action(a, False) for a in plan["actions_without_objective"]]),
                 "objectives": plan["objectives"], "actions_by_status": plan["actions_by_status"]},
        "survey": survey and {**survey, "published_at": when(survey["published_at"]),
                              "closed_at": when(survey["closed_at"])},
        "indicators": dashboard["indicators"],
        "respondents": dashboard["respondents"],
        "evaluation": dashboard["evaluation"] and "follow-up: not compared",
        "events": dashboard["events"],
        "partners": dashboard["partners"],
        "gates": {g["key"]: g["value"] for g in dashboard["gates"]},
        "as_of": when(dashboard["as_of"]),
    }


def leaves(value, prefix="") -> dict[str, object]:
    """Every figure, by its path: what "figures compared" counts."""
    if isinstance(value, dict):
        if not value:
            return {prefix: "{}"}
        out = {}
        for key, item in value.items():
            out.update(leaves(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        if not value:
            return {prefix: "[]"}
        out = {}
        for index, item in enumerate(value):
            out.update(leaves(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def differences(expected: dict, dashboard: dict) -> tuple[int, list[str]]:
    """(figures compared, the ones that differ)."""
    want, got = leaves(expected), leaves(shown(dashboard))
    keys = sorted(set(want) | set(got))
    return len(keys), [f"{key}: source {want.get(key, '<missing>')!r} != reporting {got.get(key, '<missing>')!r}"
                       for key in keys if want.get(key, "<missing>") != got.get(key, "<missing>")]


def regional_average(expected_by_commune: dict[str, dict]) -> dict[str, float | None]:
    """Each indicator averaged over the communes that show it (as the dashboard explains it),
    from three communes on."""
    averages = {}
    for key in INDICATOR_KEYS:
        values = [e["indicators"][key] for e in expected_by_commune.values()
                  if e["survey"] is not None and e["indicators"][key] is not None]
        averages[key] = sum(values) / len(values) if len(values) >= MIN_COMMUNES_IN_AVERAGE else None
    return averages
