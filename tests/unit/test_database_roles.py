"""Who signs in to which database: each service as its own role, the migration role as the
schemas' owner (huisacademie/stack/databases.py, huisacademie/migrate.py)."""

import pytest

from huisacademie import migrate
from huisacademie.stack.databases import DIRECTORY, KEYS_ROLE, KEYSTORE, MIGRATOR, Databases

pytestmark = pytest.mark.unit

PASSWORDS = {
    MIGRATOR: "m/ig",
    KEYS_ROLE: "k",
    "catalogue": "c@t",
    "enrollment": "e",
    "portfolio": "p",
    "subscriptions": "s",
    "web": "w",
}
DATABASES = Databases.named("postgresql://admin:secret@db.example:5432/postgres", PASSWORDS, "t_")


def test_each_service_signs_in_as_itself_to_its_database_and_the_directory() -> None:
    assert (
        DATABASES.service_url("catalogue")
        == "postgresql://catalogue:c%40t@db.example:5432/t_catalogue"
    )
    assert (
        DATABASES.directory_url("enrollment")
        == "postgresql://enrollment:e@db.example:5432/t_directory"
    )
    assert DATABASES.migration_url(DIRECTORY) == (
        f"postgresql://{MIGRATOR}:m%2Fig@db.example:5432/t_directory"
    )
    assert set(DATABASES.service_urls) == {
        "catalogue", "enrollment", "portfolio", "subscriptions", "web"
    }  # fmt: skip


def test_the_plan_grants_each_service_its_rows_and_the_directory_to_read() -> None:
    steps = {step.database: step for step in migrate.local_plan(DATABASES)}
    assert list(steps)[:2] == [DIRECTORY, KEYSTORE]  # the services use them: they come first
    assert steps[KEYSTORE].writers == [KEYS_ROLE] and steps[KEYSTORE].readers == ()
    assert steps[DIRECTORY].readers == ["catalogue", "enrollment", "subscriptions", "web"]
    assert steps[DIRECTORY].deleters == {"portfolio": ["people"]}  # where people are erased
    assert steps[DIRECTORY].writers == ()
    assert steps["portfolio"].writers == ["portfolio"]
    assert steps["portfolio"].readers == ()
    assert all(step.url.startswith(f"postgresql://{MIGRATOR}:") for step in steps.values())


def test_the_plan_from_the_environment_takes_each_role_from_the_services_urls() -> None:
    env = {
        "DIRECTORY_MIGRATION_DATABASE_URL": "postgresql://owner:x@db/directory",
        "KEYSTORE_MIGRATION_DATABASE_URL": "postgresql://owner:x@db/keystore",
        "KEYSTORE_DATABASE_ROLE": "keys_rt",
        **{
            f"{s.upper()}_MIGRATION_DATABASE_URL": f"postgresql://owner:x@db/{s}"
            for s in PASSWORDS
            if s != MIGRATOR
        },
        "CATALOGUE_DATABASE_URL": "postgresql://cat_rt:y@db/catalogue",
        "ENROLLMENT_DATABASE_URL": "postgresql://enr_rt:y@db/enrollment",
        "PORTFOLIO_DATABASE_URL": "postgresql://por_rt:y@db/portfolio",
        "SUBSCRIPTIONS_DATABASE_URL": "postgresql://sub_rt:y@db/subscriptions",
        "WEB_DATABASE_URL": "postgresql://web_rt:y@db/web",
    }
    steps = {step.database: step for step in migrate.environment_plan(env)}
    assert steps["enrollment"].writers == ["enr_rt"]
    assert steps[DIRECTORY].readers == ["cat_rt", "enr_rt", "sub_rt", "web_rt"]
    assert steps[DIRECTORY].deleters == {"por_rt": ["people"]}
    assert steps["portfolio"].url == "postgresql://owner:x@db/portfolio"
    assert steps[KEYSTORE].writers == ["keys_rt"]

    roles_only = {**env, "CATALOGUE_DATABASE_ROLE": "cat-2", "CATALOGUE_DATABASE_URL": ""}
    assert migrate.environment_plan(roles_only)[2].writers == ["cat-2"]

    with pytest.raises(migrate.MigrationSettingsMissing, match="DIRECTORY_MIGRATION_DATABASE_URL"):
        migrate.environment_plan({k: v for k, v in env.items() if not k.startswith("DIRECTORY")})
    no_role = {**env, "PORTFOLIO_DATABASE_URL": "postgresql://db/portfolio"}
    with pytest.raises(migrate.MigrationSettingsMissing, match="PORTFOLIO_DATABASE_ROLE"):
        migrate.environment_plan(no_role)
