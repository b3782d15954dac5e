"""Secrets as an operator makes them (deploy/init-secrets.sh, openssl) work with the
services; the signing key can be rotated without signing anyone out; PostgreSQL gets one
database and one role per service (deploy/docker/postgres-init.sh, psql)."""
import dataclasses
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import jwt
import psycopg
import pytest

from shared.config import load_settings
from shared.http.auth import TokenIssuer, TokenVerifier
from prodrun.jwks import key_set
from tests.support.databases import DEFAULT_POSTGRES

REPO = Path(__file__).resolve().parents[2]
KEYS = ("jwt-signing.pem", "jwt-public.pem", "jwks.json", "session-secret")


def init_secrets(folder: Path) -> str:
    done = subprocess.run(["bash", str(REPO / "deploy" / "init-secrets.sh"), str(folder)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def keys_settings(secrets: Path, data: Path, **overrides):
    """Settings of a container that has the secrets mounted in its data folder's keys/."""
    (data / "keys").mkdir(parents=True)
    for name in KEYS:
        shutil.copy(secrets / name, data / "keys" / name)
    return dataclasses.replace(load_settings({"ASP_DATA_DIR": str(data)}), **overrides)


def test_init_secrets_makes_every_secret_once_and_keeps_them(tmp_path):
    made = init_secrets(tmp_path / "s")
    services = sorted(p.name for p in (REPO / "services").iterdir() if p.is_dir())
    expected = {*KEYS, "postgres-password", "grafana-admin-password",
                *(f"{s}-db-password" for s in services), *(f"{s}-database-url" for s in services)}
    assert {p.name for p in (tmp_path / "s").iterdir()} == expected
    before = {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()}
    assert made.count("made ") == len(expected)
    assert init_secrets(tmp_path / "s") == ""  # nothing to make the second time
    assert before == {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()}
    password = before["surveys-db-password"].decode().strip()
    assert before["surveys-database-url"].decode().strip() == \
        f"postgresql+psycopg://surveys:{password}@postgres:5432/surveys"
    assert oct((tmp_path / "s").stat().st_mode & 0o777) == "0o700"


def test_the_made_key_set_is_the_one_the_jwks_command_makes(tmp_path):
    init_secrets(tmp_path / "s")
    made = json.loads((tmp_path / "s" / "jwks.json").read_text())
    assert made == key_set([(tmp_path / "s" / "jwt-public.pem").read_bytes()])


def test_the_made_keys_sign_and_verify_tokens(tmp_path):
    init_secrets(tmp_path / "s")
    settings = keys_settings(tmp_path / "s", tmp_path / "data")
    token = TokenIssuer(settings).issue("1", "coordinator", ["courtetelle"], "c@example.ch")
    assert TokenVerifier(settings).verify(token).communes == ("courtetelle",)


def test_a_key_set_of_the_old_and_new_keys_accepts_tokens_of_either_during_a_rotation(tmp_path):
    init_secrets(tmp_path / "old")
    init_secrets(tmp_path / "new")
    init_secrets(tmp_path / "stranger")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(key_set([(tmp_path / d / "jwt-public.pem").read_bytes() for d in ("old", "new")])))
    old = TokenIssuer(keys_settings(tmp_path / "old", tmp_path / "d-old"))
    new = TokenIssuer(keys_settings(tmp_path / "new", tmp_path / "d-new"))
    stranger = TokenIssuer(keys_settings(tmp_path / "stranger", tmp_path / "d-stranger"))
    verifier = TokenVerifier(keys_settings(tmp_path / "new", tmp_path / "d-verifier",
                                           oidc_jwks_file=str(jwks), oidc_issuer="asp-programme"))
    for issuer in (old, new):
        assert verifier.verify(issuer.issue("7", "regional_admin", [], "r@example.ch")).role == "regional_admin"
    with pytest.raises(jwt.InvalidTokenError):
        verifier.verify(stranger.issue("7", "regional_admin", [], "r@example.ch"))


@pytest.fixture
def postgres_admin() -> str:
    url = os.environ.get("ASP_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if os.environ.get("ASP_REQUIRE_DEPLOY_TOOLS") == "1":
            pytest.fail(f"PostgreSQL not reachable at {url}: {error}", pytrace=False)
        pytest.skip(f"PostgreSQL not reachable at {url}")
    return url


def test_the_postgres_init_script_makes_one_owned_database_and_role_per_service(postgres_admin, tmp_path):
    if shutil.which("psql") is None:
        pytest.skip("psql not installed")
    names = [f"asp_init_{uuid.uuid4().hex[:8]}_{n}" for n in ("one", "two")]
    for name in names:
        (tmp_path / f"{name}-db-password").write_text("pw-" + name)
    url = psycopg.conninfo.conninfo_to_dict(postgres_admin)
    env = {**os.environ, "ASP_SERVICES": " ".join(names), "ASP_SECRETS_DIR": str(tmp_path),
           "PGHOST": url.get("host", "127.0.0.1"), "PGPORT": str(url.get("port", 5432)),
           "POSTGRES_USER": url.get("user", "postgres")}
    try:
        for _ in range(2):  # safe to run again
            done = subprocess.run(["bash", str(REPO / "deploy/docker/postgres-init.sh")], env=env,
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
        with psycopg.connect(postgres_admin) as connection:
            for name in names:
                owner, public_connect = connection.execute(
                    "SELECT pg_get_userbyid(datdba), has_database_privilege('public', datname, 'CONNECT') "
                    "FROM pg_database WHERE datname = %s", (name,)).fetchone()
                assert owner == name and public_connect is False
                other = names[1 - names.index(name)]
                assert connection.execute("SELECT has_database_privilege(%s, %s, 'CONNECT')",
                                          (other, name)).fetchone()[0] is False
    finally:
        with psycopg.connect(postgres_admin, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.execute(f'DROP ROLE IF EXISTS "{name}"')
