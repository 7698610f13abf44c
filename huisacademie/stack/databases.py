"""The services' databases on one PostgreSQL server, and the roles that sign in to them.

- each service signs in as a role of its own (named after it): it reads and writes the
  rows of its own database and reads the directory, and can change no schema;
- the migration role (``huisacademie_migrate``) owns every database and its schema, and is
  the only one that changes them (``huisacademie migrate``); the directory is maintained
  under it too;
- an administrative role (the server's ``postgres``, or whoever the tests are given) makes
  roles and databases, and runs the portfolio's rebuild.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from huisacademie.stack.layout import SERVICES

MIGRATOR = "huisacademie_migrate"
DIRECTORY = "directory"
ROLES = (MIGRATOR, *SERVICES)
"""The roles each stack (and each test session) signs in as, besides the administrator."""
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"refusing name {name!r}: use lower-case letters, digits and '_'")
    return name


@dataclass(frozen=True)
class Databases:
    """Where each service's database and the directory are, and how each role reaches them."""

    admin_url: str
    """The server's maintenance database, as a role that makes roles and databases."""
    passwords: Mapping[str, str]
    """Of the migration role and of each service's role."""
    names: Mapping[str, str]
    """The database of each service and of the directory (``DIRECTORY``)."""

    @classmethod
    def named(cls, admin_url: str, passwords: Mapping[str, str], prefix: str = "") -> "Databases":
        names = {key: f"{prefix}{key}" for key in (*SERVICES, DIRECTORY)}
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

    def migration_url(self, key: str) -> str:
        """A database (a service's, or ``DIRECTORY``) as its owner, the migration role."""
        return self.url(MIGRATOR, self.names[key])

    @property
    def service_urls(self) -> dict[str, str]:
        return {service: self.service_url(service) for service in SERVICES}


async def ensure_roles(admin_url: str, passwords: Mapping[str, str]) -> None:
    """Each of ROLES exists, may sign in with its password (stored as a SCRAM-SHA-256
    verifier), and may make no database, role or superuser."""
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute("SET password_encryption = 'scram-sha-256'")
        for role in ROLES:
            name = _checked(role)
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", name):
                await conn.execute(f'CREATE ROLE "{name}"')
            # A parameter cannot stand for a password in utility statements: quote it here.
            password = await conn.fetchval("SELECT quote_literal($1)", passwords[role])
            await conn.execute(
                f'ALTER ROLE "{name}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION'
                f" NOBYPASSRLS PASSWORD {password}"
            )
    finally:
        await conn.close()


async def create_databases(
    databases: Databases, *, fresh: bool, which: Sequence[str] | None = None
) -> None:
    """The databases of `databases` (`which`: those of these keys), owned by the migration
    role: made afresh, or made when missing (one made before the roles, owned by someone
    else, is made afresh)."""
    conn = await asyncpg.connect(databases.admin_url)
    try:
        for key, name in databases.names.items():
            if which is not None and key not in which:
                continue
            owner = await conn.fetchval(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name
            )
            if owner == MIGRATOR and not fresh:
                continue
            await _recreate(conn, name, MIGRATOR)
    finally:
        await conn.close()


async def recreate_database(admin_url: str, name: str, owner: str | None = None) -> str:
    """Drop and create database `name` on the server of `admin_url`; returns its URL (as the
    administrator)."""
    conn = await asyncpg.connect(admin_url)
    try:
        await _recreate(conn, name, owner)
    finally:
        await conn.close()
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


async def _recreate(conn: asyncpg.Connection, name: str, owner: str | None) -> None:
    await conn.execute(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')
    owned = f' OWNER "{_checked(owner)}"' if owner else ""
    await conn.execute(f'CREATE DATABASE "{name}"{owned}')
