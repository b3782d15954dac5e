"""The Kubernetes manifests (deploy/k8s, Kustomize): every rendered resource is valid
against the Kubernetes schemas or its operator's CRD (Strimzi, Prometheus Operator), and
every service and worker runs with probes, resources and an autoscaler."""
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from prodrun import topology
from tests.deploy import kustomize

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"


@pytest.fixture(scope="module")
def platform() -> list[dict]:
    return kustomize.render(K8S)


@pytest.fixture(scope="module")
def migrate() -> list[dict]:
    return kustomize.render(K8S / "migrate")


def by_kind(documents, kind) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def test_every_rendered_resource_is_valid_against_its_schema(platform, migrate):
    kinds = set()
    for doc in platform + migrate:
        kustomize.validate(doc)
        kinds.add((doc["apiVersion"], doc["kind"]))
    assert {("kafka.strimzi.io/v1", "Kafka"), ("kafka.strimzi.io/v1", "KafkaNodePool"),
            ("kafka.strimzi.io/v1", "KafkaTopic"), ("monitoring.coreos.com/v1", "PodMonitor"),
            ("monitoring.coreos.com/v1", "PrometheusRule")} <= kinds


@pytest.mark.parametrize("mistake", ["built-in", "strimzi", "prometheus-operator"])
def test_the_validation_catches_a_mistake(platform, mistake):
    """Not vacuous: a misplaced field is refused, in built-in kinds and in custom resources."""
    doc = {"built-in": by_kind(platform, "Deployment")["programme-web"],
           "strimzi": by_kind(platform, "Kafka")["asp-kafka"],
           "prometheus-operator": by_kind(platform, "PodMonitor")["asp-web"]}[mistake]
    broken = yaml.safe_load(yaml.safe_dump(doc))
    broken["spec"]["replica"] = 3
    with pytest.raises(jsonschema.ValidationError, match="replica"):
        kustomize.validate(broken)


def test_every_process_is_a_deployment_with_probes_resources_and_a_non_root_read_only_container(platform):
    deployments = by_kind(platform, "Deployment")
    assert set(deployments) == {p.name for p in topology.processes()}
    for process in topology.processes():
        pod = deployments[process.name]["spec"]["template"]["spec"]
        container, = pod["containers"]
        assert container["command"] == process.command()
        assert container["image"] == "registry.example.org/asp/asp-platform:0.1.0"
        health = f"/{process.service}/healthz" if process.kind == "web" else "/metrics"
        ready = f"/{process.service}/readyz" if process.kind == "web" else "/metrics"
        assert container["livenessProbe"]["httpGet"]["path"] == health
        assert container["readinessProbe"]["httpGet"]["path"] == ready
        assert container["startupProbe"]["httpGet"]["path"] == health
        assert set(container["resources"]) == {"requests", "limits"}
        assert pod["securityContext"]["runAsNonRoot"] and container["securityContext"]["readOnlyRootFilesystem"]
        secret_keys = [e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"] if "valueFrom" in e]
        assert secret_keys == [process.service], "each process gets its own service's database only"
        assert deployments[process.name]["metadata"]["namespace"] == "asp"


def test_web_apps_and_consumers_scale_horizontally_and_relays_stay_one(platform):
    autoscalers = by_kind(platform, "HorizontalPodAutoscaler")
    for process in topology.processes():
        if process.kind == "relay":
            assert process.name not in autoscalers
            deployment = by_kind(platform, "Deployment")[process.name]
            assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate"
            continue
        spec = autoscalers[process.name]["spec"]
        assert spec["scaleTargetRef"]["name"] == process.name
        if process.kind == "consumer":
            assert spec["maxReplicas"] <= topology.EVENT_PARTITIONS


def test_one_ingress_serves_every_service_under_its_path_prefix(platform):
    ingress, = by_kind(platform, "Ingress").values()
    paths = {p["path"]: p["backend"]["service"]["name"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert paths == {f"/{s}": f"{s}-web" for s in topology.services()}
    services = by_kind(platform, "Service")
    assert all(f"{s}-web" in services for s in topology.services())


def test_kafka_runs_in_kraft_with_node_pools_and_every_topic_is_a_kafka_topic(platform):
    kafka = by_kind(platform, "Kafka")["asp-kafka"]
    assert "zookeeper" not in kafka["spec"]
    pool, = by_kind(platform, "KafkaNodePool").values()
    assert set(pool["spec"]["roles"]) == {"controller", "broker"}
    topics = {t["spec"]["topicName"]: t["spec"]["partitions"] for t in by_kind(platform, "KafkaTopic").values()}
    assert topics == topology.topics()
    config = by_kind(platform, "ConfigMap")["asp-config"]["data"]
    assert config["KAFKA_BOOTSTRAP_SERVERS"].startswith("asp-kafka-kafka-bootstrap.")


def test_the_migration_job_migrates_every_service_with_its_own_database(migrate):
    job, = by_kind(migrate, "Job").values()
    container, = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", "runner.migrate", "upgrade"]
    keys = [e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"]]
    assert keys == topology.services()


def test_the_alert_rules_and_dashboards_are_the_same_as_compose_uses(platform):
    rule, = by_kind(platform, "PrometheusRule").values()
    assert rule["spec"] == yaml.safe_load((REPO / "deploy/prometheus/rules/asp-alerts.yml").read_text())
    dashboards = {name: text for cm in by_kind(platform, "ConfigMap").values()
                  if cm["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
                  for name, text in cm["data"].items()}
    on_disk = {p.name: p.read_text() for p in (REPO / "deploy/grafana/dashboards").glob("*.json")}
    assert dashboards == on_disk


def test_our_renderer_agrees_with_kubectl_kustomize():
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not installed: manifests rendered by tests/deploy/kustomize.py only")
    def key(doc):  # kustomize orders by kind; the resources are the same either way
        return doc["kind"], doc["metadata"]["name"]
    for folder in (K8S, K8S / "migrate"):
        assert sorted(kustomize.render_ourselves(folder), key=key) == \
            sorted(kustomize.render_with_kubectl(folder), key=key)
