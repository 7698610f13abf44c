"""The services' databases on one PostgreSQL server, and the roles that sign in to them.

- each service signs in as a role of its own (named after it): it reads and writes the
  rows of its own database and reads the directory, and can change no schema;
- the migration role (``huisacademie_migrate``) owns every database and its schema, and is
  the only one that changes them (``huisacademie migrate``); the directory is maintained
  under it too;
- an administrative role (the server's ``postgres``, or whoever the tests are given) makes
  roles and databases, and runs the portfolio's rebuild.
"""

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from huisacademie.stack.layout import SERVICES
from services.shared.db import quote_identifier, quote_literal, with_database

MIGRATOR = "huisacademie_migrate"
DIRECTORY = "directory"
KEYSTORE = "keystore"
KEYS_ROLE = "huisacademie_keys"
"""The key store's own role: the services that seal or read what people wrote reach the
key store as it, and nothing else as it."""
SEALING = ("enrollment", "portfolio")
"""The services that seal what people wrote, or read it."""
ROLES = (MIGRATOR, KEYS_ROLE, *SERVICES)
"""The roles each stack (and each test session) signs in as, besides the administrator."""


@dataclass(frozen=True)
class Databases:
    """Where each service's database and the directory are, and how each role reaches them."""

    admin_url: str
    """The server's maintenance database, as a role that makes roles and databases."""
    passwords: Mapping[str, str]
    """Of the migration role and of each service's role."""
    names: Mapping[str, str]
    """The database of each service, of the directory (``DIRECTORY``) and of the key store
    (``KEYSTORE``)."""

    @classmethod
    def named(cls, admin_url: str, passwords: Mapping[str, str], prefix: str = "") -> "Databases":
        names = {key: f"{prefix}{key}" for key in (*SERVICES, DIRECTORY, KEYSTORE)}
        return cls(admin_url, passwords, names)

    def url(self, role: str, database: str) -> str:
        parts = urlsplit(self.admin_url)
        host = parts.netloc.rpartition("@")[2]
        sign_in = f"{quote(role, safe='')}:{quote(self.passwords[role], safe='')}"
        return urlunsplit(parts._replace(netloc=f"{sign_in}@{host}", path=f"/{database}"))

    def service_url(self, service: str) -> str:
        """The service's own database, as the service."""
        return self.url(service, self.names[service])

    def directory_url(self, service: str) -> str:
        """The directory, as the service (it may only read it)."""
        return self.url(service, self.names[DIRECTORY])

    def keystore_url(self) -> str:
        """The key store, as its own role."""
        return self.url(KEYS_ROLE, self.names[KEYSTORE])

    def migration_url(self, key: str) -> str:
        """A database (a service's, or ``DIRECTORY``) as its owner, the migration role."""
        return self.url(MIGRATOR, self.names[key])

    def url_as_admin(self, database: str) -> str:
        return with_database(self.admin_url, database)

    @property
    def service_urls(self) -> dict[str, str]:
        return {service: self.service_url(service) for service in SERVICES}


async def ensure_roles(admin_url: str, passwords: Mapping[str, str]) -> None:
    """Each of ROLES exists, may sign in with its password (stored as a SCRAM-SHA-256
    verifier), and may make no database, role or superuser."""
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute("SET password_encryption = 'scram-sha-256'")
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            # A statement that fails is logged; one holding a password must not be.
            await conn.execute("SET log_min_error_statement = panic")
        for role in ROLES:
            name = quote_identifier(role)
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                await conn.execute(f"CREATE ROLE {name}")
            # A parameter cannot stand for a password in a utility statement.
            await conn.execute(
                f"ALTER ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
                f" NOBYPASSRLS PASSWORD {quote_literal(passwords[role])}"
            )
    finally:
        await conn.close()


async def create_databases(
    databases: Databases, *, fresh: bool, which: Sequence[str] | None = None
) -> None:
    """The databases of `databases` (`which`: those of these keys), owned by the migration
    role: made afresh, or made when missing. One made before the roles (owned by someone
    else) is handed over to the migration role, its data kept."""
    conn = await asyncpg.connect(databases.admin_url)
    try:
        for key, name in databases.names.items():
            if which is not None and key not in which:
                continue
            owner = await conn.fetchval(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name
            )
            if owner is None or fresh:
                await _recreate(conn, name, MIGRATOR)
            elif owner != MIGRATOR:
                await _hand_over(databases.url_as_admin(name))
    finally:
        await conn.close()


_HAND_OVER = f"""
DO $$
DECLARE o record;
BEGIN
    EXECUTE format('ALTER DATABASE %I OWNER TO {MIGRATOR}', current_database());
    ALTER SCHEMA public OWNER TO {MIGRATOR};
    FOR o IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO {MIGRATOR}',
                       CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'S' THEN 'SEQUENCE'
                       ELSE 'TABLE' END, o.name);
    END LOOP;
    FOR o IN SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO {MIGRATOR}', o.name);
    END LOOP;
END $$;
"""


async def _hand_over(url: str) -> None:
    """The database, its schema and everything in it, to the migration role."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(_HAND_OVER)
    finally:
        await conn.close()


async def recreate_database(admin_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `admin_url` (owned by the
    administrator: a benchmark of one part, in process); returns its URL."""
    conn = await asyncpg.connect(admin_url)
    try:
        await _recreate(conn, name, None)
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def _recreate(conn: asyncpg.Connection, name: str, owner: str | None) -> None:
    await conn.execute(f"DROP DATABASE IF EXISTS {quote_identifier(name)} WITH (FORCE)")
    owned = f" OWNER {quote_identifier(owner)}" if owner else ""
    await conn.execute(f"CREATE DATABASE {quote_identifier(name)}{owned}")
