"""What operators and the smoke test rely on: health, readiness, metrics, OpenAPI, docs."""
import pytest

from shared.config import load_settings
from shared.messaging.embedded_broker import free_port
from shared.service import ServiceRuntime

from runner.services import DEFINITIONS


@pytest.fixture(params=DEFINITIONS, ids=lambda d: d.name)
def runtime(request, settings_env):
    runtime = ServiceRuntime(request.param, load_settings(settings_env))
    runtime.migrate()
    return runtime


def test_health_readiness_metrics_openapi_and_docs_answer(runtime):
    client = runtime.create_app().test_client()
    name = runtime.name
    assert client.get(f"/{name}/healthz").json == {"status": "ok", "service": name}
    ready = client.get(f"/{name}/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok", "broker": "ok"}
    spec = client.get(f"/{name}/openapi.json")
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3.")
    docs = client.get(f"/{name}/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.data
    metrics = client.get(f"/{name}/metrics").data.decode()
    assert f'asp_http_requests_total{{method="GET",route="/{name}/healthz",service="{name}",status="200"}}' in metrics
    assert f'asp_outbox_backlog{{service="{name}"}} 0.0' in metrics


def test_readiness_fails_when_the_broker_is_unreachable(settings_env):
    env = {**settings_env, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}"}
    runtime = ServiceRuntime(DEFINITIONS[0], load_settings(env))
    runtime.migrate()
    ready = runtime.create_app().test_client().get("/programme/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"] == {"database": "ok", "broker": "unreachable"}


def test_the_outbox_backlog_is_exported(world):
    client = world.client()
    metrics = client.get("/programme/metrics").data.decode()
    assert 'asp_outbox_backlog{service="programme"} 2.0' in metrics  # two communes onboarded, not relayed
    assert 'asp_outbox_oldest_age_seconds{service="programme"}' in metrics


def test_the_programme_api_is_documented(world):
    spec = world.client().get("/programme/openapi.json").json
    assert "/programme/api/v1/auth/token" in spec["paths"]
    assert "/programme/api/v1/communes/{commune}/phases/{number}/activities/{key}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
