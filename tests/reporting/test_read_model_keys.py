"""Every read of a projection asks for one generation's rows of one commune (or of every
commune): its primary key must lead with (generation, commune) for its index to find them,
in the models and in the schema the migrations build."""
import pytest
from sqlalchemy import inspect

from shared.config import load_settings
from shared.service import ServiceRuntime
from tests.support.environment import service_env

from reporting.adapters.orm import PROJECTIONS
from reporting.bootstrap import definition

NO_BROKER = "127.0.0.1:9"  # migrating talks to the database only


@pytest.fixture
def migrated(tmp_path, databases):
    runtime = ServiceRuntime(definition, load_settings(service_env(tmp_path, NO_BROKER, databases)))
    runtime.migrate()
    yield inspect(runtime.engine)
    runtime.engine.dispose()


@pytest.mark.parametrize("model", PROJECTIONS, ids=lambda model: model.__tablename__)
def test_projection_keys_lead_with_generation_and_commune(model, migrated):
    declared = [column.name for column in model.__table__.primary_key.columns]
    built = migrated.get_pk_constraint(model.__tablename__)["constrained_columns"]
    assert declared[:2] == ["generation", "commune"]
    assert built == declared
