"""The programme service, wired: its tables, API, pages. Everything else builds from this."""
from pathlib import Path

from shared.service import ServiceDefinition

from programme.adapters.orm import Base
from programme.api.login_throttle import EXTENSION as LOGIN_THROTTLE, LoginThrottle
from programme.api.pages import pages
from programme.api.routes import accounts_blp, auth_blp, communes_blp
from programme.demo import seed


def configure_app(app, runtime) -> None:
    app.extensions[LOGIN_THROTTLE] = LoginThrottle.from_environment()


definition = ServiceDefinition(
    name="programme",
    metadata=Base.metadata,
    package_dir=Path(__file__).resolve().parent,
    api_blueprints=[auth_blp, communes_blp, accounts_blp],
    page_blueprints=[pages],
    configure_app=configure_app,
    seed_demo=seed,
)
