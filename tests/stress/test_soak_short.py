"""bench/soak.py and bench/scale.py, short: each starts the whole platform (`make run`'s runner)
and drives it through HTTP. Only correctness is asserted — no error, every operation of the mix
done, the documented JSON, every acknowledged answer (and registration, event, partner,
objective, action) shown by reporting. Timing goals live in the benchmarks (docs/PERFORMANCE.md)."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.embedded, pytest.mark.timeout(420)]

SOAK_KEYS = {"bench", "platform", "minutes", "duration_s", "communes", "clients", "rate_target_ops_per_s",
             "operations_per_s", "requests", "requests_per_s", "errors", "error_list", "reconnects", "operations",
             "routes", "memory_mb", "reporting_check", "timeline", "load_before", "load_after", "machine", "database"}
SOAK_ROUTES = {
    "GET /surveys/api/v1/public/<token>", "POST /surveys/api/v1/public/<token>/responses",
    "GET /events/c/<commune>/e/<event_id>", "POST /events/c/<commune>/e/<event_id>", "GET /events/c/<commune>",
    "POST /surveys/api/v1/communes/<commune>/surveys/<survey_id>/responses",
    "POST /events/api/v1/communes/<commune>/events", "POST /partners/api/v1/communes/<commune>/partners",
    "POST /programme/api/v1/communes/<commune>/objectives", "POST /programme/api/v1/communes/<commune>/actions",
    "GET /events/api/v1/communes/<commune>/events",
    "GET /surveys/api/v1/communes/<commune>/surveys/<survey_id>/results",
    "GET /reporting/api/v1/communes/<commune>/dashboard", "GET /reporting/api/v1/region/overview",
}
SCALE_KEYS = {"communes", "clients", "answers_per_commune", "onboard_per_s", "known_everywhere_s", "activity_s",
              "requests", "requests_per_s", "events_projected", "projected_events_per_s", "freshness_p95_s",
              "freshness_samples", "freshness_idle_p95_s", "commune_dashboard_p95_ms", "region_overview_p95_ms",
              "commune_dashboard_under_load_p95_ms", "region_overview_under_load_p95_ms", "errors", "error_list",
              "routes", "reporting_check", "memory_mb_end", "load_after"}
# Among the processes whose memory is reported (the runner's children, found in /proc).
PROCESSES = {"runner (web: every service)", "noida-db", "reporting consumer",
             *(f"{s} relay" for s in ("programme", "surveys", "events", "partners", "reporting"))}


def start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, f"bench/{script}", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(process: subprocess.Popen, timeout_s: float) -> dict:
    """The bench's last stdout line, once it has ended by itself (SIGTERM if it overruns: it then
    stops the platform it started)."""
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        out, err = process.communicate(timeout=90)
        pytest.fail(f"{process.args[1]} overran {timeout_s} s:\n{err[-3000:]}")
    lines = out.strip().splitlines()
    assert lines, f"{process.args[1]} printed nothing (exit {process.returncode}):\n{err[-3000:]}"
    return {"exit": process.returncode, "stderr": err, **json.loads(lines[-1])}


def test_a_short_soak_and_a_tiny_scale_pair_run_without_error_and_reporting_shows_everything():
    # Side by side, to stay within a few minutes: only correctness is checked, never a time.
    soak = start("soak.py", "--minutes", "0.5", "--communes", "3", "--clients", "4", "--rate", "8",
                 "--sample-every", "10", "--settle", "120")
    scale = start("scale.py", "--communes", "3,12", "--clients", "4", "--answers", "3", "--samples", "20",
                  "--idle-freshness", "3", "--settle", "120")
    soaked, scaled = finish(soak, 300), finish(scale, 300)

    assert SOAK_KEYS <= set(soaked), SOAK_KEYS - set(soaked)
    assert soaked["errors"] == 0 and soaked["error_list"] == [], soaked["error_list"]
    assert soaked["exit"] == 0, soaked["stderr"][-3000:]
    assert all(op["done"] > 0 for op in soaked["operations"].values()), soaked["operations"]
    assert SOAK_ROUTES <= set(soaked["routes"]), SOAK_ROUTES - set(soaked["routes"])
    assert all(route["count"] > 0 and route["p50_ms"] <= route["p95_ms"] <= route["p99_ms"]
               for route in soaked["routes"].values())
    memory = soaked["memory_mb"]
    assert PROCESSES <= set(memory["start"]) and set(memory["start"]) == set(memory["end"]), memory
    check = soaked["reporting_check"]
    assert check["mismatches"] == [] and check["matching"] == check["communes"] == 3, check
    assert check["acknowledged"]["answers"] > 0 and check["acknowledged"]["registrations"] > 0, check
    assert soaked["timeline"] and soaked["timeline"][-1]["errors"] == 0

    assert scaled["exit"] == 0, scaled["stderr"][-3000:]
    assert scaled["sizes"] == [3, 12] and scaled["errors"] == 0 and scaled["mismatches"] == 0
    assert set(scaled["ratios"]) == {f"{key}_12_vs_3" for key in (
        "onboard_per_s", "requests_per_s", "projected_events_per_s", "freshness_p95_s", "freshness_idle_p95_s",
        "commune_dashboard_p95_ms", "region_overview_p95_ms", "commune_dashboard_under_load_p95_ms",
        "region_overview_under_load_p95_ms")}
    for size, figures in scaled["by_size"].items():
        assert SCALE_KEYS <= set(figures), SCALE_KEYS - set(figures)
        check = figures["reporting_check"]
        assert check["mismatches"] == [] and check["matching"] == check["communes"] == int(size), check
        # Every commune's answers (3 online, 1 on paper; the probe's commune: its own) reached reporting.
        assert check["acknowledged"]["answers"] >= 4 * (int(size) - 1) + 1, check
        assert figures["freshness_samples"] >= 1 and figures["freshness_idle_p95_s"] is not None
        assert figures["events_projected"] > 0 and PROCESSES <= set(figures["memory_mb_end"])
