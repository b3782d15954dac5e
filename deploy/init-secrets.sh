#!/usr/bin/env bash
# Makes every secret the compose file mounts, in deploy/secrets/ (or the folder given),
# which git ignores. Only what is missing is made: run it again after adding a service.
#   deploy/init-secrets.sh [FOLDER]
# Needs openssl. Files: jwt-signing.pem + jwt-public.pem (RS256 token-signing key pair),
# jwks.json (that public key as a key set, for rotations: deploy/README.md),
# session-secret (signs the session cookie), postgres-password (PostgreSQL superuser),
# grafana-admin-password, and per service <service>-db-password and <service>-database-url.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
folder="${1:-$here/secrets}"
mkdir -p "$folder"
chmod 700 "$folder"  # only the operator may enter; the files are then readable by the containers' user
umask 022

make() {  # make FILE COMMAND…: run COMMAND into FILE unless FILE exists
    local file="$folder/$1"; shift
    if [ ! -s "$file" ]; then "$@" > "$file.tmp" && mv "$file.tmp" "$file" && echo "made $file"; fi
}
password() { openssl rand -hex 24; }
jwks() {  # the public key as a JSON Web Key Set; kid as the programme service computes it
    local pem="$folder/jwt-public.pem" hex n
    hex="$(openssl rsa -pubin -in "$pem" -noout -modulus | cut -d= -f2)"
    n="$(printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | base64 -w0 | tr '+/' '-_' | tr -d '=')"
    printf '{"keys": [{"kty": "RSA", "n": "%s", "e": "AQAB", "kid": "%s", "use": "sig", "alg": "RS256"}]}\n' \
        "$n" "$(sha256sum "$pem" | cut -c1-16)"
}

make jwt-signing.pem openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048
make jwt-public.pem openssl pkey -in "$folder/jwt-signing.pem" -pubout
make jwks.json jwks
make session-secret openssl rand -hex 32
make postgres-password password
make grafana-admin-password password
for dir in "$here"/../services/*/; do
    service="$(basename "$dir")"
    make "$service-db-password" password
    make "$service-database-url" printf 'postgresql+psycopg://%s:%s@postgres:5432/%s\n' \
        "$service" "$(cat "$folder/$service-db-password")" "$service"
done
