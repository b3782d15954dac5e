"""The events service, wired: its tables, API, pages, consumers and demo. Everything else builds from this."""
from pathlib import Path

from shared.contracts import topic_of
from shared.http.rate_limit import RateLimiter
from shared.service import ServiceDefinition, Subscription

from events.adapters.orm import Base
from events.api.pages import pages
from events.api.public import RATE_LIMITER, public
from events.api.routes import communes_blp
from events.demo import seed
from events.service_layer.directory import HANDLERS


def configure_app(app, runtime) -> None:
    # Residents' forms are open to anyone: a per-client brake on floods (ASP_PUBLIC_RATE_LIMIT).
    app.extensions[RATE_LIMITER] = RateLimiter.from_environment()


definition = ServiceDefinition(
    name="events",
    metadata=Base.metadata,
    package_dir=Path(__file__).resolve().parent,
    api_blueprints=[communes_blp],
    page_blueprints=[public, pages],
    subscriptions=[Subscription(group="events-directory",
                                topics=[topic_of("programme"), topic_of("partners")],
                                handlers=HANDLERS)],
    configure_app=configure_app,
    seed_demo=seed,
)
