"""The generated deployment files are current; nginx accepts the compose proxy; the image
is multi-stage, non-root and health-checked; the small commands the image runs work."""
import os
import subprocess
import sys
from pathlib import Path

import dockerfile
import pytest

from prodrun import manifests, topology
from prodrun.launch import settings_from_files
from tests.support.browser import live_server

REPO = Path(__file__).resolve().parents[2]


def test_the_generated_deployment_files_match_the_service_definitions():
    stale = [str(path.relative_to(REPO)) for path in manifests.stale()]
    assert not stale, f"run `make deploy-files` and commit: {stale}"


def test_nginx_accepts_the_compose_proxy_configuration(nginx_binary, tmp_path):
    wrapper = tmp_path / "nginx.conf"
    wrapper.write_text(f"pid {tmp_path}/nginx.pid;\nevents {{}}\n"
                       f"http {{\n    include {REPO}/deploy/nginx/asp.conf;\n}}\n")
    done = subprocess.run([nginx_binary, "-t", "-p", str(tmp_path), "-c", str(wrapper),
                           "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_the_proxy_routes_every_service_prefix_and_hides_metrics():
    text = (REPO / "deploy" / "nginx" / "asp.conf").read_text()
    for service in topology.services():
        assert f"location /{service}/ {{" in text and f"http://{service}-web:8000;" in text
    assert "location ~ ^/[^/]+/metrics$ {\n        return 404;" in text


@pytest.fixture(scope="module")
def image() -> list:
    return list(dockerfile.parse_file(str(REPO / "deploy" / "Dockerfile")))


def test_the_image_is_built_in_stages_and_runs_as_a_non_root_user_with_a_health_check(image):
    stages = [i for i, command in enumerate(image) if command.cmd == "FROM"]
    assert len(stages) >= 2, "multi-stage: the build tools stay out of the runtime image"
    final = image[stages[-1]:]
    users = [command.value[0] for command in final if command.cmd == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    health = [command for command in final if command.cmd == "HEALTHCHECK"]
    assert health and "prodrun.healthcheck" in health[-1].original
    assert any(c.cmd == "COPY" and "--from=build" in c.flags for c in final)


def test_the_image_copies_only_sources_that_exist_and_no_secrets(image):
    for command in image:
        if command.cmd == "COPY" and not any(flag.startswith("--from") for flag in command.flags):
            for source in command.value[:-1]:
                assert (REPO / source).exists(), source
                assert "secrets" not in source and not source.startswith("data")
    ignored = (REPO / "deploy" / "Dockerfile.dockerignore").read_text().split()
    assert {"deploy/secrets", "data", ".env", "**/.venv"} <= set(ignored)


def test_settings_given_as_files_become_environment_variables(tmp_path):
    secret = tmp_path / "programme-database-url"
    secret.write_text("postgresql+psycopg://programme:s3cret@postgres/programme\n")
    resolved = settings_from_files({"PROGRAMME_DATABASE_URL_FILE": str(secret), "OTHER": "x"})
    assert resolved["PROGRAMME_DATABASE_URL"] == "postgresql+psycopg://programme:s3cret@postgres/programme"
    assert settings_from_files({"ASP_A_FILE": str(secret), "ASP_A": "given"})["ASP_A"] == "given"
    assert "TF_CLI_CONFIG" not in settings_from_files({"TF_CLI_CONFIG_FILE": "/nowhere"})


def test_the_launcher_runs_the_command_with_the_settings_read_from_files(tmp_path):
    secret = tmp_path / "value"
    secret.write_text("from-a-file\n")
    done = subprocess.run([sys.executable, "-m", "prodrun.launch", sys.executable, "-c",
                           "import os; print(os.environ['ASP_EXAMPLE'])"],
                          env={**os.environ, "ASP_EXAMPLE_FILE": str(secret)}, cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "from-a-file", done.stderr


def _healthcheck(env: dict[str, str]) -> int:
    clean = {k: v for k, v in os.environ.items() if k not in ("ASP_HEALTHCHECK_URL", "ASP_WORKER_METRICS_PORT")}
    return subprocess.run([sys.executable, "-m", "prodrun.healthcheck"], env={**clean, **env}, cwd=REPO,
                          capture_output=True, timeout=60).returncode


def test_the_container_health_check_passes_only_when_the_process_answers():
    def ok(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    with live_server(ok) as base:
        assert _healthcheck({"ASP_HEALTHCHECK_URL": f"{base}/programme/readyz"}) == 0
        assert _healthcheck({"ASP_WORKER_METRICS_PORT": base.rsplit(":", 1)[1]}) == 0
    assert _healthcheck({"ASP_HEALTHCHECK_URL": f"{base}/programme/readyz"}) == 1
