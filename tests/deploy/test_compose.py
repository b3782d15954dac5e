"""docker-compose.yml: valid against the Compose Specification's JSON schema, and it runs
every service's processes, the infrastructure, and no secret of its own."""
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from prodrun import topology

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "deploy" / "schemas" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_the_compose_file_is_valid_against_the_compose_specification(compose):
    schema = json.loads(SCHEMA.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema, format_checker=validator_class.FORMAT_CHECKER).iter_errors(compose),
                    key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_catches_a_mistake():
    """The check above is not vacuous: a misspelt key is refused."""
    schema = json.loads(SCHEMA.read_text())
    broken = {"services": {"web": {"image": "x", "restart_policy": "always"}}}
    assert not jsonschema.validators.validator_for(schema)(schema).is_valid(broken)


def test_every_service_has_its_web_app_relay_and_consumer_as_their_own_containers(compose):
    services = compose["services"]
    for process in topology.processes():
        container = services[process.name]
        assert container["command"] == process.command()
        assert container["image"].startswith("${ASP_IMAGE:-")
        assert container["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        environment = container["environment"]
        assert environment[f"{process.service.upper()}_DATABASE_URL_FILE"] == \
            f"/run/secrets/{process.service}-database-url"
        others = [s for s in topology.services() if s != process.service]
        assert not any(key.startswith(tuple(o.upper() + "_" for o in others)) for key in environment), \
            "a container gets another service's database"
        if process.kind == "web":
            assert environment["PROMETHEUS_MULTIPROC_DIR"]
            assert environment["ASP_HEALTHCHECK_URL"].endswith(f"/{process.service}/readyz")
        else:
            assert environment["ASP_WORKER_METRICS_PORT"] == topology.WORKER_METRICS_PORT
    app_containers = {name for name, spec in services.items() if str(spec.get("image", "")).startswith("${ASP_IMAGE")}
    assert app_containers == {p.name for p in topology.processes()} | {"migrate"}


def test_kafka_runs_in_kraft_mode_and_an_init_step_creates_every_topic_with_its_partitions(compose):
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("${KAFKA_IMAGE:-apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    script = compose["services"]["kafka-init"]["command"][0]
    for topic, partitions in topology.topics().items():
        assert re.search(rf"--topic {re.escape(topic)} --partitions {partitions} ", script), topic


def test_postgres_makes_one_database_and_role_per_service(compose):
    postgres = compose["services"]["postgres"]
    assert postgres["environment"]["ASP_SERVICES"].split() == topology.services()
    assert "./deploy/docker/postgres-init.sh:/docker-entrypoint-initdb.d/10-asp-databases.sh:ro" in postgres["volumes"]
    assert compose["services"]["migrate"]["command"] == ["python", "-m", "runner.migrate", "upgrade"]


def test_secrets_are_files_outside_git_and_never_values_in_the_compose_file(compose):
    for name, secret in compose["secrets"].items():
        assert set(secret) == {"file"} and secret["file"].startswith("./deploy/secrets/"), name
    ignored = subprocess.run(["git", "check-ignore", "-q", "deploy/secrets/jwt-signing.pem"], cwd=REPO)
    assert ignored.returncode == 0, "deploy/secrets/ must be ignored by git"
    for name, service in compose["services"].items():
        for key in service.get("environment", {}):
            if re.search(r"PASSWORD|SECRET|DATABASE_URL", key):
                assert key.endswith("_FILE"), f"{name}: {key} must name a secret file"
    assert "PRIVATE KEY" not in (REPO / "docker-compose.yml").read_text()


def test_nginx_prometheus_and_grafana_are_provisioned_from_the_repository(compose):
    services = compose["services"]
    assert "./deploy/nginx/asp.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    grafana = services["grafana"]["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana
    for mounted in ("deploy/nginx/asp.conf", "deploy/prometheus/prometheus.yml",
                    "deploy/grafana/provisioning/datasources/prometheus.yml",
                    "deploy/grafana/provisioning/dashboards/asp.yml", "deploy/docker/postgres-init.sh"):
        assert (REPO / mounted).is_file(), mounted
