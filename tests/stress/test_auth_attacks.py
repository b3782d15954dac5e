"""Attacks on sign-in and tokens, on every service's API.

tests/shared/test_auth.py proves the verifier refuses each bad token; here each bad token is
sent to every route of every service's API (read from the apps' URL maps) and must get a 401
that changes nothing; a coordinator of commune B gets 403 on every route of commune A (the
route-by-route tenant proof with viewers and regional routes is
tests/stress/test_isolation_every_route.py). Then passwords: stored as Argon2id, guessing
braked (429, in French) and no answer telling who has an account.
"""
from __future__ import annotations

import base64
import json
import re
import time
from unittest import mock

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text

from tests.shared.test_auth import _hmac_token
from tests.stress.five_services import SERVICES, Platform
from tests.support.snapshots import database_snapshot

PASSWORD = "Courtetelle-2022!"
LOGIN_LIMIT = 5
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def platform(module_env) -> Platform:
    # the real default limit, whatever the environment running the tests says
    return Platform(module_env, app_environment={"ASP_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT}/15minutes"}).seed()


# -- bad tokens --------------------------------------------------------------------------
def _claims(platform: Platform) -> dict:
    return jwt.decode(platform.world.tokens["coordinator_a"], options={"verify_signature": False})


def _private_key(platform: Platform) -> bytes:
    return (platform.world.runtime.settings.keys_dir / "jwt-signing.pem").read_bytes()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def bad_tokens(platform: Platform) -> dict[str, str]:
    claims, private = _claims(platform), _private_key(platform)
    public = (platform.world.runtime.settings.keys_dir / "jwt-public.pem").read_bytes()
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    header, _payload, signature = platform.world.tokens["coordinator_a"].split(".")
    promoted = _b64(json.dumps({**claims, "role": "regional_admin"}).encode())
    return {
        "expired": jwt.encode({**claims, "exp": int(time.time()) - 60}, private, algorithm="RS256"),
        "signed by another key": jwt.encode(claims, other_key, algorithm="RS256"),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "HS256 with the public key": _hmac_token(claims, public),
        "claims changed after signing": f"{header}.{promoted}.{signature}",
        "another audience": jwt.encode({**claims, "aud": "elsewhere"}, private, algorithm="RS256"),
        "another issuer": jwt.encode({**claims, "iss": "someone-else"}, private, algorithm="RS256"),
        "not a JWT": "ceci-n-est-pas-un-jeton",
    }


def _values(platform: Platform) -> dict[str, str]:
    known = {key: str(value) for key, value in platform.known.items()}
    return {"commune": platform.commune_a, "number": "2", "key": "x", "kind": "png", "template": "x",
            "link_id": "1", "import_id": "1", **known}


def api_routes(platform: Platform, service: str) -> list[tuple[str, str]]:
    """(method, path) of every staff API route of the app (not the public ones)."""
    values, found = _values(platform), []
    for rule in platform.app(service).url_map.iter_rules():
        if "/api/v1/" not in rule.rule or "/public/" in rule.rule or rule.rule.endswith("/auth/token"):
            continue
        path = re.sub(r"<(?:[^:<>]+(?:\([^)]*\))?:)?([^<>]+)>", lambda m: values.get(m.group(1), "1"), rule.rule)
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_api_route_refuses_a_missing_or_bad_token_and_changes_nothing(platform, service):
    routes = api_routes(platform, service)
    assert len(routes) >= 5, routes
    client, engine = platform.client(service), platform.runtimes[service].engine
    before = database_snapshot(engine)
    attempts = {"no token": {}, "not a bearer": {"Authorization": f"Basic {_b64(b'region@test.example:x')}"},
                **{name: {"Authorization": f"Bearer {token}"} for name, token in bad_tokens(platform).items()}}
    for method, path in routes:
        for attempt, headers in attempts.items():
            response = client.open(path, method=method, headers=headers,
                                   json={} if method in MUTATING else None)
            assert response.status_code == 401, (attempt, method, path, response.status_code)
            assert response.get_json()["message"], (attempt, method, path)
    assert database_snapshot(engine) == before


@pytest.mark.parametrize("service", SERVICES)
def test_a_token_of_another_commune_is_refused_on_every_route_of_this_one(platform, service):
    client, engine = platform.client(service), platform.runtimes[service].engine
    routes = [(m, p) for m, p in api_routes(platform, service) if f"/communes/{platform.commune_a}" in p]
    assert routes, f"{service} has no commune routes?"
    before = database_snapshot(engine)
    for method, path in routes:
        response = client.open(path, method=method, headers=platform.headers("coordinator_b"),
                               json={} if method in MUTATING else None)
        assert response.status_code == 403, (method, path, response.status_code)
    assert database_snapshot(engine) == before


def test_the_same_routes_accept_the_right_token(platform):
    """The control: the refusals above come from the tokens, not from the routes."""
    for service in SERVICES:
        reads = [p for m, p in api_routes(platform, service) if m == "GET" and f"/communes/{platform.commune_a}/" in p]
        answers = {platform.client(service).get(p, headers=platform.headers("coordinator_a")).status_code
                   for p in reads}
        assert 200 in answers, (service, answers)


# -- passwords -----------------------------------------------------------------------------
def _account(platform: Platform, email: str) -> None:
    response = platform.client("programme").post(
        "/programme/api/v1/accounts", headers=platform.headers("regional"),
        json={"email": email, "display_name": "Test", "password": PASSWORD, "role": "coordinator",
              "communes": [platform.commune_a]})
    assert response.status_code == 201, response.get_json()


def _token_request(platform: Platform, email: str, password: str, address: str = "198.51.100.1"):
    """From a client address of the test's own, so the tests' per-client counts stay apart."""
    return platform.client("programme").post("/programme/api/v1/auth/token",
                                             json={"email": email, "password": password},
                                             headers={"Accept-Language": "fr"},
                                             environ_base={"REMOTE_ADDR": address})


def test_passwords_are_stored_as_argon2id_hashes(platform):
    _account(platform, "argon@test.example")
    with platform.runtimes["programme"].engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM accounts WHERE email = :email"),
                                    {"email": "argon@test.example"}).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    # RFC 9106's second recommended option, or stronger: 64 MiB, 3 passes
    memory, passes = (int(v) for v in re.search(r"\$m=(\d+),t=(\d+),p=\d+\$", stored).groups())
    assert memory >= 65536 and passes >= 3


def test_wrong_passwords_then_even_the_right_one_is_refused_for_a_while(platform):
    _account(platform, "guessed@test.example")
    for _ in range(LOGIN_LIMIT):
        assert _token_request(platform, "guessed@test.example", "wrong-password", "198.51.100.2").status_code == 401
    refused = _token_request(platform, "guessed@test.example", PASSWORD, "198.51.100.2")
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion" in refused.get_json()["message"]
    assert int(refused.headers["Retry-After"]) > 0
    # another account from the same client is not locked out by it
    _account(platform, "neighbour@test.example")
    assert _token_request(platform, "neighbour@test.example", PASSWORD, "198.51.100.2").status_code == 200
    # and the locked account stays locked from another address too (it is the account's limit)
    assert _token_request(platform, "guessed@test.example", PASSWORD, "198.51.100.3").status_code == 429


def test_the_sign_in_page_is_braked_the_same_way(platform):
    _account(platform, "page-guessed@test.example")
    client = platform.client("programme")
    page = client.get("/programme/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def sign_in(password: str):
        return client.post("/programme/login", headers={"Accept-Language": "fr"}, data={
            "csrf_token": csrf, "email": "page-guessed@test.example", "password": password},
            environ_base={"REMOTE_ADDR": "198.51.100.4"})
    for _ in range(LOGIN_LIMIT):
        assert sign_in("wrong-password").status_code == 401
    refused = sign_in(PASSWORD)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Trop de tentatives de connexion" in refused.get_data(as_text=True)
    assert client.get("/programme/").status_code == 302  # still not signed in


def test_a_guesser_from_one_client_is_braked_across_accounts(platform):
    """Many e-mail addresses from one client: the per-client limit stops the spraying."""
    answers = [_token_request(platform, f"spray-{n}@test.example", "Password1!", "198.51.100.5").status_code
               for n in range(LOGIN_LIMIT * 4 + 1)]
    assert answers == [401] * LOGIN_LIMIT * 4 + [429], answers


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer_after_the_same_work(platform):
    _account(platform, "known@test.example")
    from argon2 import PasswordHasher
    with mock.patch.object(PasswordHasher, "verify", autospec=True, side_effect=PasswordHasher.verify) as verify:
        unknown = _token_request(platform, "nobody-here@test.example", PASSWORD, "198.51.100.6")
        unknown_checks = verify.call_count
        wrong = _token_request(platform, "known@test.example", "not-the-password", "198.51.100.6")
        wrong_checks = verify.call_count - unknown_checks
    assert (unknown.status_code, unknown.get_json()) == (wrong.status_code, wrong.get_json())
    assert unknown.status_code == 401
    assert unknown_checks == wrong_checks == 1  # an Argon2 verify in both cases, not a shortcut


def test_the_sign_in_page_does_not_tell_who_has_an_account(platform):
    _account(platform, "page-known@test.example")
    client = platform.client("programme")

    def error_of(email: str, password: str) -> tuple[int, str]:
        page = client.get("/programme/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/programme/login", headers={"Accept-Language": "fr"},
                               data={"csrf_token": csrf, "email": email, "password": password},
                               environ_base={"REMOTE_ADDR": "198.51.100.7"})
        return response.status_code, re.search(r'id="login-error">([^<]*)<', response.get_data(as_text=True)).group(1)
    assert error_of("nobody-there@test.example", PASSWORD) == error_of("page-known@test.example", "wrong-one")
