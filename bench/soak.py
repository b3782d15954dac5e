"""Soak: a bounded mixed load on the whole platform, for many communes at once, for a set
number of minutes — zero errors expected, latency per route, memory of every process.

    .venv/bin/python bench/soak.py [--minutes 5] [--communes 20] [--clients 8] [--rate 10]
                                   [--target http://host:port]

It starts the platform itself, as `make run` does (`python -m runner` on a temporary data
folder and free ports: SQLite, the embedded noida-db broker, every relay and consumer), or
uses a running one given by --target (start it with ASP_PUBLIC_RATE_LIMIT raised, or the
residents' requests get 429s; the demo's regional admin must exist; memory and outbox
figures are then not available). Setup, not timed: the regional admin onboards the communes
(Jura's first, then others) through programme's API, gives each a coordinator account, waits
until every service knows them, and each coordinator publishes the quality-of-life survey,
schedules an event and adds a partner. Then `--clients` threads run operations of the mix
below (each once, then drawn by weight) on communes drawn at random, paced to `--rate`
operations per second in all (0: as fast as they answer), until `--minutes` have passed:

    weight  who         operation (requests)
    30      residents   answer the survey: its questions, then the answers (public JSON route)
    12      residents   register for an event: its public page, then the form with its CSRF token
     6      residents   read the commune's public agenda (HTML)
     8      staff       enter a paper response
     4      staff       schedule an event
     4      staff       add a partner
     3      staff       set an objective
     3      staff       launch an action
     3      staff       list the commune's events
     3      staff       read the survey's live results
    19      dashboards  a commune's dashboard (its coordinator)
     5      dashboards  the regional overview (regional admin)

Residents 48 %, staff 28 %, dashboards 24 %. Every answer is checked: anything but the
documented status (a 5xx, an unexpected 4xx, a connection error) is an error, counted and
listed by route and status. After the load, the bench waits (up to --settle seconds) until
every commune's dashboard shows exactly what was acknowledged — answers, people registered,
events, partners, objectives, actions — and lists any commune where it does not.
Progress on stderr; the last stdout line is one JSON object: `errors`, `routes` (count,
p50/p95/p99/max per templated route), `memory_mb` (RSS of each process at start and end of
the load), `operations`, `reporting_check`, `timeline`, the load and the machine. Not a
test: it asserts nothing about speed (tests/stress/test_soak_short.py runs a short one).
Cleans up every process it started, and its folder.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import _people as people
from _platform import Client, Platform, Recorder, Unexpected, communes, machine, percentiles, progress, stop_on_sigterm

TAG = "soak"


@dataclass
class Place:
    """One commune during the soak: what its people need, and what was acknowledged."""
    slug: str
    coordinator: str = ""
    survey_id: int = 0
    survey_token: str = ""
    event_ids: list[str] = field(default_factory=list)
    done: Counter = field(default_factory=Counter)   # answers, registrations, events, partners, …


class Soak:
    """The load's shared state: the communes, the operations done, what the platform acknowledged.
    Each operation of the mix is a method `(client, place, rng)`."""

    def __init__(self, platform: Platform, places: list[Place], admin: str, recorder: Recorder):
        self.platform, self.places, self.admin, self.recorder = platform, places, admin, recorder
        self.lock = threading.Lock()
        self.operations: Counter = Counter()
        self.first_round = iter([name for _, name in MIX])  # every operation once, then drawn by weight

    def acknowledge(self, place: Place, what: str, count: int | bool, event_id: str | None = None) -> None:
        """`count` more of `what` acknowledged by the platform (a bool counts as 1 or 0)."""
        with self.lock:
            place.done[what] += int(count)
            if event_id is not None:
                place.event_ids.append(event_id)

    # -- the operations of the mix ----------------------------------------------------------------
    def answer(self, client, place, rng):
        self.acknowledge(place, "answers", people.answer_survey(client, place.survey_token, rng))

    def register(self, client, place, rng):
        with self.lock:
            event_id = rng.choice(place.event_ids)
        self.acknowledge(place, "registrations", people.register(client, place.slug, event_id, rng))

    def agenda(self, client, place, rng):
        people.view_agenda(client, place.slug)

    def paper(self, client, place, rng):
        self.acknowledge(place, "answers", people.enter_paper_response(client, place.coordinator, place.slug,
                                                                        place.survey_id, rng))

    def schedule(self, client, place, rng):
        event_id = people.schedule_event(client, place.coordinator, place.slug, rng)
        self.acknowledge(place, "events", event_id is not None, event_id)

    def partner(self, client, place, rng):
        self.acknowledge(place, "partners", people.add_partner(client, place.coordinator, place.slug, rng))

    def objective(self, client, place, rng):
        self.acknowledge(place, "objectives", people.set_objective(client, place.coordinator, place.slug, rng))

    def action(self, client, place, rng):
        self.acknowledge(place, "actions", people.launch_action(client, place.coordinator, place.slug, rng))

    def events_list(self, client, place, rng):
        people.list_events(client, place.coordinator, place.slug)

    def results(self, client, place, rng):
        people.read_results(client, place.coordinator, place.slug, place.survey_id)

    def dashboard(self, client, place, rng):
        people.commune_dashboard(client, place.coordinator, place.slug)

    def region(self, client, place, rng):
        people.region_overview(client, self.admin)


MIX = (  # (weight, operation): the docstring's table
    (30, "answer"), (12, "register"), (6, "agenda"),
    (8, "paper"), (4, "schedule"), (4, "partner"), (3, "objective"), (3, "action"), (3, "events_list"),
    (3, "results"), (19, "dashboard"), (5, "region"),
)


# -- setup ----------------------------------------------------------------------------------------
def set_up(platform: Platform, count: int, run_id: str, recorder: Recorder) -> tuple[str, list[Place]]:
    client, rng = Client(platform.base, recorder), random.Random(1)
    admin = people.sign_in(client, *people.ADMIN)
    chosen = (communes("JU", prefix=f"soak{run_id}-") + [c for c in communes(prefix=f"soak{run_id}-")
                                                         if c.canton != "JU"])[:count]
    progress(TAG, f"onboarding {len(chosen)} communes and their coordinators")
    places = []
    for commune in chosen:
        people.onboard(client, admin, commune)
        email, password = people.add_coordinator(client, admin, commune.slug)
        places.append(Place(commune.slug, coordinator=people.sign_in(client, email, password)))
    deadline = time.monotonic() + 120
    for place in places:
        if unknown := people.unknown_to(client, admin, place.slug, deadline):
            raise RuntimeError(f"{place.slug}: still unknown after 120 s to {unknown}")
    progress(TAG, "every service knows them; each publishes its survey, schedules an event, adds a partner")
    for place in places:
        people.prepare_and_anchor(client, place.coordinator, place.slug)
        place.survey_id, place.survey_token = people.publish_survey(client, place.coordinator, place.slug)
        event_id = people.schedule_event(client, place.coordinator, place.slug, rng)
        if event_id is None:
            raise Unexpected(f"{place.slug}: the first event was refused")
        place.event_ids.append(event_id)
        place.done["events"] += 1
        place.done["partners"] += people.add_partner(client, place.coordinator, place.slug, rng)
    client.close()
    return admin, places


# -- the load -------------------------------------------------------------------------------------
class Pacer:
    """Hands out start times `1/rate` apart across every client; a late client starts at once
    (no catching up in bursts)."""

    def __init__(self, rate: float):
        self.interval = 1 / rate if rate > 0 else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            slot = max(self.next, time.monotonic())
            self.next = slot + self.interval
        time.sleep(max(0.0, slot - time.monotonic()))


def worker(soak: Soak, base: str, seed: int, until: float, pacer: Pacer) -> None:
    rng = random.Random(seed)
    client = Client(base, soak.recorder)
    weights, names = [w for w, _ in MIX], [n for _, n in MIX]
    try:
        while time.monotonic() < until:
            pacer.wait()
            with soak.lock:
                name = next(soak.first_round, None) or rng.choices(names, weights)[0]
            try:
                getattr(soak, name)(client, rng.choice(soak.places), rng)
            except Exception as error:  # noqa: BLE001 — counted and listed, and the load goes on
                soak.recorder.failure(name, error)
                client.close()
            with soak.lock:
                soak.operations[name] += 1
    finally:
        client.close()


def sample(soak: Soak, started: float, seen: dict[str, int]) -> dict:
    """The run so far: requests, errors, p95 of the requests since the previous sample, memory."""
    with soak.recorder.lock:
        fresh = [ms for route, samples in soak.recorder.timings.items() for ms in samples[seen.get(route, 0):]]
        seen.update({route: len(samples) for route, samples in soak.recorder.timings.items()})
    memory = soak.platform.memory()
    point = {"t_s": round(time.monotonic() - started), "requests": soak.recorder.requests(),
             "errors": soak.recorder.error_count(), "p95_ms": percentiles(fresh).get("p95_ms"),
             "rss_mb_total": round(sum(memory.values()), 1) if memory else None}
    if soak.platform.local:
        point["outbox_backlog"] = soak.platform.outbox_backlog()
    return point


def run_load(soak: Soak, minutes: float, clients: int, rate: float, every_s: float) -> tuple[float, list[dict]]:
    started = time.monotonic()
    until = started + minutes * 60
    pacer = Pacer(rate)
    threads = [threading.Thread(target=worker, args=(soak, soak.platform.base, 100 + n, until, pacer), daemon=True)
               for n in range(clients)]
    for thread in threads:
        thread.start()
    timeline, seen = [], {}
    while any(t.is_alive() for t in threads):
        next_sample = started + every_s * (len(timeline) + 1)
        while time.monotonic() < next_sample and any(t.is_alive() for t in threads):
            time.sleep(0.2)
        if timeline and time.monotonic() - started - timeline[-1]["t_s"] < 1:
            break  # the load ended right after the last point
        timeline.append(sample(soak, started, seen))
        point = timeline[-1]
        progress(TAG, f"{point['t_s']:>4} s: {point['requests']} requests, {point['errors']} errors, "
                      f"p95 {point['p95_ms']} ms, RSS {point['rss_mb_total']} MB"
                      + (f", outbox backlog {point['outbox_backlog']}" if "outbox_backlog" in point else ""))
    return time.monotonic() - started, timeline


# -- the check: reporting shows what was acknowledged ------------------------------------------------
def check_reporting(soak: Soak, settle_s: float) -> dict:
    client = Client(soak.platform.base, Recorder())  # not timed with the load
    started = time.monotonic()
    pending = {place.slug: place for place in soak.places}
    differences: dict[str, dict] = {}
    while pending and time.monotonic() - started < settle_s:
        for slug, place in list(pending.items()):
            answer = client.call("GET", f"{people.REPORTING}/communes/{{commune}}/dashboard", place.coordinator,
                                 commune=slug)
            figures = people.figures(answer.json()) if answer.status == 200 else {}
            wanted = {key: place.done[key] for key in people.FIGURES}
            if figures == wanted:
                pending.pop(slug)
                differences.pop(slug, None)
            else:
                differences[slug] = {"acknowledged": wanted, "reporting": figures}
        if pending:
            time.sleep(1)
    client.close()
    totals = Counter()
    for place in soak.places:
        totals.update(place.done)
    return {"communes": len(soak.places), "matching": len(soak.places) - len(pending),
            "seconds_to_match": round(time.monotonic() - started, 1), "acknowledged": dict(totals),
            "mismatches": [{"commune": slug, **differences[slug]} for slug in list(pending)[:10]]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the load (default 5)")
    parser.add_argument("--communes", type=int, default=20, help="communes under load at once (default 20)")
    parser.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--rate", type=float, default=10.0, help="operations per second in all; 0: unpaced")
    parser.add_argument("--sample-every", type=float, default=30.0, help="seconds between timeline points")
    parser.add_argument("--settle", type=float, default=180.0, help="seconds allowed for reporting to show it all")
    parser.add_argument("--target", help="a running platform's base URL instead of starting one")
    args = parser.parse_args()
    stop_on_sigterm()

    folder = Path(tempfile.mkdtemp(prefix="asp-bench-soak-"))
    platform = Platform(folder, target=args.target,
                        env={"ASP_TOKEN_TTL_SECONDS": str(int(args.minutes * 60 + args.settle + 3600))})
    recorder = Recorder()
    load_before = os.getloadavg()[0]
    try:
        platform.start(TAG)
        admin, places = set_up(platform, args.communes, format(int(time.time()) % 100000, "x"), recorder)
        setup_errors = recorder.error_list()
        recorder = Recorder()  # the load's own figures
        soak = Soak(platform, places, admin, recorder)
        memory_start = platform.memory()
        progress(TAG, f"load: {args.clients} clients, {args.rate or 'unpaced'} operations/s, {args.minutes} min, "
                      f"{len(places)} communes")
        elapsed, timeline = run_load(soak, args.minutes, args.clients, args.rate, args.sample_every)
        memory_end = platform.memory()
        load_after = os.getloadavg()[0]
        progress(TAG, "load over; waiting for reporting to show every acknowledged change")
        check = check_reporting(soak, args.settle)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        platform.stop()
        shutil.rmtree(folder, ignore_errors=True)

    requests = recorder.requests()
    result = {
        "bench": "soak", "platform": args.target or "embedded runner (python -m runner): SQLite, noida-db, waitress",
        "minutes": args.minutes, "duration_s": round(elapsed, 1), "communes": len(places), "clients": args.clients,
        "rate_target_ops_per_s": args.rate, "operations_per_s": round(sum(soak.operations.values()) / elapsed, 2),
        "requests": requests, "requests_per_s": round(requests / elapsed, 2),
        "errors": recorder.error_count() + sum(e["count"] for e in setup_errors),
        "error_list": setup_errors + recorder.error_list(), "reconnects": recorder.reconnects,
        "operations": {name: {"weight": weight, "done": soak.operations[name]} for weight, name in MIX},
        "routes": recorder.routes(),
        "memory_mb": {"start": memory_start, "end": memory_end,
                      "growth": {k: round(memory_end[k] - v, 1) for k, v in memory_start.items() if k in memory_end}}
        if memory_start and memory_end else None,
        "reporting_check": check, "timeline": timeline,
        "load_before": round(load_before, 2), "load_after": round(load_after, 2), "machine": machine(),
        "database": "sqlite" if platform.local else "as configured by the target",
    }
    print(f"{requests} requests in {elapsed:.0f} s ({result['requests_per_s']}/s), {result['errors']} errors, "
          f"reporting matches {check['matching']}/{check['communes']} communes")
    print(json.dumps(result))
    return 0 if not result["errors"] and not check["mismatches"] else 1


if __name__ == "__main__":
    sys.exit(main())
