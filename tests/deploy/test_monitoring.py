"""Prometheus's configuration and alert rules pass promtool; the Grafana dashboards parse,
their queries are valid PromQL, and each names a metric the services really export."""
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.core import REGISTRY

from runner.services import DEFINITIONS
from shared.config import load_settings
from shared.observability import metrics  # noqa: F401 — the platform's metrics, registered
from shared.service import ServiceRuntime

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "deploy" / "prometheus"
DASHBOARDS = sorted((REPO / "deploy" / "grafana" / "dashboards").glob("*.json"))
# The programme overview's business metrics, exported by the reporting service. Had it not
# exported them yet, only these two could be missing, and deploy/README.md had to say so.
PENDING = {"asp_communes_by_phase", "asp_survey_responses_total"}
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
                "unless", "offset", "inf", "nan"}
SUFFIXES = {"counter": ("_total", "_created"), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum", "_created"),
            "summary": ("", "_count", "_sum", "_created"), "info": ("_info",), "stateset": ("",),
            "unknown": ("",)}


def exported_names(collected=()) -> set[str]:
    """Every sample name of the asp_ metrics registered (a family is listed even before
    any of its label combinations has a value), and of `collected` families."""
    return {family.name + suffix for family in [*REGISTRY.collect(), *collected]
            if family.name.startswith("asp_") for suffix in SUFFIXES[family.type]}


@pytest.fixture
def exported(settings_env) -> set[str]:
    """With the metrics services compute at each scrape from their database
    (ServiceDefinition.metrics_collectors), read from freshly migrated databases."""
    families = []
    for definition in DEFINITIONS:
        if definition.metrics_collectors:
            runtime = ServiceRuntime(definition, load_settings(settings_env))
            runtime.migrate()
            for collector in definition.metrics_collectors(runtime):
                families += list(collector.collect())
            runtime.engine.dispose()
    return exported_names(families)


def dashboard_queries() -> list[tuple[str, str, str]]:
    """(dashboard, panel or variable, PromQL) for every query."""
    found = []
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            found += [(path.name, panel["title"], target["expr"]) for target in panel.get("targets", [])]
        for variable in dashboard["templating"]["list"]:
            if variable["type"] == "query":
                inner = re.fullmatch(r"label_values\((.+), *\w+\)", variable["query"]["query"]).group(1)
                found.append((path.name, f"${variable['name']}", inner))
    return found


def concrete(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return re.sub(r"\$\w+", ".*", expr)


def metric_names(expr: str) -> set[str]:
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', concrete(expr))  # string literals
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", text))
    return {n for n in names if n.lower() not in PROMQL_WORDS and not re.fullmatch(r"\d+[smhdwy]?", n)}


def test_promtool_accepts_the_compose_prometheus_configuration(promtool):
    done = subprocess.run([promtool, "check", "config", str(PROMETHEUS / "prometheus.yml")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rules/asp-alerts.yml" in done.stdout and "SUCCESS" in done.stdout


def test_promtool_accepts_the_alert_rules_and_their_unit_tests_pass(promtool):
    checked = subprocess.run([promtool, "check", "rules", *map(str, sorted((PROMETHEUS / "rules").glob("*.yml")))],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run([promtool, "test", "rules", *map(str, sorted((PROMETHEUS / "tests").glob("*.yml")))],
                            capture_output=True, text=True, timeout=120)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_alerts_cover_lag_dead_letters_outbox_age_5xx_and_readiness(exported):
    groups = yaml.safe_load((PROMETHEUS / "rules" / "asp-alerts.yml").read_text())["groups"]
    rules = {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}
    assert "asp_consumer_lag" in rules["AspConsumerLagGrowing"]
    assert "asp_events_dead_lettered_total" in rules["AspEventsDeadLettered"]
    assert "asp_outbox_oldest_age_seconds" in rules["AspOutboxBacklogOld"]
    assert 'status=~"5.."' in rules["AspHttp5xxRate"]
    assert "readyz" in rules["AspServiceNotReady"]
    for name, expr in rules.items():
        unknown = {m for m in metric_names(expr) if m != "up"} - exported
        assert not unknown, f"{name} names metrics nobody exports: {unknown}"


def test_the_dashboards_parse_and_cover_the_platform_and_the_programme():
    titles = {json.loads(path.read_text())["uid"]: [p["title"] for p in json.loads(path.read_text())["panels"]]
              for path in DASHBOARDS}
    assert set(titles) == {"asp-platform-overview", "asp-programme-overview"}
    exprs = " ".join(expr for _, _, expr in dashboard_queries())
    for metric in ("asp_http_requests_total", "asp_http_request_duration_seconds_bucket",
                   "asp_events_published_total", "asp_events_consumed_total", "asp_consumer_lag",
                   "asp_events_dead_lettered_total", "asp_outbox_backlog", *PENDING):
        assert metric in exprs, metric


def test_every_dashboard_query_is_valid_promql(promtool, tmp_path):
    """promtool parses each query, as a recording rule, after Grafana's variables are filled in."""
    rules = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"dashboard:query:{index}", "expr": concrete(expr)}
        for index, (_, _, expr) in enumerate(dashboard_queries())]}]}
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules))
    done = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_dashboard_query_names_an_exported_metric_or_one_of_the_two_pending_ones(exported):
    for dashboard, where, expr in dashboard_queries():
        names = metric_names(expr)
        assert names, f"{dashboard} {where}: no metric found in {expr}"
        unknown = names - exported - PENDING
        assert not unknown, f"{dashboard} {where}: {unknown} is not exported by any service"
    readme = (REPO / "deploy" / "README.md").read_text()
    for name in PENDING - exported:
        assert name in readme and "reporting issue" in readme, f"{name} must be documented as pending"


def test_the_programme_overviews_metrics_are_exported_by_the_reporting_service(exported):
    assert PENDING <= exported


def test_the_metric_name_finder_sees_through_promql():
    expr = ('histogram_quantile(0.95, sum by (service, le) (rate(asp_http_request_duration_seconds_bucket'
            '{service=~"$service", route!~"/x/readyz"}[$__rate_interval]))) / on (service) group_left '
            'label_replace(up, "topic", "$1.events", "type", "([^.]+)\\\\..*")')
    assert metric_names(expr) == {"asp_http_request_duration_seconds_bucket", "up"}


@pytest.mark.parametrize("name", ["asp_http_requests_total", "asp_http_request_duration_seconds_bucket",
                                  "asp_outbox_backlog", "asp_consumer_lag"])
def test_the_exported_names_are_read_from_the_registry(name):
    assert name in exported_names()
