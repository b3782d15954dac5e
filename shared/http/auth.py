"""Who is calling: bearer tokens (JWT), roles, and the commune guard of every tenant route.

The programme service issues RS256 tokens with its own key (made on first run in the
data folder); every service verifies them with the public key — or, in production, with
an external OpenID Connect provider's key set (ASP_OIDC_JWKS_URL or ASP_OIDC_JWKS_FILE).
"""
from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass

import jwt
from flask import current_app, g, request, session
from flask_babel import gettext as _
from flask_smorest import abort

from shared.config import Settings
from shared.http.keys import PUBLIC_KEY, SIGNING_KEY, key_id, read_key

ROLES = ("regional_admin", "coordinator", "viewer")
ISSUER = "asp-programme"
# Only asymmetric algorithms: "none" and HMAC tokens are refused whatever their header says.
ALGORITHMS = ["RS256", "ES256"]


@dataclass(frozen=True)
class Principal:
    account_id: str
    role: str
    communes: tuple[str, ...]
    email: str | None = None

    @property
    def is_regional(self) -> bool:
        return self.role == "regional_admin"

    def can_read(self, commune: str) -> bool:
        return self.is_regional or commune in self.communes

    def can_write(self, commune: str) -> bool:
        return self.is_regional or (self.role == "coordinator" and commune in self.communes)


class TokenIssuer:
    def __init__(self, settings: Settings):
        self._private = read_key(settings.keys_dir, SIGNING_KEY)
        self._kid = key_id(read_key(settings.keys_dir, PUBLIC_KEY))
        self.ttl = settings.token_ttl_seconds
        self.audience = settings.oidc_audience

    def issue(self, account_id: str, role: str, communes: list[str], email: str) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": self.audience, "sub": account_id, "iat": now,
                  "exp": now + self.ttl, "role": role, "communes": communes, "email": email}
        return jwt.encode(claims, self._private, algorithm="RS256", headers={"kid": self._kid})


class TokenVerifier:
    def __init__(self, settings: Settings):
        self.audience = settings.oidc_audience
        if settings.oidc_jwks_url:
            self._jwks_client = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True)
            self._static_keys = None
            self.issuer = settings.oidc_issuer
        elif settings.oidc_jwks_file:
            with open(settings.oidc_jwks_file) as handle:
                key_set = jwt.PyJWKSet.from_dict(json.load(handle))
            self._jwks_client = None
            self._static_keys = {key.key_id: key.key for key in key_set.keys}
            self.issuer = settings.oidc_issuer
        else:
            self._jwks_client = None
            self._static_keys = {None: read_key(settings.keys_dir, PUBLIC_KEY)}
            self.issuer = ISSUER

    def _key_for(self, token: str):
        if self._jwks_client is not None:
            return self._jwks_client.get_signing_key_from_jwt(token).key
        kid = jwt.get_unverified_header(token).get("kid")
        if None in self._static_keys:
            return self._static_keys[None]
        if kid not in self._static_keys:
            raise jwt.InvalidTokenError("unknown key id")
        return self._static_keys[kid]

    def verify(self, token: str) -> Principal:
        """Raise jwt.InvalidTokenError (or a subclass) for any token not to be trusted."""
        try:
            key = self._key_for(token)
        except jwt.PyJWKClientError as exc:
            raise jwt.InvalidTokenError(str(exc)) from None
        claims = jwt.decode(token, key, algorithms=ALGORITHMS, audience=self.audience,
                            issuer=self.issuer, options={"require": ["exp", "sub", "iss", "aud"]})
        role = claims.get("role")
        communes = claims.get("communes", [])
        if role not in ROLES or not isinstance(communes, list):
            raise jwt.InvalidTokenError("role or communes claim missing or invalid")
        return Principal(account_id=str(claims["sub"]), role=role,
                         communes=tuple(str(c) for c in communes), email=claims.get("email"))


# -- in a request ------------------------------------------------------------------------
SESSION_TOKEN_KEY = "access_token"


def current_principal() -> Principal | None:
    """The caller, from the Authorization header or else the HTML session cookie."""
    if "principal" in g:
        return g.principal
    header = request.headers.get("Authorization", "")
    token = None
    if header:
        scheme, _space, value = header.partition(" ")  # not `_`: that is gettext here
        if scheme.lower() != "bearer" or not value:
            abort(401, message=_("Use an Authorization header of the form 'Bearer <token>'."))
        token = value.strip()
    elif SESSION_TOKEN_KEY in session:
        token = session[SESSION_TOKEN_KEY]
    principal = None
    if token:
        try:
            principal = current_app.extensions["asp_token_verifier"].verify(token)
        except jwt.ExpiredSignatureError:
            if not header:
                session.pop(SESSION_TOKEN_KEY, None)
                return None
            abort(401, message=_("Your session has expired. Please sign in again."))
        except jwt.InvalidTokenError:
            if not header:
                session.pop(SESSION_TOKEN_KEY, None)
                return None
            abort(401, message=_("The access token is not valid."))
    g.principal = principal
    return principal


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        abort(401, message=_("Sign in to use this resource."))
    return principal


def require_role(*roles: str):
    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            principal = require_principal()
            if principal.role not in roles:
                abort(403, message=_("Your role does not allow this action."))
            return view(*args, **kwargs)
        return guarded
    return decorate


def commune_access(write: bool = False):
    """Guard for views with a `commune` URL argument: the token must cover that commune."""
    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            principal = require_principal()
            commune = kwargs["commune"]
            if not principal.can_read(commune):
                abort(403, message=_("You do not have access to this commune."))
            if write and not principal.can_write(commune):
                abort(403, message=_("Your role allows reading this commune, not changing it."))
            return view(*args, **kwargs)
        return guarded
    return decorate
