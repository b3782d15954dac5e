"""Tokens: what is accepted, what is refused, and external OpenID Connect key sets."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.config import load_settings
from shared.http.auth import Principal, TokenIssuer, TokenVerifier


@pytest.fixture
def settings(tmp_path):
    return load_settings({"ASP_DATA_DIR": str(tmp_path)})


def test_an_issued_token_verifies_to_its_principal(settings):
    token = TokenIssuer(settings).issue("7", "coordinator", ["courtetelle"], "c@example.ch")
    principal = TokenVerifier(settings).verify(token)
    assert principal == Principal("7", "coordinator", ("courtetelle",), "c@example.ch")
    assert principal.can_write("courtetelle") and not principal.can_read("delemont")


def test_roles_decide_reading_and_writing():
    viewer = Principal("1", "viewer", ("a",))
    regional = Principal("2", "regional_admin", ())
    assert viewer.can_read("a") and not viewer.can_write("a")
    assert regional.can_read("any") and regional.can_write("any")


def test_an_expired_token_is_refused(settings):
    token = TokenIssuer(settings).issue("7", "viewer", ["a"], "v@example.ch")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["exp"] = int(time.time()) - 10
    private = (settings.keys_dir / "jwt-signing.pem").read_bytes()
    with pytest.raises(jwt.ExpiredSignatureError):
        TokenVerifier(settings).verify(jwt.encode(claims, private, algorithm="RS256"))


def test_a_token_signed_by_another_key_is_refused(settings):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({"sub": "1", "iss": "asp-programme", "aud": "asp", "exp": time.time() + 60,
                        "role": "regional_admin", "communes": []}, other, algorithm="RS256")
    with pytest.raises(jwt.InvalidSignatureError):
        TokenVerifier(settings).verify(token)


def test_alg_none_and_hmac_with_the_public_key_are_refused(settings):
    claims = {"sub": "1", "iss": "asp-programme", "aud": "asp", "exp": time.time() + 60,
              "role": "regional_admin", "communes": []}
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(jwt.InvalidTokenError):
        TokenVerifier(settings).verify(unsigned)
    TokenIssuer(settings)  # makes the keys
    public = (settings.keys_dir / "jwt-public.pem").read_bytes()
    forged = _hmac_token(claims, public)  # the classic RS256/HS256 confusion attack
    with pytest.raises(jwt.InvalidTokenError):
        TokenVerifier(settings).verify(forged)


def _hmac_token(claims, secret: bytes) -> str:
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def test_a_token_without_a_known_role_is_refused(settings):
    private_issuer = TokenIssuer(settings)
    token = private_issuer.issue("1", "superuser", [], "x@example.ch")
    with pytest.raises(jwt.InvalidTokenError, match="role"):
        TokenVerifier(settings).verify(token)


class _OidcProvider:
    """A local OpenID Connect provider's key set, served over HTTP like a real one."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid="provider-key-1", use="sig", alg="RS256")
        self.key_set = {"keys": [jwk]}

    def token(self, **claims) -> str:
        base = {"iss": "https://id.example.ch/realms/asp", "aud": "asp", "sub": "user-1",
                "exp": int(time.time()) + 300, "role": "coordinator", "communes": ["courtetelle"]}
        base.update(claims)
        return jwt.encode(base, self.key, algorithm="RS256", headers={"kid": "provider-key-1"})


def test_tokens_of_an_external_provider_verify_with_its_key_set_file(tmp_path):
    provider = _OidcProvider()
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(provider.key_set))
    settings = load_settings({"ASP_DATA_DIR": str(tmp_path), "ASP_OIDC_JWKS_FILE": str(path),
                              "ASP_OIDC_ISSUER": "https://id.example.ch/realms/asp"})
    verifier = TokenVerifier(settings)
    assert verifier.verify(provider.token()).communes == ("courtetelle",)
    with pytest.raises(jwt.InvalidIssuerError):
        verifier.verify(provider.token(iss="https://elsewhere.example"))
    with pytest.raises(jwt.InvalidTokenError):  # our own embedded key is not trusted then
        verifier.verify(TokenIssuer(settings).issue("1", "regional_admin", [], "r@example.ch"))


def test_tokens_of_an_external_provider_verify_with_its_key_set_url(tmp_path):
    provider = _OidcProvider()
    body = json.dumps(provider.key_set).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = load_settings({
            "ASP_DATA_DIR": str(tmp_path),
            "ASP_OIDC_JWKS_URL": f"http://127.0.0.1:{server.server_port}/certs",
            "ASP_OIDC_ISSUER": "https://id.example.ch/realms/asp"})
        principal = TokenVerifier(settings).verify(provider.token(role="viewer"))
        assert principal.role == "viewer"
    finally:
        server.shutdown()
