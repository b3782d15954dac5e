#!/usr/bin/env bash
# One database and one role per service: the role owns its database, no other role may
# connect to it. Run by the postgres image on its first start (/docker-entrypoint-initdb.d);
# safe to run again, e.g. after adding a service:
#   docker compose exec postgres /docker-entrypoint-initdb.d/10-asp-databases.sh
# Services: ASP_SERVICES (space-separated); each role's password: <service>-db-password in
# ASP_SECRETS_DIR (/run/secrets).
set -euo pipefail
secrets="${ASP_SECRETS_DIR:-/run/secrets}"
for service in ${ASP_SERVICES:?list the services in ASP_SERVICES}; do
    password="$(cat "$secrets/$service-db-password")"
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
         -v service="$service" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'service', :'password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'service') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'service', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'service', :'service')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'service') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'service') \gexec
SQL
    echo "database and role $service ready"
done
