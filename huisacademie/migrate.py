"""`huisacademie migrate`: every database's migrations, applied under the role that owns the
schema, and what each service's own role may then do with the rows. The services never
change a schema: they wait until this has run (`up` runs it first).

Each service signs in with one role to its own database (read and write) and to the
directory (read only); the migration role owns both schemas.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from huisacademie.serve import SERVICES
from huisacademie.stack.databases import (
    DIRECTORY,
    KEYS_ROLE,
    KEYSTORE,
    Databases,
    create_databases,
)
from services.shared.db import migrate
from services.shared.definition import database_migrations
from services.shared.identity import directory
from services.shared.privacy import keys


@dataclass(frozen=True)
class Migration:
    database: str
    """A service's name, or DIRECTORY."""
    url: str
    """As the role that owns the schema."""
    directories: Sequence[Path]
    writers: Sequence[str] = ()
    readers: Sequence[str] = ()
    deleters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Roles that may also delete the rows of these tables."""


ERASES = "portfolio"
"""The service where the privacy officer erases people (services/portfolio/api/privacy.py)."""


class MigrationSettingsMissing(ValueError):
    pass


def plan(
    migration_urls: Mapping[str, str], service_roles: Mapping[str, str], keys_role: str
) -> list[Migration]:
    """The directory and the key store first (the services use them), then each service's
    database."""
    readers = [service_roles[name] for name in SERVICES if name != ERASES]
    # The portfolio, where people are erased, also forgets them in the directory.
    steps = [
        Migration(
            DIRECTORY,
            migration_urls[DIRECTORY],
            [directory.MIGRATIONS],
            (),
            readers,
            {service_roles[ERASES]: ["people"]},  # a person's sign-ins go with them
        ),
        Migration(KEYSTORE, migration_urls[KEYSTORE], [keys.MIGRATIONS], [keys_role]),
    ]
    for name, definition in SERVICES.items():
        migrations = database_migrations(definition)
        steps.append(Migration(name, migration_urls[name], migrations, [service_roles[name]]))
    return steps


def local_plan(databases: Databases) -> list[Migration]:
    urls = {key: databases.migration_url(key) for key in databases.names}
    return plan(urls, {name: name for name in SERVICES}, KEYS_ROLE)


def environment_plan(env: Mapping[str, str]) -> list[Migration]:
    """From `<SERVICE>_MIGRATION_DATABASE_URL`, `DIRECTORY_MIGRATION_DATABASE_URL` and
    `KEYSTORE_MIGRATION_DATABASE_URL` (as the migration role); the key store's role is
    `KEYSTORE_DATABASE_ROLE` (or the user of `KEYSTORE_DATABASE_URL`), each service's
    `<SERVICE>_DATABASE_ROLE` (or the user of its `<SERVICE>_DATABASE_URL`): the migration
    need not hold the services' passwords."""
    urls = {k: f"{k.upper()}_MIGRATION_DATABASE_URL" for k in (DIRECTORY, KEYSTORE, *SERVICES)}
    if missing := [v for v in urls.values() if not env.get(v)]:
        raise MigrationSettingsMissing(f"set {', '.join(missing)}")
    service_roles = {name: _role(env, name) for name in SERVICES}
    if unnamed := [name for name, role in service_roles.items() if not role]:
        wanted = ", ".join(f"{n.upper()}_DATABASE_ROLE" for n in unnamed)
        raise MigrationSettingsMissing(f"name each service's role: set {wanted}")
    keys_role = env.get("KEYSTORE_DATABASE_ROLE") or unquote(
        urlsplit(env.get("KEYSTORE_DATABASE_URL", "")).username or ""
    )
    if not keys_role:
        raise MigrationSettingsMissing("name the key store's role: set KEYSTORE_DATABASE_ROLE")
    return plan({key: env[v] for key, v in urls.items()}, service_roles, keys_role)


def _role(env: Mapping[str, str], service: str) -> str:
    prefix = service.upper()
    if role := env.get(f"{prefix}_DATABASE_ROLE"):
        return role
    return unquote(urlsplit(env.get(f"{prefix}_DATABASE_URL", "")).username or "")


async def run(steps: Sequence[Migration]) -> dict[str, list[str]]:
    """Applies each step; returns, per database, the migrations applied now."""
    return {
        step.database: await migrate(
            step.url,
            step.directories,
            writers=step.writers,
            readers=step.readers,
            deleters=step.deleters,
        )
        for step in steps
    }


async def prepare(
    databases: Databases, *, fresh: bool, which: Sequence[str] | None = None
) -> dict[str, list[str]]:
    """Makes the databases (`fresh`: afresh; `which`: only those of these keys), then
    migrates them as `huisacademie migrate` does."""
    await create_databases(databases, fresh=fresh, which=which)
    return await run([s for s in local_plan(databases) if which is None or s.database in which])
