#!/bin/bash
# Runs once, when the PostgreSQL container initialises its data directory: the migration
# role, which owns one database per service, the directory and the key store; a login role
# per service and the key store's (granted their rows by `huisacademie migrate`); and
# Keycloak's own database. Passwords from the environment (compose.yaml, .env).
set -euo pipefail

role() {  # name password
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v name="$1" -v password="$2" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
SQL
}

database() {  # name owner
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v name="$1" -v owner="$2" <<'SQL'
CREATE DATABASE :"name" OWNER :"owner";
SQL
}

role huisacademie_migrate "$MIGRATE_DB_PASSWORD"
role catalogue "$CATALOGUE_DB_PASSWORD"
role enrollment "$ENROLLMENT_DB_PASSWORD"
role portfolio "$PORTFOLIO_DB_PASSWORD"
role subscriptions "$SUBSCRIPTIONS_DB_PASSWORD"
role web "$WEB_DB_PASSWORD"
role huisacademie_keys "$KEYS_DB_PASSWORD"
role keycloak "$KEYCLOAK_DB_PASSWORD"
for name in catalogue enrollment portfolio subscriptions web directory keystore; do
    database "$name" huisacademie_migrate
done
database keycloak keycloak
