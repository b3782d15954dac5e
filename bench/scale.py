"""Scale: the same programme activity for the 53 communes of Jura and for every Swiss
commune, through the whole platform's HTTP API — how throughput, freshness and dashboard
latency change with the number of communes, as ratios measured in the same run.

    .venv/bin/python bench/scale.py [--communes 53,all] [--clients 8] [--answers 5] [--samples 200]

`--communes` names the pair: `53` is the Jura rows of bench/data/swiss-communes.csv, `all` every row (2,210
communes of about 2018; 2,131 after the mergers up to 2026), any other number N the first N
rows taking Jura's first (`--communes 3,12` is a quick check). For each size, in order, on a
platform of its own started as `make run` starts it (`python -m runner` on a fresh temporary
data folder: SQLite, embedded noida-db broker, every relay and consumer):

1. onboarding: the regional admin onboards every commune (POST programme /communes) from
   `--clients` threads; then the bench waits until surveys, events, partners and reporting
   all know every commune (from programme's CommuneOnboarded);
2. activity, the same for every commune, from `--clients` threads taking communes in turn
   (29 requests with the defaults): phase 1 started, its four activities ticked, completed,
   phase 2 started; a theme, an objective, an action; the quality-of-life survey created and
   published; `--answers` residents open it and answer (public routes); one paper response;
   an event scheduled and two residents registering through its public form (page + form with
   CSRF); a partner added; the commune dashboard read. The staff work is done with the regional
   admin's token (a coordinator account per commune would mostly measure Argon2 hashing).
   Meanwhile a reader fetches the regional overview every second, and a freshness probe, on one
   commune whose residents it plays itself, sends an answer and polls that commune's dashboard
   (every 50 ms) until it counts it: freshness = from the HTTP 201 to the dashboard JSON showing
   the answer.
3. drain and check: until every outbox is empty and reporting has applied every event; then
   every commune's dashboard must show exactly what was acknowledged (answers, people
   registered, events, partners, objectives, actions) — a fast wrong run cannot pass;
4. dashboards on the settled platform: `--samples` commune dashboards (random communes) and
   the regional overview paced 0.1 s apart (it is cached 2 s: the p95 sees recomputations),
   plus freshness again with nothing else running.

Figures per size: onboarding/s, activity requests/s, events/s projected by reporting (its
inbox rows from the start of the activity to the last one applied, over that time), freshness
p95 under load and idle, dashboard latency p95 under load and settled, RSS per process at the
end. `ratios`: the larger size's figure over the smaller's. Progress on stderr; the last stdout
line is one JSON object. It asserts nothing about speed; exit status 1 if any request failed
or reporting did not match.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import _people as people
from _platform import Client, Commune, Platform, Recorder, communes, machine, percentiles, progress, stop_on_sigterm

TAG = "scale"
PAPER, REGISTRATIONS, PARTNERS = 1, 2, 1  # per commune, with --answers online answers


def pick(size: str) -> list[Commune]:
    """`53`: Jura; `all`: every row; N: the first N rows, Jura's first."""
    if size == "53":
        return communes("JU", prefix="s")
    everyone = communes(prefix="s")
    if size == "all":
        return everyone
    jura = [c for c in everyone if c.canton == "JU"]
    return (jura + [c for c in everyone if c.canton != "JU"])[: int(size)]


def pool(base: str, recorder: Recorder, clients: int, items: list, work, name: str) -> float:
    """`work(client, item, rng)` for every item, from `clients` threads taking items in turn; the
    wall time. An item whose work raises is counted as an error of `name`; the others go on."""
    todo: queue.Queue = queue.Queue()
    for item in items:
        todo.put(item)

    def run(seed: int):
        client, rng = Client(base, recorder), random.Random(seed)
        while True:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                break
            try:
                work(client, item, rng)
            except Exception as error:  # noqa: BLE001
                recorder.failure(name, error)
                client.close()
        client.close()

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(seed,), daemon=True) for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


class Activity:
    """What every commune does, and what the platform acknowledged of it."""

    def __init__(self, admin: str, answers: int, probe: str):
        self.admin, self.answers, self.probe = admin, answers, probe
        self.done: dict[str, Counter] = {}
        self.surveys: dict[str, tuple[int, str]] = {}
        self.lock = threading.Lock()
        # Set by run_activity: the probe, reporting's counter, the times and the requests made.
        self.probe_thread: Probe | None = None
        self.projected: Projected | None = None
        self.projected_at_start, self.started, self.seconds, self.requests = 0, 0.0, 0.0, 0

    def __call__(self, client: Client, commune: Commune, rng: random.Random) -> None:
        admin, slug, done = self.admin, commune.slug, Counter()
        with self.lock:
            self.done[slug] = done
        people.prepare_and_anchor(client, admin, slug)
        theme = people.define_theme(client, admin, slug, rng)
        done["objectives"] += people.set_objective(client, admin, slug, rng, theme)
        done["actions"] += people.launch_action(client, admin, slug, rng)
        survey_id, token = people.publish_survey(client, admin, slug)
        with self.lock:
            self.surveys[slug] = (survey_id, token)
        if slug != self.probe:  # the probe's residents are played by the freshness probe
            for _ in range(self.answers):
                done["answers"] += people.answer_survey(client, token, rng)
        for _ in range(PAPER):
            done["answers"] += people.enter_paper_response(client, admin, slug, survey_id, rng)
        event_id = people.schedule_event(client, admin, slug, rng)
        done["events"] += event_id is not None
        for _ in range(REGISTRATIONS if event_id else 0):
            done["registrations"] += people.register(client, slug, event_id, rng)
        for _ in range(PARTNERS):
            done["partners"] += people.add_partner(client, admin, slug, rng)
        people.commune_dashboard(client, admin, slug)


# -- freshness: from the 201 of an answer to the dashboard showing it ---------------------------------
def freshness_once(client: Client, admin: str, slug: str, token: str, rng: random.Random,
                   timeout_s: float = 120) -> float | None:
    before = responses(client, admin, slug)
    if before is None or not people.answer_survey(client, token, rng, read_first=False):
        return None
    acknowledged = time.perf_counter()
    while time.perf_counter() - acknowledged < timeout_s:
        shown = responses(client, admin, slug)
        if shown is not None and shown > before:
            return time.perf_counter() - acknowledged
        time.sleep(0.05)
    return None


def responses(client: Client, admin: str, slug: str) -> int | None:
    answer = client.call("GET", f"{people.REPORTING}/communes/{{commune}}/dashboard", admin, commune=slug)
    return people.figures(answer.json())["answers"] if answer.status == 200 else None


class Probe(threading.Thread):
    """Freshness samples on one commune until `finished` is set; the answers it sent."""

    def __init__(self, platform: Platform, admin: str, activity: Activity, finished: threading.Event):
        super().__init__(daemon=True)
        self.platform, self.admin, self.activity, self.finished = platform, admin, activity, finished
        self.samples: list[float] = []
        self.answered = 0
        self.failed = 0

    def run(self):
        client, rng = Client(self.platform.base, Recorder()), random.Random(7)  # its polls are not the load's
        slug = self.activity.probe
        while not self.finished.is_set() and slug not in self.activity.surveys:
            time.sleep(0.1)
        while slug in self.activity.surveys:  # at least one sample, however short the activity
            delay = freshness_once(client, self.admin, slug, self.activity.surveys[slug][1], rng)
            if delay is None:
                self.failed += 1
            else:
                self.samples.append(delay)
                self.answered += 1
            if self.finished.wait(0.25):
                break
        client.close()


class OverviewReader(threading.Thread):
    """The regional staff's overview, read every second until `finished` is set."""

    def __init__(self, platform: Platform, recorder: Recorder, admin: str, finished: threading.Event):
        super().__init__(daemon=True)
        self.platform, self.recorder, self.admin, self.finished = platform, recorder, admin, finished

    def run(self):
        client = Client(self.platform.base, self.recorder)
        while True:  # at least once, however short the activity
            people.region_overview(client, self.admin)
            if self.finished.wait(1.0):
                break
        client.close()


class Projected(threading.Thread):
    """Reporting's applied events (inbox rows), sampled; the time of the last increase."""

    def __init__(self, platform: Platform):
        super().__init__(daemon=True)
        self.platform, self.stop = platform, threading.Event()
        self.count, self.changed_at = platform.projected(), time.monotonic()

    def run(self):
        while not self.stop.wait(0.25):
            count = self.platform.projected()
            if count != self.count:
                self.count, self.changed_at = count, time.monotonic()


# -- one size ------------------------------------------------------------------------------------
DASHBOARD = "GET /reporting/api/v1/communes/<commune>/dashboard"
OVERVIEW = "GET /reporting/api/v1/region/overview"


def run_size(size: str, args, folder: Path) -> dict:
    chosen = pick(size)
    tag = f"{TAG} {len(chosen)}"
    platform = Platform(folder / f"size-{len(chosen)}", env={"ASP_TOKEN_TTL_SECONDS": "86400"})
    platform.folder.mkdir(parents=True)
    setup, load, settled = Recorder(), Recorder(), Recorder()
    try:
        platform.start(tag)
        admin = people.sign_in(Client(platform.base, setup), *people.ADMIN)
        onboarding = onboard_all(platform, admin, chosen, args.clients, setup, tag)
        activity = run_activity(platform, admin, chosen, args, load, tag)
        check = drain_and_check(platform, admin, activity, args.clients, args.settle, tag)
        activity.projected.stop.set()
        activity.projected.join()
        idle = settled_dashboards(platform, admin, chosen, activity, args, settled, tag)
        memory = platform.memory()
    finally:
        platform.stop()

    under_load, calm = load.routes(), settled.routes()
    applied = activity.projected.count - activity.projected_at_start
    projecting_s = activity.projected.changed_at - activity.started
    probe = activity.probe_thread
    result = {
        "communes": len(chosen), "clients": args.clients, "answers_per_commune": args.answers, **onboarding,
        "activity_s": round(activity.seconds, 1), "requests": activity.requests,
        "requests_per_s": round(activity.requests / activity.seconds, 2), "events_projected": applied,
        "projected_events_per_s": round(applied / projecting_s, 1) if projecting_s > 0 else None,
        "freshness_p95_s": p95_seconds(probe.samples), "freshness_samples": len(probe.samples),
        "freshness_idle_p95_s": p95_seconds(idle),
        "commune_dashboard_p95_ms": calm.get(DASHBOARD, {}).get("p95_ms"),
        "region_overview_p95_ms": calm.get(OVERVIEW, {}).get("p95_ms"),
        "commune_dashboard_under_load_p95_ms": under_load.get(DASHBOARD, {}).get("p95_ms"),
        "region_overview_under_load_p95_ms": under_load.get(OVERVIEW, {}).get("p95_ms"),
        "errors": setup.error_count() + load.error_count() + settled.error_count() + probe.failed,
        "error_list": setup.error_list() + load.error_list() + settled.error_list()
        + ([{"route": "freshness probe", "status": None, "count": probe.failed}] if probe.failed else []),
        "routes": under_load, "reporting_check": check, "memory_mb_end": memory,
        "load_after": round(os.getloadavg()[0], 2),
    }
    progress(tag, ", ".join(f"{k}={v}" for k, v in result.items()
                            if k not in ("routes", "error_list", "memory_mb_end", "reporting_check")))
    return result


def onboard_all(platform: Platform, admin: str, chosen: list[Commune], clients: int, recorder: Recorder,
                tag: str) -> dict:
    """Every commune onboarded, then known to every service: the rate, and the wait."""
    progress(tag, f"onboarding {len(chosen)} communes from {clients} clients")
    onboard_s = pool(platform.base, recorder, clients, chosen,
                     lambda client, commune, rng: people.onboard(client, admin, commune), "onboard")
    deadline = time.monotonic() + max(120, len(chosen) * 0.5)
    unknown: list[str] = []

    def wait_known(client, commune, rng):
        if late := people.unknown_to(client, admin, commune.slug, deadline):
            unknown.append(f"{commune.slug}: {late}")

    known_s = pool(platform.base, recorder, clients, chosen, wait_known, "known")
    if unknown:
        raise RuntimeError(f"{len(unknown)} communes unknown to some service, e.g. {unknown[:3]}")
    progress(tag, f"  {len(chosen) / onboard_s:.1f} communes/s; every service knew them {known_s:.1f} s later")
    return {"onboard_per_s": round(len(chosen) / onboard_s, 2), "known_everywhere_s": round(known_s, 1)}


def run_activity(platform: Platform, admin: str, chosen: list[Commune], args, load: Recorder, tag: str) -> Activity:
    """Every commune's activity from the client pool, with the overview reader and the freshness
    probe alongside; reporting's applied events counted from the start (until the caller stops it)."""
    activity = Activity(admin, args.answers, probe=chosen[-1].slug)
    finished = threading.Event()
    activity.probe_thread = Probe(platform, admin, activity, finished)
    activity.projected = Projected(platform)
    activity.projected_at_start = activity.projected.count
    companions = (activity.probe_thread, OverviewReader(platform, load, admin, finished),
                  threading.Thread(target=report_progress, args=(tag, activity, len(chosen), load, finished),
                                   daemon=True))
    progress(tag, f"activity: {len(chosen)} communes x ~{19 + 2 * args.answers} requests, {args.clients} clients")
    activity.started = time.monotonic()
    for thread in (activity.projected, *companions):
        thread.start()
    # The probe's commune first, so that freshness is sampled from the start.
    activity.seconds = pool(platform.base, load, args.clients, [*chosen[-1:], *chosen[:-1]], activity, "activity")
    finished.set()
    for thread in companions:
        thread.join()
    activity.requests = load.requests()
    progress(tag, f"  {activity.requests} requests in {activity.seconds:.1f} s; draining")
    return activity


def settled_dashboards(platform: Platform, admin: str, chosen: list[Commune], activity: Activity, args,
                       recorder: Recorder, tag: str) -> list[float]:
    """Dashboards timed on the settled platform; the idle freshness samples."""
    progress(tag, "dashboards on the settled platform")
    client, rng = Client(platform.base, recorder), random.Random(3)
    for _ in range(args.samples):
        people.commune_dashboard(client, admin, rng.choice(chosen).slug)
    for _ in range(max(20, args.samples // 4)):
        people.region_overview(client, admin)
        time.sleep(0.1)  # the overview is cached 2 s: spread, the samples catch its recomputations
    token = activity.surveys[activity.probe][1]
    idle = [freshness_once(client, admin, activity.probe, token, rng) for _ in range(args.idle_freshness)]
    client.close()
    return [delay for delay in idle if delay is not None]


def report_progress(tag: str, activity: Activity, total: int, recorder: Recorder, finished: threading.Event) -> None:
    while not finished.wait(10):
        progress(tag, f"  {len(activity.done)}/{total} communes begun, {recorder.requests()} requests, "
                      f"{recorder.error_count()} errors")


def drain_and_check(platform: Platform, admin: str, activity: Activity, clients: int, settle_s: float,
                    tag: str) -> dict:
    """Wait for the outboxes to empty, then for every dashboard to show what was acknowledged."""
    started = time.monotonic()
    while platform.outbox_backlog() and time.monotonic() - started < settle_s:
        time.sleep(0.25)
    expected = {slug: {key: done[key] for key in people.FIGURES} for slug, done in activity.done.items()}
    expected[activity.probe]["answers"] += activity.probe_thread.answered
    shown: dict[str, dict] = {}
    pending = list(expected)

    def look(client, slug, rng):
        answer = client.call("GET", f"{people.REPORTING}/communes/{{commune}}/dashboard", admin, commune=slug)
        shown[slug] = people.figures(answer.json()) if answer.status == 200 else {}

    while pending and time.monotonic() - started < settle_s:
        pool(platform.base, Recorder(), clients, pending, look, "check")  # not timed with the load
        pending = [slug for slug in pending if shown.get(slug) != expected[slug]]
        if pending:
            progress(tag, f"  {len(pending)} dashboards not yet as acknowledged")
            time.sleep(1)
    totals = Counter()
    for figures in expected.values():
        totals.update(figures)
    return {"communes": len(expected), "matching": len(expected) - len(pending),
            "seconds_to_match": round(time.monotonic() - started, 1), "acknowledged": dict(totals),
            "mismatches": [{"commune": slug, "acknowledged": expected[slug], "reporting": shown.get(slug)}
                           for slug in pending[:10]]}


def p95_seconds(samples: list[float]) -> float | None:
    return round(percentiles([s * 1000 for s in samples])["p95_ms"] / 1000, 3) if samples else None


RATIOS = ("onboard_per_s", "requests_per_s", "projected_events_per_s", "freshness_p95_s", "freshness_idle_p95_s",
          "commune_dashboard_p95_ms", "region_overview_p95_ms", "commune_dashboard_under_load_p95_ms",
          "region_overview_under_load_p95_ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communes", default="53,all", help="the pair, smaller first: 53 (Jura), all, or N")
    parser.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--answers", type=int, default=5, help="online answers per commune (default 5)")
    parser.add_argument("--samples", type=int, default=200, help="settled commune dashboard requests (default 200)")
    parser.add_argument("--idle-freshness", type=int, default=10, help="idle freshness samples (default 10)")
    parser.add_argument("--settle", type=float, default=600.0, help="seconds allowed to drain and match")
    args = parser.parse_args()
    stop_on_sigterm()
    sizes = args.communes.split(",")
    folder = Path(tempfile.mkdtemp(prefix="asp-bench-scale-"))
    load_before = os.getloadavg()[0]
    results = []
    try:
        for size in sizes:
            results.append(run_size(size, args, folder))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out = {"bench": "scale", "sizes": [r["communes"] for r in results],
           "by_size": {str(r["communes"]): r for r in results}}
    if len(results) == 2:
        small, large = results
        out["ratios"] = {f"{key}_{large['communes']}_vs_{small['communes']}":
                         round(large[key] / small[key], 3) if large.get(key) and small.get(key) else None
                         for key in RATIOS}
    out.update(errors=sum(r["errors"] for r in results),
               mismatches=sum(len(r["reporting_check"]["mismatches"]) for r in results),
               load_before=round(load_before, 2), machine=machine(),
               platform="embedded runner (python -m runner): SQLite, noida-db, waitress 8 threads", database="sqlite")
    for r in results:
        print(f"{r['communes']} communes: {r['requests_per_s']} requests/s, {r['projected_events_per_s']} events/s "
              f"projected, freshness p95 {r['freshness_p95_s']} s, dashboard p95 {r['commune_dashboard_p95_ms']} ms, "
              f"overview p95 {r['region_overview_p95_ms']} ms, {r['errors']} errors")
    print(json.dumps(out))
    return 0 if not out["errors"] and not out["mismatches"] else 1


if __name__ == "__main__":
    sys.exit(main())
