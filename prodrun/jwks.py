"""A JSON Web Key Set of the platform's token-signing public keys, for rotating the key
without signing everyone out (deploy/README.md, "Rotating the token-signing keys").

    python -m prodrun.jwks OLD_PUBLIC.pem NEW_PUBLIC.pem > jwks.json

Each key's id is the one the programme service puts in its tokens (shared.http.keys.key_id),
so with ASP_OIDC_JWKS_FILE=jwks.json and ASP_OIDC_ISSUER=asp-programme every service
accepts tokens signed by either key.
"""
import json
import sys
from pathlib import Path

from jwt.algorithms import RSAAlgorithm
from cryptography.hazmat.primitives import serialization

from shared.http.keys import key_id


def key_set(public_pems: list[bytes]) -> dict:
    keys = []
    for pem in public_pems:
        jwk = json.loads(RSAAlgorithm.to_jwk(serialization.load_pem_public_key(pem)))
        jwk.pop("key_ops", None)  # "use" says it; and deploy/init-secrets.sh writes the same
        keys.append({**jwk, "kid": key_id(pem), "use": "sig", "alg": "RS256"})
    return {"keys": keys}


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit(__doc__)
    print(json.dumps(key_set([Path(path).read_bytes() for path in paths]), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
