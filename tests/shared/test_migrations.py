"""Each service's Alembic migrations build exactly the schema its models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.config import load_settings
from shared.service import ServiceRuntime

from runner.services import DEFINITIONS


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_the_migrations_match_the_models(definition, settings_env):
    runtime = ServiceRuntime(definition, load_settings(settings_env))
    runtime.migrate()
    with runtime.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       definition.metadata)
    assert differences == []


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_migrating_twice_changes_nothing(definition, settings_env):
    runtime = ServiceRuntime(definition, load_settings(settings_env))
    runtime.migrate()
    runtime.migrate()
