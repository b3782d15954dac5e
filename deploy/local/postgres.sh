#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:5432 for the tests and the production-like run on this machine:
# Debian's package, its `main` cluster, loopback connections trusted (the test databases and
# the production-like run's per-service roles have no passwords). Idempotent, and quick when
# PostgreSQL already answers. Used by `make test`, `make test-postgres`, `make prod-run`, .ci/run.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
MARK="# asp: loopback trusted (deploy/local/postgres.sh)"

answers() { psql -w -h "$HOST" -p "$PORT" -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; }

if command -v psql >/dev/null && answers; then
    exit 0
fi

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "PostgreSQL is not answering on $HOST:$PORT and setting it up needs root: $1" >&2
        exit 1
    fi
}

server_version() { ls -1 /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sed -E 's#.*/postgresql/([0-9]+)/.*#\1#' | sort -n | tail -1; }

if [ -z "$(server_version)" ] || ! command -v pg_ctlcluster >/dev/null; then
    need_root "apt-get install postgresql"
    echo "Installing PostgreSQL from Debian's packages…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version="$(server_version)"

if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    need_root "pg_createcluster $version main"
    pg_createcluster "$version" main >/dev/null
fi

config=/etc/postgresql/$version/main
if ! grep -qF "$MARK" "$config/pg_hba.conf"; then
    need_root "trusting loopback connections in $config/pg_hba.conf"
    { echo "$MARK"
      echo "host all all 127.0.0.1/32 trust"
      echo "host all all ::1/128 trust"
      cat "$config/pg_hba.conf"; } > "$config/pg_hba.conf.new"
    chown --reference="$config/pg_hba.conf" "$config/pg_hba.conf.new"
    chmod --reference="$config/pg_hba.conf" "$config/pg_hba.conf.new"
    mv "$config/pg_hba.conf.new" "$config/pg_hba.conf"
fi
cat > "$config/conf.d/asp.conf" <<CONF
listen_addresses = '$HOST'
port = $PORT
CONF

status="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}')"
if [ "$status" = online ]; then
    pg_ctlcluster "$version" main reload
else
    need_root "pg_ctlcluster $version main start"
    pg_ctlcluster "$version" main start
fi

for _ in $(seq 60); do
    answers && { echo "PostgreSQL $version answers on $HOST:$PORT"; exit 0; }
    sleep 0.5
done
echo "PostgreSQL $version did not answer on $HOST:$PORT within 30 s; its log:" >&2
tail -20 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
exit 1
